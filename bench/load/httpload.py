"""The HTTP bench's parts: wrk driving one target, the PostgreSQL connection watcher, a server started from
any command line, and the CPU of a server's whole process tree. No Django in here."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from . import probes
from .servers import LOG_DIR, port_free

WRK_SCRIPT = Path(__file__).with_name("http_wrk.lua")


@dataclass
class Target:
    """One thing the bench drives: ``method path`` with ``headers`` and, for a POST, a body template file
    (``@@EMAIL@@`` in it replaced per request by the Lua script)."""

    name: str
    path: str
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    body_file: Path | None = None
    floor: str | None = None  # the name of the target this one is compared with


def wrk_binary() -> str:
    """The path of ``wrk``; ``SystemExit`` with the install command when it is missing."""
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing: apt-get install -y wrk (Debian's package)")
    return found


def preflight(*, port: int, target: Target, email: str) -> dict:
    """One request of ``target`` by http.client, as wrk will send it: its status, content type and size.

    A redirect (the sign-in page) or an error here means the figures of the run would measure the wrong
    thing; the bench then skips the target. Also warms the server (imports, templates, the pool).
    """
    body = None
    if target.body_file is not None:
        body = target.body_file.read_bytes().replace(b"@@EMAIL@@", email.encode())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(target.method, target.path, body=body, headers=target.headers)
        answer = connection.getresponse()
        data = answer.read()
    finally:
        connection.close()
    return {
        "status": answer.status,
        "content_type": answer.getheader("Content-Type"),
        "bytes": len(data),
        "location": answer.getheader("Location"),
        "body_start": data[:300].decode("utf-8", "replace") if not 200 <= answer.status < 300 else None,
    }


def run_wrk(
    *, port: int, target: Target, clients: int, threads: int, duration: float, timeout: float, tag: str
) -> dict:
    """Drive ``target`` with ``clients`` keep-alive connections over ``threads`` wrk threads for ``duration``
    seconds; the parsed ``BENCH_JSON`` line of the Lua script plus requests/s and latencies in ms.

    Raises ``RuntimeError`` with wrk's output when it prints no result.
    """
    env = {
        **os.environ,
        "BENCH_METHOD": target.method,
        "BENCH_HEADERS": "\n".join(f"{name}: {value}" for name, value in target.headers.items()),
        "BENCH_BODY_FILE": str(target.body_file or ""),
        "BENCH_TAG": tag,
    }
    command = [
        wrk_binary(), "-t", str(max(1, min(threads, clients))), "-c", str(clients), "-d", f"{max(1, round(duration))}s",
        "--timeout", f"{timeout:g}s", "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{target.path}",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + timeout + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((row for row in done.stdout.splitlines() if row.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result (exit {done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = result["duration_us"] / 1e6
    latency = result.pop("latency_us")
    result["requests_per_second"] = round(result["requests"] / seconds, 1) if seconds else 0.0
    result["ok_per_second"] = round((result["requests"] - result["non2xx"]) / seconds, 1) if seconds else 0.0
    result["latency_ms"] = {name: round(value / 1000, 1) for name, value in latency.items()}
    result["errors"] = result["non2xx"] + sum(result["socket_errors"].values())
    # wrk's own CPU (the load generator shares the machine): this process's reaped children since ``before``.
    result["wrk_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


class ConnectionWatcher:
    """Polls ``pg_stat_activity`` every ``interval`` seconds for the connections to one database: the peak of
    those named ``application_name`` (the servers') and of all of them (this bench's own excluded)."""

    def __init__(self, *, database_url: str, database: str, application_name: str, interval: float = 0.1):
        self.database_url, self.database, self.application_name = database_url, database, application_name
        self.interval = interval
        self.peak_servers = self.peak_all = self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def count(self, conn) -> tuple[int, int]:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE application_name = %s), count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.application_name, self.database),
        ).fetchone()
        return row[0], row[1]

    def now(self) -> dict:
        """The servers' and all connections to the database at this moment."""
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            servers, every = self.count(conn)
        return {"servers": servers, "all": every}

    def _run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                while not self._stop.is_set():
                    servers, every = self.count(conn)
                    self.peak_servers, self.peak_all = max(self.peak_servers, servers), max(self.peak_all, every)
                    self.samples += 1
                    self._stop.wait(self.interval)
        except Exception as error:  # reported; never hides the run's figures
            self.error = repr(error)

    def __enter__(self) -> ConnectionWatcher:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def result(self) -> dict:
        return {"peak_servers": self.peak_servers, "peak_all": self.peak_all, "samples": self.samples,
                "error": self.error}  # fmt: skip


def tree_pids(roots: list[int]) -> list[int]:
    """``roots`` and every live descendant of theirs."""
    pids = []
    for pid in roots:
        with contextlib.suppress(psutil.NoSuchProcess):
            process = psutil.Process(pid)
            pids.append(pid)
            pids.extend(child.pid for child in process.children(recursive=True))
    return pids


def worker_count(roots: list[int], *, settle: float = 2.0, timeout: float = 30.0) -> int:
    """How many processes serve HTTP under ``roots``: their direct children (a gunicorn master's workers; not the
    workers' own children, such as the resume extraction's fork server), once that count has held for ``settle``
    seconds (a master listens before it forks its workers). 0 when the roots have no children."""

    def count() -> int:
        total = 0
        for pid in roots:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += len(psutil.Process(pid).children())
        return total

    deadline, last, since = time.monotonic() + timeout, count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif now and time.monotonic() - since >= settle:
            break
    return last


def tree_cpu_seconds(roots: list[int]) -> float:
    """User + system CPU seconds of ``roots`` and their live descendants, plus the children they have reaped
    (the resume extraction's short-lived workers are counted once their server process waited for them)."""
    total = 0.0
    for pid in tree_pids(roots):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def tree_rss_mb(roots: list[int]) -> float:
    """Resident memory of ``roots`` and their live descendants, MB (shared pages counted in each)."""
    return round(sum(probes.rss(tree_pids(roots)).values()) / (1024 * 1024), 1)


class CommandServer:
    """A server started from a command line (``{port}`` in it replaced), e.g. several uvicorn or gunicorn
    workers on one port; its own process group, stopped with SIGTERM (then SIGKILL) to that group.

    ``start`` raises ``SystemExit`` (with the log to read) when the port is busy or nothing listens in 60 s.
    """

    def __init__(self, *, command: str, port: int, env: dict, cwd: Path, name: str = "http-cmd"):
        self.argv = [part.replace("{port}", str(port)) for part in shlex.split(command)]
        self.ports, self.env, self.cwd, self.name = [port], env, cwd, name
        self.processes: list[subprocess.Popen] = []

    def start(self) -> CommandServer:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        port = self.ports[0]
        if not port_free(port):
            raise SystemExit(f"port {port} is busy: pass --port")
        log = (LOG_DIR / f"{self.name}-{port}.log").open("wb")
        self.processes.append(
            subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
        deadline = time.time() + 60
        while True:
            if self.processes[0].poll() is not None:
                raise SystemExit(f"{self.argv[0]} exited; see {LOG_DIR}/{self.name}-{port}.log")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return self
            except OSError:
                if time.time() > deadline:
                    self.stop()
                    raise SystemExit(f"nothing listens on {port} after 60 s") from None
                time.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)  # the group this bench created for it
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages now."""
    return [round(x, 2) for x in psutil.getloadavg()]
