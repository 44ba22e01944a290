"""smartbot.sql and chat.statements: the chat's plain SQL writes and reads what the ORM would, on SQLite and
PostgreSQL, with names from the models and named rows; and it stays on the chat's measured paths."""

import pathlib
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from chat import statements
from screening.models import Answer, ChatMessage, ChatSession
from screening.tests.factories import ResponseFactory
from smartbot import sql
from vacancies.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_insert_writes_rows_in_order_and_sets_their_keys():
    session = ChatSession.objects.create(response=ResponseFactory())
    messages = [
        ChatMessage(session_id=session.pk, sender=ChatMessage.Sender.BOT, text=f"line {i}", client_id="")
        for i in range(3)
    ]
    assert sql.insert(messages) is messages
    assert all(m.pk and not m._state.adding for m in messages)
    stored = list(ChatMessage.objects.order_by("id").values_list("pk", "text", "created_at"))
    assert [(pk, text) for pk, text, _at in stored] == [(m.pk, m.text) for m in messages]
    # auto_now_add is applied as the ORM would, and comes back as an aware datetime
    assert all(at is not None and at.tzinfo is not None for _pk, _text, at in stored)


def test_insert_prepares_values_through_the_fields():
    response = ResponseFactory()
    question = QuestionFactory(vacancy=response.vacancy)
    value = {"choices": ["Django", "FastAPI"], "note": "ünïcode ✓"}
    (answer,) = sql.insert([Answer(response=response, question=question, raw_text="x", value=value, points=1.5)])
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.value == value and stored.points == 1.5 and stored.passed is None


def test_insert_if_new_skips_a_row_that_breaks_a_unique_constraint():
    response = ResponseFactory()
    first = ChatSession(response=response, candidate_sockets=1)
    assert sql.insert_if_new(first) is True and first.pk
    second = ChatSession(response=response, watchers=1)
    assert sql.insert_if_new(second) is False and second.pk is None
    assert list(ChatSession.objects.values_list("candidate_sockets", "watchers")) == [(1, 0)]


def test_insert_carries_the_turns_other_writes_along_in_one_statement(django_assert_max_num_queries):
    response = ResponseFactory()
    question = QuestionFactory(vacancy=response.vacancy)
    session = ChatSession.objects.create(response=response)
    answer = Answer(response=response, question=question, raw_text="Moscow", value={"city": "Moscow"})
    message = ChatMessage(session_id=session.pk, sender=ChatMessage.Sender.CANDIDATE, text="Moscow", client_id="c1")
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    finish = sql.Update(ChatSession, session.pk, state=ChatSession.State.FINISHED, finished_at=moment)
    along = (sql.Insert(answer), finish)

    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 3):
        sql.insert([message], along=along)

    assert message.pk and answer.pk and not answer._state.adding
    assert Answer.objects.get(pk=answer.pk).value == {"city": "Moscow"}
    assert ChatMessage.objects.get(pk=message.pk).client_id == "c1"
    stored = ChatSession.objects.get(pk=session.pk)
    assert stored.state == ChatSession.State.FINISHED and stored.finished_at == moment


def test_a_write_carried_along_fails_the_whole_statement():
    response = ResponseFactory()
    question = QuestionFactory(vacancy=response.vacancy)
    session = ChatSession.objects.create(response=response)
    Answer.objects.create(response=response, question=question, raw_text="first")
    again = Answer(response=response, question=question, raw_text="second")
    message = ChatMessage(session_id=session.pk, sender=ChatMessage.Sender.CANDIDATE, text="second", client_id="c2")

    with pytest.raises(IntegrityError), transaction.atomic():
        sql.insert([message], along=(sql.Insert(again),))

    assert not ChatMessage.objects.filter(session=session).exists()
    assert list(Answer.objects.values_list("raw_text", flat=True)) == ["first"]


def test_update_writes_the_given_columns_of_one_row():
    sessions = [ChatSession.objects.create(response=ResponseFactory()) for _ in range(2)]
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    sql.update(ChatSession, sessions[0].pk, state=ChatSession.State.FINISHED, finished_at=moment)
    first, other = (ChatSession.objects.get(pk=s.pk) for s in sessions)
    assert first.state == ChatSession.State.FINISHED and first.finished_at == moment
    assert other.state == ChatSession.State.ACTIVE and other.finished_at is None


