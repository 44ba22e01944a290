"""Outgoing webhooks: signed JSON events for a company's registered endpoints.

``response_event_emit`` is called (after commit) by the services when a
response is completed, evaluated or changes status. It stores one
``WebhookDelivery`` per active endpoint subscribed to the event and queues
``tasks.deliver_webhook`` for each; the task calls ``webhook_deliver`` and
retries with exponential backoff while the error says retrying can help.

Every request is a POST of the JSON event with these headers::

    X-SmartBot-Event: response.completed
    X-SmartBot-Delivery: <event id, unique: receivers deduplicate on it>
    X-SmartBot-Timestamp: <unix seconds>
    X-SmartBot-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import json
import logging
import socket
import time
import urllib.parse
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from smartbot import metrics

from .models import Response, WebhookDelivery, WebhookEndpoint, webhook_ip_error

logger = logging.getLogger(__name__)
# Deliveries queued again by one sweep at most.
SWEEP_LIMIT = 500

EVENTS = tuple(WebhookEndpoint.Event.values)
# Attempts in all (the first one included) before a delivery is marked failed.
MAX_ATTEMPTS = settings.WEBHOOK_MAX_ATTEMPTS
# Seconds before the first retry; doubled at every further retry (30 s, 1 min, 2 min, 4 min, 8 min).
BACKOFF_BASE = settings.WEBHOOK_BACKOFF_SECONDS
TIMEOUT = settings.WEBHOOK_TIMEOUT_SECONDS
USER_AGENT = "SmartBot-Webhooks/1.0"


class WebhookError(Exception):
    """A delivery attempt failed. ``retryable`` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code


def _resolve_checked(host: str, port: int) -> list[tuple]:
    """Resolve ``host`` once and check every address it gave; the getaddrinfo entries to connect to.

    Raises ``WebhookError``: retryable when the name does not resolve (DNS may recover), not retryable
    when any address is not public (unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``): one private answer
    among public ones refuses the whole name, since the connection could land on either.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookError(f"Network error: {host} does not resolve ({exc})", retryable=True)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for *_rest, sockaddr in found:
            refused = webhook_ip_error(sockaddr[0])
            if refused:
                raise WebhookError(f"Refused: {refused}", retryable=False)
    return found


def _connect_pinned(found: list[tuple], address, timeout, source_address=None) -> socket.socket:
    """``http.client``'s ``_create_connection`` with the name already resolved: try the checked ``found``
    addresses in order, never resolving ``address``'s host again (``socket.create_connection`` would)."""
    error: OSError | None = None
    for family, kind, proto, _canonical, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"no address to connect to for {address[0]}")


def http_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT) -> int:
    """POST ``body`` to ``url``; return the 2xx status code or raise ``WebhookError``.

    Network errors, timeouts, 429 and 5xx are retryable; other statuses are not.
    Redirects are not followed: they would resend a signed body to an address
    nobody registered.

    The host name is resolved once, every address is checked (only public ones, unless
    ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``), and the connection goes to those very addresses: a name that
    answers a public address to the check and a private one to the connection (DNS rebinding) cannot
    reach inside. The Host header, TLS SNI and certificate verification still use the host name
    (``http.client`` takes them from ``host``; only its socket factory is replaced).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("Only http and https URLs are supported.", retryable=False)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname.encode("idna").decode("ascii")  # IDNA A-label: what DNS, Host and SNI carry
    except (ValueError, UnicodeError) as exc:
        raise WebhookError(f"Invalid URL: {exc}", retryable=False)
    # Checked again at every attempt: the name may resolve elsewhere than when it was registered.
    found = _resolve_checked(host, port)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    all_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    try:
        connection = connection_class(host, port, timeout=timeout)
        # HTTPConnection.connect (and HTTPSConnection.connect, before wrapping the socket in TLS with
        # server_hostname=host) opens its socket through this attribute (CPython Lib/http/client.py).
        connection._create_connection = functools.partial(_connect_pinned, found)
        try:
            connection.request("POST", path, body=body, headers=all_headers)
            answer = connection.getresponse()
            answer.read(64 * 1024)
            code = answer.status
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookError(f"Network error: {exc}", retryable=True)
    if 200 <= code < 300:
        return code
    raise WebhookError(f"HTTP {code}", retryable=code == 429 or code >= 500, status_code=code)


def webhook_sign(*, secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The value of X-SmartBot-Signature for a body sent at ``timestamp``."""
    if isinstance(body, bytes):
        body = body.decode()
    message = f"{timestamp}.{body}".encode()
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_verify(*, secret: str, timestamp: str, body: bytes | str, signature: str, tolerance: int = 300) -> bool:
    """What a receiver does (documented in docs/api.md): check the signature and the freshness."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(webhook_sign(secret=secret, timestamp=timestamp, body=body), signature)


def webhook_endpoint_create(*, company, url: str, events: list[str], is_active: bool = True) -> WebhookEndpoint:
    """Register an endpoint of the company; its signing secret is generated."""
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise ValueError(f"Unknown webhook events {sorted(unknown)}")
    return WebhookEndpoint.objects.create(company=company, url=url, events=list(events), is_active=is_active)


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change an endpoint's url, events or active flag (the company and the secret stay)."""
    fields = [field for field in ("url", "events", "is_active") if field in changes]
    for field in fields:
        setattr(endpoint, field, changes[field])
    if fields:
        endpoint.save(update_fields=fields)
    return endpoint


