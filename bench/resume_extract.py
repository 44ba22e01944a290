"""Reading resume files: wall-clock time and the child's peak memory per file, within the configured budgets.

Usage::

    .venv/bin/python bench/resume_extract.py [FILES or FOLDERS ...] [--runs 5] [--warm]

Without arguments it reads every file of ``screening/tests/cases/uploads`` (the real-world cases). For each
file it runs ``screening.resume.resume_extract`` ``--runs`` times, each in a fresh measuring process, and
prints the median and worst wall-clock milliseconds (child start included: with ``RESUME_EXTRACT_POOL``
on, that is the fork server's start too), the child's peak resident memory in MB (as the worker reports
it, ``VmHWM``), and the outcome (``text``/``hidden`` character counts, or the error code). Prints the
budgets in force first.

With ``--warm``, one measuring process per file reads it once (starting the fork server), then
``--runs`` more times: the milliseconds are of those, as a web process serves applications, and
``cpu ms`` is the CPU time per extraction of the measuring process, its children and the fork server's
children together. ``RESUME_EXTRACT_POOL=0`` in the environment measures a subprocess per file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "screening" / "tests" / "cases" / "uploads"  # a copy of shared/cases/uploads

MEASURE = """
import json, logging, resource, sys, time
import django
django.setup()
from screening.resume import ResumeError, resume_extract

peaks = []


class Peak(logging.Handler):
    def emit(self, record):
        if "child peak" in record.msg:
            peaks.append(record.args[-1])


logger = logging.getLogger("screening.resume")
logger.addHandler(Peak())
logger.setLevel(logging.INFO)
path, runs = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()


def cpu_seconds():
    # This process, its children reaped, and its children alive (the fork server) with theirs.
    import psutil

    total = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) + sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    for child in psutil.Process().children():
        times = child.cpu_times()
        total += times.user + times.system + times.children_user + times.children_system
    return total


def extract():
    try:
        found = resume_extract(name=path, data=data)
        return f"text {len(found.text)} chars" + (f", hidden {len(found.hidden_text)}" if found.hidden_text else "")
    except ResumeError as error:
        return f"refused: {error.code}"


if runs:
    extract()  # the fork server starts, and this process's first-call costs are paid
times = []
cpu = cpu_seconds()
for _run in range(max(runs, 1)):
    start = time.perf_counter()
    outcome = extract()
    times.append((time.perf_counter() - start) * 1000)
cpu_ms = (cpu_seconds() - cpu) * 1000 / len(times)
peak_mb = (peaks[-1] or 0) / 1024 if peaks else 0
print(json.dumps({"times": times, "cpu_ms": cpu_ms, "peak_mb": peak_mb, "outcome": outcome}))
"""


def measure(path: Path, warm_runs: int = 0) -> dict:
    """One measuring process: a cold extraction, or ``warm_runs`` after a first one."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "smartbot.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(warm_runs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[CASES])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm", action="store_true", help="measure --runs extractions in one warm process per file")
    args = parser.parse_args(argv)
    files = sorted(
        f
        for p in args.paths
        for f in ([p] if p.is_file() else p.iterdir())
        if f.suffix.lower() in (".pdf", ".docx", ".txt")
    )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartbot.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings

    print(
        f"budgets: {settings.RESUME_MAX_BYTES // 1024} KB file, {settings.RESUME_EXTRACT_SECONDS} s, "
        f"{settings.RESUME_EXTRACT_MEMORY_MB} MB, {settings.RESUME_MAX_PAGES} pages, "
        f"{settings.RESUME_MAX_DECOMPRESSED_BYTES // 2**20} MB decompressed, {settings.RESUME_MAX_CHARS} chars, "
        f"{'fork server' if settings.RESUME_EXTRACT_POOL else 'a subprocess per file'}, "
        f"{'warm' if args.warm else 'cold'}"
    )
    print(f"{'file':40s} {'KB':>6s} {'median ms':>10s} {'max ms':>8s} {'cpu ms':>7s} {'peak MB':>8s}  outcome")
    for path in files:
        runs = [measure(path, args.runs)] if args.warm else [measure(path) for _run in range(args.runs)]
        times = [ms for r in runs for ms in r["times"]]
        cpu = statistics.median(r["cpu_ms"] for r in runs)
        print(
            f"{path.name:40s} {path.stat().st_size / 1024:6.0f} {statistics.median(times):10.0f} {max(times):8.0f} "
            f"{cpu:7.0f} {max(r['peak_mb'] for r in runs):8.0f}  {runs[-1]['outcome']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
