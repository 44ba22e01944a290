#!/usr/bin/env python
"""Funnel analytics over 100,000 applications: each metric's query, the whole report and the page.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartbot_analytics .venv/bin/python bench/analytics_bench.py
    DATABASE_URL=... .venv/bin/python bench/analytics_bench.py --applications 20000 --runs 5

PostgreSQL only (loopback): the database is created if missing and migrated; each run seeds a fresh company
beside whatever is there. What one run does:

1. seeds in bulk one company with 20 vacancies of five questions (three with knockout rules) and
   ``--applications`` applications spread over 365 days: sources web/api/import 70/20/10; 85% open the chat;
   75% of those finish, the others stop at a question (the second loses most); verdicts passed / rejected /
   needs review 50/35/15; of the passed, 40% shortlisted, half of them interviewed, 40% of those get an offer,
   half of those hired, each step a ``StatusChange`` by a recruiter; one bot question message per question
   reached and one answer per question answered (times a few seconds to minutes apart); clarifications,
   read-backs and corrections on 10%, 8% and 3% of the answers; an AI recommendation on every finished one;
   then ``VACUUM ANALYZE`` of the tables it rewrote (``--reuse`` too: autovacuum is off on the benchmark
   machine, and the dead rows doubled what a report reads);
2. times, ``--runs`` times each (the median is reported), every metric's query on its own, then
   ``analytics_report`` and the whole page (rendered through Django's test client, SVG charts included), for
   the company over the whole year and for one vacancy over 30 days;
3. prints one JSON object (seconds, the CPU seconds of PostgreSQL's server process for the connection when
   /proc shows it, query counts, the load average after, the plan of the report's slowest query). docs/benchmarks.md
   has the figures.
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
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", "-n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="measure the largest seeded company again, seed nothing")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args(argv)
    parts = urlsplit(args.database_url)
    if not parts.scheme.startswith("postgres"):
        parser.error("DATABASE_URL: a PostgreSQL database on loopback is required")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error(f"loopback only: {args.database_url}")
    return args


def setup_django(args) -> None:
    import psycopg

    parts = urlsplit(args.database_url)
    name = parts.path.strip("/")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "smartbot.settings",
            "DATABASE_URL": args.database_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "testserver",
            "STATIC_MANIFEST": "0",  # nothing collected: the page links plain names
            "EMAIL_ALLOW_CONSOLE": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _questions(vacancy):
    from vacancies.models import ScreeningQuestion

    kinds = ScreeningQuestion.Kind
    specs = [
        {"text": "Which city do you live in?", "kind": kinds.SINGLE_CHOICE, "options": ["Moscow", "Kazan"],
         "knockout": "one_of", "allowed_options": ["Moscow"]},
        {"text": "How many years of Python experience do you have?", "kind": kinds.NUMBER,
         "knockout": "at_least", "knockout_value": "3"},
        {"text": "Are you allowed to work in Russia?", "kind": kinds.YES_NO, "knockout": "must_equal",
         "knockout_value": "yes"},
        {"text": "Which framework do you use most?", "kind": kinds.TEXT},
        {"text": "Tell us about a project you are proud of.", "kind": kinds.TEXT},
    ]  # fmt: skip
    return [ScreeningQuestion.objects.create(vacancy=vacancy, position=i + 1, **spec) for i, spec in enumerate(specs)]


def seed(*, applications: int, rng: random.Random):
    """The company, its owner, its vacancies and ``applications`` applications with their record; in bulk."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Company, Role, User
    from screening.models import Answer, Candidate, ChatMessage, ChatSession, QuestionEvent, Response, StatusChange
    from vacancies.models import Vacancy
    from vacancies.rules import rule_snapshot

    S = Response.Status
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    with transaction.atomic():
        company = Company.objects.create(name=f"Bench analytics {run}", slug=f"bench-analytics-{run}")
        owner = User.objects.create_user(
            email=f"owner@{run}.bench.test", password=None, company=company, role=Role.OWNER
        )
        vacancies = [
            Vacancy.objects.create(
                company=company, title=f"Vacancy {i}", slug=f"vacancy-{i}", status=Vacancy.Status.OPEN
            )
            for i in range(20)
        ]
        questions = {v.pk: _questions(v) for v in vacancies}
        candidates = Candidate.objects.bulk_create(
            (Candidate(company=company, email=f"c{i}@{run}.bench.test") for i in range(applications)), batch_size=BATCH
        )
        now = timezone.now()
        plans, rows = [], []
        for i, candidate in enumerate(candidates):
            vacancy = vacancies[i % len(vacancies)]
            chat = rng.random() < 0.85
            finished = chat and rng.random() < 0.75
            reached = 5 if finished else (rng.choices([1, 2, 3, 4, 5], weights=[20, 40, 15, 15, 10])[0] if chat else 0)
            verdict = rng.choices([S.PASSED, S.REJECTED, S.NEEDS_REVIEW], weights=[50, 35, 15])[0] if finished else ""
            later = []
            if verdict == S.PASSED and rng.random() < 0.4:
                later.append(S.SHORTLISTED)
                for stage, chance in ((S.INTERVIEW, 0.5), (S.OFFER, 0.4), (S.HIRED, 0.5)):
                    if rng.random() >= chance:
                        break
                    later.append(stage)
                if later[-1] != S.HIRED and rng.random() < 0.5:
                    later.append(S.DECLINED)
            status = later[-1] if later else (verdict or (S.IN_CHAT if chat else S.NEW))
            plans.append((vacancy, chat, finished, reached, verdict, later))
            rows.append(
                Response(
                    vacancy=vacancy, candidate=candidate, full_name=f"Candidate {i}", email=candidate.email,
                    status=status, screening_verdict=verdict, completed_at=now if finished else None,
                    source=rng.choices(["web", "api", "import"], weights=[70, 20, 10])[0],
                    ai_recommendation=rng.choice(["advance", "hold", "reject"]) if finished else "",
                    consent_at=now, consent_version="2026-11-30",
                )
            )  # fmt: skip
        responses = Response.objects.bulk_create(rows, batch_size=BATCH)
        sessions = ChatSession.objects.bulk_create(
            (
                ChatSession(response=r, state="finished" if p[2] else "active", finished_at=now if p[2] else None)
                for r, p in zip(responses, plans, strict=True)
                if p[1]
            ),
            batch_size=BATCH,
        )
        session_of = {s.response_id: s for s in sessions}
        messages, answers, events, changes = [], [], [], []
        for response, (vacancy, _chat, finished, reached, verdict, later) in zip(responses, plans, strict=True):
            script = questions[vacancy.pk]
            for question in script[:reached]:
                messages.append(ChatMessage(session=session_of[response.pk], sender="bot", text="?", question=question))
            answered = reached if finished else max(reached - 1, 0)
            for question in script[:answered]:
                rule = question.knockout != ""
                failed = rule and verdict == S.REJECTED and question.position == 2
                review = rule and verdict == S.NEEDS_REVIEW and question.position == 2
                answers.append(
                    Answer(
                        response=response, question=question, raw_text="x", read_how="literal",
                        passed=(None if review else not failed) if rule else None, needs_review=review,
                        rule=rule_snapshot(question),
                    )
                )  # fmt: skip
                for kind, chance in (("clarification", 0.10), ("read_back", 0.08), ("correction", 0.03)):
                    if rng.random() < chance:
                        events.append(QuestionEvent(response=response, question=question, kind=kind))
            for stage in later:
                changes.append(StatusChange(response=response, actor=owner, from_status="", to_status=stage))
        ChatMessage.objects.bulk_create(messages, batch_size=BATCH)
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        QuestionEvent.objects.bulk_create(events, batch_size=BATCH)
        StatusChange.objects.bulk_create(changes, batch_size=BATCH)
        # Spread the times (auto_now_add stamped them all "now"): applications over 365 days, the chat's
        # messages, answers and decisions after them.
        with connection.cursor() as cursor:
            ids = [r.pk for r in responses]
            low, high = min(ids), max(ids)
            cursor.execute(
                "UPDATE screening_response SET created_at = now() - (random() * 365) * interval '1 day' "
                "WHERE id BETWEEN %s AND %s",
                [low, high],
            )
            cursor.execute(
                "UPDATE chat_chatsession s SET started_at = r.created_at + interval '1 minute', "
                "finished_at = CASE WHEN s.finished_at IS NULL THEN NULL "
                "ELSE r.created_at + (6 + random() * 20) * interval '1 minute' END "
                "FROM screening_response r WHERE r.id = s.response_id AND r.id BETWEEN %s AND %s",
                [low, high],
            )
            cursor.execute(
                "UPDATE chat_chatmessage m SET created_at = s.started_at + q.position * interval '1 minute' "
                "FROM chat_chatsession s, vacancies_screeningquestion q "
                "WHERE s.id = m.session_id AND q.id = m.question_id AND s.response_id BETWEEN %s AND %s",
                [low, high],
            )
            cursor.execute(
                "UPDATE screening_answer a SET created_at = r.created_at + interval '1 minute' "
                "+ q.position * interval '1 minute' + (5 + random() * 50) * interval '1 second' "
                "FROM screening_response r, vacancies_screeningquestion q "
                "WHERE r.id = a.response_id AND q.id = a.question_id AND r.id BETWEEN %s AND %s",
                [low, high],
            )
            cursor.execute(
                "UPDATE screening_statuschange c "
                "SET created_at = r.created_at + (1 + random() * 72) * interval '1 hour' "
                "FROM screening_response r WHERE r.id = c.response_id AND r.id BETWEEN %s AND %s",
                [low, high],
            )
            cursor.execute("ANALYZE")
    vacuum()
    counts = {
        "applications": len(responses),
        "chats": len(sessions),
        "messages": len(messages),
        "answers": len(answers),
        "question_events": len(events),
        "status_changes": len(changes),
    }
    return company, owner, vacancies[0], counts, time.perf_counter() - started


