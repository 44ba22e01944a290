"""The durable-turn floor's two bench-only tables (``bench/durable_asgi.py`` says what the floor does).

Raw SQL through Django's connection (no models, no migrations: nothing of the product depends on them), in the
bench's own database. The servers import only the two statements; the bench process (Django set up) creates
the tables, seeds the session rows before the phase and checks afterwards what the clients saw acknowledged.
"""

from __future__ import annotations

SESSION_TABLE = "bench_durable_session"
MESSAGE_TABLE = "bench_durable_message"

# One turn: the locking read of the connection's session row, then one insert of the message row.
LOCK_SQL = f"SELECT id FROM {SESSION_TABLE} WHERE id = %s FOR UPDATE"
INSERT_SQL = (
    f"INSERT INTO {MESSAGE_TABLE} (session_id, client_id, body) VALUES (%s, %s, %s) "
    "ON CONFLICT (session_id, client_id) DO NOTHING RETURNING id"
)

_DDL = (
    f"CREATE TABLE IF NOT EXISTS {SESSION_TABLE} ("
    " id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())",
    f"CREATE TABLE IF NOT EXISTS {MESSAGE_TABLE} ("
    f" id bigserial PRIMARY KEY, session_id bigint NOT NULL REFERENCES {SESSION_TABLE} (id),"
    " client_id varchar(64) NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),"
    " UNIQUE (session_id, client_id))",
)


def prepare(*, sessions: int) -> list[int]:
    """Create the tables if missing, empty them and seed ``sessions`` session rows; their ids."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _DDL:
            cursor.execute(statement)
        cursor.execute(f"TRUNCATE {MESSAGE_TABLE}, {SESSION_TABLE}")
        cursor.execute(
            f"INSERT INTO {SESSION_TABLE} (created_at) SELECT now() FROM generate_series(1, %s) RETURNING id",
            [sessions],
        )
        ids = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:  # fresh statistics, so the planner uses the primary key at once
        cursor.execute(f"ANALYZE {SESSION_TABLE}")
    return ids


def check(acked: dict[int, int]) -> dict:
    """Compare what the clients saw acknowledged (session id -> turns) with the message rows: all 0 when clean.

    ``turns_lost``: acknowledged but not stored; ``turns_doubled``: stored more often than acknowledged (as the
    chat's check counts it: a turn committed whose ack a failed connection never delivered counts here too).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT session_id, count(*) FROM {MESSAGE_TABLE} GROUP BY session_id")
        stored = dict(cursor.fetchall())
    lost = sum(max(0, n - stored.get(session, 0)) for session, n in acked.items())
    doubled = sum(max(0, n - acked.get(session, 0)) for session, n in stored.items())
    return {"turns_lost": lost, "turns_doubled": doubled}
