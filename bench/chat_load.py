#!/usr/bin/env python
"""Load test of the screening chat: N simulated candidates through a five-question screening under daphne.

Loopback only, bounded in time and count. What it does, in one run:

1. creates (if needed) and migrates the PostgreSQL database ``smartbot_bench``,
   flushes the bench's Redis database, and seeds a fresh company, a vacancy
   with five questions (one of every kind) and the responses in bulk;
2. starts ``--processes`` daphne processes (default: one per core) on ports
   P, P+1, ... serving ``smartbot.asgi:application`` against that database and
   Redis (channels-redis), and spreads the candidates across them;
3. **think phase**: ``--candidates`` candidates (default 1000) connect over a
   ``--ramp`` and each reads the bot's question and answers it after a think
   time (default uniform 3-7 s), five times;
4. **closed loop**: ``--closed-concurrency`` candidates answer with no think
   time, each taking a fresh response after finishing, for ``--duration`` s;
5. **echo floor**: the same number of daphne processes serving a bare echo
   consumer on the same stack (``bench/echo_asgi.py``), driven closed-loop by
   the same number of connections for ``--duration`` s;
6. checks the database (every answer acknowledged is stored exactly once,
   every finished chat has the expected messages) and prints JSON.

The load generator runs in ``--clients`` separate processes (asyncio and the
``websockets`` client) so that it is not the bottleneck of one core.
"Bot reply latency" is the time from sending an answer to receiving the next
``question`` frame (or the ``state`` finished frame after the last answer).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartbot_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/chat_load.py

``--help`` lists the flags. See docs/benchmarks.md for results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import random
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
LOG_DIR = BASE_DIR / "var" / "bench"
EXPECTED_ANSWERS = 5
# Greeting + first question, then per answer the candidate's message and the bot's next question,
# and for the last answer the candidate's message and the closing message.
EXPECTED_MESSAGES = 2 + 2 * EXPECTED_ANSWERS
RECV_TIMEOUT = 30.0
ANSWERS = {
    "single_choice": {"text": "Moscow"},
    "number": {"text": "5"},
    "yes_no": {"text": "yes"},
    "multiple_choice": {"choices": ["Django", "FastAPI"]},
    "text": {"text": "I built a screening chat that never loses an answer."},
}


# --- arguments ----------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", "-n", type=int, default=1000, help="candidates of the think phase")
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 7.0), metavar=("MIN", "MAX"), help="seconds")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the think phase connects")
    parser.add_argument("--closed-concurrency", type=int, default=200, help="connections of the closed loop and echo")
    parser.add_argument("--closed-chats", type=int, default=4000, help="fresh responses seeded for the closed loop")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of the closed loop and of the echo")
    parser.add_argument("--max-phase", type=float, default=180.0, help="hard limit of the think phase, seconds")
    parser.add_argument("--processes", "-p", type=int, default=os.cpu_count() or 1, help="daphne processes")
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument("--port", type=int, default=9000, help="first port of the chat servers (echo: +100)")
    # 4 threads per process measured best on 2 cores (2: fewer DB round trips in flight; 8-16: GIL hand-offs).
    parser.add_argument("--asgi-threads", type=int, default=int(os.environ.get("ASGI_THREADS", "4")))
    parser.add_argument(
        "--ws-connect-timeout", type=int, default=20,
        help="daphne --websocket_connect_timeout, seconds (daphne's default 5: a handshake queued longer is refused)",
    )  # fmt: skip
    parser.add_argument(
        "--switch-interval", type=float, default=0.0,
        help="run daphne with sys.setswitchinterval(SECONDS) (0: Python's default, 0.005)",
    )  # fmt: skip
    parser.add_argument("--phases", default="think,closed,echo", help="comma-separated subset of think,closed,echo")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smartbot_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--no-migrate", action="store_true", help="skip manage.py migrate")
    args = parser.parse_args(argv)
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    for url in (args.database_url, args.redis_url):
        host = urlsplit(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"loopback only: {url}")
    if not urlsplit(args.database_url).path.strip("/").startswith("smartbot_bench"):
        parser.error("the database name must start with smartbot_bench (the benchmark seeds and flushes it)")
    return args


# --- statistics ----------------------------------------------------------------


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "count": len(ordered),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 1),
        "mean": round(statistics.fmean(ordered), 1),
    }


def peak_concurrency(spans: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


# --- the load generator (runs in client processes; no Django here) ---------------


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.connect_ms: list[float] = []
        self.errors: list[str] = []
        self.acked: dict[int, int] = {}  # response id -> answers acknowledged
        self.completed = 0
        self.answers = 0
        self.spans: list[tuple[float, float]] = []
        self.first_send = None
        self.last_reply = None

    def error(self, what: str) -> None:
        self.errors.append(what)


async def _recv(ws) -> dict:
    # No per-frame timeout here: ``asyncio.wait_for`` makes a task per frame, which cost the load generator
    # (on the same two cores as the server) more than parsing the frame. Callers bound a whole turn instead.
    return json.loads(await ws.recv())


async def one_chat(chat: dict, *, think, stats: Stats, deadline: float) -> None:
    """One candidate: connect, then answer every question (after a think time), timing each bot reply."""
    from websockets.asyncio.client import connect

    origin = f"http://127.0.0.1:{chat['port']}"
    url = f"ws://127.0.0.1:{chat['port']}/ws/chat/{chat['token']}/"
    response_id = chat["response_id"]
    started = time.time()
    try:
        async with connect(
            url, origin=origin, open_timeout=RECV_TIMEOUT, compression=None, ping_interval=None, max_queue=64
        ) as ws:
            async with asyncio.timeout(RECV_TIMEOUT):
                hello = await _recv(ws)
            stats.connect_ms.append((time.time() - started) * 1000)
            if hello.get("type") != "hello":
                stats.error(f"first frame {hello.get('type')}")
                return
            question = hello.get("question")
            number = 0
            while question is not None:
                if think:
                    await asyncio.sleep(random.uniform(*think))
                if time.time() > deadline:
                    stats.error("phase deadline")
                    return
                number += 1
                client_id = f"b{response_id}-{number}-{uuid.uuid4().hex[:6]}"
                frame = {"v": 1, "type": "message", "id": client_id, "question": question["id"]}
                frame.update(ANSWERS[question["kind"]])
                sent = time.perf_counter()
                stats.first_send = stats.first_send or time.time()
                await ws.send(json.dumps(frame))
                question, replied, acked = None, False, False
                async with asyncio.timeout(RECV_TIMEOUT):  # the whole reply, every frame of it
                    while True:
                        item = await _recv(ws)
                        kind = item.get("type")
                        if kind == "ack" and item.get("id") == client_id:
                            acked = True
                            if item.get("duplicate"):
                                stats.error("unexpected duplicate ack")
                        elif kind == "question" or (kind == "state" and item.get("state") == "finished"):
                            if not replied:
                                stats.latencies.append((time.perf_counter() - sent) * 1000)
                                replied = True
                            if kind == "question":
                                question = item["question"]
                        elif kind == "error":
                            stats.error(f"error frame {item.get('code')}: {item.get('message')}")
                        elif kind == "typing" and item.get("who") == "bot" and item.get("on") is False:
                            break
                stats.last_reply = time.time()
                if acked:
                    stats.acked[response_id] = stats.acked.get(response_id, 0) + 1
                    stats.answers += 1
                if not (acked and replied):
                    stats.error("turn without ack or reply")
                    return
            stats.completed += 1
    except TimeoutError:
        stats.error("timeout waiting for the server")
    except Exception as exc:  # a refused or dropped connection: counted, not fatal
        stats.error(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        stats.spans.append((started, time.time()))


async def think_phase(chats, *, think, ramp, deadline, stats) -> None:
    async def delayed(chat, delay):
        await asyncio.sleep(delay)
        await one_chat(chat, think=think, stats=stats, deadline=deadline)

    await asyncio.gather(*(delayed(chat, ramp * i / max(1, len(chats))) for i, chat in enumerate(chats)))


async def closed_phase(chats, *, concurrency, duration, stats) -> None:
    pool = list(chats)
    stop = time.time() + duration

    async def worker():
        while pool and time.time() < stop:
            await one_chat(pool.pop(), think=None, stats=stats, deadline=stop + RECV_TIMEOUT)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def echo_phase(ports, *, concurrency, duration, stats) -> None:
    from websockets.asyncio.client import connect

    stop = time.time() + duration
    payload = json.dumps({"v": 1, "type": "message", "id": "b1-1-abcdef", "question": 1, "text": "5"})

    async def worker(port):
        try:
            async with connect(
                f"ws://127.0.0.1:{port}/ws/echo/", origin=f"http://127.0.0.1:{port}", compression=None,
                ping_interval=None, open_timeout=RECV_TIMEOUT,
            ) as ws:  # fmt: skip
                stats.first_send = stats.first_send or time.time()
                while time.time() < stop:
                    sent = time.perf_counter()
                    await ws.send(payload)
                    async with asyncio.timeout(RECV_TIMEOUT):  # as the chat's client does, one per reply
                        await ws.recv()
                    stats.latencies.append((time.perf_counter() - sent) * 1000)
                    stats.answers += 1
                stats.last_reply = time.time()
        except Exception as exc:
            stats.error(f"{type(exc).__name__}: {exc}"[:200])

    await asyncio.gather(*(worker(ports[i % len(ports)]) for i in range(concurrency)))


def client_main(job: dict, out) -> None:
    """Entry point of a load-generator process; sends its Stats back as a dict."""
    raise_nofile()
    random.seed(job["seed"])
    stats = Stats()
    start_at = job["start_at"]
    time.sleep(max(0.0, start_at - time.time()))  # every client process starts together
    if job["phase"] == "think":
        coro = think_phase(job["chats"], think=job["think"], ramp=job["ramp"], deadline=job["deadline"], stats=stats)
    elif job["phase"] == "closed":
        coro = closed_phase(job["chats"], concurrency=job["concurrency"], duration=job["duration"], stats=stats)
    else:
        coro = echo_phase(job["ports"], concurrency=job["concurrency"], duration=job["duration"], stats=stats)
    cpu_started = time.process_time()
    asyncio.run(coro)
    out.send(
        {
            "cpu_s": time.process_time() - cpu_started,
            "latencies": stats.latencies,
            "connect_ms": stats.connect_ms,
            "errors": stats.errors,
            "acked": stats.acked,
            "completed": stats.completed,
            "answers": stats.answers,
            "spans": stats.spans,
            "first_send": stats.first_send,
            "last_reply": stats.last_reply,
        }
    )
    out.close()


def run_clients(jobs: list[dict]) -> dict:
    """Run one phase in separate client processes and merge what they measured."""
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 1.5  # time for the spawned interpreters to start
    running = []
    for i, job in enumerate(jobs):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=client_main, args=({**job, "start_at": start_at, "seed": i}, sender))
        process.start()
        sender.close()
        running.append((process, receiver))
    merged = {"latencies": [], "connect_ms": [], "errors": [], "acked": {}, "completed": 0, "answers": 0, "spans": []}
    merged["client_cpu_s"] = 0.0
    firsts, lasts = [], []
    for process, receiver in running:
        part = receiver.recv()
        process.join()
        for key in ("latencies", "connect_ms", "errors", "spans"):
            merged[key].extend(part[key])
        merged["acked"].update(part["acked"])
        merged["completed"] += part["completed"]
        merged["client_cpu_s"] += part["cpu_s"]
        merged["answers"] += part["answers"]
        if part["first_send"]:
            firsts.append(part["first_send"])
        if part["last_reply"]:
            lasts.append(part["last_reply"])
    merged["window"] = (max(lasts) - min(firsts)) if firsts and lasts else 0.0
    return merged


# --- servers --------------------------------------------------------------------


class ServerSet:
    """``count`` daphne processes serving ``app`` on consecutive loopback ports; RSS sampled while they run."""

    def __init__(
        self, *, app: str, count: int, first_port: int, env: dict, name: str, flags: tuple = (), switch_interval=0.0
    ):
        self.app, self.env, self.name, self.flags = app, env, name, list(flags)
        self.launcher = [sys.executable, "-m", "daphne"]
        if switch_interval:
            code = (
                f"import sys; sys.setswitchinterval({switch_interval!r}); from daphne.cli import CommandLineInterface; "
            )
            self.launcher = [sys.executable, "-c", code + "CommandLineInterface.entrypoint()"]
        self.ports = [first_port + i for i in range(count)]
        self.processes: list[subprocess.Popen] = []
        self.peak_rss: dict[int, int] = {}
        self._sampling = False

    def start(self) -> ServerSet:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            if not _port_free(port):
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
        sizes = {}
        for process in self.processes:
            try:
                for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[process.pid] = int(line.split()[1]) * 1024
            except OSError:
                pass
        return sizes

    def cpu_seconds(self) -> float:
        """User + system CPU time the server processes have used so far."""
        return sum(process_cpu_seconds(process.pid) for process in self.processes)

    def _sample(self) -> None:
        while self._sampling:
            for pid, size in self.rss().items():
                self.peak_rss[pid] = max(size, self.peak_rss.get(pid, 0))
            time.sleep(0.25)

    def memory(self) -> dict:
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


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will (TIME_WAIT is fine)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --- database: create, migrate, seed, check (Django in this process) ------------------


def prepare_database(args) -> None:
    import psycopg

    parts = urlsplit(args.database_url)
    name = parts.path.strip("/")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    if not args.no_migrate:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=server_env(args),
            check=True,
        )  # fmt: skip
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()


def server_env(args) -> dict:
    env = {
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
    }
    env.pop("PYTEST_VERSION", None)
    return env


BENCH_SECRET = secrets.token_urlsafe(32)


def setup_django(args) -> None:
    os.environ.update(
        {k: v for k, v in server_env(args).items() if k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    )
    os.environ.update(
        {"DEBUG": "0", "SECRET_KEY": BENCH_SECRET, "ALLOWED_HOSTS": "127.0.0.1", "EMAIL_ALLOW_CONSOLE": "1"}
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def seed(*, responses: int, label: str) -> list[dict]:
    """A fresh company, a vacancy with five questions of every kind, and ``responses`` new responses, in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Company
    from screening.models import Candidate, Response
    from vacancies.models import ScreeningQuestion, Vacancy

    kinds = ScreeningQuestion.Kind
    run = f"{label}-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        company = Company.objects.create(name=f"Bench {run}", slug=f"bench-{run}")
        vacancy = Vacancy.objects.create(
            company=company, title="Python developer", slug="python-developer", status=Vacancy.Status.OPEN,
            pass_threshold=50, published_at=timezone.now(),
        )  # fmt: skip
        ScreeningQuestion.objects.bulk_create(
            [
                ScreeningQuestion(
                    vacancy=vacancy, position=1, text="Which city do you live in?", kind=kinds.SINGLE_CHOICE,
                    options=["Moscow", "Saint Petersburg", "Kazan"], knockout="one_of", allowed_options=["Moscow"],
                ),
                ScreeningQuestion(
                    vacancy=vacancy, position=2, text="How many years of Python experience do you have?",
                    kind=kinds.NUMBER, knockout="at_least", knockout_value="3", weight=2,
                ),
                ScreeningQuestion(
                    vacancy=vacancy, position=3, text="Are you allowed to work in Russia?", kind=kinds.YES_NO,
                    knockout="must_equal", knockout_value="yes",
                ),
                ScreeningQuestion(
                    vacancy=vacancy, position=4, text="Which of these do you use?", kind=kinds.MULTIPLE_CHOICE,
                    options=["Django", "FastAPI", "Flask"], knockout="one_of", allowed_options=["Django", "FastAPI"],
                ),
                ScreeningQuestion(
                    vacancy=vacancy, position=5, text="Tell us about a project you are proud of.", kind=kinds.TEXT
                ),
            ]
        )  # fmt: skip
        now = timezone.now()
        candidates = Candidate.objects.bulk_create(
            Candidate(company=company, email=f"c{i}@{run}.bench.test") for i in range(responses)
        )
        created = Response.objects.bulk_create(
            Response(
                vacancy=vacancy, candidate=c, full_name=f"Candidate {i} Bench", email=c.email,
                resume_text="Python developer.", consent_at=now, ai_consent_at=now, consent_version="2026-11-30",
            )
            for i, c in enumerate(candidates)
        )  # fmt: skip
    return [{"response_id": r.pk, "token": r.token} for r in created]


