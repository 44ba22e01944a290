"""Suggested questions: builtin templates, the LLM through the fake provider, the 24-hour cache, accept/discard."""

import pytest
from django.core.exceptions import ValidationError

from screening import services
from screening.models import LLMCall, QuestionSuggestion
from screening.tests import fake_openai
from vacancies.models import ScreeningQuestion
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Backend developer", requirements="Python\nDjango")


def request_and_run(vacancy, capture_fixture, **kwargs):
    with capture_fixture(execute=True):
        suggestion = services.suggestion_request(vacancy=vacancy, user=None, **kwargs)
    suggestion.refresh_from_db()
    return suggestion


def test_builtin_provider_suggests_template_questions(no_llm, vacancy, django_capture_on_commit_callbacks):
    suggestion = request_and_run(vacancy, django_capture_on_commit_callbacks, count=4, difficulty="medium")
    assert suggestion.status == "done" and suggestion.evaluator == "builtin"
    assert len(suggestion.items) == 4
    assert all(item["state"] == "new" for item in suggestion.items)
    assert any("Python" in item["text"] for item in suggestion.items)


def test_llm_suggestions_are_validated_and_counted(fake_llm, vacancy, django_capture_on_commit_callbacks):
    fake_llm.script(fake_openai.ok(fake_openai.VALID_SUGGESTIONS))
    suggestion = request_and_run(vacancy, django_capture_on_commit_callbacks, count=3, difficulty="hard")
    assert suggestion.status == "done" and suggestion.evaluator == "llm"
    assert [item["kind"] for item in suggestion.items] == ["number", "yes_no", "single_choice"]
    body = fake_llm.requests[0].body
    assert body["response_format"]["json_schema"]["name"] == "questions"
    assert "exactly 3" in body["messages"][0]["content"] and "hard" in body["messages"][0]["content"]
    assert "Backend developer" in body["messages"][1]["content"]
    assert LLMCall.objects.get().purpose == "suggestion"


def test_the_same_vacancy_text_and_options_hit_the_cache(fake_llm, vacancy, django_capture_on_commit_callbacks):
    fake_llm.script(fake_openai.ok(fake_openai.VALID_SUGGESTIONS))
    first = request_and_run(vacancy, django_capture_on_commit_callbacks, count=3)
    second = request_and_run(vacancy, django_capture_on_commit_callbacks, count=3)
    assert len(fake_llm.requests) == 1
    assert [i["text"] for i in second.items] == [i["text"] for i in first.items]
    # Other options or another text: a new call.
    fake_llm.script(fake_openai.ok(fake_openai.VALID_SUGGESTIONS))
    request_and_run(vacancy, django_capture_on_commit_callbacks, count=3, difficulty="easy")
    assert len(fake_llm.requests) == 2
    vacancy.description = "Now with Kubernetes."
    vacancy.save()
    fake_llm.script(fake_openai.ok(fake_openai.VALID_SUGGESTIONS))
    request_and_run(vacancy, django_capture_on_commit_callbacks, count=3)
    assert len(fake_llm.requests) == 3


def test_invalid_suggestions_twice_fail_with_the_reason(fake_llm, vacancy, django_capture_on_commit_callbacks):
    fake_llm.script(fake_openai.ok({"questions": "none"}), fake_openai.ok("not json"))
    suggestion = request_and_run(vacancy, django_capture_on_commit_callbacks)
    assert suggestion.status == "failed" and "invalid twice" in suggestion.error
    assert suggestion.items == []


def test_ai_switched_off_uses_the_builtin_templates(fake_llm, vacancy, django_capture_on_commit_callbacks):
    vacancy.company.ai_enabled = False
    vacancy.company.save()
    suggestion = request_and_run(vacancy, django_capture_on_commit_callbacks)
    assert suggestion.evaluator == "builtin" and fake_llm.requests == []


@pytest.mark.parametrize(("count", "difficulty"), [(0, "medium"), (11, "medium"), (3, "insane")])
def test_bad_options_are_refused(vacancy, count, difficulty):
    with pytest.raises(ValidationError):
        services.suggestion_request(vacancy=vacancy, user=None, count=count, difficulty=difficulty)
    assert not QuestionSuggestion.objects.exists()


def _done(vacancy, items):
    return QuestionSuggestion.objects.create(
        vacancy=vacancy, status="done", evaluator="llm", items=[{**i, "state": "new"} for i in items]
    )


def test_accept_creates_a_question_at_the_end_of_the_script_once(vacancy):
    ScreeningQuestion.objects.create(vacancy=vacancy, position=4, text="Existing?", kind="text")
    suggestion = _done(vacancy, fake_openai.VALID_SUGGESTIONS["questions"])
    question = services.suggestion_accept(suggestion=suggestion, index=0)
    assert (question.text, question.kind, question.knockout, question.knockout_value, question.position) == (
        "How many years have you worked with Django?",
        "number",
        "at_least",
        "2",
        5,
    )
    suggestion.refresh_from_db()
    assert suggestion.items[0]["state"] == "accepted" and suggestion.items[0]["question_id"] == question.pk
    with pytest.raises(ValidationError):
        services.suggestion_accept(suggestion=suggestion, index=0)
    assert vacancy.questions.count() == 2


def test_accept_with_edits_is_validated_by_the_rules(vacancy):
    suggestion = _done(vacancy, fake_openai.VALID_SUGGESTIONS["questions"])
    with pytest.raises(ValidationError) as error:
        services.suggestion_accept(
            suggestion=suggestion, index=2, changes={"knockout": "one_of", "allowed_options": ["Oracle"]}
        )
    assert "allowed_options" in error.value.message_dict
    assert vacancy.questions.count() == 0
    question = services.suggestion_accept(
        suggestion=suggestion, index=2, changes={"text": "Your main database?", "knockout": "one_of",
                                                 "allowed_options": ["postgresql"]}
    )  # fmt: skip
    assert (question.text, question.allowed_options) == ("Your main database?", ["PostgreSQL"])


def test_discard_marks_the_item_and_adds_nothing(vacancy):
    suggestion = _done(vacancy, fake_openai.VALID_SUGGESTIONS["questions"])
    services.suggestion_discard(suggestion=suggestion, index=1)
    suggestion.refresh_from_db()
    assert suggestion.items[1]["state"] == "discarded"
    assert vacancy.questions.count() == 0
    with pytest.raises(ValidationError):
        services.suggestion_accept(suggestion=suggestion, index=1)
    with pytest.raises(ValidationError):
        services.suggestion_discard(suggestion=suggestion, index=7)


def test_an_unexpected_error_leaves_the_batch_failed_not_pending(
    fake_llm, vacancy, monkeypatch, django_capture_on_commit_callbacks
):
    from screening import ai

    def broken(content, count):  # a bug standing in for whatever a reply might yet trigger
        raise ZeroDivisionError

    monkeypatch.setattr(ai, "parse_suggestions", broken)
    fake_llm.script(fake_openai.ok(fake_openai.VALID_SUGGESTIONS))
    suggestion = request_and_run(vacancy, django_capture_on_commit_callbacks, count=3)
    assert suggestion.status == "failed"
    assert "Ask again" in suggestion.error
