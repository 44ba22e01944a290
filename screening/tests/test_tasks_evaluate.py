"""The evaluation task end to end in eager mode, against the fake provider on loopback.

``task.apply()`` runs the task here as a worker would; ``task.delay()`` inside the test's transaction
would wait for a commit that never comes (``smartbot.celery.TransactionAwareTask``).
"""

import json
import re
from decimal import Decimal

import pytest

from screening import ai, tasks
from screening.models import Evaluation, LLMCall, Response
from screening.services import evaluation_request
from screening.tests import fake_openai
from screening.tests.conftest import make_finished_response

pytestmark = pytest.mark.django_db


def run(response, *, force=False):
    tasks.evaluate_response.apply(args=(response.pk,), kwargs={"force": force})
    return Evaluation.objects.get(response=response)


def test_llm_evaluation_is_stored_validated_with_tokens_cost_and_a_call_row(fake_llm, finished_response):
    fake_llm.script(fake_openai.ok())
    evaluation = run(finished_response)

    assert evaluation.status == Evaluation.Status.DONE
    assert evaluation.evaluator == Evaluation.Evaluator.LLM
    # The rubric's score, not the model's 72. Answers: 4 of weight 6 earned (the weight-2 number question got half
    # its points, the free-text answer has no receipt, so "no"); requirements (1 + 1 + 0.5 + 0) / 4 (Kubernetes
    # was not mentioned): 100 x (0.6 x 4/6 + 0.4 x 0.625) = 65.
    assert (evaluation.score, evaluation.model_score) == (65, 72)
    assert (evaluation.recommendation, evaluation.model_recommendation) == ("hold", "advance")
    assert evaluation.strengths == [
        {"text": "Five years of Django", "quotes": [{"text": "5 years of Django", "source": "resume"}], "by": "model"}
    ]
    postgresql = evaluation.evidence[2]
    assert (postgresql["kind"], postgresql["label"], postgresql["level"], postgresql["by"]) == (
        "requirement",
        "PostgreSQL",
        "partly",
        "model",
    )
    assert postgresql["quotes"] == [{"text": "Django and PostgreSQL", "source": "resume"}]
    assert (evaluation.rubric_version, evaluation.dropped_claims, evaluation.run_scores) == (ai.RUBRIC_VERSION, 0, [65])
    assert len(evaluation.input_hash) == 64 and len(evaluation.rubric_hash) == 64
    assert (evaluation.tokens_in, evaluation.tokens_out) == (900, 150)
    assert evaluation.cost == Decimal("0.000225")  # 900 * 0.15/1M + 150 * 0.60/1M
    assert evaluation.model == "gpt-4o-mini"
    assert evaluation.prompt_version == ai.PROMPT_VERSION
    call = LLMCall.objects.get()
    assert (call.company_id, call.purpose, call.ok, call.tokens_in) == (
        finished_response.vacancy.company_id,
        "evaluation",
        True,
        900,
    )
    finished_response.refresh_from_db()
    assert (finished_response.ai_score, finished_response.ai_recommendation) == (65, "hold")


def test_request_is_strict_json_schema_with_no_tools(fake_llm, finished_response):
    run(finished_response)
    body = fake_llm.requests[0].body
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["schema"] == ai.EVALUATION_SCHEMA
    assert "tools" not in body and "functions" not in body
    assert fake_llm.requests[0].path == "/v1/chat/completions"


def test_the_llm_never_changes_the_response_status(fake_llm, finished_response):
    fake_llm.script(fake_openai.ok({**fake_openai.VALID_EVALUATION, "recommendation": "reject", "score": 3}))
    run(finished_response)
    finished_response.refresh_from_db()
    assert finished_response.status == Response.Status.PASSED
    evaluation = Evaluation.objects.get(response=finished_response)
    assert (evaluation.model_score, evaluation.model_recommendation) == (3, "reject")
    assert (finished_response.ai_score, finished_response.ai_recommendation) == (65, "hold")
    assert finished_response.history.count() == 0


# --- Candidate data --------------------------------------------------------------------------


