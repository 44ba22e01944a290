"""The API's publish applies the question lint as the pages do: 400 with the findings, or a stored reason."""

import pytest

from vacancies.models import Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/vacancies/{}/publish/"


@pytest.fixture
def flagged(company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    QuestionFactory(vacancy=vacancy, position=1, text="Years of Python?")
    QuestionFactory(vacancy=vacancy, position=2, text="Есть ли у вас дети?")
    return vacancy


def test_publish_without_a_reason_is_a_400_with_the_findings_and_nothing_changes(owner_api, flagged):
    answer = owner_api.post(URL.format(flagged.pk), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "flagged_questions" and "override_reason" in error["fields"]
    question = flagged.questions.get(position=2)
    assert error["findings"] == [
        {
            "id": question.pk,
            "text": "Есть ли у вас дети?",
            "findings": [
                {
                    "attribute": "children",
                    "words": ["дети"],
                    "message": "Asks about children, pregnancy or family plans.",
                }
            ],
        }
    ]
    flagged.refresh_from_db()
    assert flagged.status == "draft"


def test_publish_with_a_reason_opens_the_vacancy_and_keeps_the_reason(recruiter_api, recruiter, flagged):
    answer = recruiter_api.post(
        URL.format(flagged.pk), {"override_reason": "Childcare centre: asked by the parents' board."}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "open"
    flagged.refresh_from_db()
    assert flagged.lint_override_reason == "Childcare centre: asked by the parents' board."
    assert flagged.lint_override_by == recruiter


def test_a_clean_vacancy_publishes_with_no_body(owner_api, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    QuestionFactory(vacancy=vacancy, text="Are you legally allowed to work in Germany?")

    answer = owner_api.post(URL.format(vacancy.pk))

    assert answer.status_code == 200 and answer.json()["status"] == "open"


def test_an_over_long_reason_is_a_field_error(owner_api, flagged):
    answer = owner_api.post(URL.format(flagged.pk), {"override_reason": "x" * 1001}, format="json")

    assert answer.status_code == 400
    assert "override_reason" in answer.json()["error"]["fields"]
    flagged.refresh_from_db()
    assert flagged.status == "draft"


def test_a_viewer_cannot_publish_even_with_a_reason(viewer_api, flagged):
    answer = viewer_api.post(URL.format(flagged.pk), {"override_reason": "because"}, format="json")

    assert answer.status_code == 403
    flagged.refresh_from_db()
    assert (flagged.status, flagged.lint_override_reason) == ("draft", "")
