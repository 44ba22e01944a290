#!/usr/bin/env python
"""Search over 100,000 applications: ``screening.services.search.search_page`` timed on typical queries.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartbot_search .venv/bin/python bench/search_bench.py
    DATABASE_URL=... .venv/bin/python bench/search_bench.py --reuse    # time the company an earlier run seeded
    .venv/bin/python bench/search_bench.py --applications 5000 --runs 5     # SQLite (the icontains fallback)

What one run does:

1. the database: with ``DATABASE_URL`` (PostgreSQL on loopback) it is created if missing and migrated, and the
   run seeds a fresh company beside whatever is there; without it a fresh SQLite file (``--sqlite``);
2. seeds ``--applications`` applications of ``--people`` ... people (about 1.4 applications per person, over
   20 vacancies), each with a name (Russian or English), email, phone, city, a resume of 25-60 words in
   Russian or English and two answers; on PostgreSQL with ``COPY`` (one application every 5 minutes over the last
   year), on SQLite with ``bulk_create``; then ``ANALYZE``. With ``--reuse`` (PostgreSQL) the latest company an
   earlier run seeded with the same size and seed is timed instead, its people rebuilt from the seed;
3. runs every query of ``QUERIES`` (a name, a name with a typo, a phone typed three ways, an email, a city,
   Russian and English words in another form, a rare word of the answers, a word in a third of resumes) once
   to warm up and ``--runs`` times timed: the whole ``search_page`` (the company's vacancies, the people with
   their count, their applications);
4. prints one JSON object: per query the people found, p50 and p95 in ms, and on PostgreSQL the indexes the
   plan of the matching query uses (``EXPLAIN``). See docs/benchmarks.md for the results.

Django runs on the production settings (``smartbot.settings``, DEBUG off), in this process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import re
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench" / "search.sqlite3"

FIRST = ["Анна", "Иван", "Мария", "Пётр", "Ольга", "Сергей", "Елена", "Дмитрий", "Anna", "John", "Maria", "David"]
LAST = ["Петрова", "Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Lebedeva", "Smith", "Brown", "Novak"]
CITIES = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Moscow", "Berlin", "Tbilisi"]
RU_WORDS = [
    *("опытный", "разработчик", "программист", "менеджер", "склад", "продажи", "клиентами", "команда"),
    *("проекты", "система", "отчёты", "руководил", "внедрил", "поддерживал", "водитель", "курьер"),
    *("логистика", "бухгалтер", "аналитик", "данных", "тестировщик"),
]
EN_WORDS = [
    *("experienced", "developer", "engineer", "manager", "warehouse", "sales", "customers", "team"),
    *("projects", "system", "reports", "led", "built", "maintained", "driver", "courier", "logistics"),
    *("accountant", "analyst", "data", "tester"),
]
# (label, query): what a recruiter types.
QUERIES = [
    ("full name", "Мария Соколов"),
    ("surname with a typo", "Кузнецв"),
    ("phone +7 (9xx)", None),  # filled from a seeded phone
    ("phone 8 9xx...", None),
    ("phone digits part", None),
    ("email part", None),
    ("city", "Новосибирск"),
    ("Russian word, other form", "разработчика"),
    ("English word, other form", "developers"),
    ("rare word in answers", "сомелье"),
    ("word in a third of resumes", "python"),
]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", "-n", type=int, default=100_000, help="applications to seed")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=15, help="random seed of the data")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--sqlite", type=Path, default=SQLITE_FILE, help="the SQLite file (deleted first)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: time the latest company an earlier run seeded with the same --applications and --seed "
        "(seeds one if there is none) instead of seeding another",
    )
    args = parser.parse_args(argv)
    if args.database_url:
        parts = urlsplit(args.database_url)
        if not parts.scheme.startswith("postgres"):
            parser.error("DATABASE_URL: PostgreSQL only (SQLite is the default without it)")
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"loopback only: {args.database_url}")
    return args


def setup_django(args) -> str:
    """Django on the production settings and the bench's database; returns the database's vendor."""
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
    os.environ.pop("REDIS_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return connection.vendor


def _resume(rng: random.Random) -> str:
    words = RU_WORDS if rng.random() < 0.6 else EN_WORDS
    text = " ".join(rng.choices(words, k=rng.randint(25, 60)))
    return text + (" Python Django" if rng.random() < 0.33 else "")


def _rows(rng: random.Random, applications: int, run: str):
    """(people, applications, answers) as plain tuples; about 1.4 applications per person."""
    people = []
    for i in range(int(applications / 1.4) + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        phone = f"+79{rng.randrange(10**9):09d}"
        people.append((f"p{i}.{run}@bench.example", name, phone, rng.choice(CITIES)))
    rows, applied = [], set()
    for i in range(applications):
        person = i if i < len(people) else rng.randrange(len(people))
        vacancy = i % 20
        while (person, vacancy) in applied:  # one application per person and vacancy
            vacancy = (vacancy + 1) % 20
        applied.add((person, vacancy))
        rows.append((person, vacancy, _resume(rng)))
    answers = []
    for i in range(applications):
        answers.append((i, 0, rng.choice(["да", "yes", "нет", "no"])))
        story = " ".join(rng.choices(RU_WORDS + EN_WORDS, k=rng.randint(5, 20)))
        if rng.random() < 0.001:
            story += " работал сомелье"
        answers.append((i, 1, story))
    return people, rows, answers


def seed(*, applications: int, rng: random.Random, vendor: str):
    """A fresh company with 20 vacancies and ``applications`` applications; returns (company, people)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Company
    from screening.models import Answer, Candidate, Response
    from vacancies.models import ScreeningQuestion, Vacancy

    run = uuid.uuid4().hex[:8]
    people, rows, answers = _rows(rng, applications, run)
    with transaction.atomic():
        company = Company.objects.create(name=f"Bench search {run}", slug=f"bench-search-{run}")
        vacancies = [
            Vacancy.objects.create(company=company, title=f"Vacancy {v}", slug=f"vacancy-{v}", status="open")
            for v in range(20)
        ]
        questions = [
            [
                ScreeningQuestion.objects.create(vacancy=vacancy, position=1, text="Ready?", kind="yes_no"),
                ScreeningQuestion.objects.create(vacancy=vacancy, position=2, text="About you", kind="text"),
            ]
            for vacancy in vacancies
        ]
        candidates = Candidate.objects.bulk_create(
            (Candidate(company=company, email=p[0]) for p in people), batch_size=5000
        )
        now = timezone.now()
        if vendor == "postgresql":
            _copy_rows(connection, company, vacancies, questions, candidates, people, rows, answers, now)
        else:
            responses = Response.objects.bulk_create(
                (
                    Response(
                        vacancy=vacancies[v], candidate=candidates[p], full_name=people[p][1], email=people[p][0],
                        phone=people[p][2], phone_e164=people[p][2], city=people[p][3], resume_text=resume,
                        consent_at=now, consent_version="bench",
                    )  # created_at: auto_now_add, all the same here; the COPY spreads them (PostgreSQL)
                    for p, v, resume in rows
                ),
                batch_size=2000,
            )  # fmt: skip
            Answer.objects.bulk_create(
                (
                    Answer(response=responses[r], question=questions[rows[r][1]][q], raw_text=text)
                    for r, q, text in answers
                ),
                batch_size=5000,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if vendor != "postgresql" else "ANALYZE screening_response, screening_answer")
    return company, people


