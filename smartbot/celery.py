"""The Celery app. Settings come from Django settings under the CELERY_ prefix.

Every task's class is ``TransactionAwareTask``: ``task.delay()`` inside a transaction publishes once it
commits, so a service queues its side effects with a plain ``.delay()`` in the middle of its writes.
"""

import contextlib
import inspect
import logging
import os
from pathlib import Path

from celery import Celery, Task, signals
from celery.utils import uuid
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartbot.settings")

logger = logging.getLogger(__name__)


class TransactionAwareTask(Task):
    """A task whose ``apply_async`` (and so ``delay``) waits for the database transaction to commit.

    As pretix's ``TransactionAwareTask``: inside an atomic block the message is published by a
    ``transaction.on_commit`` callback, so a worker never looks for rows that are not committed yet, and a
    rollback (of the transaction, or of the savepoint the call was made in) publishes nothing. Outside a
    transaction it is published at once.

    A publish that fails (the broker is down or refuses) never raises into the caller, nor breaks the
    commit: it is logged (WARNING, the task's name and id, never its arguments) and the work waits for its
    safety net: the rows a task works on are its outbox, and beat's ``requeue_stalled_*`` sweeps queue
    again what was never queued (evaluations, webhook deliveries). ``apply_async`` returns the task's
    ``AsyncResult`` (its id is chosen up front, so a deferred call has one too), or ``None`` when a publish
    made at once failed: a sweep stops at the first refusal. In eager mode (``task_always_eager``) the task
    runs in place of the publish and its own errors propagate as Celery's ``task_eager_propagates`` says
    (after commit, Django's robust ``on_commit`` logs them instead).
    """

    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        task_id = task_id or uuid()
        if transaction.get_connection().in_atomic_block:
            # A closure, not functools.partial: Django's robust on_commit logs a failure by ``__qualname__``.
            def publish():
                return self._publish(args, kwargs, task_id=task_id, **options)

            transaction.on_commit(publish, robust=True)
            return self.AsyncResult(task_id)
        return self._publish(args, kwargs, task_id=task_id, **options)

    def _publish(self, args, kwargs, **options):
        try:
            return super().apply_async(args, kwargs, **options)
        except Exception:
            if self.app.conf.task_always_eager:
                raise  # not a publish: the task ran here and failed
            logger.warning(
                "could not queue task %s[%s]; its sweep (if it has one) queues it later",
                self.name,
                options.get("task_id"),
                exc_info=True,
            )
            return None


app = Celery("smartbot", task_cls=TransactionAwareTask)
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
