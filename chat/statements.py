"""The chat's hand-written SQL: the statements of its measured paths (a candidate's turn, the first open, a
disconnect), where compiling the same ORM queries was most of the server's CPU (docs/benchmarks.md).

Tables and columns come from the models' metadata and rows come back with names (dataclasses filled from
``cursor.description``), so a renamed field fails here loudly instead of shifting a position. The ORM does
everything else; the query-count pins in ``chat/tests/test_services.py`` keep these paths honest.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from screening.models import Answer, ChatMessage, ChatSession, Response
from smartbot import sql
from vacancies.models import Vacancy


@dataclass(frozen=True)
class TurnRow:
    """What a candidate's turn reads, under the session's row lock, to decide what to do."""

    state: str
    taken_over_by_id: int | None
    watchers: int
    response_status: str
    known_id: int | None  # the message an earlier frame with this client id made
    answered_ids: str | None  # the answered questions' ids, comma-separated (``smartbot.sql.id_list_agg``)
    script_at: datetime | None  # the vacancy's ``updated_at``: script edits stamp it (``vacancies.services``)
    # The question of the bot's latest message naming one: what the candidate was last asked. A removed
    # question's messages name none (their key is set to NULL), so after a removal it is an older question,
    # or None.
    last_asked_id: int | None
    # That message's payload (``ChatMessage.payload``): a read-back awaiting confirmation, a clarification's count.
    last_prompt: object = None

    def __post_init__(self):
        # A raw cursor skips the field's conversion: SQLite gives a naive datetime (or text), PostgreSQL an
        # aware one. The backend's own converter makes it what the ORM reads, so it compares equal.
        convert = getattr(connection.ops, "convert_datetimefield_value", None)
        if self.script_at is not None and convert is not None:
            object.__setattr__(self, "script_at", convert(self.script_at, None, connection))
        if isinstance(self.last_prompt, str | bytes):  # JSON as text (SQLite; or a driver without a JSON loader)
            object.__setattr__(self, "last_prompt", json.loads(self.last_prompt))

    @property
    def prompt(self) -> dict:
        """``last_prompt`` as a dict ({} for none)."""
        return self.last_prompt if isinstance(self.last_prompt, dict) else {}

    @property
    def answered(self) -> set[int]:
        return sql.ids_of(self.answered_ids)


@dataclass(frozen=True)
class SocketCounts:
    """The session's socket counts after a disconnect."""

    candidate_sockets: int
    watchers: int


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _named(cursor, row_type):
    """The cursor's next row as a ``row_type`` filled by the result's column names (None without a row)."""
    row = cursor.fetchone()
    if row is None:
        return None
    return row_type(**{column[0]: value for column, value in zip(cursor.description, row, strict=True)})


@functools.cache
def _turn_sql(vendor: str) -> str:
    # One statement per database vendor (the lock clause and the id aggregate differ), built once.
    S, M, R, A, V = ChatSession, ChatMessage, Response, Answer, Vacancy
    known = (
        f"SELECT m.{_col(M, 'id')} FROM {_table(M)} m "  # noqa: S608 (names from the models' metadata)
        f"WHERE m.{_col(M, 'session')} = s.{_col(S, 'id')} AND m.{_col(M, 'client_id')} = %s LIMIT 1"
    )
    answered = (
        f"SELECT {sql.id_list_agg('a.' + _col(A, 'question'))} FROM {_table(A)} a "  # noqa: S608
        f"WHERE a.{_col(A, 'response')} = s.{_col(S, 'response')}"
    )

    def last_asked(column: str) -> str:
        return (
            f"SELECT m.{_col(M, column)} FROM {_table(M)} m "  # noqa: S608
            f"WHERE m.{_col(M, 'session')} = s.{_col(S, 'id')} AND m.{_col(M, 'sender')} = '{M.Sender.BOT.value}' "
            f"AND m.{_col(M, 'question')} IS NOT NULL ORDER BY m.{_col(M, 'id')} DESC LIMIT 1"
        )

    columns = {  # the names of TurnRow's fields
        "state": f"s.{_col(S, 'state')}",
        "taken_over_by_id": f"s.{_col(S, 'taken_over_by')}",
        "watchers": f"s.{_col(S, 'watchers')}",
        "response_status": f"r.{_col(R, 'status')}",
        "known_id": f"({known})",
        "answered_ids": f"({answered})",
        "script_at": f"v.{_col(V, 'updated_at')}",
        "last_asked_id": f"({last_asked('question')})",
        "last_prompt": f"({last_asked('payload')})",
    }
    return (
        f"SELECT {', '.join(f'{expr} AS {name}' for name, expr in columns.items())} "  # noqa: S608
        f"FROM {_table(S)} s JOIN {_table(R)} r ON r.{_col(R, 'id')} = s.{_col(S, 'response')} "
        f"JOIN {_table(V)} v ON v.{_col(V, 'id')} = r.{_col(R, 'vacancy')} "
        f"WHERE s.{_col(S, 'id')} = %s{sql.lock_clause('s')}"
    )


