"""RabbitMQ works as the Celery broker: the Procfile's real worker, on amqp://, completes a real task.

The worker is the Procfile's ``worker`` line (prefork, its environment assignments included) run as a
subprocess with ``CELERY_BROKER_URL`` pointing at RabbitMQ and no Redis at all; it reads the test
PostgreSQL database through ``DATABASE_URL`` (``transactional_db``: the test commits for real). The
task is published to RabbitMQ on a queue of its own (unique per test, deleted afterwards), so parallel
runs and other workers never take it. RabbitMQ is ``RABBITMQ_URL`` (default
``amqp://guest:guest@127.0.0.1:5672//``): locally the test skips without it, in CI it fails.
"""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from chat.tests.live_server import database_url
from conftest import require_services
from screening.models import Evaluation
from screening.tests.conftest import make_finished_response

pytestmark = pytest.mark.services

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _require_rabbitmq() -> None:
    from kombu import Connection

    try:
        with Connection(RABBITMQ_URL, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # any failure to reach or log in to the broker
        message = f"needs RabbitMQ at RABBITMQ_URL ({error!r})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run against the real services")
        pytest.skip(message)


def _procfile_worker() -> tuple[dict[str, str], list[str]]:
    """The Procfile's worker line: its environment assignments and its command, defaults filled in."""
    (line,) = [
        line for line in (Path(settings.BASE_DIR) / "Procfile").read_text().splitlines() if line.startswith("worker:")
    ]
    words = shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line.split(":", 1)[1]))
    assignments = {}
    while re.fullmatch(r"[A-Z_]+=.*", words[0]):
        key, value = words.pop(0).split("=", 1)
        assignments[key] = value
    assert words[0] == "celery"
    return assignments, [sys.executable, "-m", "celery", *words[1:]]


@pytest.fixture
def eager_off():
    from smartbot.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def rabbitmq_worker(transactional_db, eager_off, tmp_path):
    """A started worker on its own RabbitMQ queue: ``.send(task, *args)`` publishes to it, ``.output()`` its log."""
    require_services(redis=False)
    _require_rabbitmq()
    from kombu import Connection

    queue = f"smartbot-test-amqp-{uuid.uuid4().hex[:10]}"
    assignments, command = _procfile_worker()
    env = {
        **os.environ,
        **assignments,
        "DJANGO_SETTINGS_MODULE": "smartbot.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": RABBITMQ_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",
    }
    # No Redis, no LLM provider: RabbitMQ alone carries the task, the builtin evaluator answers.
    for name in ("REDIS_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    log = tmp_path / "worker.log"
    handle = log.open("ab")
    process = subprocess.Popen(
        [*command, "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )

    class Worker:
        name = queue

        @staticmethod
        def send(task, *args) -> None:
            """Publish ``task(*args)`` to this worker's queue on RabbitMQ, whatever broker this process has."""
            with Connection(RABBITMQ_URL) as connection:
                # Declared first, whether or not the worker has started: RabbitMQ drops a message no queue
                # is bound to receive (Celery's producer does not declare it when given a connection).
                eager_off.amqp.queues[queue].bind(connection.default_channel).declare()
                task.apply_async(args=args, queue=queue, connection=connection)

        @staticmethod
        def output() -> str:
            return log.read_text(errors="replace")[-4000:]

    try:
        yield Worker
    finally:
        process.send_signal(signal.SIGQUIT)  # cold shutdown: the test is over, nothing is running
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        handle.close()
        with Connection(RABBITMQ_URL) as connection:
            declared = eager_off.amqp.queues[queue].bind(connection.default_channel)
            declared.delete()
            declared.exchange.delete()


def test_a_real_worker_on_rabbitmq_completes_an_evaluation(rabbitmq_worker, company):
    from screening import tasks

    response = make_finished_response(company=company)
    rabbitmq_worker.send(tasks.evaluate_response, response.pk)

    deadline = time.monotonic() + 90
    while not Evaluation.objects.filter(response=response, status="done").exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the evaluation did not complete\n--- worker log ---\n{rabbitmq_worker.output()}")
        time.sleep(0.2)
    assert Evaluation.objects.get(response=response).evaluator == "builtin"
    assert "amqp://" in rabbitmq_worker.output()  # the worker's banner names its transport: RabbitMQ carried it