def test_the_outgoing_request_contains_none_of_the_candidates_identifying_values(fake_llm, finished_response):
    run(finished_response)
    # The data blocks' random 12-hex-digit nonce may contain digits such as "916": drop it first.
    sent = re.sub(r"[0-9a-f]{12}", "", fake_llm.requests[0].raw)
    decoded = re.sub(r"[0-9a-f]{12}", "", json.dumps(fake_llm.requests[0].body, ensure_ascii=False))
    for value in [
        "Ivan",
        "Sidorov",
        "Petrovich",
        "ivan.sidorov@example.org",
        "ivan.sidorov",
        "555-12-34",
        "555 12 34",
        "916",
        "linkedin.com",
        "isidorov",
        "@ivsid",
        "Тверская",
        "Baker Street",
    ]:
        assert value.lower() not in sent.lower(), value
        assert value.lower() not in decoded.lower(), value
    assert "[NAME]" in decoded and "[EMAIL]" in decoded and "[PHONE]" in decoded
    assert "[LINK]" in decoded and "[ADDRESS]" in decoded
    assert "Python developer with 5 years of Django" in decoded  # the substance is still there


def test_company_with_ai_switched_off_sends_nothing_and_gets_the_builtin_evaluator(fake_llm, finished_response):
    company = finished_response.vacancy.company
    company.ai_enabled = False
    company.save()
    evaluation = run(finished_response)
    assert fake_llm.requests == []
    assert LLMCall.objects.count() == 0
    assert (evaluation.status, evaluation.evaluator, evaluation.fallback_reason) == ("done", "builtin", "ai_disabled")


def test_without_key_and_base_url_the_builtin_evaluator_runs(no_llm, finished_response):
    evaluation = run(finished_response)
    assert (evaluation.status, evaluation.evaluator, evaluation.fallback_reason) == (
        "done",
        "builtin",
        "not_configured",
    )
    assert evaluation.model == "builtin" and evaluation.cost == 0
    assert 0 <= evaluation.score <= 100
    requirements = [e for e in evaluation.evidence if e["kind"] == "requirement"]
    assert [e["label"] for e in requirements] == ["Python", "Django", "PostgreSQL", "Kubernetes"]
    assert [e["level"] for e in requirements] == ["yes", "yes", "yes", "no"]
    assert {e["by"] for e in requirements} == {"keywords"}
    # Builtin evidence quotes the redacted text only.
    assert "Sidorov" not in json.dumps(evaluation.evidence, ensure_ascii=False)
    assert LLMCall.objects.count() == 0


# --- Budget --------------------------------------------------------------------------------------


def test_spent_budget_means_no_call_and_the_builtin_evaluator_with_the_reason(fake_llm, company):
    company.ai_monthly_budget = Decimal("0.01")
    company.save()
    LLMCall.objects.create(company=company, purpose="evaluation", model="gpt-4o-mini", cost=Decimal("0.010000"))
    response = make_finished_response(company=company)
    evaluation = run(response)
    assert fake_llm.requests == []
    assert (evaluation.evaluator, evaluation.fallback_reason) == ("builtin", "budget_spent")


def test_last_months_spending_does_not_count(fake_llm, company):
    from django.utils import timezone

    company.ai_monthly_budget = Decimal("0.01")
    company.save()
    old = LLMCall.objects.create(company=company, purpose="evaluation", model="m", cost=Decimal("5"))
    LLMCall.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=40))
    evaluation = run(make_finished_response(company=company))
    assert evaluation.evaluator == "llm"
    assert len(fake_llm.requests) == 1


def test_budget_left_allows_the_call_and_other_companies_spending_does_not_count(fake_llm, company, other_company):
    company.ai_monthly_budget = Decimal("1.00")
    company.save()
    LLMCall.objects.create(company=other_company, purpose="evaluation", model="m", cost=Decimal("50"))
    evaluation = run(make_finished_response(company=company))
    assert evaluation.evaluator == "llm"


# --- Schema, repair, failure ------------------------------------------------------------------


def test_invalid_output_gets_one_repair_attempt(fake_llm, finished_response):
    fake_llm.script(fake_openai.ok("Sure! {not json"), fake_openai.ok())
    evaluation = run(finished_response)
    assert evaluation.status == "done" and evaluation.model_score == 72
    assert len(fake_llm.requests) == 2
    repair = fake_llm.requests[1].messages
    assert repair[-2] == {"role": "assistant", "content": "Sure! {not json"}
    assert "Your reply was invalid: not valid JSON" in repair[-1]["content"]
    assert (evaluation.tokens_in, evaluation.tokens_out) == (1800, 300)  # both calls are counted
    assert LLMCall.objects.count() == 2


