"""The bench's data: its PostgreSQL database created and migrated, its Redis database flushed, and in this
process (Django set up on the production settings, as the servers run) fresh companies with responses."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

from .servers import BASE_DIR, BENCH_SECRET, server_env


def add_service_arguments(parser, *, database: str) -> None:
    """The flags every bench takes for its services: ``--database-url`` (default ``DATABASE_URL`` or ``database``
    on the local PostgreSQL), ``--redis-url`` (default ``REDIS_URL`` or local database 9) and ``--no-migrate``."""
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--no-migrate", action="store_true", help="skip manage.py migrate")


def prepare_database(args) -> None:
    """Create the database ``args.database_url`` names if missing, migrate it (unless ``args.no_migrate``) and
    flush the Redis database of ``args.redis_url``."""
    import psycopg
    import redis

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
    redis.Redis.from_url(args.redis_url).flushdb()


def setup_django(args) -> None:
    """Django in this process, on the servers' settings and database (for seeding and the database check)."""
    environment = server_env(args)
    os.environ.update(
        {name: environment[name] for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
        | {"DEBUG": "0", "SECRET_KEY": BENCH_SECRET, "ALLOWED_HOSTS": "127.0.0.1", "EMAIL_ALLOW_CONSOLE": "1"}
    )
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def seed(*, responses: int, label: str) -> list[dict]:
    """A fresh company, a vacancy with five questions of every kind, and ``responses`` new responses, in bulk.

    Returns one ``{"response_id", "token"}`` per response, for the clients.
    """
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
    vacuum_analyze()
    return [{"response_id": r.pk, "token": r.token} for r in created]


def vacuum_analyze() -> None:
    """``VACUUM (ANALYZE)`` the bench database, as autovacuum would have by the time real traffic came.

    Without it the planner takes freshly seeded tables for empty and picks nested loops over every row, and the
    bench database's tables, growing run after run, keep their dead rows: measured here, five chat runs in a row
    slowed down run by run (PostgreSQL's CPU per answer 2.0 → 3.0 ms, bot reply p95 42 → 1,406 ms) on a
    database whose applications table had never been analyzed. This machine's PostgreSQL runs with autovacuum
    off; production's default is on. No-op on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
