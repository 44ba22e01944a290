"""The production build serves: static files collected with DEBUG off, the Procfile's processes with DEBUG off,
real pages fetched.

Runs the Dockerfile's steps directly (no container engine here or in CI): its ``collectstatic`` line as
written there, then the Procfile's ``web`` (gunicorn, two worker processes) and ``ws`` (daphne) commands as
written there, with ``DEBUG=0``; every page must answer 200 with its hashed static files, never a 500 (an
image built with ``DEBUG=1`` had no manifest and 500'd everywhere).

The deployment files agree with each other: the Dockerfile's ``HEALTHCHECK`` passes against the app served
with strict production settings (and fails when nothing serves), docker-compose.yml runs the Procfile's
commands, and deploy/nginx.conf, run by a real nginx in front of them, sends pages to gunicorn and the chat's
WebSocket to daphne.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from chat.tests.live_server import ProcfileProcess, free_port, server_env

BASE = Path(settings.BASE_DIR)


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
        EMAIL_URL="smtp://127.0.0.1:25",  # production refuses to start without a real mail backend; none is sent
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
    # Two gunicorn workers whatever this machine's cores; access lines at INFO, to see who served what.
    env.update(WEB_CONCURRENCY="2", LOG_LEVEL="INFO")
    server = ProcfileProcess("web", env=env, log=folder / "web.log").start()
    sockets = ProcfileProcess("ws", env=env, log=folder / "ws.log").start()
    try:
        server.wait_ready(timeout=60)
        sockets.wait_ready(timeout=60)
        server.sockets = sockets
        yield server, folder
    finally:
        server.stop()
        sockets.stop()


def _get(url: str) -> tuple[int, str]:
    return _send(urllib.request.Request(url))


def _send(request: urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _chat_token(folder) -> str:
    import sqlite3

    with sqlite3.connect(folder / "db.sqlite3") as db:
        # A screening still running: its link is open whatever the demo's dates (a finished one's link turns
        # read-only some days after the finish, and the socket is then refused by design).
        row = db.execute(
            "SELECT token FROM screening_response WHERE status IN ('new', 'in_chat') ORDER BY id LIMIT 1"
        ).fetchone()
        return row[0]


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


def test_the_web_process_is_gunicorn_with_a_worker_process_per_configured_core(production):
    import psutil

    server, _ = production
    master = psutil.Process(server.process.pid)
    assert "gunicorn" in " ".join(master.cmdline())
    deadline = time.monotonic() + 30
    while len(master.children()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(master.children()) == 2  # WEB_CONCURRENCY
    # Each worker started its resume extraction's fork server before any upload (post_worker_init).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        servers = [
            child for worker in master.children() for child in worker.children() if "forkserver" in child.cmdline()[-1]
        ]
        if len(servers) == 2:
            break
        time.sleep(0.1)
    assert len(servers) == 2, [w.children() for w in master.children()]


def _listening_and_held(worker, port: int) -> tuple[bool, int]:
    """Whether ``worker`` listens on ``port`` itself, and how many connections to it it holds."""
    conns = [c for c in worker.net_connections("tcp") if c.laddr and c.laddr.port == port]
    return any(c.status == "LISTEN" for c in conns), sum(c.status == "ESTABLISHED" for c in conns)


def test_the_web_process_spreads_keep_alive_connections_across_its_workers(production):
    """Measured before the fix: with one shared listening socket, one of four gthread workers accepted 42-50 of 50
    clients' keep-alive connections at once and kept them, so the machine served one core's worth. Each worker now
    listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections across them."""
    import psutil

    server, _ = production
    master = psutil.Process(server.process.pid)
    deadline = time.monotonic() + 30
    while True:
        workers = master.children()
        if len(workers) == 2 and all(_listening_and_held(worker, server.port)[0] for worker in workers):
            break
        assert time.monotonic() < deadline, "both workers (WEB_CONCURRENCY) listen on the port themselves"
        time.sleep(0.1)
    held = []
    try:
        for _ in range(40):  # opened at once, as a load balancer or 40 browsers would
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=20))
        for raw in held:
            raw.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for raw in held:
            assert raw.recv(65536).startswith(b"HTTP/1.1 200"), "answered, and the connection kept open"
        counts = [_listening_and_held(worker, server.port)[1] for worker in workers]
    finally:
        for raw in held:
            raw.close()
    assert sum(counts) == 40, counts
    # Spread by the kernel's hash of each connection's addresses: 40 over 2 workers lands 33 or more on one in
    # about 1 run of 50,000 (binomial); the shared socket put 33 on one when this test was written.
    assert max(counts) <= 32, counts


def test_the_web_process_refuses_an_oversized_body_before_django_reads_it(production):
    server, _ = production
    # Headers declaring 1 GB, and no body sent: the answer comes anyway.
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as raw:
        raw.sendall(
            b"POST /api/v1/responses/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert json.loads(body)["error"]["code"] == "too_large"


def test_the_access_log_of_the_web_process_hashes_the_chat_token(production):
    server, folder = production
    token = _chat_token(folder)
    assert _get(f"{server.http_url}/chat/{token}/")[0] == 200
    # This request's own line (an earlier test's lines are in the log already); written after the answer.
    deadline = time.monotonic() + 20
    while '"GET /chat/sha256:' not in server.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = (folder / "web.log").read_text(errors="replace")
    assert '"GET /chat/sha256:' in log and token not in log


# --- The deployment files agree, and their probes and proxy work --------------------------------------------


def _healthcheck_command() -> list[str]:
    """The Dockerfile's ``HEALTHCHECK ... CMD [...]`` (exec form), its continuation lines joined."""
    dockerfile = (BASE / "Dockerfile").read_text().replace("\\\n", " ")
    (line,) = [line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK ")]
    return json.loads(line.split(" CMD ", 1)[1])


def _run_healthcheck(port: int) -> subprocess.CompletedProcess:
    command = _healthcheck_command()
    assert command[0] == "python" and "http://127.0.0.1:8000/health/live" in command[-1]
    command = [sys.executable, *command[1:-1], command[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def strict_production(production, tmp_path_factory):
    """The same build served as a real deployment is configured: another host name, HTTPS only, secure cookies."""
    server, _ = production
    env = {
        **server.env,
        "ALLOWED_HOSTS": "smartbot.example.com",
        "SECURE_SSL_REDIRECT": "1",
        "SESSION_COOKIE_SECURE": "1",
        "CSRF_COOKIE_SECURE": "1",
    }
    strict = ProcfileProcess("web", env=env, log=tmp_path_factory.mktemp("strict") / "web.log").start()
    try:
        strict.wait_ready(timeout=60)
        yield strict
    finally:
        strict.stop()


def test_the_dockerfile_healthcheck_passes_against_the_app_served_in_production(strict_production):
    # A page is not for 127.0.0.1 over plain HTTP here (400 or a redirect to HTTPS): the probe passes anyway.
    assert _get(strict_production.http_url + "/accounts/login/")[0] in (301, 400)
    done = _run_healthcheck(strict_production.port)
    assert done.returncode == 0, done.stderr[-2000:] + strict_production.output()


def test_the_dockerfile_healthcheck_fails_when_nothing_serves():
    done = _run_healthcheck(free_port())
    assert done.returncode != 0


def _interpolate(text: str) -> str:
    """Compose/shell ``${NAME:-default}`` as with nothing set, and compose's ``$$`` as ``$``."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text).replace("$$", "$")


def _procfile() -> dict[str, tuple[dict[str, str], list[str]]]:
    """Procfile processes as (environment assignments before the command, the command's words)."""
    processes = {}
    for line in (BASE / "Procfile").read_text().splitlines():
        if not line.strip():
            continue
        name, command = line.split(":", 1)
        words = shlex.split(_interpolate(command))
        assignments = {}
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            key, value = words.pop(0).split("=", 1)
            assignments[key] = value
        processes[name] = (assignments, words)
    return processes


def _compose() -> dict:
    import yaml

    return yaml.safe_load((BASE / "docker-compose.yml").read_text())


def test_docker_compose_runs_the_procfile_s_processes_and_the_image_the_procfile_s_web():
    procfile, services = _procfile(), _compose()["services"]

    web = shlex.split(_interpolate(services["web"]["command"]))
    assert web[:2] == ["sh", "-c"]
    release, serve = web[2].split(" && ")
    assert shlex.split(release) == procfile["release"][1]
    assert shlex.split(serve) == procfile["web"][1]
    dockerfile = (BASE / "Dockerfile").read_text()
    (cmd,) = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]
    assert json.loads(cmd[4:]) == procfile["web"][1]
    assert "--proxy-headers" not in procfile["web"][1]  # the app applies TRUSTED_PROXY_COUNT itself

    # The sockets' process: the Procfile's ws as written, its probe the image's on its own port.
    assert shlex.split(_interpolate(services["ws"]["command"])) == procfile["ws"][1]
    port = procfile["ws"][1][procfile["ws"][1].index("-p") + 1]
    probe = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in _healthcheck_command()]
    assert services["ws"]["healthcheck"]["test"] == ["CMD", *probe]
    assert services["proxy"]["depends_on"].keys() == {"web", "ws"}

    for name in ("worker", "beat"):
        assignments, words = procfile[name]
        assert shlex.split(_interpolate(services[name]["command"])) == words, name
        environment = {key: str(value) for key, value in services[name]["environment"].items()}
        assert assignments.items() <= environment.items(), name

    # The web container's probe is the image's.
    assert services["web"]["healthcheck"]["test"] == ["CMD", *_healthcheck_command()]


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture(scope="module")
def nginx(production, tmp_path_factory):
    """deploy/nginx.conf in a real nginx (only the upstream address and the port changed) before the app."""
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: CI must install Debian's nginx-light")
        pytest.skip("needs nginx")
    server, _ = production
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    site = (BASE / "deploy" / "nginx.conf").read_text()
    assert site.count("server web:8000;") == 1 and site.count("server ws:8001;") == 1
    assert site.count("listen 80;") == 1
    site = site.replace("server web:8000;", f"server 127.0.0.1:{server.port};")
    site = site.replace("server ws:8001;", f"server 127.0.0.1:{server.sockets.port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (folder / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nevents {{}}\n"
        f"http {{ access_log off; {temp} include {folder / 'site.conf'}; }}\n"
    )
    config = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    checked = subprocess.run([*config, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*config, "-g", "daemon off;"], stderr=subprocess.STDOUT, stdout=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.stdout.read().decode(errors="replace")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not listen"
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_reverse_proxy_sends_pages_to_gunicorn_and_the_chat_socket_to_daphne(nginx, production):
    from websockets.asyncio.client import connect

    server, folder = production
    status, body = _get(f"http://{nginx}/careers/demo/?routed=1")
    assert status == 200, body[-2000:]
    assert _get(f"http://{nginx}/health/live")[0] == 200

    async def first_frame():
        url = f"ws://{nginx}/ws/chat/{_chat_token(folder)}/"
        async with connect(url, origin=f"http://{nginx}", open_timeout=20) as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 20))

    frame = asyncio.run(first_frame())
    assert frame.get("type"), frame
    # Who served what, by their access logs (paths as logged: query values dropped, the token hashed).
    deadline = time.monotonic() + 10
    while "WSCONNECT /ws/chat/" not in server.sockets.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    web, ws = (folder / "web.log").read_text(errors="replace"), (folder / "ws.log").read_text(errors="replace")
    assert "GET /careers/demo/?routed=" in web and "/careers/demo/?routed=" not in ws
    assert "WSCONNECT /ws/chat/" in ws and "/ws/chat/" not in web
