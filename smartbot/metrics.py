"""SmartBot's own Prometheus metrics, and the protected ``/metrics`` endpoint.

Request, response and latency metrics come from django-prometheus's middleware pair;
these are the product's. Each is fed by a one-line call where the thing happens:

==========================================  =========  ========================  ===================================
metric                                      type       labels                    where
==========================================  =========  ========================  ===================================
``smartbot_chat_turns_total``               counter    outcome                   chat.consumers (a candidate frame)
``smartbot_bot_reply_seconds``              histogram  —                         chat.consumers (frame in → reply out)
``smartbot_open_sockets``                   gauge      role                      chat.consumers (accept … exit)
``smartbot_evaluations_total``              counter    evaluator, status         screening.services.evaluations
``smartbot_evaluation_duration_seconds``    histogram  evaluator, status         screening.services.evaluations
``smartbot_llm_tokens_total``               counter    kind (prompt/completion)  screening.ai.client
``smartbot_llm_cost_usd_total``             counter    purpose                   screening.ai.calls
``smartbot_webhook_deliveries_total``       counter    result                    screening.services.webhooks
``smartbot_celery_queue_length``            gauge      queue                     read from the broker at scrape time
==========================================  =========  ========================  ===================================

Processes: with ``PROMETHEUS_MULTIPROC_DIR`` set (to a directory shared by every web
and worker process, emptied when the stack starts) prometheus_client's multiprocess
mode is on and ``/metrics`` on any web process shows the sum over all of them, the
Celery workers' evaluations, LLM tokens and webhook deliveries included. Without it,
``/metrics`` shows the process that answered: the web process's requests, chat turns
and sockets (and, with eager Celery, the tasks it ran itself). See docs/operations.md.
"""

from __future__ import annotations

import atexit
import hmac
import ipaddress
import logging
import os
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

