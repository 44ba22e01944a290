"""The search benchmark runs end to end: a smoke run on SQLite, no speed asserted (docs/benchmarks.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_the_search_benchmark_seeds_and_finds_the_seeded_person_by_phone_and_email(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run(
        [sys.executable, "bench/search_bench.py", "-n", "300", "--runs", "1", "--sqlite", str(tmp_path / "s.db")],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert (report["database"], report["applications"]) == ("sqlite", 300)
    queries = report["queries"]
    # The phone typed three ways and a part of the email all find the one seeded person.
    for label in ("phone +7 (9xx)", "phone 8 9xx...", "phone digits part", "email part"):
        assert queries[label]["people"] == 1, (label, queries[label])
    assert all(q["p50_ms"] > 0 for q in queries.values())
