"""Liveness and readiness probes (django-health-check 4.x) and SmartBot's own checks.

- ``GET /health/live``: the process answers. No database, cache or broker is touched,
  so a slow dependency never gets a healthy web container restarted.
  ``{"status": "ok"}``, always 200 while the process serves.
- ``GET /health/ready``: the web process can do its work: the database answers, the
  cache stores and reads, the channel layer carries a message, the Celery broker
  accepts a connection, and every migration is applied. ``{"status": "ok"|"unavailable",
  "checks": {name: "OK" | "<kind>: <reason>"}}`` with 200 or 503. Reasons never carry
  a URL or a password.

``ProbeMiddleware`` answers both paths (and ``/metrics``) before the host, HTTPS-redirect
and session middleware: a container's or an orchestrator's probe calls
``http://127.0.0.1:8000/health/live`` with whatever Host header it has.

The worker's probe is Celery's own ``celery -A smartbot inspect ping -d celery@$HOSTNAME``
(docs/operations.md).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import typing
import uuid

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

LIVE_PATH = "/health/live"
READY_PATH = "/health/ready"
METRICS_PATH = "/metrics"


@dataclasses.dataclass
class ChannelLayer(HealthCheck):
    """A message sent to a fresh channel on the configured channel layer comes back within ``timeout``."""

    alias: str = "default"
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    async def run(self):
        from channels.layers import get_channel_layer

        layer = get_channel_layer(self.alias)
        if layer is None:
            raise ServiceUnavailable("No channel layer is configured")
        nonce = uuid.uuid4().hex
        try:
            channel = await layer.new_channel("health.")
            await layer.send(channel, {"type": "health.ping", "nonce": nonce})
            message = await asyncio.wait_for(layer.receive(channel), self.timeout.total_seconds())
        except TimeoutError as exc:
            raise ServiceUnavailable("The test message did not come back") from exc
        except (OSError, ConnectionError) as exc:
            raise ServiceUnavailable(f"Connection error ({type(exc).__name__})") from exc
        except Exception as exc:  # redis-py's errors are not OSErrors
            raise ServiceUnavailable(f"Channel layer error ({type(exc).__name__})") from exc
        if message.get("nonce") != nonce:
            raise ServiceUnavailable("Another message came back")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker (``CELERY_BROKER_URL``: redis://, amqp://, filesystem://) accepts a connection.

    The URL stays out of the report (it may hold a password); the transport's name is shown.
    """

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    def __repr__(self) -> str:
        from smartbot.celery import app

        return f"Broker(transport={str(app.conf.broker_url).split(':', 1)[0]!r})"

    def run(self):
        from smartbot.celery import broker_connection

        try:
            with broker_connection(timeout=self.timeout.total_seconds()) as connection:
                connection.default_channel  # noqa: B018 - opening the channel is the round trip (redis: PING)
        except Exception as exc:
            raise ServiceUnavailable(f"Cannot connect ({type(exc).__name__})") from exc


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code is applied to the database (a new release is ready only after ``migrate``).

    Once true, the answer is kept for the life of the process (the code cannot gain migrations
    without a restart), so the migration graph is loaded once, not at every probe.
    """

    alias: str = DEFAULT_DB_ALIAS
    applied_aliases: typing.ClassVar[set[str]] = set()

    def run(self):
        if self.alias in Migrations.applied_aliases:
            return
        from django.db.migrations.executor import MigrationExecutor

        try:
            executor = MigrationExecutor(connections[self.alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            # An executor thread, not a request's: nothing else gives its connection back to the pool (which
            # would lose one of its DB_POOL_MAX_SIZE connections for good) or closes it.
            connections[self.alias].close()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")
        Migrations.applied_aliases.add(self.alias)


READINESS_CHECKS = (
    "health_check.checks.Database",
    "health_check.checks.Cache",
    "smartbot.health.ChannelLayer",
    "smartbot.health.Broker",
    "smartbot.health.Migrations",
)


class ReadinessView(HealthCheckView):
    """``/health/ready``: the checks above, as JSON, 200 when all pass and 503 otherwise."""

    checks = READINESS_CHECKS

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        failed = any(result.error for result in self.results)
        return JsonResponse(
            {
                "status": "unavailable" if failed else "ok",
                "checks": {repr(r.check): "OK" if not r.error else str(r.error) for r in self.results},
            },
            status=503 if failed else 200,
        )


def liveness_view(request):
    """``/health/live``: 200 ``{"status": "ok"}`` from any process that serves requests at all."""
    response = JsonResponse({"status": "ok"})
    response["Cache-Control"] = "no-store"
    return response


readiness_view = ReadinessView.as_view()


class ProbeMiddleware:
    """Answers the probes and the metrics endpoint before the rest of the stack.

    Probes come from inside (Docker's HEALTHCHECK, an orchestrator, Prometheus) over plain
    HTTP to an internal address: the host check (ALLOWED_HOSTS), the HTTPS redirect and the
    session and CSRF middleware must not stand in their way. The metrics endpoint keeps its
    own protection (a token or an address allow-list, ``smartbot.metrics``). Put it right
    after the request-context middleware, before ``SecurityMiddleware``.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        path = request.path_info
        if path in (LIVE_PATH, LIVE_PATH + "/"):
            return liveness_view(request)
        if path in (READY_PATH, READY_PATH + "/"):
            return async_to_sync(readiness_view)(request)
        if path == METRICS_PATH:
            from smartbot.metrics import metrics_view

            return metrics_view(request)
        return self.get_response(request)

    async def __acall__(self, request):
        path = request.path_info
        if path in (LIVE_PATH, LIVE_PATH + "/"):
            return liveness_view(request)
        if path in (READY_PATH, READY_PATH + "/"):
            return await readiness_view(request)
        if path == METRICS_PATH:
            from asgiref.sync import sync_to_async

            from smartbot.metrics import metrics_view

            # Reading the queue lengths talks to the broker: not on the event loop.
            return await sync_to_async(metrics_view, thread_sensitive=False)(request)
        return await self.get_response(request)