# Seconds: the bot answers in milliseconds; anything past a second is a problem worth seeing.
_REPLY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Seconds: builtin evaluations take milliseconds, LLM ones seconds to minutes.
_EVALUATION_BUCKETS = (0.05, 0.25, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

CHAT_TURNS = Counter(
    "smartbot_chat_turns",
    "Candidate chat messages handled, by outcome (answered, finished, paused, duplicate, refused).",
    ["outcome"],
)
BOT_REPLY_SECONDS = Histogram(
    "smartbot_bot_reply_seconds",
    "Seconds from a candidate's message frame arriving to the bot's reply being sent on the socket.",
    buckets=_REPLY_BUCKETS,
)
OPEN_SOCKETS = Gauge(
    "smartbot_open_sockets",
    "Chat WebSockets open now, by role (candidate, recruiter).",
    ["role"],
    multiprocess_mode="livesum",
)
EVALUATIONS = Counter(
    "smartbot_evaluations",
    "AI evaluations finished, by evaluator (builtin, llm, none) and status (done, failed).",
    ["evaluator", "status"],
)
EVALUATION_SECONDS = Histogram(
    "smartbot_evaluation_duration_seconds",
    "Seconds from a worker claiming an evaluation to its outcome being stored.",
    ["evaluator", "status"],
    buckets=_EVALUATION_BUCKETS,
)
LLM_TOKENS = Counter("smartbot_llm_tokens", "Tokens the LLM provider reported, by kind (prompt, completion).", ["kind"])
LLM_COST = Counter("smartbot_llm_cost_usd", "Estimated cost of LLM calls in US dollars, by purpose.", ["purpose"])
LLM_LEAKS_BLOCKED = Counter(
    "smartbot_llm_leaks_blocked",
    "LLM requests not made because the leak check found the candidate's identifying data, by purpose.",
    ["purpose"],
)
WEBHOOK_DELIVERIES = Counter(
    "smartbot_webhook_deliveries",
    "Webhook delivery attempts, by result (delivered, retry, failed).",
    ["result"],
)

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # "livesum" gauges count only live processes: a process that ends removes its files (the pid is read at
    # exit, so a forked worker child marks itself, not its parent). A killed one leaves them: the directory
    # is emptied whenever the stack starts (docs/operations.md).
    atexit.register(lambda: multiprocess.mark_process_dead(os.getpid()))


# --- One-line hooks ----------------------------------------------------------


def chat_turn(*, outcome: str) -> None:
    """Count one candidate message that got no bot reply: ``duplicate`` (a resent id) or ``refused`` (a chat error)."""
    CHAT_TURNS.labels(outcome).inc()


def clock() -> float:
    """``time.monotonic()``: the start of a latency measured with ``bot_replied``."""
    return time.monotonic()


def bot_replied(*, started: float, state: str) -> None:
    """A candidate's message was handled and answered: count the turn, observe the reply latency.

    ``started`` is ``clock()`` when the frame arrived; ``state`` the chat's state after the turn
    (``finished`` counts as outcome ``finished``, ``paused`` — a recruiter leads, the bot is
    silent — as ``paused`` without a latency, anything else as ``answered``).
    """
    outcome = state if state in ("finished", "paused") else "answered"
    CHAT_TURNS.labels(outcome).inc()
    if outcome != "paused":
        BOT_REPLY_SECONDS.observe(max(0.0, time.monotonic() - started))


def socket_opened(consumer) -> None:
    """Count an accepted socket of ``consumer.role``; ``socket_closed`` undoes it exactly once."""
    if not getattr(consumer, "_metrics_counted", False):
        consumer._metrics_counted = True
        OPEN_SOCKETS.labels(consumer.role or "unknown").inc()


def socket_closed(consumer) -> None:
    """Uncount a socket counted by ``socket_opened`` (safe to call on any exit path, any number of times)."""
    if getattr(consumer, "_metrics_counted", False):
        consumer._metrics_counted = False
        OPEN_SOCKETS.labels(consumer.role or "unknown").dec()


def evaluation_finished(*, evaluator: str, status: str, since) -> None:
    """Count a finished evaluation (``evaluator`` '' counts as ``none``) and observe the seconds since ``since``.

    ``since`` is an aware datetime (the claim), or None when unknown (then only counted).
    """
    from django.utils import timezone

    evaluator = evaluator or "none"
    EVALUATIONS.labels(evaluator, status).inc()
    if since is not None:
        EVALUATION_SECONDS.labels(evaluator, status).observe(max(0.0, (timezone.now() - since).total_seconds()))


def llm_tokens(*, prompt: int, completion: int) -> None:
    """Add the provider's reported token counts."""
    LLM_TOKENS.labels("prompt").inc(max(0, prompt))
    LLM_TOKENS.labels("completion").inc(max(0, completion))


def llm_cost(*, purpose: str, usd) -> None:
    """Add an LLM call's estimated cost (a Decimal or float, US dollars)."""
    LLM_COST.labels(purpose).inc(max(0.0, float(usd)))


def llm_leak_blocked(*, purpose: str) -> None:
    """Count an LLM request the leak check blocked (the candidate's identifying data was in it)."""
    LLM_LEAKS_BLOCKED.labels(purpose).inc()


def webhook_delivery(*, result: str) -> None:
    """Count a delivery attempt: ``delivered``, ``retry`` (failed, will retry) or ``failed`` (given up)."""
    WEBHOOK_DELIVERIES.labels(result).inc()


# --- Scrape-time metrics -----------------------------------------------------


def celery_queue_lengths(*, timeout: float = 2.0) -> dict[str, int]:
    """Messages waiting in each Celery queue, read from the broker: ``{queue name: count}``.

    Uses the transport's passive queue declaration, whose ``message_count`` is the
    Redis list length (LLEN over the priority lists), RabbitMQ's ready-message count
    or the filesystem broker's file count. A queue the broker does not know yet
    counts 0. Raises the broker's connection error when it cannot be reached within
    ``timeout`` seconds.
    """
    from smartbot.celery import app, broker_connection

    names = [app.conf.task_default_queue]
    names += [queue.name for queue in (app.conf.task_queues or ()) if queue.name not in names]
    lengths = {}
    with broker_connection(timeout=timeout) as connection:
        for name in names:
            channel = connection.channel()
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except connection.channel_errors:
                lengths[name] = 0  # not declared yet: nothing was ever queued there
            finally:
                channel.close()
    return lengths


class QueueLengthCollector:
    """``smartbot_celery_queue_length{queue}``, read from the broker when Prometheus scrapes.

    Absent (no sample) when the broker cannot be reached: the readiness check says why.
    """

    def collect(self):
        family = GaugeMetricFamily(
            "smartbot_celery_queue_length",
            "Messages waiting in the Celery queue, read from the broker.",
            labels=["queue"],
        )
        try:
            lengths = celery_queue_lengths()
        except Exception as exc:  # a broken broker must not break the scrape
            logger.warning("could not read the Celery queue lengths: %s", type(exc).__name__)
            return
        for name, length in lengths.items():
            family.add_metric([name], length)
        yield family


def multiprocess_enabled() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def metrics_page() -> bytes:
    """The exposition text: every process's metrics in multiprocess mode, else this process's, and the queues."""
    if multiprocess_enabled():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape_time = CollectorRegistry(auto_describe=False)
    if settings.METRICS_QUEUE_LENGTH:
        scrape_time.register(QueueLengthCollector())
    return generate_latest(registry) + generate_latest(scrape_time)


# --- The endpoint ------------------------------------------------------------


def _ip_allowed(ip: str, allowed: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics_access_allowed(request: HttpRequest) -> bool:
    """``METRICS_TOKEN`` set: the request must send ``Authorization: Bearer <token>``.

    Empty: the client address (``smartbot.client_ip``) must be in ``METRICS_ALLOWED_IPS``
    (addresses or networks, default loopback).
    """
    token = settings.METRICS_TOKEN
    if token:
        scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    from smartbot.client_ip import client_ip

    return _ip_allowed(client_ip(request), list(settings.METRICS_ALLOWED_IPS))


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET /metrics``: the Prometheus text format; 401 without the bearer token, 403 from a refused address."""
    if not metrics_access_allowed(request):
        if settings.METRICS_TOKEN:
            answer = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
            answer["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return answer
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_page(), content_type=CONTENT_TYPE_LATEST)