def seeded(*, applications: int, rng: random.Random):
    """The latest bench company holding ``applications`` applications and its people, rebuilt from the same
    random seed (the run's id is the company's slug); ``None`` if there is none."""
    from accounts.models import Company
    from screening.models import Response

    for company in Company.objects.filter(slug__startswith="bench-search-").order_by("-pk"):
        if Response.objects.filter(vacancy__company=company).count() == applications:
            people, *_ = _rows(rng, applications, company.slug.removeprefix("bench-search-"))
            return company, people
    return None


def _applied_at(now, i: int, count: int):
    """When application ``i`` of ``count`` came in: one every 5 minutes up to now (about a year for 100,000),
    so that "the most recent applications" means something, as in a real company."""
    from datetime import timedelta

    return now - timedelta(minutes=5 * (count - i))


def _copy_rows(connection, company, vacancies, questions, candidates, people, rows, answers, now):
    """The applications and answers by ``COPY`` (psycopg 3), ids taken from the tables' sequences first."""
    from screening.models import public_token

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('screening_response', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = (
            "id, vacancy_id, candidate_id, status, rejection_reasons, screening_verdict, review_reasons, "
            "ai_recommendation, source, token, full_name, email, phone, phone_e164, city, resume_text, "
            "resume_hidden_text, resume_file, consent_version, consent_at, created_at, updated_at"
        )
        with cursor.cursor.copy(f"COPY screening_response ({columns}) FROM STDIN") as copy:
            for i, (pk, (p, v, resume)) in enumerate(zip(ids, rows, strict=True)):
                email, name, phone, city = people[p]
                applied = _applied_at(now, i, len(rows))
                copy.write_row(
                    (
                        pk, vacancies[v].pk, candidates[p].pk, "new", "[]", "", "[]", "", "web", public_token(),
                        name, email, phone, phone, city, resume, "", "", "bench", now, applied, applied,
                    )
                )  # fmt: skip
        columns = "response_id, question_id, raw_text, read_how, needs_review, confirmed, rule, points, created_at"
        with cursor.cursor.copy(f"COPY screening_answer ({columns}) FROM STDIN") as copy:
            for r, q, text in answers:
                question = questions[rows[r][1]][q]
                copy.write_row((ids[r], question.pk, text, "", False, False, "{}", 0, now))


def _plan_indexes(company, query: str) -> list[str]:
    from django.db import connection

    from screening.services.search import PAGE_SIZE, search_sql

    sql, params = search_sql(company=company, query=query, limit=PAGE_SIZE)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(re.findall(r"(?:Index|Bitmap Index) Scan (?:Backward )?(?:using|on) (\w+)", plan)))


