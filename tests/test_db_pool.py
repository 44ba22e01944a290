"""Database connections stay bounded under both servers: psycopg's pool per process (smartbot/settings.py,
"Database").

Before the pool, every daphne request thread kept its own connection (``CONN_MAX_AGE=60``): 2 clients left
27-34 connections open and 50 clients exhausted PostgreSQL's 100. Here a real daphne (the Procfile's ws, which
also serves HTTP) and the Procfile's web (gunicorn, two worker processes of eight threads) on the test
PostgreSQL database, each process with a pool of at most 5, serve 200 requests sent at once; every one answers
200 and PostgreSQL never sees more than 5 connections per process from them (``pg_stat_activity``, told apart
by ``application_name``), sampled while the load runs.
"""

import runpy
import threading
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import CompanyFactory
from chat.tests.live_server import Daphne, ProcfileProcess, database_url, server_env
from conftest import require_services
from vacancies.tests.factories import VacancyFactory

POOL_MAX = 5
CLIENTS = 200
SETTINGS_FILE = Path(settings.BASE_DIR) / "smartbot" / "settings.py"


def _settings_with(monkeypatch, **env: str) -> dict:
    """The settings module run afresh with these environment variables (and no database ones of ours)."""
    for name in ("DATABASE_URL", "DB_POOL", "DB_POOL_MIN_SIZE", "DB_POOL_MAX_SIZE", "DB_POOL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name in ("DB_CONN_MAX_AGE", "DB_CONN_HEALTH_CHECKS", "DB_APPLICATION_NAME"):
        monkeypatch.delenv(name, raising=False)
    # What the production module refuses to load without (a key, a mail choice), as a deployment sets them.
    monkeypatch.setenv("SECRET_KEY", "test-only-" + "k" * 50)
    monkeypatch.setenv("EMAIL_ALLOW_CONSOLE", "1")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_postgresql_connections_come_from_a_pool_bounded_by_the_settings(monkeypatch):
    values = _settings_with(
        monkeypatch,
        DATABASE_URL="postgres://app@db.example.com:5432/smartbot",
        DB_POOL_MIN_SIZE="1",
        DB_POOL_MAX_SIZE="7",
        DB_POOL_TIMEOUT="2.5",
        DB_APPLICATION_NAME="smartbot-web",
    )
    database = values["DATABASES"]["default"]
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 7, "timeout": 2.5}
    assert database["OPTIONS"]["application_name"] == "smartbot-web"
    assert database["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert database["CONN_HEALTH_CHECKS"] is True  # the pool checks a connection as it lends it


def test_the_pool_defaults_to_two_to_ten_connections_waiting_ten_seconds(monkeypatch):
    values = _settings_with(monkeypatch, DATABASE_URL="postgres://app@db.example.com:5432/smartbot")
    options = values["DATABASES"]["default"]["OPTIONS"]
    assert options["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10.0}
    assert options["application_name"] == "smartbot"


def test_db_pool_0_keeps_plain_connections_for_db_conn_max_age(monkeypatch):
    values = _settings_with(
        monkeypatch, DATABASE_URL="postgres://app@db.example.com:5432/smartbot", DB_POOL="0", DB_CONN_MAX_AGE="60"
    )
    database = values["DATABASES"]["default"]
    assert "pool" not in database["OPTIONS"]
    assert database["CONN_MAX_AGE"] == 60
    # Without the variable, a connection is closed at the end of each request (nothing per thread stays open).
    values = _settings_with(monkeypatch, DATABASE_URL="postgres://app@db.example.com:5432/smartbot", DB_POOL="0")
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_sqlite_is_left_as_it_was(monkeypatch):
    database = _settings_with(monkeypatch)["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert "pool" not in database["OPTIONS"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


class ConnectionSampler(threading.Thread):
    """Counts, every few milliseconds until stopped, the server's connections to ``database`` named ``app``."""

    def __init__(self, *, database: str, app: str):
        super().__init__(daemon=True)
        self.database, self.app = database, app
        self.counts: list[int] = []
        self.stopped = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        import psycopg

        db = settings.DATABASES["default"]
        try:
            with psycopg.connect(
                host=db["HOST"] or "127.0.0.1",
                port=db["PORT"] or 5432,
                user=db["USER"],
                password=db.get("PASSWORD") or None,
                dbname=self.database,
                autocommit=True,
            ) as connection:
                while not self.stopped.is_set():
                    (count,) = connection.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                        (self.database, self.app),
                    ).fetchone()
                    self.counts.append(count)
                    self.stopped.wait(0.005)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error


@pytest.fixture(params=["daphne", "gunicorn"])
def pooled_server(request, transactional_db, tmp_path):
    """(server, application name, processes serving HTTP)."""
    require_services(redis=False)
    app = f"smartbot-test-pool-{uuid.uuid4().hex[:8]}"
    env = server_env(
        DATABASE_URL=database_url(),
        DB_POOL="1",
        DB_POOL_MIN_SIZE="1",
        DB_POOL_MAX_SIZE=str(POOL_MAX),
        # Long enough that no request gives up waiting on a slow, shared test machine: the bound is tested here,
        # not the timeout.
        DB_POOL_TIMEOUT="120",
        DB_APPLICATION_NAME=app,
        DJANGO_SETTINGS_MODULE="smartbot.settings",
        WEB_CONCURRENCY="2",
        WEB_THREADS="8",  # more threads than the pool has connections: they wait their turn
    )
    if request.param == "daphne":
        server, processes = Daphne(env=env, log=tmp_path / "daphne.log"), 1
    else:
        server, processes = ProcfileProcess("web", env=env, log=tmp_path / "web.log"), 2
    server.start()
    try:
        server.wait_ready(timeout=60)
        yield server, app, processes
    finally:
        server.stop()


def _get(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return repr(error)


def test_200_requests_at_once_are_all_served_by_at_most_the_pool_s_connections(pooled_server):
    server, app, processes = pooled_server
    company = CompanyFactory(slug="pooled")
    VacancyFactory.create_batch(3, company=company)
    url = f"{server.http_url}/careers/{company.slug}/"
    assert _get(url) == 200  # warm: the page exists and reads the database

    sampler = ConnectionSampler(database=settings.DATABASES["default"]["NAME"], app=app)
    sampler.start()
    start = threading.Barrier(CLIENTS)

    def client(_):
        start.wait()
        return _get(url)

    try:
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            answers = list(pool.map(client, range(CLIENTS)))
    finally:
        sampler.stopped.set()
        sampler.join(timeout=30)

    assert sampler.error is None, sampler.error
    errors = [answer for answer in answers if answer != 200]
    assert not errors, f"{len(errors)} of {CLIENTS} failed, e.g. {errors[:5]}\n{server.output()}"
    assert sampler.counts and max(sampler.counts) >= 1, "the sampler saw the server's connections"
    bound = POOL_MAX * processes
    assert max(sampler.counts) <= bound, f"up to {max(sampler.counts)} connections for {processes} pools of {POOL_MAX}"
