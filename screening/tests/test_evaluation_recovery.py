"""Evaluations never stick: hostile replies and unexpected errors end "failed" (and can be re-run), and
"Re-evaluate" on an evaluation that is running or queued is refused with 409, in the API and in the page.

Eager Celery, the fake provider on loopback (a real HTTP server). The killed worker is in test_worker.py,
the broker outage at the chat's last answer in chat/tests/test_evaluation_outbox.py.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from screening import ai, tasks
from screening.models import Evaluation, LLMCall
from screening.services import evaluation_request
from screening.tests import fake_openai

pytestmark = pytest.mark.django_db

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE_NUMBER = "9" * 5000

# Replies that break the provider's envelope (the HTTP body itself): the call fails at once, not retried.
HOSTILE_BODIES = {
    "a 200 with a non-JSON body": fake_openai.hostile(b"<html><body>502 Bad Gateway</body></html>"),
    "a 200 with an HTML content type": fake_openai.hostile(b"<html>maintenance</html>", "text/html"),
    "a 5000-digit number in the envelope": fake_openai.hostile(fake_openai.envelope_with(HUGE_NUMBER)),
    "an array nested 100k deep as the body": fake_openai.hostile(DEEP),
    "choices of the wrong type": fake_openai.hostile(b'{"choices": "none", "model": 7, "usage": 5}'),
    "a choice that is a string": fake_openai.hostile(b'{"choices": ["text"], "model": "m"}'),
    "content that is an object": fake_openai.hostile(b'{"choices": [{"message": {"content": {"score": 1}}}]}'),
    "a token count past the database column": fake_openai.hostile(fake_openai.envelope_with("1" + "0" * 12)),
    "a token count that is text": fake_openai.hostile(fake_openai.envelope_with('"many"')),
}

# Replies whose envelope is fine but whose content (the model's JSON) is hostile: repaired once, then failed.
HOSTILE_CONTENTS = {
    "content that is not JSON": "Sure! Here is my evaluation: the candidate is great.",
    "a 5000-digit score": f'{{"score": {HUGE_NUMBER}}}',
    "content nested 100k deep": DEEP.decode(),
    "content nested past the recursion limit": "[" * 5000 + "]" * 5000,
    "a score of the wrong type": '{"score": "high", "requirements": [], "answers": [], "strengths": [], '
    '"concerns": [], "recommendation": "advance"}',
}


def _evaluate(response):
    tasks.evaluate_response.apply(args=(response.pk,))
    return Evaluation.objects.get(response=response)


def _assert_failed_then_re_evaluated(evaluation, response, django_capture_on_commit_callbacks, *, reason):
    assert evaluation.status == Evaluation.Status.FAILED
    assert reason in evaluation.error
    assert evaluation.finished_at is not None and evaluation.lease_expires_at is None
    response.refresh_from_db()
    assert (response.ai_score, response.ai_recommendation) == (None, "")
    # Retryable: "Re-evaluate" runs it again (the provider answers properly this time).
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_request(response=response, force=True)
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.error) == ("done", "") and evaluation.score is not None


@pytest.mark.parametrize("reply", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_hostile_provider_body_fails_the_evaluation_with_a_reason_and_it_can_be_run_again(
    fake_llm, finished_response, reply, django_capture_on_commit_callbacks
):
    fake_llm.script(reply)
    evaluation = _evaluate(finished_response)

    assert len(fake_llm.requests) == 1  # unreadable is not retried: the same call would get the same
    assert LLMCall.objects.get().ok is False
    _assert_failed_then_re_evaluated(
        evaluation, finished_response, django_capture_on_commit_callbacks, reason="could not be read"
    )


@pytest.mark.parametrize("content", HOSTILE_CONTENTS.values(), ids=HOSTILE_CONTENTS.keys())
def test_hostile_model_content_fails_the_evaluation_after_one_repair_and_it_can_be_run_again(
    fake_llm, finished_response, content, django_capture_on_commit_callbacks
):
    fake_llm.script(fake_openai.ok(content), fake_openai.ok(content))  # the repair is as bad
    evaluation = _evaluate(finished_response)

    assert len(fake_llm.requests) == 2
    _assert_failed_then_re_evaluated(
        evaluation, finished_response, django_capture_on_commit_callbacks, reason="invalid twice"
    )


def test_an_unexpected_error_during_the_run_leaves_the_evaluation_failed_not_running(
    fake_llm, finished_response, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):  # stands in for a bug no check foresaw
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(ai, "apply_guards", broken)
    evaluation = _evaluate(finished_response)  # the task does not raise

    assert "unexpected error (ZeroDivisionError)" in evaluation.error
    monkeypatch.undo()
    _assert_failed_then_re_evaluated(
        evaluation, finished_response, django_capture_on_commit_callbacks, reason="Re-evaluate to try again"
    )


# --- "Re-evaluate" while running or queued: 409 ----------------------------------------------------------


def _hold(response, status):
    return Evaluation.objects.create(
        response=response,
        prompt_version=ai.PROMPT_VERSION,
        status=status,
        task_id="a-live-task" if status == "running" else "",
        lease_expires_at=timezone.now() + timezone.timedelta(minutes=5) if status == "running" else None,
    )


@pytest.mark.parametrize("status", ["running", "pending"])
def test_re_evaluate_in_the_api_answers_409_while_the_evaluation_is_running_or_queued(
    recruiter, finished_response, fake_llm, status, django_capture_on_commit_callbacks
):
    evaluation = _hold(finished_response, status)
    api = APIClient()
    api.force_authenticate(user=recruiter)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = api.post(f"/api/v1/responses/{finished_response.pk}/evaluate/")

    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "conflict"
    assert ("running right now" if status == "running" else "already queued") in error["message"]
    assert callbacks == [] and fake_llm.requests == []  # nothing queued, nothing run
    evaluation.refresh_from_db()
    assert evaluation.status == status


@pytest.mark.parametrize("status", ["running", "pending"])
def test_re_evaluate_in_the_page_says_why_nothing_happens_while_running_or_queued(
    recruiter_client, finished_response, fake_llm, status
):
    evaluation = _hold(finished_response, status)
    url = reverse("screening:reevaluate", args=[finished_response.pk])

    page = recruiter_client.post(url, follow=True)
    assert page.redirect_chain[-1][0].endswith("#evaluation")
    texts = [str(message) for message in page.context["messages"]]
    assert any(("running right now" if status == "running" else "already queued") in text for text in texts)
    assert not any("was queued" in text for text in texts)

    # htmx posts the button's form: a 409 with the block, which says why.
    fragment = recruiter_client.post(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 409
    html = fragment.content.decode()
    assert 'id="evaluation"' in html and ("running right now" if status == "running" else "already queued") in html
    evaluation.refresh_from_db()
    assert evaluation.status == status and fake_llm.requests == []


def test_re_evaluate_of_a_failed_evaluation_is_queued_and_runs(
    recruiter_client, finished_response, fake_llm, django_capture_on_commit_callbacks
):
    _hold(finished_response, "failed")
    with django_capture_on_commit_callbacks(execute=True):
        page = recruiter_client.post(reverse("screening:reevaluate", args=[finished_response.pk]))
    assert page.status_code == 302
    assert page.url == f"{finished_response.get_absolute_url()}#evaluation"
    assert Evaluation.objects.get(response=finished_response).status == "done"
