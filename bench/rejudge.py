#!/usr/bin/env python
"""Re-judging past answers under a new rule: ``rejudge_preview`` and ``rejudge_apply`` on one large vacancy.

Usage::

    .venv/bin/python bench/rejudge.py                      # SQLite, 10,000 finished screenings
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartbot_h2 .venv/bin/python bench/rejudge.py
    .venv/bin/python bench/rejudge.py --responses 2000 --runs 5

What one run does:

1. the database: without ``DATABASE_URL`` a fresh SQLite file (``--sqlite``, default
   ``var/bench/rejudge.sqlite3``, deleted and migrated each run); with ``DATABASE_URL`` (PostgreSQL on
   loopback) the database is created if missing and migrated, and the run seeds a fresh company beside
   whatever is there;
2. seeds, in bulk, a vacancy with five questions (one of every kind, as the chat benchmark's) and
   ``--responses`` finished screenings of five answers each, judged by ``screening.scoring`` as the chat
   would (varied answers: cities, 0-10 years, yes/no, tools, stories of 3-20 words), each answer with its
   rule snapshot, ``--decided`` of them (a share) then shortlisted by a person;
3. tightens the years rule (at least 3 → at least 5, review from 4) through ``question_update``;
4. times ``rejudge_preview`` ``--runs`` times (a fresh question each time, nothing cached) and counts its
   queries, then times ``rejudge_apply`` once and counts its queries, then checks that a second preview finds
   nothing left to re-judge;
5. prints one JSON object (seconds, queries, what changed). See docs/benchmarks.md for the results.

Django runs on the production settings (``smartbot.settings``, DEBUG off), in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench" / "rejudge.sqlite3"
STORY_WORDS = ("we", "built", "a", "billing", "service", "in", "django", "with", "celery", "for", "a", "bank")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", "-n", type=int, default=10_000, help="finished screenings to seed")
    parser.add_argument("--runs", type=int, default=3, help="timed previews (the apply runs once)")
    parser.add_argument("--decided", type=float, default=0.1, help="share of responses a person shortlisted")
    parser.add_argument("--seed", type=int, default=12, help="random seed of the answers")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--sqlite", type=Path, default=SQLITE_FILE, help="the SQLite file (deleted first)")
    args = parser.parse_args(argv)
    if args.database_url:
        parts = urlsplit(args.database_url)
        if not parts.scheme.startswith("postgres"):
            parser.error("DATABASE_URL: PostgreSQL only (SQLite is the default without it)")
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"loopback only: {args.database_url}")
    return args


def setup_django(args) -> str:
    """Django on the production settings and the bench's database; returns the database's name for the report."""
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        name = parts.path.strip("/")
        admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        url = args.database_url
    else:
        args.sqlite.parent.mkdir(parents=True, exist_ok=True)
        args.sqlite.unlink(missing_ok=True)
        url = f"sqlite:///{args.sqlite.resolve()}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "smartbot.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_ALLOW_CONSOLE": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)  # nothing here needs it; webhooks find no endpoint
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return "postgresql" if args.database_url else "sqlite"


def _answers(rng: random.Random) -> dict[int, tuple[str, object]]:
    """One candidate's five answers: position -> (words, value as read)."""
    city = rng.choices(["Moscow", "Saint Petersburg", "Kazan"], weights=[60, 25, 15])[0]
    years = float(rng.randint(0, 10))
    allowed = rng.random() < 0.9
    tools = [tool for tool in ("Django", "FastAPI", "Flask") if rng.random() < 0.5] or ["Flask"]
    story = " ".join(rng.choices(STORY_WORDS, k=rng.randint(3, 20)))
    return {
        1: (city, city),
        2: (str(int(years)), years),
        3: ("yes" if allowed else "no", allowed),
        4: (", ".join(tools), tools),
        5: (story, story),
    }


