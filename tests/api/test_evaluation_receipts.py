"""The AI evaluation's receipts in the API and in the webhooks: one shape, typed in the OpenAPI schema."""

import json

import pytest
from django.core.management import call_command

from screening import services
from screening.models import WebhookEndpoint
from screening.tests.conftest import make_finished_response
from screening.tests.receipts_data import receipts_evaluation
from vacancies.models import ScreeningQuestion

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/"
ITEM_KEYS = {"kind", "label", "question_id", "level", "by", "quotes", "weight", "credit", "dropped"}
RECEIPT_FIELDS = {
    "evidence",
    "strengths",
    "concerns",
    "model_score",
    "model_recommendation",
    "rubric_version",
    "rubric_hash",
    "input_hash",
    "dropped_claims",
    "run_scores",
    "score_spread",
    "stale",
}


@pytest.fixture
def evaluated(company):
    response = make_finished_response(company=company)
    receipts_evaluation(response, recommendation="unstable", run_scores=[60, 81], score_spread=21)
    return response


def _expected(evaluation) -> dict:
    return {
        "evidence": evaluation.evidence,
        "strengths": evaluation.strengths,
        "concerns": evaluation.concerns,
        "model_score": 90,
        "model_recommendation": "advance",
        "rubric_version": evaluation.rubric_version,
        "rubric_hash": evaluation.rubric_hash,
        "input_hash": "0123456789abcdef" * 4,
        "dropped_claims": 1,
        "run_scores": [60, 81],
        "score_spread": 21,
        "stale": False,
        "recommendation": "unstable",
        "score": 72,
    }


def test_the_detail_carries_the_evaluation_with_its_receipts(viewer_api, evaluated):
    evaluation = evaluated.evaluations.get()
    body = viewer_api.get(f"{URL}{evaluated.pk}/").json()["evaluation"]
    assert set(body) >= RECEIPT_FIELDS
    assert {key: body[key] for key in _expected(evaluation)} == _expected(evaluation)
    dropped = next(item for item in body["evidence"] if item["dropped"])
    assert dropped["label"] == "Kubernetes" and dropped["level"] == "no" and dropped["quotes"] == []
    assert body["strengths"][0]["quotes"] == [{"text": "Built a billing system (2019-2023)", "source": "resume"}]


def test_stale_says_when_the_vacancy_rubric_changed_since(viewer_api, evaluated):
    ScreeningQuestion.objects.filter(vacancy=evaluated.vacancy, position=2).update(knockout_value="4")
    assert viewer_api.get(f"{URL}{evaluated.pk}/").json()["evaluation"]["stale"] is True


def test_an_outsider_gets_404_and_no_receipts(outsider_api, evaluated):
    answer = outsider_api.get(f"{URL}{evaluated.pk}/")
    assert answer.status_code == 404
    assert "Kubernetes" not in answer.content.decode() and "billing" not in answer.content.decode()


def test_the_builtin_evaluator_of_a_finished_screening_gives_the_same_shape(owner_api, finished_response):
    # finished_response (tests/api/conftest.py) ran the real builtin evaluation when the screening finished.
    body = owner_api.get(f"{URL}{finished_response.pk}/").json()["evaluation"]
    assert body["status"] == "done" and body["evaluator"] == "builtin"
    assert set(body) >= RECEIPT_FIELDS and body["stale"] is False
    assert body["evidence"] and all(set(item) == ITEM_KEYS for item in body["evidence"])
    for item in body["evidence"]:
        assert item["level"] in ("yes", "partly", "no") and item["by"] in ("keywords", "rule", "model")
        assert all(set(q) == {"text", "source"} for q in item["quotes"])
    assert all(set(claim) == {"text", "quotes", "by"} for claim in body["strengths"] + body["concerns"])


def test_every_response_event_carries_the_same_evaluation(
    evaluated, receiver, company, owner_api, eager_retries, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver listens on loopback
    WebhookEndpoint.objects.create(
        company=company, url=receiver.url, events=["response.evaluated", "response.status_changed"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=evaluated.pk, event="response.evaluated")
    [request] = receiver.requests
    assert request["headers"]["X-SmartBot-Event"] == "response.evaluated"
    delivered = json.loads(request["body"])["data"]["response"]["evaluation"]
    assert delivered == owner_api.get(f"{URL}{evaluated.pk}/").json()["evaluation"]
    assert delivered["dropped_claims"] == 1 and delivered["recommendation"] == "unstable"


def test_a_response_without_an_evaluation_has_a_null_evaluation_in_its_events(company):
    response = make_finished_response(company=company)
    assert services.response_event_payload(response=response)["evaluation"] is None


def test_the_schema_types_the_receipts(anon_api):
    schema = anon_api.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    evaluation = schema["Evaluation"]["properties"]
    assert set(evaluation) >= RECEIPT_FIELDS
    assert evaluation["evidence"]["items"]["$ref"].endswith("/EvidenceItem")
    assert evaluation["strengths"]["items"]["$ref"].endswith("/Claim")
    assert evaluation["stale"]["type"] == "boolean" and evaluation["run_scores"]["items"]["type"] == "integer"
    item = schema["EvidenceItem"]["properties"]
    assert set(item) == ITEM_KEYS and item["quotes"]["items"]["$ref"].endswith("/Quote")
    assert item["dropped"]["description"] and schema["Quote"]["properties"]["source"]["description"]


def test_the_schema_still_generates_with_no_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_a_failed_evaluation_says_why(viewer_api, evaluated):
    evaluated.evaluations.update(status="failed", score=None, error="Blocked: identifying data would have been sent")
    body = viewer_api.get(f"{URL}{evaluated.pk}/").json()["evaluation"]
    assert (body["status"], body["error"]) == ("failed", "Blocked: identifying data would have been sent")