def test_invalid_twice_fails_with_the_reason_and_stores_nothing_unvalidated(fake_llm, finished_response):
    bad = {**fake_openai.VALID_EVALUATION, "recommendation": "hire immediately"}
    fake_llm.script(fake_openai.ok(bad), fake_openai.ok(bad))
    evaluation = run(finished_response)
    assert evaluation.status == "failed"
    assert "'recommendation' must be one of advance, hold, reject" in evaluation.error
    assert evaluation.score is None and evaluation.summary == "" and evaluation.strengths == []
    finished_response.refresh_from_db()
    assert finished_response.ai_score is None


def test_a_non_retryable_provider_error_fails_at_once(fake_llm, finished_response):
    fake_llm.script(fake_openai.Reply(status=401, body={"error": {"message": "bad key"}}))
    evaluation = run(finished_response)
    assert evaluation.status == "failed" and "HTTP 401" in evaluation.error
    assert len(fake_llm.requests) == 1
    assert LLMCall.objects.get().ok is False


# --- Retries ---------------------------------------------------------------------------------------


def test_429_then_success_is_retried(eager_retries, fake_llm, finished_response):
    fake_llm.script(fake_openai.rate_limited("1"), fake_openai.rate_limited("2"))
    evaluation = run(finished_response)
    assert evaluation.status == "done"
    assert len(fake_llm.requests) == 3
    assert evaluation.attempts == 3
    assert list(LLMCall.objects.order_by("pk").values_list("ok", flat=True)) == [False, False, True]


def test_a_429_schedules_the_retry_after_retry_after_and_stays_visibly_pending(fake_llm, finished_response):
    from celery.exceptions import Retry

    fake_llm.script(fake_openai.rate_limited("7"))
    with pytest.raises(Retry) as retry:
        tasks.evaluate_response.apply(args=(finished_response.pk,), throw=True)
    assert 7 <= retry.value.when <= 8
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "pending"
    assert "HTTP 429" in evaluation.error and "Retrying" in evaluation.error


def test_without_retry_after_the_retry_backs_off_exponentially(fake_llm, finished_response):
    from celery.exceptions import Retry

    fake_llm.script(fake_openai.server_error(503))
    with pytest.raises(Retry) as retry:
        tasks.evaluate_response.apply(args=(finished_response.pk,), retries=3, throw=True)
    assert 8 <= retry.value.when <= 16  # 2 * 2**3, jittered in its upper half


def test_500_every_time_ends_failed_after_the_retries(eager_retries, fake_llm, finished_response):
    fake_llm.default = fake_openai.server_error(500)
    evaluation = run(finished_response)
    assert evaluation.status == "failed"
    assert len(fake_llm.requests) == tasks.LLM_MAX_RETRIES + 1
    assert "HTTP 500" in evaluation.error and f"after {tasks.LLM_MAX_RETRIES + 1} attempt" in evaluation.error


def test_timeouts_are_retried_then_fail_visibly(eager_retries, fake_llm, finished_response, settings):
    settings.OPENAI_TIMEOUT = 0.2
    fake_llm.default = fake_openai.slow(0.6)
    evaluation = run(finished_response)
    assert evaluation.status == "failed" and "did not answer in time" in evaluation.error
    assert len(fake_llm.requests) == tasks.LLM_MAX_RETRIES + 1


def test_a_timeout_then_success(eager_retries, fake_llm, finished_response):
    fake_llm.script(fake_openai.slow(1.0))
    evaluation = run(finished_response)
    assert evaluation.status == "done" and len(fake_llm.requests) == 2


# --- Idempotency -------------------------------------------------------------------------------------


def test_a_task_run_twice_leaves_one_evaluation_and_one_call(fake_llm, finished_response):
    tasks.evaluate_response.apply(args=(finished_response.pk,))
    tasks.evaluate_response.apply(args=(finished_response.pk,))
    tasks.evaluate_response.apply(args=(finished_response.pk,))
    assert Evaluation.objects.filter(response=finished_response).count() == 1
    assert len(fake_llm.requests) == 1


def test_a_failed_evaluation_is_not_retried_by_a_redelivery(fake_llm, finished_response):
    fake_llm.script(fake_openai.Reply(status=400, body={"error": {"message": "bad"}}))
    run(finished_response)
    tasks.evaluate_response.apply(args=(finished_response.pk,))
    assert len(fake_llm.requests) == 1


def test_force_re_runs_in_place(fake_llm, finished_response):
    first = run(finished_response)
    no_evidence = {**fake_openai.VALID_EVALUATION, "requirements": [], "strengths": [], "concerns": []}
    fake_llm.script(fake_openai.ok(no_evidence))
    second = run(finished_response, force=True)
    assert second.pk == first.pk
    # No requirement evidenced any more: only the answers' 0.6 x 4/6 is left.
    assert (second.score, second.recommendation) == (40, "reject")
    assert Evaluation.objects.count() == 1
    finished_response.refresh_from_db()
    assert finished_response.ai_score == 40


