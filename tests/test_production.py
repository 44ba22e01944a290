"""The production build serves: static files collected with DEBUG off, daphne with DEBUG off, real pages fetched.

Runs the Dockerfile's steps directly (no container engine here or in CI): its ``collectstatic`` line as
written there, then the app served by daphne with ``DEBUG=0``; every page must answer 200 with
its hashed static files, never a 500 (an image built with ``DEBUG=1`` had no manifest and 500'd
everywhere).
"""

import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from chat.tests.live_server import Daphne, server_env


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    env = server_env(
        DEBUG="0",
        SECRET_KEY="test-production-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        SECURE_SSL_REDIRECT="0",  # TLS ends at the proxy; here the test speaks plain HTTP
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DJANGO_SETTINGS_MODULE="smartbot.settings",
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    # The Dockerfile's own collectstatic line, as written there (its env prefix included), then the setup.
    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    (build,) = [line[4:] for line in dockerfile.splitlines() if line.startswith("RUN ") and "collectstatic" in line]
    build = build.replace("python ", f"{sys.executable} ", 1)
    done = subprocess.run(["sh", "-c", build], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    for command in (["migrate", "--noinput"], ["load_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
    assert (folder / "static" / "staticfiles.json").exists()  # the manifest the running app needs
    server = Daphne(env=env, log=folder / "daphne.log").start()
    try:
        server.wait_ready()
        yield server, folder
    finally:
        server.stop()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _chat_token(folder) -> str:
    import sqlite3

    with sqlite3.connect(folder / "db.sqlite3") as db:
        return db.execute("SELECT token FROM screening_response LIMIT 1").fetchone()[0]


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/careers/demo/", "/careers/demo/python-developer/", "/admin/login/", "/api/docs/", "CHAT"],
)
def test_a_production_page_serves_with_its_hashed_static_files(production, path):
    server, folder = production
    if path == "CHAT":
        path = f"/chat/{_chat_token(folder)}/"
    status, body = _get(server.http_url + path)
    assert status == 200, body[-2000:]
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', body)
    assert assets, "the page links its static files"
    for asset in set(assets):
        assert re.search(r"\.[0-9a-f]{12}\.", asset), f"{asset} is not a hashed (manifest) name"
        assert _get(server.http_url + asset)[0] == 200, asset
