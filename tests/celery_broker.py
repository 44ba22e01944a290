"""Tests' way to point the Celery app at another broker (not eager) for a block: a real Redis, memory://, or
a dead port (``chat.tests.live_server.free_port``) to play a broker outage."""

import contextlib

from smartbot.celery import app


@contextlib.contextmanager
def celery_broker(url: str, transport_options: dict | None = None):
    """Within the block the app publishes to ``url`` (with ``transport_options``) and runs nothing eagerly;
    the previous broker, options and eagerness come back after it. Yields the app."""
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options or {}
    app.conf.task_always_eager = False
    app._after_fork()  # forget the pooled connections to the previous broker
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
        app._after_fork()
