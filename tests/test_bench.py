"""The chat benchmark itself runs end to end and checks the database (a smoke run, no speed asserted).

Speeds are for ``docs/benchmarks.md``; this only keeps ``bench/chat_load.py`` (and its parts in
``bench/load/``) working: real daphne, PostgreSQL and Redis, a few candidates through every phase, its own
lost/doubled check coming out clean, and the report's shape.
"""

import json
import os
import random
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

from conftest import require_services

BASE_DIR = Path(__file__).resolve().parent.parent
# The benches flush their Redis databases; the test workers use 1, 2, ... Two, as the two tests may run at once.
BENCH_REDIS_DB, HTTP_BENCH_REDIS_DB = 15, 14


def _free_base_port() -> int:
    for _ in range(50):
        base = random.randrange(20000, 30000)
        if all(_free(port) for port in (base, base + 100, base + 200)):
            return base
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _bench_urls(*, database: str = "smartbot_bench_ci", redis_db: int = BENCH_REDIS_DB) -> tuple[str, str]:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    database_url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{database}"
    redis = urlsplit(settings.REDIS_URL)
    return database_url, urlunsplit(redis._replace(path=f"/{redis_db}"))


def _run(command: list[str], *, timeout: float) -> dict:
    """Run a bench script to its end and return its JSON report (the process must exit 0)."""
    # The production settings, as the bench's servers and seeding run (not the test settings pytest selected).
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env["DJANGO_SETTINGS_MODULE"] = "smartbot.settings"
    run = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def test_the_chat_benchmark_runs_every_phase_and_finds_nothing_lost_or_doubled():
    require_services()
    database_url, redis_url = _bench_urls()
    command = [
        sys.executable, "bench/chat_load.py", "--candidates", "12", "--think", "0.05", "0.2", "--ramp", "1",
        "--closed-concurrency", "4", "--closed-chats", "300", "--duration", "2", "--processes", "1",
        "--clients", "1", "--port", str(_free_base_port()), "--database-url", database_url,
        "--redis-url", redis_url, "--hog", "0.05",
    ]  # fmt: skip
    report = _run(command, timeout=200)

    think, closed, echo = report["think"], report["closed"], report["echo"]
    clean = {
        "answers_lost": 0,
        "answers_doubled": 0,
        "duplicate_client_ids": 0,
        "finished_chats_with_wrong_message_count": 0,
        "acked_chats_not_finished_in_db": 0,
    }
    assert think["chats_completed"] == 12 and think["errors"] == 0 and think["answers_acked"] == 60
    assert think["db_check"] == clean and think["bot_reply_ms"]["count"] == 60
    assert closed["errors"] == 0 and closed["answers_acked"] > 0 and closed["db_check"] == clean
    assert echo["errors"] == 0 and echo["round_trips"] > 0
    assert report["closed_vs_echo"] > 0
    # The durable-turn floor: every acknowledged turn stored once, and the chat's ratio to it reported.
    durable = report["durable"]
    assert durable["errors"] == 0 and durable["turns"] > 0 and durable["connections_completed"] > 0
    assert durable["db_check"] == {"turns_lost": 0, "turns_doubled": 0}
    assert report["ratio_to_durable_floor"] > 0
    assert set(durable["cpu_ms_per_turn"]) == {"daphne", "postgres", "redis", "load_generator"}
    # The hog ran through the think phase and its share was measured (no share asserted: a speed).
    assert think["hog"]["requested_share"] == 0.05 and think["hog"]["cpu_s"] > 0
    assert set(think["cpu_ms_per_answer"]) == {"daphne", "postgres", "redis", "load_generator"}
    # The probes (psutil) saw the servers and the machine.
    assert think["cpu_ms_per_answer"]["daphne"] > 0 and think["server_memory"]["rss_peak_total_mb"] > 0
    assert think["machine_busy_pct"] is not None and report["machine"]["memory_mb"] > 0
    assert report["targets"]["zero_lost_or_doubled"] is True


def test_the_http_benchmark_runs_the_procfile_s_web_and_stays_within_the_connection_bound():
    require_services()
    database_url, redis_url = _bench_urls(database="smartbot_bench_http_ci", redis_db=HTTP_BENCH_REDIS_DB)
    command = [
        sys.executable, "bench/http_bench.py", "--duration", "2", "--warmup", "1", "--clients", "2",
        "--threads", "1", "--responses", "30", "--pdf-kb", "20", "--static", "plain", "--web-concurrency", "2",
        "--port", str(_free_base_port()), "--database-url", database_url, "--redis-url", redis_url,
    ]  # fmt: skip
    report = _run(command, timeout=300)

    assert report["config"]["server"].startswith("gunicorn -c python:smartbot.gunicorn_config")
    results = report["results"]
    assert set(results) == {"api_floor", "api_20", "api_100", "page_floor", "page", "upload_floor", "apply"}
    for name, row in results.items():
        assert row["ok_per_second"] > 0 and row["errors"] == 0, (name, row)
    apply = results["apply"]
    # One stored per 2xx, plus those in flight when wrk stopped counting and the warm-up's last ones (one per
    # client at most, each).
    ok = apply["requests"] - apply["non2xx"]
    assert 0 < ok <= apply["applications_stored"] <= ok + 2 * 2
    assert results["api_20"]["ratio_to_floor"] > 0 and results["page"]["floor"] == "page_floor"
    assert report["db_connections"]["web_processes"] == 2 and report["db_connections"]["within_bound"] is True
