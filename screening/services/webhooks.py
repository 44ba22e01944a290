"""Outgoing webhooks: signed JSON events for a company's registered endpoints.

``response_event_emit_on_commit`` is called by the services when a response is completed, evaluated or
changes status; once the change commits, ``response_event_emit`` stores one ``WebhookDelivery`` per
active endpoint subscribed to the event and queues ``tasks.deliver_webhook`` for each (the stored
delivery is the outbox: ``webhook_deliveries_requeue_stalled`` queues one whose message was lost). The
task calls ``webhook_deliver`` and retries with exponential backoff while the error says retrying can help.

Every request is a POST of the JSON event with these headers (signing in ``screening.webhook_signing``,
the HTTP client in ``screening.webhook_transport``)::

    X-SmartBot-Event: response.completed
    X-SmartBot-Delivery: <event id, unique: receivers deduplicate on it>
    X-SmartBot-Timestamp: <unix seconds>
    X-SmartBot-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from smartbot import metrics

from .. import tasks
from ..api.receipts import evaluation_data
from ..models import Response, WebhookDelivery, WebhookEndpoint
from ..webhook_signing import webhook_sign
from ..webhook_transport import WebhookError, http_post

logger = logging.getLogger(__name__)
# Deliveries queued again by one sweep at most.
SWEEP_LIMIT = 500

EVENTS = tuple(WebhookEndpoint.Event.values)


def webhook_endpoint_create(*, company, url: str, events: list[str], is_active: bool = True) -> WebhookEndpoint:
    """Register an endpoint of the company; its signing secret is generated.

    Raises ``ValueError`` for an unknown event.
    """
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise ValueError(f"Unknown webhook events {sorted(unknown)}")
    return WebhookEndpoint.objects.create(company=company, url=url, events=list(events), is_active=is_active)


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change an endpoint's ``url``, ``events`` or ``is_active`` (the company and the secret stay)."""
    fields = [field for field in ("url", "events", "is_active") if field in changes]
    for field in fields:
        setattr(endpoint, field, changes[field])
    if fields:
        endpoint.save(update_fields=fields)
    return endpoint


def webhook_backoff_seconds(retries_done: int) -> int:
    """Seconds before the next attempt: ``WEBHOOK_BACKOFF_SECONDS``, doubled at every retry (30 s, 1 min, 2 min...)."""
    return settings.WEBHOOK_BACKOFF_SECONDS * 2**retries_done


def response_event_payload(*, response: Response) -> dict:
    """What receivers get about a response: enough to act, a link to fetch the rest.

    ``evaluation``: the latest AI evaluation with its receipts, exactly as the API's response detail shows it
    (``screening.api.receipts.EvaluationSerializer``), or None when there is none; on every response event.
    """
    candidate = response.candidate
    return {
        "id": response.pk,
        "url": settings.SITE_URL + reverse("api:response-detail", args=[response.pk]),
        "status": response.status,
        "score": response.score,
        "ai_score": response.ai_score,
        "ai_recommendation": response.ai_recommendation,
        "rejection_reasons": response.rejection_reasons,
        # Why a person should look: the status is "needs_review" when no knockout failed but an answer is unsettled.
        "review_reasons": response.review_reasons,
        "created_at": response.created_at.isoformat(),
        "completed_at": response.completed_at.isoformat() if response.completed_at else None,
        "vacancy": {"id": response.vacancy_id, "title": response.vacancy.title},
        "candidate": {"id": candidate.pk, "full_name": response.full_name, "email": response.email},
        "evaluation": evaluation_data(response),
    }


def response_event_emit_on_commit(*, response: Response, event: str, extra: dict | None = None) -> None:
    """Emit ``event`` about ``response`` (``response_event_emit``) once the current transaction commits.

    ``extra``: more keys of the event's ``data`` beside ``response`` (``human.requested`` adds ``human_request``,
    ``message.created`` adds ``message``), as they are now.

    Never raises into the caller: a failure after commit (the database, the broker) is logged, and the
    change stays committed; the chat's turn and the recruiter's request do not fail for a webhook.
    """
    # The company, when the vacancy is at hand, spares the endpoint lookup its joins (it runs after every
    # finished chat, and most companies have no endpoint).
    company_id = response.vacancy.company_id if Response.vacancy.is_cached(response) else None
    response_id = response.pk
    transaction.on_commit(
        lambda: response_event_emit(response_id=response_id, event=event, company_id=company_id, extra=extra),
        robust=True,
    )


