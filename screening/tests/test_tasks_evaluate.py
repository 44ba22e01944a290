"""The evaluation task end to end in eager mode, against the fake provider on loopback."""

import json
from decimal import Decimal

import pytest

from screening import evaluation as ai
from screening import tasks
from screening.models import Evaluation, LLMCall, Response
from screening.services import evaluation_request
from screening.tests import fake_openai
from screening.tests.conftest import CANDIDATE, make_finished_response

pytestmark = pytest.mark.django_db


def run(response, *, force=False):
    tasks.evaluate_response.delay(response.pk, force=force)
    return Evaluation.objects.get(response=response)


def test_llm_evaluation_is_stored_validated_with_tokens_cost_and_a_call_row(fake_llm, finished_response):
    evaluation = run(finished_response)

    assert evaluation.status == Evaluation.Status.DONE
    assert evaluation.evaluator == Evaluation.Evaluator.LLM
    assert evaluation.score == 72
    assert evaluation.recommendation == "advance"
    assert evaluation.strengths == fake_openai.VALID_EVALUATION["strengths"]
    assert evaluation.evidence[2] == {
        "requirement": "PostgreSQL",
        "met": "partly",
        "evidence": "Mentions PostgreSQL once",
    }
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
    assert (finished_response.ai_score, finished_response.ai_recommendation) == (72, "advance")


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
    assert (finished_response.ai_score, finished_response.ai_recommendation) == (3, "reject")
    assert finished_response.history.count() == 0