def backoff_seconds(retries_done: int) -> int:
    return BACKOFF_BASE * 2**retries_done


def response_event_payload(*, response: Response) -> dict:
    """What receivers get about a response: enough to act, a link to fetch the rest."""
    candidate = response.candidate
    return {
        "id": response.pk,
        "url": settings.SITE_URL + reverse("api:response-detail", args=[response.pk]),
        "status": response.status,
        "score": response.score,
        "ai_score": response.ai_score,
        "ai_recommendation": response.ai_recommendation,
        "rejection_reasons": response.rejection_reasons,
        "created_at": response.created_at.isoformat(),
        "completed_at": response.completed_at.isoformat() if response.completed_at else None,
        "vacancy": {"id": response.vacancy_id, "title": response.vacancy.title},
        "candidate": {"id": candidate.pk, "full_name": response.full_name, "email": response.email},
    }


def response_event_emit(*, response_id: int, event: str, company_id: int | None = None) -> list[WebhookDelivery]:
    """Store a delivery of ``event`` for every active endpoint of the company subscribed to it, and queue them.

    Called after the change is committed; the payload is a snapshot of the response now. ``company_id``
    (the response's company, if the caller knows it) makes the endpoint lookup a plain indexed filter.
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
        endpoints=endpoints, event=event, data={"response": response_event_payload(response=response)}
    )


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
        from . import tasks

        for delivery in deliveries:
            # robust: a broker outage must not fail the caller's request or chat turn (the delivery is
            # stored; ``webhook_deliveries_requeue_stalled`` queues it when the broker is back).
            transaction.on_commit(lambda pk=delivery.pk: tasks.deliver_webhook.delay(pk), robust=True)
    return deliveries


def webhook_deliveries_requeue_stalled(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Queue again the deliveries whose first attempt never ran; returns how many were queued.

    Taken: pending deliveries with no attempt created more than ``older_than`` ago (the broker was
    down at commit time, or the message was lost). The first refusal of the broker ends the sweep
    (the next one tries again). A delivery still waiting in a long queue may be sent twice: webhooks
    are at least once, and receivers dedupe on ``X-SmartBot-Delivery`` (docs/webhooks.md). Run every
    minute by Celery beat, at most ``SWEEP_LIMIT`` deliveries a run.
    """
    from . import tasks

    stalled = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, attempts=0, created_at__lt=timezone.now() - older_than
    ).order_by("created_at")
    queued = 0
    for pk in stalled.values_list("pk", flat=True)[:SWEEP_LIMIT]:
        try:
            tasks.deliver_webhook.delay(pk)
        except Exception:  # the broker is down: the next sweep tries again
            logger.warning("webhook sweep stopped: the broker refused delivery %s", pk, exc_info=True)
            break
        queued += 1
    return queued


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