def check_database(acked: dict[int, int], completed_ids: set[int] | None = None) -> dict:
    """Compare what the clients saw acknowledged with what the database holds."""
    from django.db.models import Count, Q

    from screening.models import ChatMessage
    from screening.models import Answer, Response

    ids = list(acked)
    answers = dict(
        Answer.objects.filter(response_id__in=ids)
        .values("response_id")
        .annotate(n=Count("id"))
        .values_list("response_id", "n")
    )
    sessions = (
        ChatMessage.objects.filter(session__response_id__in=ids)
        .values("session__response_id")
        .annotate(total=Count("id"), candidate=Count("id", filter=Q(sender="candidate")))
    )
    messages = {row["session__response_id"]: row for row in sessions}
    duplicate_ids = (
        ChatMessage.objects.filter(session__response_id__in=ids)
        .exclude(client_id="")
        .values("session_id", "client_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    lost = doubled = wrong_messages = 0
    for response_id, n_acked in acked.items():
        stored = answers.get(response_id, 0)
        lost += max(0, n_acked - stored)
        doubled += max(0, stored - n_acked)
        row = messages.get(response_id, {"total": 0, "candidate": 0})
        doubled += max(0, row["candidate"] - n_acked)
        if n_acked == EXPECTED_ANSWERS and row["total"] != EXPECTED_MESSAGES:
            wrong_messages += 1
    finished_ids = [r for r, n in acked.items() if n == EXPECTED_ANSWERS]
    unfinished = Response.objects.filter(pk__in=finished_ids, completed_at=None).count()
    return {
        "answers_lost": lost,
        "answers_doubled": doubled,
        "duplicate_client_ids": duplicate_ids,
        "finished_chats_with_wrong_message_count": wrong_messages,
        "acked_chats_not_finished_in_db": unfinished,
    }


def db_connections(args) -> int:
    from django.db import connection

    name = urlsplit(args.database_url).path.strip("/")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
        return cursor.fetchone()[0]


# --- the run --------------------------------------------------------------------


def split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


def system_cpu() -> tuple[float, float, float]:
    """(busy, total, steal) jiffies of the whole machine, from /proc/stat.

    Steal is time the hypervisor gave this VM's CPUs to someone else: a run with much of it measured a
    slower machine than a quiet one.
    """
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values), values[7]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (all its threads) has used so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def service_cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU used so far by each of the machine's PostgreSQL and Redis processes, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        key = "postgres" if name.startswith("postgres") else "redis" if name.startswith("redis") else None
        if key:
            found[int(entry.name)] = (key, process_cpu_seconds(int(entry.name)))
    return found


def service_cpu_delta(before: dict, after: dict) -> dict[str, float]:
    # Per process, so that a backend that exits meanwhile (the seeding connection) does not count negative;
    # a backend that both starts and exits within the phase is missed (PostgreSQL's CPU is a lower bound).
    totals = {"postgres": 0.0, "redis": 0.0}
    for pid, (key, seconds) in after.items():
        previous = before.get(pid)
        totals[key] += seconds - (previous[1] if previous and previous[0] == key else 0.0)
    return totals


def measure(servers: ServerSet, jobs: list[dict]) -> dict:
    """Run a phase and account the CPU the servers, PostgreSQL, Redis, the clients and the machine used meanwhile."""
    cpu_before, services_before, sys_before = servers.cpu_seconds(), service_cpu_seconds(), system_cpu()
    result = run_clients(jobs)
    cpu_after, services_after, sys_after = servers.cpu_seconds(), service_cpu_seconds(), system_cpu()
    busy, total, steal = (after - before for after, before in zip(sys_after, sys_before, strict=True))
    result["server_cpu_s"] = round(cpu_after - cpu_before, 1)
    result["cpu_s"] = {
        "daphne": cpu_after - cpu_before,
        **service_cpu_delta(services_before, services_after),
        "load_generator": result.pop("client_cpu_s"),
    }
    result["machine_busy_pct"] = round(100 * busy / total, 1) if total else None
    result["machine_steal_pct"] = round(100 * steal / total, 1) if total else None
    return result


def cpu_per_unit(result: dict, units: int) -> dict:
    """Where the machine's CPU went, in ms per answer (or per echo round trip)."""
    return {name: round(1000 * seconds / max(1, units), 3) for name, seconds in result["cpu_s"].items()}


def cost_fields(result: dict, servers: ServerSet, *, unit: str, digits: int) -> dict:
    """The CPU and memory part of a phase's report; ``unit`` names what it is counted per."""
    return {
        "server_cpu_s": result["server_cpu_s"],
        f"server_cpu_ms_per_{unit}": round(1000 * result["server_cpu_s"] / max(1, result["answers"]), digits),
        f"cpu_ms_per_{unit}": cpu_per_unit(result, result["answers"]),
        "machine_busy_pct": result["machine_busy_pct"],
        "machine_steal_pct": result["machine_steal_pct"],
        "server_memory": servers.memory(),
    }


def summarize(result: dict, *, servers: ServerSet, extra: dict) -> dict:
    window = result["window"] or 1e-9
    return {
        **extra,
        "chats_completed": result["completed"],
        "errors": len(result["errors"]),
        "error_samples": sorted(set(result["errors"]))[:10],
        "answers_acked": result["answers"],
        "peak_open_sockets": peak_concurrency(result["spans"]),
        "connect_to_hello_ms": percentiles(result["connect_ms"]),
        "bot_reply_ms": percentiles(result["latencies"]),
        "window_s": round(window, 1),
        "answers_per_second": round(result["answers"] / window, 1),
        **cost_fields(result, servers, unit="answer", digits=2),
    }


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_mb": mem,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    nofile = raise_nofile()
    report: dict = {"machine": machine(), "open_files_limit": nofile}
    report["config"] = {
        "candidates": args.candidates, "think_s": list(args.think), "ramp_s": args.ramp,
        "closed_concurrency": args.closed_concurrency, "duration_s": args.duration, "processes": args.processes,
        "clients": args.clients, "asgi_threads": args.asgi_threads, "phases": args.phases,
        "ws_connect_timeout_s": args.ws_connect_timeout, "switch_interval_s": args.switch_interval or None,
    }  # fmt: skip
    prepare_database(args)
    setup_django(args)
    from django.conf import settings

    report["config"]["database"] = {
        k: v for k, v in settings.DATABASES["default"].items() if k in ("CONN_MAX_AGE", "OPTIONS")
    }
    report["config"]["channel_layer"] = {
        k: v for k, v in settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).items() if k != "hosts"
    }
    env = server_env(args)
    flags = ("--websocket_connect_timeout", str(args.ws_connect_timeout))

    if "think" in args.phases or "closed" in args.phases:
        servers = ServerSet(app="smartbot.asgi:application", count=args.processes, first_port=args.port, env=env,
                            name="chat", flags=flags, switch_interval=args.switch_interval).start()  # fmt: skip
        try:
            if "think" in args.phases:
                chats = seed(responses=args.candidates, label="think")
                for i, chat in enumerate(chats):
                    chat["port"] = servers.ports[i % len(servers.ports)]
                deadline = time.time() + args.max_phase
                jobs = [
                    {"phase": "think", "chats": part, "think": list(args.think), "ramp": args.ramp,
                     "deadline": deadline}
                    for part in split(chats, args.clients)
                ]  # fmt: skip
                started = time.time()
                result = measure(servers, jobs)
                report["think"] = summarize(
                    result, servers=servers,
                    extra={"candidates": args.candidates, "wall_s": round(time.time() - started, 1),
                           "db_connections_after": db_connections(args)},
                )  # fmt: skip
                report["think"]["db_check"] = check_database(result["acked"])
            if "closed" in args.phases:
                chats = seed(responses=args.closed_chats, label="closed")
                for i, chat in enumerate(chats):
                    chat["port"] = servers.ports[i % len(servers.ports)]
                jobs = [
                    {"phase": "closed", "chats": part, "concurrency": max(1, args.closed_concurrency // args.clients),
                     "duration": args.duration}
                    for part in split(chats, args.clients)
                ]  # fmt: skip
                result = measure(servers, jobs)
                report["closed"] = summarize(
                    result, servers=servers, extra={"concurrency": args.closed_concurrency, "seeded": len(chats)}
                )
                report["closed"]["db_check"] = check_database(result["acked"])
                if result["completed"] >= len(chats):
                    report["closed"]["warning"] = "the pool of fresh responses ran out: raise --closed-chats"
        finally:
            servers.stop()

    if "echo" in args.phases:
        echo = ServerSet(app="bench.echo_asgi:application", count=args.processes, first_port=args.port + 100,
                         env=env, name="echo", flags=flags, switch_interval=args.switch_interval).start()  # fmt: skip
        try:
            jobs = [
                {"phase": "echo", "ports": echo.ports, "concurrency": max(1, args.closed_concurrency // args.clients),
                 "duration": args.duration}
                for _ in range(args.clients)
            ]  # fmt: skip
            result = measure(echo, jobs)
            window = result["window"] or 1e-9
            report["echo"] = {
                "concurrency": args.closed_concurrency,
                "errors": len(result["errors"]),
                "error_samples": sorted(set(result["errors"]))[:10],
                "round_trips": result["answers"],
                "window_s": round(window, 1),
                "round_trips_per_second": round(result["answers"] / window, 1),
                "rtt_ms": percentiles(result["latencies"]),
                **cost_fields(result, echo, unit="round_trip", digits=3),
            }
        finally:
            echo.stop()

    if "closed" in report and "echo" in report and report["echo"]["round_trips_per_second"]:
        report["closed_vs_echo"] = round(
            report["closed"]["answers_per_second"] / report["echo"]["round_trips_per_second"], 3
        )
    report["targets"] = targets(report)
    print(json.dumps(report, indent=2))
    return 0


def targets(report: dict) -> dict:
    out = {}
    think = report.get("think")
    if think:
        check = think["db_check"]
        reply = think["bot_reply_ms"]
        out["all_candidates_completed"] = think["chats_completed"] == think["candidates"]
        out["zero_errors"] = think["errors"] == 0
        out["zero_lost_or_doubled"] = not (
            check["answers_lost"] or check["answers_doubled"] or check["duplicate_client_ids"]
            or check["finished_chats_with_wrong_message_count"] or check["acked_chats_not_finished_in_db"]
        )  # fmt: skip
        out["p95_under_150ms"] = reply.get("p95", 1e9) < 150
        out["p99_under_300ms"] = reply.get("p99", 1e9) < 300
    if "closed_vs_echo" in report:
        out["closed_loop_at_least_25pct_of_echo"] = report["closed_vs_echo"] >= 0.25
    return out


if __name__ == "__main__":
    sys.exit(main())
