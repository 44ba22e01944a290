"""The Celery app. Settings come from Django settings under the CELERY_ prefix."""

import contextlib
import inspect
import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartbot.settings")

app = Celery("smartbot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_queue() -> None:
    # The filesystem broker (no-server default) needs its folders to exist.
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _ensure_filesystem_queue(), weak=False)


@contextlib.contextmanager
def broker_connection(*, timeout: float):
    """A kombu connection to the configured broker, connected (one try, ``timeout`` seconds) on entry.

    For the readiness check and the queue-length metric. Raises whatever kombu raises when the broker
    cannot be reached (``OperationalError``, ``OSError``, ...).
    """
    from kombu import Connection

    with Connection(
        app.conf.broker_url,
        connect_timeout=timeout,
        transport_options=dict(app.conf.broker_transport_options or {}),
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        yield connection


# --- Logging: Django's configuration, and the task's ids on every line (smartbot/logging.py) ---------------


@signals.setup_logging.connect(weak=False)
def _use_django_logging(**kwargs) -> None:
    """Any receiver here stops Celery from installing its own handlers: the worker logs like the web (LOGGING)."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Per task id, a stack: an eager retry runs inside its first attempt, under the same id.
_log_tokens: dict[str, list] = {}


@signals.task_prerun.connect(weak=False)
def _bind_task_log_context(task_id=None, task=None, args=None, kwargs=None, **extra) -> None:
    """Bind ``task_id`` and, when the task takes one, ``response_id`` for the lines the task writes.

    Bound on top of what is there, so an eager task run inside a request keeps the request id.
    """
    from smartbot.logging import log_context_bind

    response_id = (kwargs or {}).get("response_id")
    if response_id is None and args:
        params = list(inspect.signature(task.run).parameters) if task is not None else []
        if "response_id" in params and params.index("response_id") < len(args):
            response_id = args[params.index("response_id")]
    _log_tokens.setdefault(task_id, []).append(log_context_bind(task_id=task_id, response_id=response_id))


@signals.task_postrun.connect(weak=False)
def _unbind_task_log_context(task_id=None, **extra) -> None:
    from smartbot.logging import log_context_reset

    stack = _log_tokens.get(task_id)
    if not stack:
        return
    token = stack.pop()
    if not stack:
        del _log_tokens[task_id]
    # ValueError: bound in another context (a thread pool's other thread): nothing to restore here.
    with contextlib.suppress(ValueError):
        log_context_reset(token)