def vacuum() -> None:
    """``VACUUM ANALYZE`` the tables the seed rewrote: spreading the times updated every row, which left each of
    them twice its size in dead rows where autovacuum is off (as on the benchmark machine), and a report reads
    them whole. A production database's autovacuum does the same. Outside any transaction."""
    from django.db import connection

    from screening.models import Answer, ChatMessage, ChatSession, Response, StatusChange

    with connection.cursor() as cursor:
        for model in (Response, ChatSession, ChatMessage, Answer, StatusChange):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def reuse():
    """The largest company a run seeded, its owner, its first vacancy and its row counts (``--reuse``)."""
    from django.db.models import Count

    from accounts.models import Company
    from screening.models import Response

    seeded = Company.objects.filter(slug__startswith="bench-analytics-")
    company = seeded.annotate(n=Count("vacancies__responses")).order_by("-n", "-pk").first()
    if company is None:
        raise SystemExit("--reuse: no seeded company yet; run once without it")
    owner = company.members.filter(role="owner").first()
    vacancy = company.vacancies.order_by("pk").first()
    counts = {"applications": Response.objects.filter(vacancy__company=company).count()}
    return company, owner, vacancy, counts, 0.0


def _backend_cpu() -> float | None:
    """The CPU seconds (user + system) PostgreSQL's server process for this connection has used so far, read
    from /proc (the server runs on this machine); None where that cannot be read. Unlike the wall-clock seconds,
    other work on the machine barely changes it. (Parallel workers' CPU is not in it: the report runs without.)"""
    from django.db import connection

    connection.ensure_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _time(fn, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, database_cpu = [], []
    for _ in range(runs):
        before = _backend_cpu()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - started)
        after = _backend_cpu()
        if before is not None and after is not None:
            database_cpu.append(after - before)
    return {
        "median_s": round(statistics.median(seconds), 4),
        "database_cpu_s": round(statistics.median(database_cpu), 2) if database_cpu else None,
        "queries": len(queries),
        "load_average": round(os.getloadavg()[0], 1),
    }


