"""Liveness and readiness probes (smartbot.health) and the worker's probe (`celery inspect ping`)."""

import json
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from conftest import require_services
from smartbot.celery import app as celery_app

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _checks(answer) -> dict:
    assert answer["Content-Type"] == "application/json"
    return json.loads(answer.content)


@pytest.fixture
def broker_url():
    """Point the Celery app at another broker for one test."""
    previous = celery_app.conf.broker_url

    def use(url: str) -> None:
        celery_app.conf.broker_url = url

    yield use
    celery_app.conf.broker_url = previous


def test_liveness_answers_ok_without_touching_the_database(client):
    answer = client.get("/health/live")  # no db fixture: any query would raise
    assert answer.status_code == 200
    assert _checks(answer) == {"status": "ok"}
    assert answer["Cache-Control"] == "no-store"


def test_probes_answer_a_plain_http_call_to_an_internal_address_in_production_settings(client, settings, db):
    # What Docker's HEALTHCHECK does: http://127.0.0.1:8000/… while ALLOWED_HOSTS names the public host
    # and every other plain-HTTP request is redirected to HTTPS.
    settings.ALLOWED_HOSTS = ["smartbot.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/live", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/health/ready", HTTP_HOST="10.1.2.3:8000").status_code == 200
    # Any other page still gets the host check.
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_readiness_checks_database_cache_channel_layer_broker_and_migrations(client, db):
    answer = client.get("/health/ready")
    body = _checks(answer)
    assert answer.status_code == 200, body
    assert body["status"] == "ok"
    names = " ".join(body["checks"])
    for name in ("Database", "Cache", "ChannelLayer", "Broker", "Migrations"):
        assert name in names
    assert set(body["checks"].values()) == {"OK"}


def test_readiness_is_503_when_the_broker_is_down_and_never_shows_its_password(client, db, broker_url):
    broker_url("redis://:s3cret-pass@127.0.0.1:1/0")  # nothing listens on port 1
    answer = client.get("/health/ready")
    body = _checks(answer)
    assert answer.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["Broker(transport='redis')"].startswith("Unavailable: Cannot connect")
    assert "s3cret-pass" not in answer.content.decode()


def test_readiness_is_503_when_the_channel_layer_is_down(client, db, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}]},
        }
    }
    answer = client.get("/health/ready")
    body = _checks(answer)
    assert answer.status_code == 503
    assert body["checks"]["ChannelLayer(alias='default')"].startswith("Unavailable")
    assert body["checks"]["Database(alias='default')"] == "OK"


def test_readiness_is_503_while_a_migration_is_not_applied(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    from smartbot.health import Migrations

    monkeypatch.setattr(Migrations, "applied_aliases", set())
    # The code gains a migration the database does not have: what a release before `migrate` looks like.
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("screening", "9999_new")])
    body = _checks(client.get("/health/ready"))
    assert body["checks"]["Migrations(alias='default')"] == "Unavailable: 1 migration(s) not applied"


def _reachable(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 5672), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("kind", ["filesystem", "redis", "amqp"])
def test_the_broker_check_connects_to_each_supported_broker(kind, broker_url, tmp_path):
    from smartbot.health import Broker

    if kind == "filesystem":
        url = "filesystem://"
    elif kind == "redis":
        require_services(postgres=False, redis=True)
        url = settings.REDIS_URL
    else:
        if not _reachable(RABBITMQ_URL):
            if os.environ.get("CI"):
                pytest.fail(f"RabbitMQ is not reachable at {RABBITMQ_URL}: CI must run against it")
            pytest.skip("needs RabbitMQ (RABBITMQ_URL)")
        url = RABBITMQ_URL
    broker_url(url)
    Broker().run()  # raises ServiceUnavailable when it cannot connect
    assert repr(Broker()) == f"Broker(transport={kind!r})"


@pytest.mark.services
def test_the_worker_probe_answers_pong_from_a_running_worker_which_logs_json(tmp_path):
    """The command compose and Docker use for the worker: `celery -A smartbot inspect ping -d <name>`."""
    require_services(postgres=False, redis=True)
    name = f"probe-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartbot.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_ALLOW_CONSOLE": "1",
        "CELERY_BROKER_URL": settings.REDIS_URL,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    log = tmp_path / "worker.log"
    with log.open("ab") as handle:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "smartbot", "worker", "--pool=solo", "-n", name,
             "-Q", f"probe-{uuid.uuid4().hex[:8]}", "--without-gossip", "--without-mingle", "-l", "INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            probe = [sys.executable, "-m", "celery", "-A", "smartbot", "inspect", "ping", "-d", name, "--timeout", "2"]
            deadline = time.monotonic() + 60
            # The worker says "ready" once it consumes (then it answers pings); one probe after that.
            while " ready." not in log.read_text() and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            while True:
                result = subprocess.run(probe, cwd=settings.BASE_DIR, env=env, capture_output=True, timeout=60)
                if result.returncode == 0 or time.monotonic() > deadline or worker.poll() is not None:
                    break
            assert result.returncode == 0, (result.stdout + result.stderr).decode() + log.read_text()[-3000:]
            assert b"pong" in result.stdout
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(entry["logger"].startswith("celery") for entry in logged), lines[:20]
    # Celery's banner is printed, not logged; every log record is a JSON line.
    assert all({"timestamp", "level", "logger", "message"} <= set(entry) for entry in logged)
