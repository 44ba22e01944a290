"""After a phase: does the database hold exactly what the clients saw acknowledged? (Django set up first.)"""

from __future__ import annotations

from urllib.parse import urlsplit

EXPECTED_ANSWERS = 5
# Greeting + first question, then per answer the candidate's message and the bot's next question,
# and for the last answer the candidate's message and the closing message.
EXPECTED_MESSAGES = 2 + 2 * EXPECTED_ANSWERS


def check_database(acked: dict[int, int]) -> dict:
    """Compare what the clients saw acknowledged (response id -> answers) with what the database holds.

    Every count in the result is 0 for a clean run: answers lost or doubled, client ids stored twice, finished
    chats without their ``EXPECTED_MESSAGES`` messages, chats acknowledged to the end but not finished.
    """
    from django.db.models import Count, Q

    from screening.models import Answer, ChatMessage, Response

    ids = list(acked)
    answers = dict(
        Answer.objects.filter(response_id__in=ids)
        .values("response_id")
        .annotate(n=Count("id"))
        .values_list("response_id", "n")
    )
    sessions = (
        ChatMessage.objects.filter(session__response_id__in=ids)
        .values("session__response_id")
        .annotate(total=Count("id"), candidate=Count("id", filter=Q(sender="candidate")))
    )
    messages = {row["session__response_id"]: row for row in sessions}
    duplicate_ids = (
        ChatMessage.objects.filter(session__response_id__in=ids)
        .exclude(client_id="")
        .values("session_id", "client_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    lost = doubled = wrong_messages = 0
    for response_id, n_acked in acked.items():
        stored = answers.get(response_id, 0)
        lost += max(0, n_acked - stored)
        doubled += max(0, stored - n_acked)
        row = messages.get(response_id, {"total": 0, "candidate": 0})
        doubled += max(0, row["candidate"] - n_acked)
        if n_acked == EXPECTED_ANSWERS and row["total"] != EXPECTED_MESSAGES:
            wrong_messages += 1
    finished_ids = [r for r, n in acked.items() if n == EXPECTED_ANSWERS]
    unfinished = Response.objects.filter(pk__in=finished_ids, completed_at=None).count()
    return {
        "answers_lost": lost,
        "answers_doubled": doubled,
        "duplicate_client_ids": duplicate_ids,
        "finished_chats_with_wrong_message_count": wrong_messages,
        "acked_chats_not_finished_in_db": unfinished,
    }


def db_connections(database_url: str) -> int:
    """Connections PostgreSQL has open to the bench's database now."""
    from django.db import connection

    name = urlsplit(database_url).path.strip("/")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
        return cursor.fetchone()[0]