def main(argv=None) -> dict:
    args = parse_args(argv)
    vendor = setup_django(args)
    from screening.services.search import search_page

    rng = random.Random(args.seed)
    started = time.perf_counter()
    found = seeded(applications=args.applications, rng=rng) if args.reuse and vendor == "postgresql" else None
    if found is None:
        rng = random.Random(args.seed)
        company, people = seed(applications=args.applications, rng=rng, vendor=vendor)
    else:
        company, people = found
    seed_s = time.perf_counter() - started
    email, _name, phone, _city = people[len(people) // 2]
    national = phone[2:]
    fill = {
        "phone +7 (9xx)": f"+7 ({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}",
        "phone 8 9xx...": f"8{national}",
        "phone digits part": national[3:],
        "email part": email.split("@")[0],
    }
    results = {}
    for label, query in QUERIES:
        query = query or fill[label]
        page = search_page(company=company, query=query)  # warm-up
        timings = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            page = search_page(company=company, query=query)
            list(page.object_list)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        results[label] = {
            "query": query,
            "people": page.paginator.count,
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
            **({"indexes": _plan_indexes(company, query)} if vendor == "postgresql" else {}),
        }
    report = {
        "database": vendor,
        "applications": args.applications,
        "people": len(people),
        "runs": args.runs,
        "seed_s": round(seed_s, 1),
        "reused": found is not None,
        "python": platform.python_version(),
        "queries": results,
    }
    out = io.StringIO()
    json.dump(report, out, ensure_ascii=False, indent=2)
    print(out.getvalue())
    return report


if __name__ == "__main__":
    main()