def turn_read(*, session_id: int, client_id: str) -> TurnRow | None:
    """Lock the chat session row and read all a candidate's turn needs, in one statement; None: no such session.

    Inside the turn's transaction: the lock (``FOR UPDATE OF s`` on PostgreSQL; SQLite locks the database on
    write) serialises the chat's turns. The read's snapshot predates the wait for the lock, so a frame racing
    its own resend is caught by the client id's unique constraint instead (``chat_candidate_message``).
    """
    with connection.cursor() as cursor:
        cursor.execute(_turn_sql(connection.vendor), [client_id or None, session_id])
        return _named(cursor, TurnRow)


@functools.cache
def _disconnect_sql(vendor: str) -> str:
    S = ChatSession
    sockets, watchers = _col(S, "candidate_sockets"), _col(S, "watchers")
    return (
        f"UPDATE {_table(S)} SET {sockets} = CASE WHEN {sockets} > 0 THEN {sockets} - 1 ELSE 0 END, "  # noqa: S608
        f"{_col(S, 'last_activity_at')} = %s WHERE {_col(S, 'id')} = %s "
        f"RETURNING {sockets} AS candidate_sockets, {watchers} AS watchers"
    )


def session_disconnect(*, session_id: int, now: datetime) -> SocketCounts:
    """Uncount a candidate socket (never below zero) and record activity, in one statement.

    Returns the counts after it; zeros for a session that no longer exists.
    """
    at = ChatSession._meta.get_field("last_activity_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(_disconnect_sql(connection.vendor), [at, session_id])
        return _named(cursor, SocketCounts) or SocketCounts(candidate_sockets=0, watchers=0)


def messages_insert(
    messages: list[ChatMessage], *, answer: Answer | None = None, session: tuple[int, dict] | None = None
) -> list[ChatMessage]:
    """INSERT a turn's unsaved messages in one statement, in order, and set their keys (``smartbot.sql.insert``).

    The turn's other writes ride in the same statement (PostgreSQL; one after the other on SQLite): ``answer``, an
    unsaved answer (``response_submit_answer(store=False)``), inserted too; ``session``, ``(session id, {attribute:
    value})``, the chat session's UPDATE. A unique constraint either breaks fails the whole statement.
    """
    along = []
    if answer is not None:
        along.append(sql.Insert(answer))
    if session is not None:
        along.append(sql.Update(ChatSession, session[0], **session[1]))
    return sql.insert(messages, along=tuple(along))


def answer_insert(answer: Answer) -> Answer:
    """INSERT an unsaved answer (``response_submit_answer(store=False)``) and set its key."""
    return sql.insert([answer])[0]


def session_insert_if_new(session: ChatSession) -> bool:
    """INSERT an unsaved chat session unless its response has one already; True if this one was inserted."""
    return sql.insert_if_new(session)


def session_update(session_id: int, **values) -> None:
    """UPDATE the chat session's columns named by ``values`` (attribute names, Python values)."""
    sql.update(ChatSession, session_id, **values)
