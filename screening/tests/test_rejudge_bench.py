"""The re-judging benchmark runs end to end: a smoke run on SQLite, no speed asserted (docs/benchmarks.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_the_rejudge_benchmark_previews_applies_and_leaves_nothing_to_rejudge(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run(
        [sys.executable, "bench/rejudge.py", "--responses", "60", "--runs", "1", "--sqlite", str(tmp_path / "b.db")],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    preview, applied = report["preview"], report["apply"]
    assert (report["database"], report["answers"]) == ("sqlite", 300)
    assert preview["queries"] == 4
    assert preview["answers_to_rejudge"] == applied["answers"] == 60
    assert preview["changes"] + preview["kept_decided_by_a_person"] == applied["responses_changed"] > 0
    assert report["left_after_apply"] == 0
