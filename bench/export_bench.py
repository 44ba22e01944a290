#!/usr/bin/env python
"""Exports of 10,000 responses as CSV and XLSX (``screening.services.exports``): time, queries and peak memory.

Usage::

    .venv/bin/python bench/export_bench.py                      # SQLite, 10,000 finished screenings
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartbot_exports .venv/bin/python bench/export_bench.py
    .venv/bin/python bench/export_bench.py --responses 2000

What one run does:

1. the database and the seed as ``bench/rejudge.py`` makes them (a fresh company, one vacancy, five questions,
   ``--responses`` finished screenings with five judged answers each), plus per response two status changes
   (the screening's and a recruiter's with a comment), a finished AI evaluation with a summary, strengths and
   evidence, and a resume of ~1,500 characters;
2. exports them all as CSV (the streamed lines, written to a temporary file) and as XLSX (openpyxl write-only,
   to a temporary file), each timed, with its queries counted and the process's peak RSS
   (``resource.getrusage``) after; with ``EXPORT_BENCH_TRACE=1`` also Python's peak allocation during each
   export (``tracemalloc``, which makes the run several times slower: time a run without it); the CPU seconds
   of this process (user + system: a loaded machine inflates them far less than the wall-clock seconds) and
   the load average after; with ``EXPORT_BENCH_REUSE=1`` (PostgreSQL) step 1 seeds nothing and the newest
   vacancy an earlier run seeded with ``--responses`` responses is exported again;
3. prints one JSON object. See docs/benchmarks.md for the results.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.rejudge import parse_args, seed, setup_django  # noqa: E402

RESUME = ("Python developer. Django, PostgreSQL, Celery, Redis; built billing and search services. " * 18)[:1500]


def seed_more(vacancy, *, rng: random.Random) -> None:
    """History, an evaluation and a resume for every response of ``vacancy``; in bulk."""
    from django.db import transaction

    from screening.models import Evaluation, Response, StatusChange

    with transaction.atomic():
        ids = list(Response.objects.filter(vacancy=vacancy).values_list("pk", "status"))
        Response.objects.filter(vacancy=vacancy).update(resume_text=RESUME, city="Moscow", phone="+7 900 123-45-67")
        StatusChange.objects.bulk_create(
            (
                change
                for pk, status in ids
                for change in (
                    StatusChange(response_id=pk, from_status="in_chat", to_status=status),
                    StatusChange(response_id=pk, from_status=status, to_status=status, comment="Looked at it."),
                )
            ),
            batch_size=2000,
        )
        Evaluation.objects.bulk_create(
            (
                Evaluation(
                    response_id=pk,
                    prompt_version="bench",
                    status="done",
                    score=rng.randint(0, 100),
                    recommendation=rng.choice(["advance", "hold", "reject"]),
                    summary="Solid Django experience.",
                    strengths=[{"text": "Knows Django", "by": "model", "quotes": ["django"]}],
                    concerns=[{"text": "No Kubernetes", "by": "model", "quotes": []}],
                    evidence=[{"kind": "requirement", "label": "PostgreSQL", "level": "yes", "by": "model"}],
                )
                for pk, _status in ids
            ),
            batch_size=2000,
        )


def _cpu_seconds() -> float:
    """This process's CPU time (user + system): what the export cost, whatever else the machine runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reuse(responses: int):
    """The vacancy of the newest company this bench seeded with ``responses`` responses (``EXPORT_BENCH_REUSE``)."""
    from django.db.models import Count

    from vacancies.models import Vacancy

    seeded = (
        Vacancy.objects.filter(
            company__slug__startswith="bench-rejudge-", responses__evaluations__prompt_version="bench"
        )
        .annotate(n=Count("responses", distinct=True))
        .filter(n=responses)
        .order_by("-pk")
        .first()
    )
    if seeded is None:
        raise SystemExit("EXPORT_BENCH_REUSE: no vacancy seeded by this bench with that many responses yet")
    return seeded


def measure(label: str, work) -> dict:
    """Run ``work()`` once: seconds, queries, tracemalloc's peak and the process's peak RSS after."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    trace = os.environ.get("EXPORT_BENCH_TRACE") == "1"
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), _cpu_seconds()
    with CaptureQueriesContext(connection) as queries:
        size = work()
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    return {
        "format": label,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load_average_after": [round(load, 1) for load in os.getloadavg()],
        "queries": len(queries),
        "bytes": size,
        "python_peak_mb": round(peak / 2**20, 1) if trace else None,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    database = setup_django(args)
    from screening.services import exports

    rng = random.Random(args.seed)
    started = time.perf_counter()
    if os.environ.get("EXPORT_BENCH_REUSE") == "1" and database == "postgresql":
        vacancy = reuse(args.responses)
    else:
        vacancy = seed(responses=args.responses, decided=args.decided, rng=rng).vacancy
        seed_more(vacancy, rng=rng)
    seeded = time.perf_counter() - started
    company = vacancy.company
    rss_before = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    def queryset():
        from screening.models import Response

        return exports.export_queryset(company=company, responses=Response.objects.filter(vacancy=vacancy))

    def csv_export() -> int:
        with tempfile.TemporaryFile() as handle:
            for text in exports.export_csv_lines(exports.export_rows(company=company, queryset=queryset())):
                handle.write(text.encode())
            return handle.tell()

    def xlsx_export() -> int:
        with tempfile.TemporaryFile() as handle:
            exports.export_xlsx_write(exports.export_rows(company=company, queryset=queryset()), handle)
            return handle.tell()

    results = [measure("csv", csv_export), measure("xlsx", xlsx_export)]
    print(
        json.dumps(
            {
                "database": database,
                "responses": args.responses,
                "chunk": exports.EXPORT_CHUNK,
                "seed_seconds": round(seeded, 1),
                "max_rss_mb_before_exports": rss_before,
                "results": results,
                "python": platform.python_version(),
                "machine": platform.machine(),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
