"""Shared fixtures: the personas every access test uses, and the service guard.

Personas (healthchecks' alice/bob/charlie): ``owner``, ``recruiter`` and
``viewer`` of company A, and ``outsider``, an owner of company B.
"""

import os

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import Role
from accounts.tests.factories import CompanyFactory, UserFactory

PASSWORD = "pass-w0rd-123"


@pytest.fixture
def company():
    return CompanyFactory(name="Acme", slug="acme")


@pytest.fixture
def other_company():
    return CompanyFactory(name="Globex", slug="globex")


@pytest.fixture
def owner(company):
    return UserFactory(company=company, role=Role.OWNER, email="owner@acme.test", first_name="Olga")


@pytest.fixture
def recruiter(company):
    return UserFactory(company=company, role=Role.RECRUITER, email="recruiter@acme.test", first_name="Roman")


@pytest.fixture
def viewer(company):
    return UserFactory(company=company, role=Role.VIEWER, email="viewer@acme.test", first_name="Vera")


@pytest.fixture
def outsider(other_company):
    return UserFactory(company=other_company, role=Role.OWNER, email="owner@globex.test", first_name="Oscar")


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(client, owner):
    return _client_for(client, owner)


@pytest.fixture
def recruiter_client(client, recruiter):
    return _client_for(client, recruiter)


@pytest.fixture
def viewer_client(client, viewer):
    return _client_for(client, viewer)


@pytest.fixture
def outsider_client(client, outsider):
    return _client_for(client, outsider)


def require_services(*, postgres: bool = True, redis: bool = True) -> None:
    """Skip locally when PostgreSQL/Redis are not configured; fail in CI, where they must be."""
    missing = []
    if postgres and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL (PostgreSQL)")
    if redis and not settings.REDIS_URL:
        missing.append("REDIS_URL")
    if missing:
        message = "needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run against the real services")
        pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """At the end, end the test database's sessions that other threads left open, so it can be dropped.

    The chat consumers run their database work in executor threads (as in
    production), and each such thread keeps its own connection; pytest-django
    cannot drop a PostgreSQL database while they are open and warned about it.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def fake_openai_server():
    from screening.tests.fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(fake_openai_server, settings):
    """The fake OpenAI-compatible provider on loopback (a real HTTP server), with the settings pointing at it."""
    settings.OPENAI_BASE_URL = fake_openai_server.base_url
    settings.OPENAI_API_KEY = "sk-test-not-a-secret"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.OPENAI_TIMEOUT = 0.5
    settings.OPENAI_PRICE_INPUT_PER_M = 0.15
    settings.OPENAI_PRICE_OUTPUT_PER_M = 0.60
    return fake_openai_server


@pytest.fixture
def fake_avito(settings):
    """The fake Avito (OAuth page and Job/User/Item/Messenger API) on loopback, with the AVITO_* settings on it."""
    from django.urls import reverse

    from fakes.avito import FakeAvito

    server = FakeAvito().start()
    settings.AVITO_API_URL = server.base_url
    settings.AVITO_OAUTH_URL = server.base_url
    settings.AVITO_CLIENT_ID = server.client_id
    settings.AVITO_CLIENT_SECRET = server.client_secret
    # Avito redirects to the URI registered with the application: ours, the integrations callback.
    server.redirect_uri = settings.SITE_URL + reverse("screening:integrations_callback")
    yield server
    server.stop()


@pytest.fixture
def fake_hh(settings):
    """The fake hh.ru on loopback (OAuth pages and employer API on one port), with the HH_* settings at it."""
    from fakes.hh import FakeHH

    server = FakeHH().start()
    settings.HH_API_URL = server.base_url
    settings.HH_OAUTH_URL = server.base_url
    settings.HH_CLIENT_ID = server.client_id
    settings.HH_CLIENT_SECRET = server.client_secret
    settings.HH_TIMEOUT = 5.0
    yield server
    server.stop()


@pytest.fixture
def fake_telegram(settings):
    """The fake Telegram Bot API on loopback (``fakes.telegram``, a real HTTP server), with the settings pointing
    at it. Its default bot is ``fakes.telegram.DEFAULT_TOKEN`` (@smartbot_demo_bot)."""
    from fakes.telegram import FakeTelegram

    server = FakeTelegram().start()
    settings.TELEGRAM_API_URL = server.base_url
    settings.TELEGRAM_TIMEOUT = 5.0
    yield server
    server.stop()


@pytest.fixture
def receiver():
    """A webhook receiver on loopback (a real HTTP server) that records what our workers deliver."""
    from screening.tests.webhook_receiver import Receiver

    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def eager_retries():
    """Let ``self.retry`` run the retries in eager mode (they would otherwise propagate as ``Retry``)."""
    from smartbot.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture
def flaky_mail(settings, eager_retries):
    """A mail server that refuses the first ``flaky_mail.failures`` sends, then delivers into ``mail.outbox``."""
    from django.core import mail

    from accounts.tests.flaky_mail import FlakyBackend

    settings.EMAIL_BACKEND = "accounts.tests.flaky_mail.FlakyBackend"
    mail.outbox = []
    yield FlakyBackend
    FlakyBackend.failures = 0


@pytest.fixture(autouse=True)
def _a_channel_layer_per_test():
    """Each test gets channel layer instances of its own (``channels.layers.channel_layers`` rebuilt lazily).

    channels-redis keeps an asyncio lock per receiving channel in the layer, released by a clean-up task when a
    message is read. Each async test runs on an event loop of its own; a loop that ended with that task pending
    left the lock held, and the next test in the process to receive on the process's channel failed with "lock
    bound to a different event loop" (chat/tests/test_pipeline_live_presence.py, now and then). Production has
    one loop per process.
    """
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _chat_scripts_not_shared_between_tests():
    """Each test loads chat scripts afresh (``chat.selectors.script_shared``): a rolled-back test database reuses
    ids, and a frozen clock reuses ``updated_at`` stamps, so a script of an earlier test could answer for one of
    this test's. Production never reuses either."""
    from chat.selectors import script_shared_clear

    script_shared_clear()
    yield


@pytest.fixture(autouse=True)
def _language_back_to_the_default():
    """After a test, the default language again in this thread.

    ``LocaleMiddleware`` activates a request's language (``Accept-Language``, the cookie) for the thread and no one
    deactivates it: in production the next request activates its own, but in a test process a Russian request
    left every later test speaking Russian (order-dependent failures).
    """
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _database_pool_without_leaked_connections():
    """After a test, a fresh PostgreSQL pool when connections of dead threads still hold the old one.

    With ``DB_POOL`` on, a connection lent to a thread returns when that thread "closes" it (the end of a
    request, channels' ``database_sync_to_async``). Async tests each run on an event loop of their own, and
    threads of that loop's executor (and ``sync_to_async`` helpers in tests) die with their connection still
    lent: the test process's pool of ``DB_POOL_MAX_SIZE`` would run dry after a few hundred tests. Production
    has one loop per process. The main thread keeps its own connection (pytest-django's); closing the old
    pool leaves lent connections open until they are given back (psycopg_pool ``ConnectionPool.close``).
    """
    yield
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    from django.db.backends.postgresql.base import DatabaseWrapper

    for alias, pool in list(DatabaseWrapper._connection_pools.items()):
        stats = pool.get_stats()
        if stats.get("pool_size", 0) - stats.get("pool_available", 0) > 1:
            DatabaseWrapper._connection_pools.pop(alias, None)
            pool.close()
