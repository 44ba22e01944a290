"""smartbot.sql: the chat's plain-SQL inserts and updates write what the ORM would, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest

from screening.models import ChatMessage, ChatSession
from screening.models import Answer, Evaluation
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
    first = Evaluation(response=response, prompt_version="v1", status=Evaluation.Status.PENDING)
    assert sql.insert_if_new(first) is True and first.pk
    second = Evaluation(response=response, prompt_version="v1", status=Evaluation.Status.DONE)
    assert sql.insert_if_new(second) is False and second.pk is None
    assert list(Evaluation.objects.values_list("status", flat=True)) == [Evaluation.Status.PENDING]


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
            f"SELECT {sql.id_list_agg('question_id')} FROM screening_answer WHERE response_id = %s", [response.pk]
        )
        assert sql.ids_of(cursor.fetchone()[0]) == {q.pk for q in questions}
    assert sql.ids_of(None) == set()
