"""Webhooks of a screening that needs review: integrators see the status and why a person should look."""

import json

import pytest

from screening import services
from screening.models import WebhookEndpoint
from screening.tests.factories import ResponseFactory
from screening.tests.review_scenario import needs_review_response, review_script
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager_retries(eager_retries):
    yield


@pytest.fixture
def endpoint(company, receiver):
    return WebhookEndpoint.objects.create(
        company=company, url=receiver.url, events=["response.completed", "response.status_changed"]
    )


@pytest.fixture
def vacancy(company):
    vacancy = VacancyFactory(company=company)
    review_script(vacancy)
    return vacancy


def _delivered(receiver, event: str) -> list[dict]:
    return [
        json.loads(request["body"])["data"]["response"]
        for request in receiver.requests
        if request["headers"]["X-SmartBot-Event"] == event
    ]


def test_a_screening_that_needs_review_is_completed_with_that_status_and_its_reasons(
    vacancy, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = needs_review_response(ResponseFactory(vacancy=vacancy))

    [payload] = _delivered(receiver, "response.completed")

    assert payload["id"] == response.pk
    assert payload["status"] == "needs_review"
    assert payload["rejection_reasons"] == []
    assert payload["review_reasons"] == response.review_reasons
    assert "a person should decide" in payload["review_reasons"][0]


def test_the_recruiters_decision_after_review_keeps_the_reasons_in_its_event(
    vacancy, endpoint, receiver, recruiter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = needs_review_response(ResponseFactory(vacancy=vacancy))
    with django_capture_on_commit_callbacks(execute=True):
        services.response_change_status(response=response, to_status="shortlisted", actor=recruiter)

    [payload] = _delivered(receiver, "response.status_changed")

    assert payload["status"] == "shortlisted"
    assert payload["review_reasons"] == response.review_reasons


def test_the_payload_of_a_plain_pass_has_an_empty_list_of_review_reasons(vacancy):
    response = ResponseFactory(vacancy=vacancy, status="passed")
    payload = services.response_event_payload(response=response)
    assert payload["review_reasons"] == [] and payload["status"] == "passed"