def test_id_lists_round_trip_through_the_aggregate():
    from django.db import connection

    response = ResponseFactory()
    questions = [QuestionFactory(vacancy=response.vacancy) for _ in range(3)]
    for question in questions:
        Answer.objects.create(response=response, question=question, raw_text="a")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql.id_list_agg('question_id')} FROM {Answer._meta.db_table} WHERE response_id = %s",
            [response.pk],
        )
        assert sql.ids_of(cursor.fetchone()[0]) == {q.pk for q in questions}
    assert sql.ids_of(None) == set()


# chat.statements ---------------------------------------------------------------------------------------------


def _session(**fields) -> ChatSession:
    return ChatSession.objects.create(response=ResponseFactory(), **fields)


def test_the_turn_read_returns_a_named_row_of_the_session_and_its_response(recruiter):
    session = _session(watchers=2, taken_over_by=recruiter)
    questions = [QuestionFactory(vacancy=session.response.vacancy) for _ in range(2)]
    for question in questions:
        Answer.objects.create(response=session.response, question=question, raw_text="a")
    message = ChatMessage.objects.create(session=session, sender="candidate", text="hi", client_id="c1")
    with transaction.atomic():
        row = statements.turn_read(session_id=session.pk, client_id="c1")
    assert row == statements.TurnRow(
        state=ChatSession.State.ACTIVE,
        taken_over_by_id=recruiter.pk,
        watchers=2,
        response_status=session.response.status,
        known_id=message.pk,
        answered_ids=row.answered_ids,
        script_at=session.response.vacancy.updated_at,
        last_asked_id=None,
    )
    assert row.answered == {q.pk for q in questions}


def test_the_turn_read_of_a_new_client_id_and_no_answers_knows_nothing_yet():
    session = _session()
    ChatMessage.objects.create(session=session, sender="bot", text="hello", client_id="")
    with transaction.atomic():
        row = statements.turn_read(session_id=session.pk, client_id="")  # "" is no id (bot messages have "")
        assert row.known_id is None and row.answered == set() and row.taken_over_by_id is None
        assert statements.turn_read(session_id=session.pk + 1000, client_id="x") is None


def test_the_turn_read_is_built_from_the_models_and_locks_where_the_database_can():
    sql_text = statements._turn_sql(connection.vendor)
    assert ChatSession._meta.db_table in sql_text and Answer._meta.db_table in sql_text
    assert ("FOR UPDATE OF s" in sql_text) == connection.features.has_select_for_update_of


def test_a_disconnect_uncounts_one_socket_never_below_zero_and_records_activity():
    session = _session(candidate_sockets=1, watchers=3)
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    counts = statements.session_disconnect(session_id=session.pk, now=moment)
    assert counts == statements.SocketCounts(candidate_sockets=0, watchers=3)
    assert statements.session_disconnect(session_id=session.pk, now=moment).candidate_sockets == 0
    assert ChatSession.objects.get(pk=session.pk).last_activity_at == moment
    assert statements.session_disconnect(session_id=session.pk + 1000, now=moment) == (
        statements.SocketCounts(candidate_sockets=0, watchers=0)
    )


def test_hand_written_sql_stays_on_the_chats_measured_paths():
    """The ORM everywhere else: only these modules run plain SQL (``smartbot.sql`` or a raw cursor). A new one
    needs a benchmark that asks for it (docs/benchmarks.md), and its name here."""
    allowed = {
        "smartbot/sql.py",
        "chat/statements.py",  # the turn, the first open, the disconnect
        "screening/services/responses.py",  # the turn's answer INSERT (response_submit_answer(new=True))
        "screening/services/evaluations.py",  # the last turn's pending evaluation (ON CONFLICT DO NOTHING)
        "screening/analytics.py",  # the answer-time medians, SET LOCAL jit (docs/benchmarks.md, funnel analytics)
        "screening/services/search.py",  # one UNION ALL per column, jit off (docs/benchmarks.md, search)
    }
    root = pathlib.Path(settings.BASE_DIR)
    users = set()
    apps = [
        d for d in root.iterdir() if d.is_dir() and (d / "__init__.py").exists() and d.name not in ("tests", "bench")
    ]
    for path in (path for app in apps for path in app.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if re.search(r"from smartbot import .*\bsql\b|smartbot\.sql|connection\.cursor\(", path.read_text("utf-8")):
            users.add("/".join(parts))
    assert users == allowed
