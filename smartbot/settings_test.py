"""Settings of the test suite: the production module read with a test run's environment, then test defaults.

pytest selects this module (``DJANGO_SETTINGS_MODULE`` in pyproject.toml); nothing else does, and
``smartbot.settings`` never asks whether it runs under a test runner. Processes that tests start the way
a deployment would (daphne, celery, ``manage.py``) name ``smartbot.settings`` in their environment
(``chat.tests.live_server.server_env``), so they never inherit the choices made here.

The environment still wins where the production module reads it: CI runs the suite against real
PostgreSQL and Redis with ``DATABASE_URL`` and ``REDIS_URL``, and ``CELERY_TASK_ALWAYS_EAGER=0`` would
run it against a worker.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

from smartbot.secret_key import development_secret_key

_env = environ.Env()


def redis_url_of_this_process(url: str, worker: str | None) -> str:
    """``url`` with a Redis database of its own for the pytest-xdist process ``worker`` ("gw0": base + 1, ...).

    A test's ``cache.clear()`` flushes a whole database, which must not wipe another process's queues and
    counters. Without xdist (``worker`` None) or without Redis (``url`` empty) ``url`` comes back unchanged.
    """
    if not (url and worker):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + 1 + int(worker.removeprefix('gw'))) % 16}"))


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` while the production module is read, the environment as it was afterwards.

    Put back because tests start child processes with a copy of ``os.environ``: those must see what the
    shell gave, as before.
    """
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# The production module reads .env the same way; read first here so that the choices below see it too.
_ROOT = Path(__file__).resolve().parent.parent
if (_ROOT / ".env").exists():
    environ.Env.read_env(_ROOT / ".env", overwrite=False)

# What the production module refuses to start without, as a test run has it: the checkout's development key
# unless SECRET_KEY is set (the DEBUG servers that tests start use the same key, so both read the same
# sessions and signed links), and mail that goes nowhere (pytest-django swaps in its outbox anyway). Nothing
# is collected for a test run: plain static names, as with DEBUG on.
_READ_WITH = {
    "SECRET_KEY": _env.str("SECRET_KEY", default="") or development_secret_key(_ROOT / "var" / "secret_key"),
    "EMAIL_ALLOW_CONSOLE": "1",
    "STATIC_MANIFEST": "0",
}
_redis_url = _env.str("REDIS_URL", default="")
if _redis_url:
    _READ_WITH["REDIS_URL"] = redis_url_of_this_process(_redis_url, os.environ.get("PYTEST_XDIST_WORKER"))

with _environment(_READ_WITH):
    from smartbot.settings import *  # noqa: F403

# The suite checks what production does with the switch as the environment sets it (smartbot.E002).
EMAIL_ALLOW_CONSOLE = _env.bool("EMAIL_ALLOW_CONSOLE", default=False)

# Tasks run inside the test, so their effects (rows, emails, frames) can be asserted right after the call.
# Tests of real workers switch it off for themselves.
CELERY_TASK_ALWAYS_EAGER = _env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

# Hashing is deliberately slow; tests log users in by the hundred.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client speaks plain HTTP to "testserver": no redirect to HTTPS, no secure-only cookies, no HSTS.
# Tests of those set them for themselves.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

# Webhook receivers of the tests run on loopback; the tests of the guard switch it off for themselves.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
