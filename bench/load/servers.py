"""The servers under test: ``count`` daphne processes on consecutive loopback ports, and their environment."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import probes

BASE_DIR = Path(__file__).resolve().parents[2]
LOG_DIR = BASE_DIR / "var" / "bench"
# The servers' key, and the seeding process's: made per run, never written anywhere.
BENCH_SECRET = secrets.token_urlsafe(32)


def server_env(args) -> dict:
    """The environment of the servers (and of ``manage.py migrate``): the production settings, DEBUG off."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartbot.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_ALLOW_CONSOLE": "1",  # DEBUG off needs it (or a mail server): candidates' emails go to the log
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "ASGI_THREADS": str(args.asgi_threads),
        "CELERY_TASK_ALWAYS_EAGER": "0",  # finished chats queue their evaluation in Redis, as in production
        "CHAT_IP_FRAMES_PER_SECOND": "0",  # every simulated candidate comes from 127.0.0.1
        **dict(getattr(args, "malloc_env", None) or ()),  # --malloc-env: glibc's allocator tuned, for comparison
    }


def port_free(port: int) -> bool:
    """True when a server could listen on ``port`` of 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will (TIME_WAIT is fine)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class ServerSet:
    """``count`` daphne processes serving ``app`` on consecutive loopback ports; RSS sampled while they run.

    ``start`` raises ``SystemExit`` (with the log to read) when a port is busy or a server does not start.
    """

    def __init__(
        self,
        *,
        app: str,
        count: int,
        first_port: int,
        env: dict,
        name: str,
        flags: tuple = (),
        switch_interval=0.0,
        preamble: str = "",
    ):
        """``preamble``: Python code each server runs before daphne (``bench.load.idle.PROBE_PREAMBLE``)."""
        self.app, self.env, self.name, self.flags = app, env, name, list(flags)
        self.launcher = [sys.executable, "-m", "daphne"]
        if switch_interval or preamble:
            code = f"import sys; sys.setswitchinterval({switch_interval!r})\n" if switch_interval else ""
            code += preamble + "\nfrom daphne.cli import CommandLineInterface; CommandLineInterface.entrypoint()"
            self.launcher = [sys.executable, "-c", code]
        self.ports = [first_port + i for i in range(count)]
        self.processes: list[subprocess.Popen] = []
        self.peak_rss: dict[int, int] = {}
        self._sampling = False

    def start(self) -> ServerSet:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            if not port_free(port):
                raise SystemExit(f"port {port} is busy: pass --port")
            log = (LOG_DIR / f"{self.name}-{port}.log").open("wb")  # one run per log
            self.processes.append(
                subprocess.Popen(
                    [*self.launcher, "-b", "127.0.0.1", "-p", str(port), *self.flags, self.app],
                    cwd=BASE_DIR,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.time() + 60
        for port, process in zip(self.ports, self.processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"daphne on {port} exited; see {LOG_DIR}/{self.name}-{port}.log")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit(f"daphne on {port} did not start") from None
                    time.sleep(0.1)
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def rss(self) -> dict[int, int]:
        return probes.rss([process.pid for process in self.processes])

    def cpu_seconds(self) -> float:
        """User + system CPU time the server processes have used so far."""
        return sum(probes.process_cpu_seconds(process.pid) for process in self.processes)

    def _sample(self) -> None:
        while self._sampling:
            for pid, size in self.rss().items():
                self.peak_rss[pid] = max(size, self.peak_rss.get(pid, 0))
            time.sleep(0.25)

    def memory(self) -> dict:
        """RSS of the servers now and at their peak, in MB."""
        now = self.rss()
        mb = 1024 * 1024
        return {
            "rss_now_mb": [round(v / mb, 1) for v in now.values()],
            "rss_peak_mb": [round(v / mb, 1) for v in self.peak_rss.values()],
            "rss_peak_total_mb": round(sum(self.peak_rss.values()) / mb, 1),
        }

    def stop(self) -> None:
        self._sampling = False
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
