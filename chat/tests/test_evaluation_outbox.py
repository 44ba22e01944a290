"""The broker is down at the candidate's last answer: the answer is stored and acknowledged, the evaluation
waits as a pending row and the follow-up as the response's flag (the outboxes), and beat's sweeps queue them once
the broker is back.

The outage is real from the client's side: Celery publishes to a port where nothing listens (connection
refused), as when Redis or RabbitMQ is down. "Back" is the real Redis under a key prefix of this test's own
when REDIS_URL is set (CI), else kombu's in-process memory broker.
"""

import contextlib
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from chat.tests.live_server import free_port
from screening import tasks
from screening.models import Answer, Evaluation
from tests.celery_broker import celery_broker

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def _broker_back():
    if settings.REDIS_URL:
        prefix = f"smartbot-test-outbox-{uuid.uuid4().hex[:10]}:"
        with celery_broker(settings.REDIS_URL, {"global_keyprefix": prefix}) as app:
            try:
                yield app
            finally:
                with app.connection_for_write() as connection:
                    client = connection.default_channel.client
                    for key in client.scan_iter(match=f"{prefix}*"):
                        client.delete(key)
    else:
        with celery_broker("memory://") as app:
            yield app


def _queued_tasks(app) -> list[tuple[str, str, list]]:
    """(task id, task name, args) of every message waiting in the default queue; consumed."""
    found = []
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue(app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(timeout=1)
                except queue.Empty:
                    return found
                args = message.decode()[0]
                found.append((message.headers["id"], message.headers["task"], list(args)))
                message.ack()
        finally:
            queue.close()


async def test_the_last_answer_is_acknowledged_when_the_broker_is_down_and_the_sweep_queues_the_evaluation_later(
    response, candidate_socket
):
    sock = candidate_socket(response)
    connected, _code = await sock.connect()
    assert connected
    await sock.recv()  # hello
    await sock.answer("Moscow")
    await sock.answer("5")
    await sock.answer("yes")
    await sock.answer(choices=["Django", "Flask"])

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        frames = await sock.answer("I built a payments platform in Django that serves a million users a day.")

    types = [frame["type"] for frame in frames]
    assert "ack" in types and "error" not in types
    assert next(frame for frame in frames if frame["type"] == "state")["state"] == "finished"
    assert await sync_to_async(Answer.objects.filter(response=response).count)() == 5
    evaluation = await sync_to_async(Evaluation.objects.get)(response=response)
    assert (evaluation.status, evaluation.task_id, evaluation.attempts) == ("pending", "", 0)
    await sock.close()

    # A minute later the broker is back, and beat's sweep (every minute) queues the evaluation.
    await sync_to_async(Evaluation.objects.filter(pk=evaluation.pk).update)(
        updated_at=timezone.now() - timedelta(minutes=2)
    )
    with _broker_back() as app:
        assert await sync_to_async(tasks.requeue_stalled_evaluations)() == 1
        queued = await sync_to_async(_queued_tasks)(app)
    assert [(name, args) for _id, name, args in queued] == [("screening.tasks.evaluate_response", [response.pk])]

    # The queued task, run by a worker, evaluates it (the builtin evaluator here: no LLM is configured).
    await sync_to_async(tasks.evaluate_response.apply)(args=(response.pk,), task_id=queued[0][0])
    await sync_to_async(evaluation.refresh_from_db)()
    assert (evaluation.status, evaluation.attempts) == ("done", 1)


async def test_the_follow_up_lost_at_the_last_answer_is_swept_and_then_emits_the_webhook_and_queues_the_evaluation(
    response, candidate_socket
):
    # The finish publishes one message (the follow-up); the broker is down then, as if the process had died
    # between the commit and the publish. The response's flag is the outbox: the sweep queues the follow-up, and
    # the follow-up stores the webhook's delivery, queues it and the evaluation, once.
    from screening.models import Response, WebhookDelivery, WebhookEndpoint

    await sync_to_async(WebhookEndpoint.objects.create)(
        company=response.vacancy.company, url="http://127.0.0.1:9/hook", events=["response.completed"]
    )
    sock = candidate_socket(response)
    connected, _code = await sock.connect()
    assert connected
    await sock.recv()  # hello
    for text in ("Moscow", "5", "yes"):
        await sock.answer(text)
    await sock.answer(choices=["Django"])

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        frames = await sock.answer("I built a payments platform in Django.")

    types = [frame["type"] for frame in frames]
    assert "ack" in types and "error" not in types
    await sock.close()
    assert await sync_to_async(Response.objects.filter(pk=response.pk, followup_pending=True).exists)()
    assert not await sync_to_async(WebhookDelivery.objects.exists)()

    # Not due yet: a follow-up published a moment ago is still on its way.
    with _broker_back() as app:
        assert await sync_to_async(tasks.requeue_stalled_followups)() == 0
    await sync_to_async(Response.objects.filter(pk=response.pk).update)(
        completed_at=timezone.now() - timedelta(minutes=3)
    )
    with _broker_back() as app:
        assert await sync_to_async(tasks.requeue_stalled_followups)() == 1
        queued = await sync_to_async(_queued_tasks)(app)
        assert [(name, args) for _id, name, args in queued] == [("screening.tasks.screening_followup", [response.pk])]

        # A worker runs it: the delivery is stored, and it and the evaluation are queued after its commit.
        await sync_to_async(tasks.screening_followup.apply)(args=(response.pk,), task_id=queued[0][0])
        queued = await sync_to_async(_queued_tasks)(app)
        delivery = await sync_to_async(WebhookDelivery.objects.get)(event="response.completed")
        assert (delivery.status, delivery.attempts) == ("pending", 0)
        names = sorted((name, args) for _id, name, args in queued)
        assert ("screening.tasks.deliver_webhook", [delivery.pk]) in names
        assert ("screening.tasks.evaluate_response", [response.pk]) in names

        # Done once: the flag is cleared, the sweep finds nothing, a duplicate message does nothing.
        assert await sync_to_async(tasks.requeue_stalled_followups)() == 0
        await sync_to_async(tasks.screening_followup.apply)(args=(response.pk,))
        assert await sync_to_async(_queued_tasks)(app) == []
    assert await sync_to_async(WebhookDelivery.objects.count)() == 1
    assert not await sync_to_async(Response.objects.filter(pk=response.pk, followup_pending=True).exists)()
