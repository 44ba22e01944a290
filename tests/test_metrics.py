"""GET /metrics: who may read it, and what the product's own metrics count (smartbot.metrics)."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from prometheus_client import REGISTRY

from chat.tests.conftest import Socket
from conftest import require_services
from screening import tasks
from screening.models import WebhookEndpoint
from screening.tests.conftest import make_finished_response
from smartbot import metrics


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_loopback_reads_the_metrics_with_django_and_product_families(client, db):
    client.get("/health/live")
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    body = answer.content.decode()
    assert "django_http_responses_total_by_status_total" in body  # django-prometheus's middleware
    for family in ("smartbot_chat_turns", "smartbot_bot_reply_seconds", "smartbot_evaluations", "smartbot_llm_tokens"):
        assert f"# TYPE {family}" in body
    # The demo's filesystem broker (or Redis in CI) has a readable queue.
    assert 'smartbot_celery_queue_length{queue="celery"}' in body


def test_another_address_is_refused_without_a_token(client, db):
    answer = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert answer.status_code == 403
    assert b"smartbot_" not in answer.content


def test_an_allowed_network_may_read(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_with_a_token_only_its_bearer_reads_even_from_loopback(client, db, settings):
    settings.METRICS_TOKEN = "scrape-" + uuid.uuid4().hex
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}", REMOTE_ADDR="203.0.113.7")
    assert answer.status_code == 200
    assert b"smartbot_chat_turns" in answer.content


@pytest.mark.django_db(transaction=True)
async def test_a_chat_turn_counts_the_turn_the_reply_latency_and_the_open_socket(company):
    from asgiref.sync import sync_to_async

    from screening.tests.factories import ResponseFactory
    from smartbot.asgi import application
    from vacancies.tests.factories import VacancyFactory, full_script

    vacancy = await sync_to_async(VacancyFactory)(company=company)
    await sync_to_async(full_script)(vacancy)
    response = await sync_to_async(ResponseFactory)(vacancy=vacancy)
    answered = value("smartbot_chat_turns_total", outcome="answered")
    replies = value("smartbot_bot_reply_seconds_count")
    duplicates = value("smartbot_chat_turns_total", outcome="duplicate")
    open_before = value("smartbot_open_sockets", role="candidate")

    socket = Socket(application, f"/ws/chat/{response.token}/")
    assert (await socket.connect())[0]
    hello = await socket.recv()
    assert value("smartbot_open_sockets", role="candidate") == open_before + 1
    await socket.answer("Moscow", question=hello["question"]["id"], id="m1")
    await socket.answer("Moscow", question=hello["question"]["id"], id="m1")  # resent: a duplicate
    assert value("smartbot_chat_turns_total", outcome="answered") == answered + 1
    assert value("smartbot_chat_turns_total", outcome="duplicate") == duplicates + 1
    assert value("smartbot_bot_reply_seconds_count") == replies + 1
    await socket.close()
    assert value("smartbot_open_sockets", role="candidate") == open_before


def test_an_llm_evaluation_counts_outcome_duration_tokens_and_cost(
    db,
    fake_llm,
    company,
    receiver,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    WebhookEndpoint.objects.create(company=company, url=receiver.url, events=["response.evaluated"])
    response = make_finished_response(company=company)
    done = value("smartbot_evaluations_total", evaluator="llm", status="done")
    timed = value("smartbot_evaluation_duration_seconds_count", evaluator="llm", status="done")
    prompt = value("smartbot_llm_tokens_total", kind="prompt")
    completion = value("smartbot_llm_tokens_total", kind="completion")
    cost = value("smartbot_llm_cost_usd_total", purpose="evaluation")
    delivered = value("smartbot_webhook_deliveries_total", result="delivered")

    with django_capture_on_commit_callbacks(execute=True):  # the "response.evaluated" webhook
        tasks.evaluate_response.delay(response.pk)

    assert value("smartbot_evaluations_total", evaluator="llm", status="done") == done + 1
    assert value("smartbot_evaluation_duration_seconds_count", evaluator="llm", status="done") == timed + 1
    assert value("smartbot_llm_tokens_total", kind="prompt") == prompt + 900  # what the fake provider reports
    assert value("smartbot_llm_tokens_total", kind="completion") == completion + 150
    assert value("smartbot_llm_cost_usd_total", purpose="evaluation") == pytest.approx(
        cost + (900 * 0.15 + 150 * 0.60) / 1_000_000
    )
    assert value("smartbot_webhook_deliveries_total", result="delivered") == delivered + 1


def test_a_failing_webhook_counts_a_retry_then_a_failure(db, company):
    from screening import services
    from screening.models import WebhookDelivery
    from screening.webhook_transport import WebhookError

    endpoint = WebhookEndpoint.objects.create(company=company, url="http://127.0.0.1:1/hook", events=["x"])
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="x", event_id="evt_1", payload={})
    retry = value("smartbot_webhook_deliveries_total", result="retry")
    failed = value("smartbot_webhook_deliveries_total", result="failed")
    with pytest.raises(WebhookError):
        services.webhook_deliver(delivery_id=delivery.pk, last_attempt=False)
    services.webhook_deliver(delivery_id=delivery.pk, last_attempt=True)
    assert value("smartbot_webhook_deliveries_total", result="retry") == retry + 1
    assert value("smartbot_webhook_deliveries_total", result="failed") == failed + 1


def test_the_queue_length_is_read_from_the_redis_broker():
    require_services(postgres=False, redis=True)
    from kombu import Connection

    from smartbot.celery import app

    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    previous = (app.conf.broker_url, app.conf.task_default_queue)
    app.conf.broker_url, app.conf.task_default_queue = settings.REDIS_URL, queue
    try:
        with Connection(settings.REDIS_URL) as connection:
            box = connection.SimpleQueue(queue)
            for number in range(3):
                box.put({"n": number})
            assert metrics.celery_queue_lengths() == {queue: 3}
            box.clear()
            box.close()
    finally:
        app.conf.broker_url, app.conf.task_default_queue = previous


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """Web and worker processes write to PROMETHEUS_MULTIPROC_DIR; any web process's /metrics shows the sum."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "smartbot.settings_test",  # a child of the test run, not a deployment
        "METRICS_QUEUE_LENGTH": "0",
    }
    code = (
        "from smartbot import metrics; "
        "metrics.webhook_delivery(result='delivered'); metrics.llm_tokens(prompt=10, completion=2); "
        "import sys; sys.stdout.write(metrics.metrics_page().decode())"
    )
    pages = [
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True, timeout=120).stdout
        for _ in range(2)
    ]
    assert b'smartbot_webhook_deliveries_total{result="delivered"} 2.0' in pages[-1]
    assert b'smartbot_llm_tokens_total{kind="prompt"} 20.0' in pages[-1]
