"""Real daphne processes on loopback for the tests that need a server over TCP (two processes, the browser).

Django's ``live_server`` is WSGI-only, so WebSockets need daphne itself. The
server is another process: it sees only committed data, through the
``DATABASE_URL`` it is given.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test process uses (the test database, once pytest-django made it)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a server process: the production settings (not the tests'), debug on, loopback only."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartbot.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


class Daphne:
    """``daphne -b 127.0.0.1 -p PORT smartbot.asgi:application`` as a subprocess; output goes to ``log``."""

    def __init__(self, *, env: dict[str, str], log: Path, port: int | None = None):
        self.env, self.log = env, log
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._handle = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> Daphne:
        self._handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "smartbot.asgi:application"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self._handle,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, timeout: float = 20) -> None:
        """Until the port accepts connections; raises with the server's output if it died or never listened."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.process.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"daphne did not listen on {self.port} within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


class ProcfileProcess(Daphne):
    """One of the Procfile's processes (``name``) run as written there by ``sh``, ``$PORT``/``$WS_PORT`` set to
    ``port``, the virtualenv's commands first on the ``PATH``."""

    def __init__(self, name: str, **kwargs):
        super().__init__(**kwargs)
        self.name = name

    def start(self) -> ProcfileProcess:
        lines = (Path(settings.BASE_DIR) / "Procfile").read_text().splitlines()
        (line,) = [line for line in lines if line.startswith(f"{self.name}:")]
        env = {
            **self.env,
            "PORT": str(self.port),
            "WS_PORT": str(self.port),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{self.env.get('PATH', '')}",
        }
        self._handle = self.log.open("ab")
        self.process = subprocess.Popen(
            ["sh", "-c", "exec " + line.split(":", 1)[1].strip()],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._handle,
            stderr=subprocess.STDOUT,
        )
        return self


@contextlib.contextmanager
def daphne_without_services(folder: Path, **overrides: str):
    """A started, ready daphne on settings that reach no database table, Redis or broker: for tests of the
    HTTP layer alone (limits, logs). ``overrides`` are extra environment variables; logs go to
    ``folder / "daphne.log"``. Stopped on exit."""
    env = server_env(
        DATABASE_URL=f"sqlite:///{folder / 'unused.sqlite3'}",
        DJANGO_SETTINGS_MODULE="smartbot.settings",
        **overrides,
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    server = Daphne(env=env, log=folder / "daphne.log").start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# What every seed script starts with: Django set up, the database migrated, the companies' and users' factories.
SEED_PREAMBLE = """import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from accounts.models import Role
from accounts.tests.factories import CompanyFactory, UserFactory
"""


def seed_script(body: str) -> str:
    """A seed script for ``seeded_daphne``: ``SEED_PREAMBLE`` then ``body`` (dedented)."""
    return SEED_PREAMBLE + textwrap.dedent(body)


@contextlib.contextmanager
def seeded_daphne(folder: Path, seed: str, **overrides: str):
    """A started, ready daphne on a SQLite file of its own (``folder / "site.sqlite3"``) that the Python source
    ``seed`` filled first (run in a child process with the server's environment): in-memory channels, the
    builtin evaluator run eagerly, and each email a file in ``folder / "mail"`` (read like an inbox). No Redis,
    broker or LLM. Yields the server with ``database``, ``mailbox`` and ``seed_output`` (the seed's stdout) set;
    stopped on exit. ``overrides`` are extra environment variables."""
    database, mailbox = folder / "site.sqlite3", folder / "mail"
    env = server_env(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="smartbot.settings",
        # django-environ takes the path after "filemail://" and drops one slash: "//" keeps it absolute.
        EMAIL_URL=f"filemail:///{mailbox}",
        **overrides,
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(name, None)
    seeded = subprocess.run(
        [sys.executable, "-c", seed], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr[-4000:]
    server = Daphne(env=env, log=folder / "daphne.log").start()
    try:
        server.wait_ready()
        server.database, server.mailbox, server.seed_output = database, mailbox, seeded.stdout
        yield server
    finally:
        server.stop()
