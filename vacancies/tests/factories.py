import factory

from accounts.tests.factories import CompanyFactory
from vacancies.models import ScreeningQuestion, Vacancy


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Python developer {n}")
    slug = factory.Sequence(lambda n: f"python-developer-{n}")
    description = "Build our product."
    requirements = "Python\nDjango\nPostgreSQL"
    location = "Moscow"
    status = Vacancy.Status.OPEN
    pass_threshold = 50


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningQuestion

    vacancy = factory.SubFactory(VacancyFactory)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = ScreeningQuestion.Kind.TEXT
    weight = 1
    required = True


def full_script(vacancy):
    """Five questions, one of every kind, with knockout rules where the kind has them."""
    kinds = ScreeningQuestion.Kind
    return [
        QuestionFactory(
            vacancy=vacancy,
            position=1,
            text="Which city do you live in?",
            kind=kinds.SINGLE_CHOICE,
            options=["Moscow", "Saint Petersburg", "Kazan"],
            knockout="one_of",
            allowed_options=["Moscow"],
        ),
        QuestionFactory(
            vacancy=vacancy,
            position=2,
            text="How many years of Python experience do you have?",
            kind=kinds.NUMBER,
            knockout="at_least",
            knockout_value="3",
            weight=2,
        ),
        QuestionFactory(
            vacancy=vacancy,
            position=3,
            text="Are you allowed to work in Russia?",
            kind=kinds.YES_NO,
            knockout="must_equal",
            knockout_value="yes",
        ),
        QuestionFactory(
            vacancy=vacancy,
            position=4,
            text="Which of these do you use?",
            kind=kinds.MULTIPLE_CHOICE,
            options=["Django", "FastAPI", "Flask"],
            knockout="one_of",
            allowed_options=["Django", "FastAPI"],
        ),
        QuestionFactory(vacancy=vacancy, position=5, text="Tell us about a project you are proud of.", kind=kinds.TEXT),
    ]
