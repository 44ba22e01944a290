"""AI-suggested questions pass the question lint before they are offered: one asking for age, religion or
nationality is withheld (and counted in the log), and accepting one that asks such a thing is refused."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening import services
from screening.models import QuestionSuggestion
from screening.tests import fake_openai
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

FAIR = fake_openai.VALID_SUGGESTIONS["questions"]
UNFAIR = [
    {"text": "How old are you?", "kind": "number", "options": [], "knockout": "", "knockout_value": "",
     "allowed_options": []},
    {"text": "Какое у вас вероисповедание?", "kind": "text", "options": [], "knockout": "", "knockout_value": "",
     "allowed_options": []},
    {"text": "Which describes you?", "kind": "single_choice", "options": ["Citizen", "Foreigner"], "knockout": "",
     "knockout_value": "", "allowed_options": []},
]  # fmt: skip


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Backend developer", requirements="Python\nDjango")


def run(vacancy, capture, count):
    with capture(execute=True):
        suggestion = services.suggestion_request(vacancy=vacancy, user=None, count=count)
    suggestion.refresh_from_db()
    return suggestion


def test_flagged_suggestions_from_the_model_are_withheld_and_counted(
    fake_llm, vacancy, django_capture_on_commit_callbacks, caplog
):
    fake_llm.script(fake_openai.ok({"questions": [UNFAIR[0], FAIR[0], UNFAIR[1], FAIR[1], UNFAIR[2]]}))

    with caplog.at_level(logging.INFO, logger="screening.services.suggestions"):
        suggestion = run(vacancy, django_capture_on_commit_callbacks, count=5)

    assert suggestion.status == "done"
    assert [item["text"] for item in suggestion.items] == [FAIR[0]["text"], FAIR[1]["text"]]
    assert any("3 suggested question(s) withheld" in record.getMessage() for record in caplog.records)


def test_the_suggestion_page_never_offers_a_flagged_question(
    fake_llm, vacancy, owner_client, django_capture_on_commit_callbacks
):
    fake_llm.script(fake_openai.ok({"questions": [UNFAIR[0], FAIR[0]]}))
    suggestion = run(vacancy, django_capture_on_commit_callbacks, count=2)

    html = owner_client.get(reverse("screening:suggestion", args=[suggestion.pk])).content.decode()

    assert FAIR[0]["text"] in html and "How old are you?" not in html


def test_a_batch_where_every_suggestion_is_flagged_is_done_and_empty(
    fake_llm, vacancy, django_capture_on_commit_callbacks
):
    fake_llm.script(fake_openai.ok({"questions": UNFAIR}))

    suggestion = run(vacancy, django_capture_on_commit_callbacks, count=3)

    assert (suggestion.status, suggestion.items) == ("done", [])


def test_the_builtin_templates_pass_the_lint(no_llm, vacancy, django_capture_on_commit_callbacks):
    suggestion = run(vacancy, django_capture_on_commit_callbacks, count=5)

    assert len(suggestion.items) == 5


def test_accepting_a_flagged_suggestion_from_an_older_batch_is_refused_and_adds_nothing(vacancy):
    suggestion = QuestionSuggestion.objects.create(
        vacancy=vacancy, status="done", evaluator="llm", items=[{**UNFAIR[0], "state": "new"}]
    )

    with pytest.raises(ValidationError) as refused:
        services.suggestion_accept(suggestion=suggestion, index=0)

    assert "age" in " ".join(refused.value.message_dict["text"]).lower()
    assert vacancy.questions.count() == 0
    suggestion.refresh_from_db()
    assert suggestion.items[0]["state"] == "new"


def test_editing_a_fair_suggestion_into_a_flagged_one_is_refused(vacancy):
    suggestion = QuestionSuggestion.objects.create(
        vacancy=vacancy, status="done", evaluator="llm", items=[{**FAIR[1], "state": "new"}]
    )

    with pytest.raises(ValidationError) as refused:
        services.suggestion_accept(suggestion=suggestion, index=0, changes={"text": "Есть ли у вас дети?"})

    assert "text" in refused.value.message_dict
    assert vacancy.questions.count() == 0


def test_the_suggestion_page_shows_why_accepting_a_flagged_suggestion_was_refused(owner_client, vacancy):
    suggestion = QuestionSuggestion.objects.create(
        vacancy=vacancy, status="done", evaluator="llm", items=[{**FAIR[1], "state": "new"}]
    )
    url = reverse("screening:suggestion", args=[suggestion.pk])
    edited = {"q0-text": "Are you married?", "q0-kind": "yes_no", "q0-knockout": "", "q0-knockout_value": ""}

    response = owner_client.post(url, {**edited, "index": "0", "action": "accept"})

    assert response.status_code == 400
    assert "Asks about marital status." in response.content.decode()
    assert vacancy.questions.count() == 0
