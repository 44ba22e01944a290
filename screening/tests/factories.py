import factory
from django.utils import timezone

from screening.models import Candidate, Response
from vacancies.tests.factories import VacancyFactory


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    company = factory.SubFactory("accounts.tests.factories.CompanyFactory")
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"candidate{n}@example.org")
    phone = "+7 900 123-45-67"
    city = "Moscow"
    resume_text = "Python developer with 5 years of Django and PostgreSQL."
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-11"


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    vacancy = factory.SubFactory(VacancyFactory)
    candidate = factory.SubFactory(CandidateFactory, company=factory.SelfAttribute("..vacancy.company"))
