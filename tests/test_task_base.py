"""Tasks are published when the transaction commits (``smartbot.celery.TransactionAwareTask``).

The database commits for real (``transaction=True``) and Celery publishes to a broker (not eager): the real
Redis under a key prefix of this test's own when REDIS_URL is set (CI), else kombu's in-process memory
broker. What a test looks at is what the broker holds. A broker outage is real from the client's side: a
port where nothing listens (connection refused).
"""

import contextlib
import logging
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.tests.live_server import free_port
from screening import services, tasks
from screening.models import Evaluation
from screening.tests.conftest import make_finished_response
from smartbot.celery import TransactionAwareTask, app
from tests.celery_broker import celery_broker

pytestmark = pytest.mark.django_db(transaction=True)

EVALUATE = "screening.tasks.evaluate_response"


class Broker:
    def queued(self, *, wait: float = 1.0) -> list[tuple[str, str, list]]:
        """(task id, task name, args) of every message waiting in the default queue; consumed."""
        found = []
        with app.connection_for_write() as connection:
            queue = connection.SimpleQueue(app.conf.task_default_queue)
            try:
                while True:
                    try:
                        message = queue.get(timeout=wait)
                    except queue.Empty:
                        return found
                    found.append((message.headers["id"], message.headers["task"], list(message.decode()[0])))
                    message.ack()
            finally:
                queue.close()


@contextlib.contextmanager
def _working_broker():
    if not settings.REDIS_URL:
        with celery_broker("memory://"):
            yield Broker()
        return
    prefix = f"smartbot-test-task-base-{uuid.uuid4().hex[:10]}:"
    with celery_broker(settings.REDIS_URL, {"global_keyprefix": prefix}):
        try:
            yield Broker()
        finally:
            with app.connection_for_write() as connection:
                client = connection.default_channel.client
                for key in client.scan_iter(match=f"{prefix}*"):
                    client.delete(key)


@pytest.fixture
def broker():
    with _working_broker() as working:
        yield working


@pytest.fixture
def broker_down():
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        yield


def test_every_task_of_the_project_publishes_on_commit():
    ours = [task for name, task in app.tasks.items() if name.split(".")[0] in ("accounts", "screening", "chat")]
    assert len(ours) >= 8
    assert all(isinstance(task, TransactionAwareTask) for task in ours)


def test_inside_a_transaction_nothing_is_published_until_it_commits(broker):
    with transaction.atomic():
        result = tasks.evaluate_response.delay(41)
        assert broker.queued(wait=0.2) == []
    assert broker.queued() == [(result.id, EVALUATE, [41])]


def test_a_rollback_publishes_nothing(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.evaluate_response.delay(41)
        raise RuntimeError("the writes failed")
    assert broker.queued(wait=0.2) == []


def test_a_rolled_back_savepoint_drops_only_its_own_tasks(broker):
    with transaction.atomic():
        kept = tasks.evaluate_response.delay(1)
        with contextlib.suppress(RuntimeError), transaction.atomic():
            tasks.evaluate_response.delay(2)
            raise RuntimeError("this part failed")
    assert broker.queued() == [(kept.id, EVALUATE, [1])]


def test_outside_a_transaction_a_task_is_published_at_once(broker):
    result = tasks.evaluate_response.delay(7)
    assert broker.queued() == [(result.id, EVALUATE, [7])]


def test_a_broker_outage_at_commit_keeps_the_commit_is_logged_and_the_sweep_queues_the_work_later(
    broker_down, company, caplog
):
    response = make_finished_response(company=company)
    with caplog.at_level(logging.WARNING, logger="smartbot.celery"), transaction.atomic():
        services.evaluation_request(response=response)  # writes the pending row, queues the task on commit

    # Committed although the publish failed: the pending row is the outbox.
    evaluation = Evaluation.objects.get(response=response)
    assert (evaluation.status, evaluation.task_id, evaluation.attempts) == ("pending", "", 0)
    [record] = [r for r in caplog.records if r.name == "smartbot.celery"]
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith(f"could not queue task {EVALUATE}[")

    # A minute later the broker is back and beat's sweep queues it.
    Evaluation.objects.filter(pk=evaluation.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    with _working_broker() as back:
        assert tasks.requeue_stalled_evaluations() == 1
        assert [(name, args) for _id, name, args in back.queued()] == [(EVALUATE, [response.pk])]


def test_outside_a_transaction_a_refused_publish_returns_none_and_is_logged(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="smartbot.celery"):
        assert tasks.evaluate_response.delay(7) is None
    assert any(EVALUATE in r.getMessage() for r in caplog.records if r.name == "smartbot.celery")