def seed(*, responses: int, decided: float, rng: random.Random):
    """A fresh company and vacancy with ``responses`` finished screenings, judged as the chat judges; in bulk.

    Returns the vacancy's years question (the one whose rule the bench then tightens).
    """
    from django.db import transaction
    from django.utils import timezone, translation

    from accounts.models import Company
    from screening import scoring
    from screening.models import Answer, Candidate, Response
    from vacancies.models import ScreeningQuestion, Vacancy
    from vacancies.rules import rule_snapshot

    kinds = ScreeningQuestion.Kind
    run = uuid.uuid4().hex[:8]
    with transaction.atomic():
        company = Company.objects.create(name=f"Bench rejudge {run}", slug=f"bench-rejudge-{run}")
        vacancy = Vacancy.objects.create(
            company=company, title="Python developer", slug="python-developer", status=Vacancy.Status.OPEN,
            pass_threshold=50, published_at=timezone.now(),
        )  # fmt: skip
        questions = [
            ScreeningQuestion.objects.create(
                vacancy=vacancy, position=1, text="Which city do you live in?", kind=kinds.SINGLE_CHOICE,
                options=["Moscow", "Saint Petersburg", "Kazan"], knockout="one_of", allowed_options=["Moscow"],
            ),
            ScreeningQuestion.objects.create(
                vacancy=vacancy, position=2, text="How many years of Python experience do you have?",
                kind=kinds.NUMBER, knockout="at_least", knockout_value="3", weight=2, unit="years",
            ),
            ScreeningQuestion.objects.create(
                vacancy=vacancy, position=3, text="Are you allowed to work in Russia?", kind=kinds.YES_NO,
                knockout="must_equal", knockout_value="yes",
            ),
            ScreeningQuestion.objects.create(
                vacancy=vacancy, position=4, text="Which of these do you use?", kind=kinds.MULTIPLE_CHOICE,
                options=["Django", "FastAPI", "Flask"], knockout="one_of", allowed_options=["Django", "FastAPI"],
            ),
            ScreeningQuestion.objects.create(
                vacancy=vacancy, position=5, text="Tell us about a project you are proud of.", kind=kinds.TEXT,
            ),
        ]  # fmt: skip
        specs = [(q, scoring.QuestionSpec.from_question(q), rule_snapshot(q)) for q in questions]
        now = timezone.now()
        candidates = Candidate.objects.bulk_create(
            (Candidate(company=company, email=f"c{i}@{run}.bench.test") for i in range(responses)), batch_size=2000
        )
        rows, judged = [], []
        with translation.override(vacancy.language):
            for i, candidate in enumerate(candidates):
                said = _answers(rng)
                results, answers = [], []
                for question, spec, rule in specs:
                    words, value = said[question.position]
                    checked = scoring.check(spec, value, words=words)
                    results.append((spec, checked))
                    answers.append(
                        Answer(
                            question=question, raw_text=words, value=value, read_how="literal",
                            passed=checked.passed, needs_review=checked.review, points=checked.points, rule=rule,
                        )
                    )  # fmt: skip
                outcome = scoring.outcome(results, threshold=vacancy.pass_threshold)
                status = Response.Status.SHORTLISTED if rng.random() < decided else outcome.status
                rows.append(
                    Response(
                        vacancy=vacancy, candidate=candidate, full_name=f"Candidate {i} Bench", email=candidate.email,
                        status=status, score=outcome.score, rejection_reasons=outcome.reasons,
                        review_reasons=outcome.review_reasons, consent_at=now, consent_version="2026-11-30",
                        completed_at=now,
                    )
                )  # fmt: skip
                judged.append(answers)
        created = Response.objects.bulk_create(rows, batch_size=2000)
        for response, answers in zip(created, judged, strict=True):
            for answer in answers:
                answer.response = response
        Answer.objects.bulk_create((a for answers in judged for a in answers), batch_size=2000)
    return questions[1]


def main(argv=None) -> int:
    args = parse_args(argv)
    database = setup_django(args)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from screening.services import rejudge_apply, rejudge_preview
    from vacancies.models import ScreeningQuestion
    from vacancies.services import question_update

    started = time.perf_counter()
    years = seed(responses=args.responses, decided=args.decided, rng=random.Random(args.seed))
    seeded_s = time.perf_counter() - started
    question_update(question=years, data={"knockout_value": "5", "review_value": "4"})

    preview_s, preview = [], None
    for _run in range(args.runs):
        question = ScreeningQuestion.objects.get(pk=years.pk)  # nothing cached between runs
        with CaptureQueriesContext(connection) as preview_queries:
            start = time.perf_counter()
            preview = rejudge_preview(question=question)
            preview_s.append(time.perf_counter() - start)

    question = ScreeningQuestion.objects.get(pk=years.pk)
    with CaptureQueriesContext(connection) as apply_queries:
        start = time.perf_counter()
        audit = rejudge_apply(question=question, actor=None, fingerprint=preview.fingerprint)
        apply_s = time.perf_counter() - start
    left = rejudge_preview(question=ScreeningQuestion.objects.get(pk=years.pk)).answers

    report = {
        "database": database,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "responses": args.responses,
        "answers": args.responses * 5,
        "seed_s": round(seeded_s, 2),
        "preview": {
            "runs_s": [round(s, 3) for s in preview_s],
            "median_s": round(statistics.median(preview_s), 3),
            "queries": len(preview_queries),
            "answers_to_rejudge": preview.answers,
            "changes": len(preview.changes),
            "kept_decided_by_a_person": len(preview.kept),
            "verdicts_flipped": preview.flips,
            "unchanged": preview.unchanged,
        },
        "apply": {
            "s": round(apply_s, 3),
            "queries": len(apply_queries),
            "answers": audit.answers,
            "responses_changed": audit.flipped,
        },
        "left_after_apply": left,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