def test_a_running_evaluation_held_by_another_live_task_is_left_alone(fake_llm, finished_response, settings):
    from django.utils import timezone

    Evaluation.objects.create(
        response=finished_response,
        prompt_version=ai.PROMPT_VERSION,
        status="running",
        task_id="another-task",
        lease_expires_at=timezone.now() + timezone.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    )
    tasks.evaluate_response.apply(args=(finished_response.pk,))
    assert fake_llm.requests == []
    assert Evaluation.objects.get().status == "running"


def test_the_holder_redelivered_takes_its_running_evaluation_over_at_once(fake_llm, finished_response, settings):
    from django.utils import timezone

    evaluation = Evaluation.objects.create(
        response=finished_response,
        prompt_version=ai.PROMPT_VERSION,
        status="running",
        attempts=1,
        task_id="the-lost-task",
        lease_expires_at=timezone.now() + timezone.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    )
    tasks.evaluate_response.apply(args=(finished_response.pk,), task_id="the-lost-task")
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.attempts) == ("done", 2) and evaluation.score is not None
    assert len(fake_llm.requests) == 1


def test_an_abandoned_running_evaluation_is_taken_over(fake_llm, finished_response):
    from django.utils import timezone

    evaluation = Evaluation.objects.create(
        response=finished_response,
        prompt_version=ai.PROMPT_VERSION,
        status="running",
        attempts=1,
        task_id="a-lost-task",
        lease_expires_at=timezone.now() - timezone.timedelta(seconds=1),
    )
    tasks.evaluate_response.apply(args=(finished_response.pk,))
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.attempts) == ("done", 2)


def test_a_redelivered_forced_task_that_already_finished_its_evaluation_does_not_run_it_again(
    fake_llm, finished_response
):
    tasks.evaluate_response.apply(args=(finished_response.pk,), kwargs={"force": True}, task_id="forced-task")
    tasks.evaluate_response.apply(args=(finished_response.pk,), kwargs={"force": True}, task_id="forced-task")
    assert Evaluation.objects.get().status == "done"
    assert len(fake_llm.requests) == 1


# --- Requesting ---------------------------------------------------------------------------------------


def test_request_creates_a_pending_evaluation_and_queues_after_commit(
    fake_llm, finished_response, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evaluation_request(response=finished_response)
    assert Evaluation.objects.get().status == "pending"
    assert fake_llm.requests == []
    for callback in callbacks:
        callback()
    assert Evaluation.objects.get().status == "done"


def test_re_evaluate_of_a_done_evaluation_resets_it_and_runs_again(
    fake_llm, finished_response, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_request(response=finished_response)
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_request(response=finished_response)  # not forced: nothing new
    assert len(fake_llm.requests) == 1
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_request(response=finished_response, force=True)
    assert len(fake_llm.requests) == 2
    assert Evaluation.objects.get().status == "done"


def test_finishing_a_chat_queues_the_evaluation(no_llm, company, django_capture_on_commit_callbacks):
    from screening.services import response_finish

    response = make_finished_response(company=company)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.IN_CHAT)
    response.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response_finish(response=response)
    evaluation = Evaluation.objects.get(response=response)
    assert (evaluation.status, evaluation.evaluator) == ("done", "builtin")


def test_an_unfinished_screening_cannot_be_evaluated(finished_response):
    from django.core.exceptions import ValidationError

    Response.objects.filter(pk=finished_response.pk).update(status=Response.Status.IN_CHAT)
    finished_response.refresh_from_db()
    with pytest.raises(ValidationError):
        evaluation_request(response=finished_response)
    assert not Evaluation.objects.exists()


def test_finishing_broadcasts_evaluation_updated_to_the_response_group(
    no_llm, finished_response, django_capture_on_commit_callbacks
):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from screening.live import response_group

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(response_group(finished_response.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_request(response=finished_response)
    events = []
    for _ in range(3):
        try:
            events.append(async_to_sync(_receive_now)(layer, channel))
        except TimeoutError:
            break
    expected = {"type": "evaluation.updated", "response_id": finished_response.pk}
    assert events and all(event == expected for event in events)
    assert Evaluation.objects.get().status == "done"


async def _receive_now(layer, channel):
    import asyncio

    return await asyncio.wait_for(layer.receive(channel), timeout=0.2)
