"""A real Celery worker process on the real Redis broker, against the fake LLM on loopback.

Needs PostgreSQL and Redis (``require_services``): the worker is another process,
so it reads the test database through ``DATABASE_URL`` and the test commits for
real (``transactional_db``). Each test uses its own queue, so no other worker
takes its tasks, and one worker process (``--pool=solo``, prefetch 1) takes them in
the order they were queued: a negative ("still one evaluation") is checked once a
sentinel task queued after the duplicates has run, never after a sleep.

The broker's visibility timeout is shortened so that a killed worker's task is
redelivered within seconds; the task time limit (the lease of a running
evaluation) stays long, so the redelivered task finishes the job because its
task id holds the claim, not because the lease ran out.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import require_services
from screening.models import Evaluation, LLMCall
from screening.tests import fake_openai
from screening.tests.conftest import make_finished_response

pytestmark = pytest.mark.services

VISIBILITY_TIMEOUT = 4
TIME_LIMIT = 300  # the evaluation's lease: far longer than any wait below


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict  # the test database's name (test_…, per xdist worker too)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, *, queue: str, env: dict, log: Path):
        self.queue, self.env, self.log = queue, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        self.handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "smartbot", "worker", "--pool=solo", "-Q", self.queue,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO", "-n", f"{self.queue}@%h"],
            cwd=settings.BASE_DIR, env=self.env, stdout=self.handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # cold shutdown: the test is over, nothing is running
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def eager_off():
    from smartbot.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def workers(transactional_db, fake_openai_server, eager_off, tmp_path):
    """Start worker processes on demand (``workers.start()``); all are stopped at the end."""
    require_services()
    queue = f"smartbot-test-ai-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartbot.settings",  # the worker is not a test process
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(TIME_LIMIT - 1),
        "OPENAI_BASE_URL": fake_openai_server.base_url,
        "OPENAI_API_KEY": "sk-test-not-a-secret",
        "OPENAI_TIMEOUT": "20",
        "DEBUG": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    started: list[Worker] = []

    class Workers:
        name = queue

        def start(self) -> Worker:
            worker = Worker(queue=queue, env=env, log=tmp_path / "worker.log").start()
            started.append(worker)
            return worker

        def output(self) -> str:
            return (tmp_path / "worker.log").read_text(errors="replace")[-4000:] if started else ""

    yield Workers()
    for worker in started:
        worker.stop()
    with eager_off.connection_for_write() as connection:
        connection.default_channel.client.delete(queue)


def _wait_for(predicate, *, timeout: float, what: str, workers=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n--- worker log ---\n{workers.output() if workers else ''}")


def _run_sentinel(workers, company) -> None:
    """Queue a sentinel (another response's evaluation) behind what is queued, and wait until it is done.

    The worker takes its queue in order, one task at a time: once the sentinel is evaluated, every task
    queued before it has run. The sentinel makes one call to the fake provider of its own.
    """
    from screening import tasks

    sentinel = make_finished_response(company=company, email="sentinel@example.org")
    tasks.evaluate_response.apply_async(args=(sentinel.pk,), queue=workers.name)
    _wait_for(
        lambda: Evaluation.objects.filter(response=sentinel, status="done").exists(),
        timeout=30,
        what="the sentinel evaluation",
        workers=workers,
    )


def test_a_real_worker_completes_an_evaluation_end_to_end(workers, company, fake_openai_server):
    from screening import tasks

    response = make_finished_response(company=company)
    workers.start()
    tasks.evaluate_response.apply_async(args=(response.pk,), queue=workers.name)

    _wait_for(
        lambda: Evaluation.objects.filter(response=response, status="done").exists(),
        timeout=30,
        what="the evaluation",
        workers=workers,
    )
    evaluation = Evaluation.objects.get(response=response)
    assert (evaluation.evaluator, evaluation.score, evaluation.recommendation) == (
        "llm",
        80,
        "advance",
    )  # the fake reads the prompt; the rubric scores it
    assert len(fake_openai_server.requests) == 1
    assert "Sidorov" not in fake_openai_server.requests[0].raw
    response.refresh_from_db()
    assert response.ai_score == 80

    # The same task again (a re-queue, a double click): still one evaluation, no new call.
    tasks.evaluate_response.apply_async(args=(response.pk,), queue=workers.name)
    tasks.evaluate_response.apply_async(args=(response.pk,), queue=workers.name)
    _run_sentinel(workers, company)
    assert Evaluation.objects.filter(response=response).count() == 1
    assert Evaluation.objects.get(response=response).attempts == 1
    assert len(fake_openai_server.requests) == 2  # the first evaluation's call and the sentinel's


def test_a_worker_killed_mid_evaluation_is_finished_by_its_redelivered_task_while_the_lease_is_fresh(
    workers, company, fake_openai_server
):
    from screening import tasks

    response = make_finished_response(company=company)
    # The first call hangs (the worker dies meanwhile); later ones answer at once.
    fake_openai_server.script(fake_openai.slow(60))
    first = workers.start()
    tasks.evaluate_response.apply_async(args=(response.pk,), queue=workers.name)
    _wait_for(lambda: len(fake_openai_server.requests) >= 1, timeout=30, what="the first LLM call", workers=workers)
    assert Evaluation.objects.get(response=response).status == "running"

    claim = Evaluation.objects.get(response=response)
    assert claim.task_id and claim.lease_expires_at > timezone.now() + timedelta(seconds=TIME_LIMIT - 60)

    first.kill()  # kill -9 in the middle of the task: no ack was sent

    workers.start()
    # Within seconds of the redelivery, while the lease is still fresh: the same task id takes the claim over
    # (before, the redelivery did nothing and beat's sweep found the evaluation 15 minutes later).
    _wait_for(
        lambda: Evaluation.objects.filter(response=response, status="done").exists(),
        timeout=VISIBILITY_TIMEOUT + 30,
        what="the redelivered evaluation",
        workers=workers,
    )
    _run_sentinel(workers, company)  # a duplicate delivery, if any was queued, has run before it
    evaluation = Evaluation.objects.get(response=response)
    assert Evaluation.objects.filter(response=response).count() == 1
    assert (evaluation.status, evaluation.score, evaluation.attempts) == ("done", 80, 2)
    assert len(fake_openai_server.requests) == 3  # the killed call, the redelivered one, the sentinel's
    assert LLMCall.objects.filter(ok=True).count() == 2  # the redelivered evaluation's and the sentinel's
