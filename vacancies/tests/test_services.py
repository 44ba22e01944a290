"""Services of vacancies: save with its script in one transaction, publish, close, delete."""

import pytest
from django.core.exceptions import ValidationError

from screening.tests.factories import ResponseFactory
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.services import vacancy_close, vacancy_delete, vacancy_publish, vacancy_save, vacancy_slug_for
from vacancies.tests.factories import QuestionFactory, VacancyFactory, full_script

pytestmark = pytest.mark.django_db

DATA = {"title": "Backend developer", "slug": "", "pass_threshold": 70, "language": "ru"}


def q(text, kind="text", **fields):
    return {"text": text, "kind": kind, "weight": 1, "required": True, **fields}


def test_save_creates_a_draft_with_its_questions_in_order(company, owner):
    vacancy = vacancy_save(
        vacancy=None,
        company=company,
        user=owner,
        data=DATA,
        questions=[
            q("City?", "single_choice", options=["Moscow", "Kazan"], knockout="one_of", allowed_options=["moscow"]),
            q("Years?", "number", knockout="at_least", knockout_value="3"),
            q("Tell us more."),
        ],
    )
    vacancy.refresh_from_db()
    assert vacancy.company == company and vacancy.created_by == owner
    assert vacancy.status == Vacancy.Status.DRAFT and vacancy.published_at is None
    assert vacancy.slug == "backend-developer" and vacancy.pass_threshold == 70
    questions = list(vacancy.questions.all())
    assert [(x.position, x.text) for x in questions] == [(1, "City?"), (2, "Years?"), (3, "Tell us more.")]
    assert questions[0].allowed_options == ["Moscow"]


def test_save_makes_slugs_unique_within_the_company(company, other_company, owner):
    VacancyFactory(company=company, slug="backend-developer")
    VacancyFactory(company=other_company, slug="razrabotchik")
    first = vacancy_save(vacancy=None, company=company, user=owner, data=DATA)
    assert first.slug == "backend-developer-2"
    russian = vacancy_save(vacancy=None, company=company, user=owner, data={"title": "Разработчик"})
    assert russian.slug == "razrabotchik"
    assert vacancy_slug_for(company=company, title="!!!") == "vacancy"


def test_save_updates_reorders_adds_and_deletes_questions(company, owner):
    vacancy = VacancyFactory(company=company)
    city, years, allowed, stack, story = full_script(vacancy)
    vacancy_save(
        vacancy=vacancy,
        company=company,
        user=owner,
        data={"title": "Renamed"},
        questions=[
            {**q("Years of Python?", "number", knockout="at_most", knockout_value="10"), "id": years.pk},
            q("New: notice period?", "number"),
            {**q(city.text, city.kind, options=city.options, knockout="", allowed_options=[]), "id": city.pk},
        ],
    )
    vacancy.refresh_from_db()
    assert vacancy.title == "Renamed"
    questions = list(vacancy.questions.all())
    assert [x.text for x in questions] == ["Years of Python?", "New: notice period?", city.text]
    assert [x.position for x in questions] == [1, 2, 3]
    assert questions[0].pk == years.pk and questions[0].knockout == "at_most"
    assert questions[2].pk == city.pk and questions[2].knockout == ""
    assert not ScreeningQuestion.objects.filter(pk__in=[allowed.pk, stack.pk, story.pk]).exists()


def test_save_without_questions_leaves_the_script_alone(company, owner):
    vacancy = VacancyFactory(company=company)
    full_script(vacancy)
    vacancy_save(vacancy=vacancy, company=company, user=owner, data={"location": "Kazan"})
    assert vacancy.questions.count() == 5


@pytest.mark.parametrize(
    "questions",
    [
        [q("Fine?", "yes_no"), q("Broken?", "number", knockout="at_least", knockout_value="lots")],
        [q("Fine?", "yes_no"), q("", "text")],
        [q("Fine?", "yes_no"), q("Choice?", "single_choice", options=["only one"])],
    ],
)
def test_nothing_is_saved_when_a_question_is_invalid(company, owner, questions):
    vacancy = VacancyFactory(company=company, title="Before")
    original = full_script(vacancy)
    with pytest.raises(ValidationError) as error:
        vacancy_save(vacancy=vacancy, company=company, user=owner, data={"title": "After"}, questions=questions)
    assert "Question 2" in " ".join(error.value.messages)
    vacancy.refresh_from_db()
    assert vacancy.title == "Before"
    assert list(vacancy.questions.values_list("pk", flat=True)) == [x.pk for x in original]
    assert Vacancy.objects.count() == 1


def test_nothing_is_saved_when_the_vacancy_is_invalid(company, owner):
    with pytest.raises(ValidationError) as error:
        vacancy_save(
            vacancy=None,
            company=company,
            user=owner,
            data={"title": "X", "salary_from": 10, "salary_to": 5},
            questions=[q("Fine?")],
        )
    assert "salary_to" in error.value.message_dict
    assert not Vacancy.objects.exists() and not ScreeningQuestion.objects.exists()