def measure(*, company, owner, vacancy, period, runs: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from screening import analytics

    responses = analytics.cohort(company=company, vacancy=vacancy, period=period)
    labels = {}

    def questions():
        rows, _after = analytics.question_rows(responses=responses, company=company, vacancy=vacancy)
        labels.update({row.question_id: row.label for row in rows})

    figures = {
        "funnel": _time(lambda: analytics.funnel_counts(responses), runs),
        "questions (drop-off, events, answer-time medians)": _time(questions, runs),
        "knockout per rule": _time(lambda: analytics.rule_rows(responses=responses, labels=labels), runs),
        "sources": _time(lambda: analytics.source_rows(responses), runs),
        "ai agreement": _time(lambda: analytics.agreement_rows(responses), runs),
        "whole report": _time(
            lambda: analytics.analytics_report(company=company, vacancy=vacancy, period=period), runs
        ),
    }
    client = Client()
    client.force_login(owner)
    if vacancy is None:
        url = reverse("screening:analytics")
    else:
        url = reverse("screening:analytics_vacancy", args=[vacancy.pk])
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}

    def page():
        answer = client.get(url, query, secure=True)
        assert answer.status_code == 200, answer.status_code

    page()  # the session's first request fills caches
    figures["whole page (HTML + SVG)"] = _time(page, runs)
    figures["applications in the period"] = analytics.funnel_counts(responses)["applied"]
    return figures


def slowest_plan(*, company, period) -> list[str]:
    """The ``EXPLAIN ANALYZE`` of the company report's slowest query, run as the report runs it (one
    transaction with its ``SET LOCAL`` settings)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from screening import analytics

    with CaptureQueriesContext(connection) as queries:
        analytics.analytics_report(company=company, vacancy=None, period=period)
    statements = [query["sql"] for query in queries.captured_queries]
    settings = [sql for sql in statements if sql.startswith("SET LOCAL")]
    slowest = max(
        (query for query in queries.captured_queries if query["sql"].startswith("SELECT")),
        key=lambda query: float(query["time"]),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in settings:
            cursor.execute(sql)
        cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
        return [row[0] for row in cursor.fetchall()]


def main(argv=None) -> None:
    args = parse_args(argv)
    setup_django(args)
    from screening import analytics

    rng = random.Random(args.seed)
    if args.reuse:
        company, owner, vacancy, counts, seeded = reuse()
        vacuum()  # cheap when nothing changed since
    else:
        company, owner, vacancy, counts, seeded = seed(applications=args.applications, rng=rng)
    zone = analytics.company_zone(company)
    today = date.today()
    year = analytics.Period(start=today - timedelta(days=366), end=today, zone=zone)
    month = analytics.Period(start=today - timedelta(days=29), end=today, zone=zone)
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, {platform.python_version()}",
        "database": "postgresql",
        "seeded": counts,
        "seed_s": round(seeded, 1),
        "runs": args.runs,
        "company, 365 days": measure(company=company, owner=owner, vacancy=None, period=year, runs=args.runs),
        "one vacancy, 30 days": measure(company=company, owner=owner, vacancy=vacancy, period=month, runs=args.runs),
        "slowest query's plan (company, 365 days)": slowest_plan(company=company, period=year),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