def response_event_emit(
    *, response_id: int, event: str, company_id: int | None = None, extra: dict | None = None
) -> list[WebhookDelivery]:
    """Store a delivery of ``event`` for every active endpoint of the company subscribed to it, and queue them.

    Called after the change is committed; the payload is a snapshot of the response now. ``company_id``
    (the response's company, if the caller knows it) makes the endpoint lookup a plain indexed filter.
    Raises ``ValueError`` for an unknown event.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    # Most companies have no endpoints: find that out in one query before loading the response.
    scope = {"company_id": company_id} if company_id else {"company__vacancies__responses__id": response_id}
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True, **scope)
        if event in (endpoint.events or [])
    ]
    if not endpoints:
        return []
    response = Response.objects.select_related("vacancy", "candidate").filter(pk=response_id).first()
    if response is None:
        return []
    return _deliveries_queue(
        endpoints=endpoints, event=event, data={"response": response_event_payload(response=response), **(extra or {})}
    )


def candidate_erased_emit(*, company_id: int, candidate_id: int, response_ids: list[int]) -> list[WebhookDelivery]:
    """Tell the company's subscribed endpoints that a candidate was erased, so integrators erase their copies.

    The payload holds ids only: ``{"candidate": {"id"}, "responses": [{"id"}]}``. Called after commit.
    """
    event = WebhookEndpoint.Event.CANDIDATE_ERASED
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True, company_id=company_id)
        if event in (endpoint.events or [])
    ]
    data = {"candidate": {"id": candidate_id}, "responses": [{"id": pk} for pk in response_ids]}
    return _deliveries_queue(endpoints=endpoints, event=event, data=data)


def interview_event_emit(*, booking, event: str) -> list[WebhookDelivery]:
    """Tell the company's subscribed endpoints about an interview (``interview.booked``, ``interview.cancelled``,
    ``interview.no_show``), after the change committed. Payload ``{"booking": {id, status, starts_at (UTC ISO),
    duration_minutes, time_zone, location, video_url, sequence, cancelled_by}, "response": <as response
    events>}``. Never raises: a failure is logged (the booking stays)."""
    try:
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(is_active=True, company_id=booking.company_id)
            if event in (endpoint.events or [])
        ]
        if not endpoints:
            return []
        slot = booking.slot
        data = {
            "booking": {
                "id": booking.pk,
                "status": booking.status,
                "starts_at": slot.starts_at.isoformat(),
                "duration_minutes": slot.duration_minutes,
                "time_zone": slot.time_zone,
                "location": slot.location,
                "video_url": slot.video_url,
                "sequence": booking.sequence,
                "cancelled_by": booking.cancelled_by,
            },
            "response": response_event_payload(response=booking.response),
        }
        return _deliveries_queue(endpoints=endpoints, event=event, data=data)
    except Exception:
        logger.exception("webhook %s for booking %s failed", event, booking.pk)
        return []


def _deliveries_queue(*, endpoints, event: str, data: dict) -> list[WebhookDelivery]:
    """Store one delivery of ``event`` with ``data`` per endpoint, each with its own event id; send after commit."""
    created_at = timezone.now().isoformat()
    deliveries = []
    with transaction.atomic():
        for endpoint in endpoints:
            event_id = f"evt_{uuid.uuid4().hex}"
            payload = {"id": event_id, "event": event, "created_at": created_at, "data": data}
            deliveries.append(
                WebhookDelivery.objects.create(endpoint=endpoint, event=event, event_id=event_id, payload=payload)
            )
        for delivery in deliveries:
            # Published on commit; a broker outage is logged and the stored delivery waits for the sweep.
            tasks.deliver_webhook.delay(delivery.pk)
    return deliveries


def webhook_deliveries_requeue_stalled(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Queue again the deliveries whose first attempt never ran; returns how many were queued.

    Taken: pending deliveries with no attempt created more than ``older_than`` ago (the broker was
    down at commit time, or the message was lost). The first refusal of the broker ends the sweep
    (the next one tries again). A delivery still waiting in a long queue may be sent twice: webhooks
    are at least once, and receivers dedupe on ``X-SmartBot-Delivery`` (docs/webhooks.md). Run every
    minute by Celery beat, at most ``SWEEP_LIMIT`` deliveries a run.
    """
    stalled = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, attempts=0, created_at__lt=timezone.now() - older_than
    ).order_by("created_at")
    queued = 0
    for pk in stalled.values_list("pk", flat=True)[:SWEEP_LIMIT]:
        if tasks.deliver_webhook.delay(pk) is None:  # the broker refused (logged): the next sweep tries again
            break
        queued += 1
    return queued


def webhook_deliver(*, delivery_id: int, last_attempt: bool) -> WebhookDelivery | None:
    """Make one attempt at a pending delivery and record it (attempts, status code, error).

    Raises ``WebhookError`` when the attempt failed, retrying can help and this
    is not the last attempt; the caller schedules the retry. Otherwise the
    delivery ends ``delivered`` or ``failed``. A delivery that is no longer
    pending is left alone, so a redelivered task sends nothing twice.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return delivery
    endpoint = delivery.endpoint
    delivery.attempts += 1
    if not endpoint.is_active:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.error = "The endpoint was disabled."
        delivery.save(update_fields=["attempts", "status", "error"])
        metrics.webhook_delivery(result="failed")
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    timestamp = str(int(time.time()))
    headers = {
        "X-SmartBot-Event": delivery.event,
        "X-SmartBot-Delivery": delivery.event_id,
        "X-SmartBot-Timestamp": timestamp,
        "X-SmartBot-Signature": webhook_sign(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    try:
        status_code = http_post(url=endpoint.url, body=body.encode(), headers=headers)
    except WebhookError as exc:
        delivery.status_code = exc.status_code
        delivery.error = str(exc)[:2000]
        final = last_attempt or not exc.retryable
        if final:
            delivery.status = WebhookDelivery.Status.FAILED
        delivery.save(update_fields=["attempts", "status_code", "error", "status"])
        metrics.webhook_delivery(result="failed" if final else "retry")
        logger.warning(
            "webhook %s to %s attempt %d failed (%s)%s",
            delivery.event_id,
            endpoint.url,
            delivery.attempts,
            exc,
            "" if final else ", will retry",
        )
        if not final:
            raise
        return delivery
    delivery.status = WebhookDelivery.Status.DELIVERED
    delivery.status_code = status_code
    delivery.error = ""
    delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["attempts", "status", "status_code", "error", "delivered_at"])
    metrics.webhook_delivery(result="delivered")
    logger.info("webhook %s to %s delivered (HTTP %d)", delivery.event_id, endpoint.url, status_code)
    return delivery