def test_a_question_of_another_vacancy_cannot_be_taken_over(company, owner):
    mine = VacancyFactory(company=company)
    theirs = QuestionFactory(text="Not yours")
    with pytest.raises(ValidationError):
        vacancy_save(
            vacancy=mine, company=company, user=owner, data={}, questions=[{**q("Mine now?"), "id": theirs.pk}]
        )
    theirs.refresh_from_db()
    assert theirs.text == "Not yours" and theirs.vacancy != mine


def test_a_vacancy_cannot_be_saved_into_another_company(company, other_company, owner):
    vacancy = VacancyFactory(company=other_company, title="Theirs")
    with pytest.raises(ValidationError):
        vacancy_save(vacancy=vacancy, company=company, user=owner, data={"title": "Mine"})
    vacancy.refresh_from_db()
    assert vacancy.title == "Theirs"


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_publish_opens_a_draft_or_closed_vacancy(company, status):
    vacancy = VacancyFactory(company=company, status=status, published_at=None)
    vacancy_publish(vacancy=vacancy)
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.OPEN and vacancy.published_at is not None


def test_publish_refuses_an_open_vacancy(company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.OPEN, published_at=None)
    with pytest.raises(ValidationError):
        vacancy_publish(vacancy=vacancy)
    vacancy.refresh_from_db()
    assert vacancy.published_at is None


def test_close_closes_an_open_vacancy_only(company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    vacancy_close(vacancy=vacancy)
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.CLOSED
    with pytest.raises(ValidationError):
        vacancy_close(vacancy=vacancy)
    draft = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    with pytest.raises(ValidationError):
        vacancy_close(vacancy=draft)
    draft.refresh_from_db()
    assert draft.status == Vacancy.Status.DRAFT


def test_delete_removes_a_vacancy_without_responses_only(company):
    empty = VacancyFactory(company=company)
    full_script(empty)
    vacancy_delete(vacancy=empty)
    assert not Vacancy.objects.filter(pk=empty.pk).exists()
    applied = ResponseFactory(vacancy=VacancyFactory(company=company)).vacancy
    with pytest.raises(ValidationError):
        vacancy_delete(vacancy=applied)
    assert Vacancy.objects.filter(pk=applied.pk).exists()


def test_a_question_added_meanwhile_is_not_deleted_by_a_stale_editor(company, owner):
    vacancy = VacancyFactory(company=company)
    loaded = full_script(vacancy)
    added_meanwhile = QuestionFactory(vacancy=vacancy, position=6, text="Accepted suggestion?")
    kept = [{**q(x.text, x.kind, options=x.options), "id": x.pk} for x in loaded if x.kind in ("text", "number")]
    with pytest.raises(ValidationError) as error:
        vacancy_save(
            vacancy=vacancy,
            company=company,
            user=owner,
            data={"title": "Stale"},
            questions=kept,
            known_question_ids=[x.pk for x in loaded],
        )
    assert "reload" in " ".join(error.value.messages)
    assert vacancy.questions.count() == 6 and ScreeningQuestion.objects.filter(pk=added_meanwhile.pk).exists()
    # Knowing every question, the same edit goes through.
    vacancy_save(
        vacancy=vacancy,
        company=company,
        user=owner,
        data={},
        questions=kept,
        known_question_ids=[x.pk for x in loaded] + [added_meanwhile.pk],
    )
    assert vacancy.questions.count() == 2


def test_removing_an_answered_question_is_refused_and_nothing_is_lost(company, owner):
    from screening.models import Answer

    vacancy = VacancyFactory(company=company)
    kept, answered = QuestionFactory(vacancy=vacancy, text="Kept?"), QuestionFactory(vacancy=vacancy, text="Asked?")
    response = ResponseFactory(vacancy=vacancy)
    Answer.objects.create(response=response, question=answered, raw_text="yes")

    with pytest.raises(ValidationError) as error:
        vacancy_save(
            vacancy=vacancy,
            company=company,
            user=owner,
            data={},
            questions=[{"id": kept.pk, "text": "Kept?", "kind": "text"}],
        )

    assert "Asked?" in str(error.value)
    assert set(vacancy.questions.values_list("text", flat=True)) == {"Kept?", "Asked?"}
    assert Answer.objects.filter(question=answered).count() == 1


def test_deleting_a_company_takes_its_answers_with_it(company):
    from screening.models import Answer

    vacancy = VacancyFactory(company=company)
    question = QuestionFactory(vacancy=vacancy)
    Answer.objects.create(response=ResponseFactory(vacancy=vacancy), question=question, raw_text="x")
    company.delete()
    assert not Answer.objects.exists()
