"""Webhooks: endpoint management, event emission, signed delivery to a loopback receiver, retries, log."""

import json
import time

import pytest

from screening import services
from screening.models import WebhookDelivery, WebhookEndpoint
from screening.tests.factories import ResponseFactory
from screening.webhook_signing import webhook_sign, webhook_verify

from .conftest import GOOD_ANSWERS, answer_all

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
ALL_EVENTS = ["response.completed", "response.evaluated", "response.status_changed"]


@pytest.fixture(autouse=True)
def _eager_retries(eager_retries):
    # Eager tasks that propagate errors hand a retry back to the caller; a worker (and this) runs it instead.
    yield


@pytest.fixture
def endpoint(company, receiver):
    return WebhookEndpoint.objects.create(company=company, url=receiver.url, events=ALL_EVENTS)


# --- Endpoint management -----------------------------------------------------------


def test_recruiter_registers_an_endpoint_and_gets_a_generated_secret(recruiter_api, company):
    answer = recruiter_api.post(
        URL,
        {"url": "https://ats.example.com/hook", "events": ["response.completed"], "secret": "mine", "company": 999},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.company == company
    assert endpoint.secret != "mine" and len(endpoint.secret) >= 32
    assert answer.json()["secret"] == endpoint.secret


def test_unknown_events_and_non_http_urls_are_refused(owner_api):
    bad_event = owner_api.post(URL, {"url": "https://a.example/h", "events": ["response.deleted"]}, format="json")
    assert bad_event.status_code == 400 and "events" in bad_event.json()["error"]["fields"]
    bad_url = owner_api.post(URL, {"url": "ftp://a.example/h", "events": ["response.completed"]}, format="json")
    assert bad_url.status_code == 400 and "url" in bad_url.json()["error"]["fields"]
    no_events = owner_api.post(URL, {"url": "https://a.example/h", "events": []}, format="json")
    assert no_events.status_code == 400


def test_viewer_reads_endpoints_without_the_secret_and_cannot_write(viewer_api, endpoint):
    listed = viewer_api.get(URL).json()["results"]
    assert listed[0]["url"] == endpoint.url
    assert listed[0]["secret"] == ""
    assert viewer_api.patch(f"{URL}{endpoint.pk}/", {"is_active": False}, format="json").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_owner_updates_and_deletes_an_endpoint(owner_api, endpoint):
    changed = owner_api.patch(
        f"{URL}{endpoint.pk}/", {"events": ["response.completed"], "is_active": False}, format="json"
    )
    assert changed.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.events == ["response.completed"] and not endpoint.is_active
    assert owner_api.delete(f"{URL}{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


# --- Emission and delivery ---------------------------------------------------------


def test_completing_a_screening_delivers_signed_events_to_the_receiver(
    vacancy, endpoint, receiver, django_capture_on_commit_callbacks
):
    response = ResponseFactory(vacancy=vacancy)
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(response, GOOD_ANSWERS)
    events = [r["headers"]["X-SmartBot-Event"] for r in receiver.requests]
    assert "response.completed" in events
    request = receiver.requests[events.index("response.completed")]
    headers = request["headers"]
    body = request["body"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-SmartBot-Signature"] == webhook_sign(
        secret=endpoint.secret, timestamp=headers["X-SmartBot-Timestamp"], body=body
    )
    assert webhook_verify(
        secret=endpoint.secret,
        timestamp=headers["X-SmartBot-Timestamp"],
        body=body,
        signature=headers["X-SmartBot-Signature"],
    )
    assert not webhook_verify(
        secret="wrong",
        timestamp=headers["X-SmartBot-Timestamp"],
        body=body,
        signature=headers["X-SmartBot-Signature"],
    )
    payload = json.loads(body)
    assert payload["event"] == "response.completed"
    assert payload["id"] == headers["X-SmartBot-Delivery"]
    assert payload["data"]["response"]["id"] == response.pk
    assert payload["data"]["response"]["status"] == "passed"
    delivery = WebhookDelivery.objects.get(event_id=payload["id"])
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("delivered", 200, 1)


def test_the_signature_matches_the_documented_recipe(endpoint):
    import hashlib
    import hmac

    body = '{"a":1}'
    expected = hmac.new(endpoint.secret.encode(), f"1700000000.{body}".encode(), hashlib.sha256).hexdigest()
    assert webhook_sign(secret=endpoint.secret, timestamp=1700000000, body=body) == f"sha256={expected}"
    assert not webhook_verify(
        secret=endpoint.secret, timestamp="1700000000", body=body, signature=f"sha256={expected}"
    ), "a signature older than the tolerance is refused"


def test_a_status_change_is_emitted_only_to_subscribed_active_endpoints(
    company, receiver, recruiter, finished_response, django_capture_on_commit_callbacks
):
    subscribed = WebhookEndpoint.objects.create(company=company, url=receiver.url, events=["response.status_changed"])
    WebhookEndpoint.objects.create(company=company, url=receiver.url, events=["response.completed"])
    WebhookEndpoint.objects.create(company=company, url=receiver.url, events=ALL_EVENTS, is_active=False)
    WebhookEndpoint.objects.create(url=receiver.url, events=ALL_EVENTS, company=_other_company())
    with django_capture_on_commit_callbacks(execute=True):
        services.response_change_status(response=finished_response, to_status="interview", actor=recruiter)
    deliveries = WebhookDelivery.objects.filter(event="response.status_changed")
    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["data"]["response"]["status"] == "interview"


def test_a_completed_screening_is_emitted_to_its_own_company_only(
    vacancy, endpoint, receiver, django_capture_on_commit_callbacks
):
    # The finish knows the company and looks endpoints up by it (no joins); another company's endpoint,
    # subscribed to the same event, must not hear of it.
    stranger = WebhookEndpoint.objects.create(url=receiver.url, events=ALL_EVENTS, company=_other_company())
    response = ResponseFactory(vacancy=vacancy)
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(response, GOOD_ANSWERS)
    completed = WebhookDelivery.objects.filter(event="response.completed")
    assert [d.endpoint_id for d in completed] == [endpoint.pk]
    assert not WebhookDelivery.objects.filter(endpoint=stranger).exists()
    # Both ways of finding the endpoints agree.
    by_join = services.response_event_emit(response_id=response.pk, event="response.completed")
    by_company = services.response_event_emit(
        response_id=response.pk, event="response.completed", company_id=vacancy.company_id
    )
    assert [d.endpoint_id for d in by_join] == [d.endpoint_id for d in by_company] == [endpoint.pk]


def _other_company():
    from accounts.tests.factories import CompanyFactory

    return CompanyFactory()


def test_emit_refuses_unknown_events(finished_response):
    with pytest.raises(ValueError):
        services.response_event_emit(response_id=finished_response.pk, event="response.exploded")


def test_a_5xx_or_429_is_retried_with_backoff_until_delivered(
    endpoint, receiver, finished_response, django_capture_on_commit_callbacks, monkeypatch
):
    countdowns = []
    from screening import tasks

    original_retry = tasks.deliver_webhook.retry

    def spy_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original_retry(*args, **kwargs)

    monkeypatch.setattr(tasks.deliver_webhook, "retry", spy_retry)
    receiver.statuses = [500, 429, 503]
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    delivery = WebhookDelivery.objects.get(event="response.status_changed")
    assert (delivery.status, delivery.attempts, delivery.status_code, delivery.error) == ("delivered", 4, 200, "")
    assert countdowns == [30, 60, 120]
    # Every attempt carried the same event id: receivers deduplicate on it.
    assert {r["headers"]["X-SmartBot-Delivery"] for r in receiver.requests[-4:]} == {delivery.event_id}


def test_delivery_gives_up_after_the_last_attempt(
    endpoint, receiver, finished_response, settings, django_capture_on_commit_callbacks
):
    receiver.statuses = [502] * 20
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    delivery = WebhookDelivery.objects.get(event="response.status_changed")
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", settings.WEBHOOK_MAX_ATTEMPTS, 502)
    assert "502" in delivery.error


def test_the_number_of_attempts_is_read_from_the_settings_when_delivering(
    endpoint, receiver, finished_response, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [502] * 20
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    delivery = WebhookDelivery.objects.get(event="response.status_changed")
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert [r["headers"]["X-SmartBot-Delivery"] for r in receiver.requests].count(delivery.event_id) == 2


def test_a_4xx_is_not_retried(endpoint, receiver, finished_response, django_capture_on_commit_callbacks):
    receiver.statuses = [410]
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    delivery = WebhookDelivery.objects.get(event="response.status_changed")
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", 1, 410)


def test_a_network_error_is_retried_and_logged(
    company, finished_response, settings, django_capture_on_commit_callbacks
):
    # Nothing listens on this port (bound then closed).
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    WebhookEndpoint.objects.create(company=company, url=f"http://127.0.0.1:{port}/", events=ALL_EVENTS)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    delivery = WebhookDelivery.objects.get(event="response.status_changed")
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", settings.WEBHOOK_MAX_ATTEMPTS, None)
    assert "Network error" in delivery.error
    assert time.monotonic() - started < 10


def test_a_delivered_event_is_not_sent_twice(endpoint, receiver, finished_response, django_capture_on_commit_callbacks):
    from screening import tasks

    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    delivery = WebhookDelivery.objects.get(event="response.status_changed")
    sent = len(receiver.requests)
    tasks.deliver_webhook.apply(args=(delivery.pk,))  # a redelivery of the task, run as a worker would
    assert len(receiver.requests) == sent
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_deliveries_are_listed_with_their_status_codes(
    owner_api, endpoint, receiver, finished_response, django_capture_on_commit_callbacks
):
    receiver.statuses = [410]
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    rows = owner_api.get(f"{URL}{endpoint.pk}/deliveries/").json()["results"]
    latest = rows[0]
    assert (latest["event"], latest["status"], latest["status_code"], latest["attempts"]) == (
        "response.status_changed",
        "failed",
        410,
        1,
    )


# --- Only public addresses (tenants type the URL; our workers call it from inside our network) -------

PRIVATE_URLS = [
    "http://127.0.0.1:6379/",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.5/hook",
    "http://172.16.0.1/hook",
    "http://100.64.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[fd00::1]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_an_endpoint_on_a_private_address_is_refused_and_nothing_is_stored(owner_api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    reply = owner_api.post(URL, {"url": url, "events": ["response.completed"]}, format="json")
    assert reply.status_code == 400
    assert "public internet addresses" in str(reply.json()["error"]["fields"]["url"])
    assert not WebhookEndpoint.objects.exists()


def test_a_public_address_is_accepted_and_an_unresolvable_name_is_refused(owner_api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    public = owner_api.post(URL, {"url": "https://93.184.216.34/hook", "events": ["response.completed"]}, format="json")
    assert public.status_code == 201, public.json()
    unknown = owner_api.post(URL, {"url": "https://hooks.invalid/in", "events": ["response.completed"]}, format="json")
    assert unknown.status_code == 400
    assert "could not be resolved" in str(unknown.json()["error"]["fields"]["url"])
    # Moving an existing endpoint to a private address is refused too.
    moved = owner_api.patch(f"{URL}{public.json()['id']}/", {"url": "http://10.0.0.7/"}, format="json")
    assert moved.status_code == 400
    assert WebhookEndpoint.objects.get().url == "https://93.184.216.34/hook"


def test_the_admin_and_model_validation_refuse_a_private_address(company, settings):
    from django.core.exceptions import ValidationError

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    endpoint = WebhookEndpoint(company=company, url="http://169.254.169.254/", events=["response.completed"])
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert "url" in refused.value.message_dict


def test_a_delivery_to_a_private_address_is_refused_without_a_request_or_a_retry(
    endpoint, receiver, finished_response, settings, django_capture_on_commit_callbacks
):
    # Registered while allowed (or the name moved to a private address since): refused at delivery time.
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    received = len(receiver.requests)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_event_emit(response_id=finished_response.pk, event="response.status_changed")
    delivery = WebhookDelivery.objects.get(event="response.status_changed")
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "public internet addresses" in delivery.error
    assert len(receiver.requests) == received
