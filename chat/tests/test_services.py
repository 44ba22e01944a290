"""The chat services' fast answer path: few queries, and none of the chat's guarantees given up for them."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from chat import services
from conftest import require_services
from screening.models import Answer, ChatMessage, ChatSession, Response
from screening.services import response_submit_answer
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def _open(response_id: int) -> services.ChatContext:
    response = Response.objects.select_related("vacancy", "candidate").get(pk=response_id)
    ctx, _snapshot = services.chat_open(response=response, connect=True)
    return ctx


def _senders(ctx) -> list[tuple[str, str]]:
    return list(ChatMessage.objects.filter(session_id=ctx.session_id).values_list("sender", "text"))


def test_an_answer_turn_costs_a_handful_of_queries(response, django_assert_max_num_queries):
    ctx = _open(response.pk)
    # BEGIN, lock (+ duplicate check, answered ids, watchers), INSERT the answer with both messages, COMMIT
    # (the activity UPDATE is skipped: this connection touched the session a moment ago). SQLite has no
    # data-modifying WITH: the answer's INSERT is a statement of its own there.
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 5):
        turn = services.chat_candidate_message(ctx=ctx, client_id="a1", text="Moscow")
    assert turn.question == ctx.questions[1] and turn.asked
    assert _senders(ctx)[-2:] == [("candidate", "Moscow"), ("bot", ctx.questions[1].text)]
    # The ack's id is the candidate's own message, stored before the bot's reply.
    own, reply = ChatMessage.objects.filter(session_id=ctx.session_id).order_by("-id")[:2][::-1]
    assert turn.message_id == own.pk and own.client_id == "a1" and own.question_id == ctx.questions[0].pk
    assert reply.pk > own.pk and turn.messages[0].pk == reply.pk


def test_the_last_answer_costs_a_few_more_queries_and_publishes_one_task(
    response, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    Response.objects.filter(pk=response.pk).update(ai_consent_at=timezone.now())  # an evaluation is due too
    ctx = _open(response.pk)
    for i, text in enumerate(["Moscow", "5", "yes", "Django"]):
        services.chat_candidate_message(ctx=ctx, client_id=f"a{i}", text=text)
    # BEGIN, lock, INSERT answer, lock the response, its answers, UPDATE it with its history, pending evaluation
    # (ON CONFLICT DO NOTHING, no savepoint), free interview slots, INSERT messages with the session's UPDATE, COMMIT
    # (on SQLite the two UPDATEs are statements of their own).
    with (
        django_assert_max_num_queries(10 if connection.vendor == "postgresql" else 12),
        django_capture_on_commit_callbacks(execute=False) as after_commit,
    ):
        turn = services.chat_candidate_message(ctx=ctx, client_id="a4", text="I build web services with Django")
    assert turn.state == services.STATE_FINISHED
    # The follow-up is the one task published (it queues the evaluation and emits the webhook from the worker),
    # beside the boards' live update; its flag is the outbox a sweep reads if the message is lost.
    assert [hook.__qualname__ for hook in after_commit] == [
        "pipeline_broadcast.<locals>.<lambda>",
        "TransactionAwareTask.apply_async.<locals>.publish",
    ]
    assert Response.objects.filter(pk=response.pk, followup_pending=True).exists()
    assert ChatSession.objects.get(pk=ctx.session_id).state == ChatSession.State.FINISHED


def test_a_first_open_greets_and_asks_in_one_insert(response, django_assert_max_num_queries):
    response = Response.objects.select_related("vacancy", "candidate").get(pk=response.pk)
    # questions, BEGIN, session INSERT (counting the socket), start the chat (UPDATE, history),
    # INSERT greeting + first question, COMMIT
    with django_assert_max_num_queries(7):
        ctx, snapshot = services.chat_open(response=response, connect=True)
    assert [m.sender for m in snapshot.messages] == ["bot", "bot"] and all(m.pk for m in snapshot.messages)
    assert snapshot.question == ctx.questions[0]
    assert list(ChatMessage.objects.filter(session_id=ctx.session_id).values_list("pk", flat=True)) == [
        m.pk for m in snapshot.messages
    ]
    response.refresh_from_db()
    assert response.status == Response.Status.IN_CHAT


def test_a_reconnect_costs_a_handful_of_queries(response, django_assert_max_num_queries):
    ctx = _open(response.pk)
    services.chat_candidate_message(ctx=ctx, client_id="a1", text="Moscow")
    fresh = Response.objects.select_related("vacancy", "candidate").get(pk=response.pk)
    # questions, BEGIN, lock, sockets UPDATE, messages, answered ids, COMMIT
    with django_assert_max_num_queries(7):
        _ctx, snapshot = services.chat_open(response=fresh, connect=True)
    assert snapshot.question == ctx.questions[1]
    assert ChatSession.objects.get(pk=ctx.session_id).candidate_sockets == 2


def test_the_whole_chat_is_stored_once_in_order(response):
    ctx = _open(response.pk)
    for i, text in enumerate(["Moscow", "5", "yes", "Django", "I build web services with Django and Celery"]):
        turn = services.chat_candidate_message(ctx=ctx, client_id=f"a{i}", text=text)
    assert turn.state == services.STATE_FINISHED
    assert Answer.objects.filter(response=response).count() == 5
    senders = [sender for sender, _text in _senders(ctx)]
    assert senders == ["bot", "bot"] + ["candidate", "bot"] * 5
    response.refresh_from_db()
    assert response.is_screening_finished and response.score is not None
    assert ChatSession.objects.get(pk=ctx.session_id).is_finished


def test_an_unreadable_answer_writes_the_message_and_asks_again_but_stores_no_answer(response):
    ctx = _open(response.pk)
    services.chat_candidate_message(ctx=ctx, client_id="a1", text="Moscow")
    turn = services.chat_candidate_message(ctx=ctx, client_id="a2", text="a lot")
    assert turn.question == ctx.questions[1] and len(turn.messages) == 2
    assert [s for s, _t in _senders(ctx)[-3:]] == ["candidate", "bot", "bot"]
    assert Answer.objects.filter(response=response).count() == 1


def test_a_resent_id_is_acknowledged_again_and_writes_nothing(response):
    ctx = _open(response.pk)
    first = services.chat_candidate_message(ctx=ctx, client_id="same", text="Moscow")
    count = ChatMessage.objects.count()
    again = services.chat_candidate_message(ctx=_open(response.pk), client_id="same", text="Kazan")
    assert again.duplicate and again.message_id == first.message_id
    assert again.question == ctx.questions[1]
    assert ChatMessage.objects.count() == count
    assert Answer.objects.get(response=response).raw_text == "Moscow"


def test_the_fast_path_refuses_a_second_answer_to_the_same_question(response):
    ctx = _open(response.pk)
    question = ctx.questions[0]
    response_submit_answer(response=response, question=question, raw="Moscow", new=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        response_submit_answer(response=response, question=question, raw="Kazan", new=True)
    assert Answer.objects.get(response=response, question=question).raw_text == "Moscow"
    # Other callers keep the replacing behaviour.
    response_submit_answer(response=response, question=question, raw="Kazan")
    assert Answer.objects.get(response=response, question=question).raw_text == "Kazan"


def test_activity_is_recorded_at_most_every_half_minute_on_plain_turns(response):
    ctx = _open(response.pk)
    long_ago = timezone.now() - timedelta(minutes=10)
    ChatSession.objects.filter(pk=ctx.session_id).update(last_activity_at=long_ago)
    ctx.touched_at = long_ago  # the connection's own last write, which it remembers instead of reading the row
    services.chat_candidate_message(ctx=ctx, client_id="a1", text="Moscow")
    touched = ChatSession.objects.get(pk=ctx.session_id).last_activity_at
    assert touched > long_ago
    services.chat_candidate_message(ctx=ctx, client_id="a2", text="5")
    assert ChatSession.objects.get(pk=ctx.session_id).last_activity_at == touched


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_resend_racing_its_original_is_acknowledged_as_a_duplicate(vacancy):
    """The duplicate check rides on the lock query, whose snapshot predates the wait for the lock; the
    resend that waited must still be answered as a duplicate, not fail and not write twice."""
    require_services(redis=False)
    response = ResponseFactory(vacancy=vacancy)
    ctx = _open(response.pk)
    holding, released = threading.Event(), threading.Event()
    result = {}

    def original():
        try:
            with transaction.atomic():
                session = ChatSession.objects.select_for_update().get(pk=ctx.session_id)
                holding.set()
                released.wait(5)
                ChatMessage.objects.create(session=session, sender="candidate", text="Moscow", client_id="same")
        finally:
            connection.close()

    def resend():
        try:
            holding.wait(5)
            result["turn"] = services.chat_candidate_message(ctx=ctx, client_id="same", text="Moscow")
        except Exception as error:  # surfaced by the assertion below
            result["error"] = error
        finally:
            connection.close()

    first, second = threading.Thread(target=original), threading.Thread(target=resend)
    first.start()
    second.start()
    holding.wait(5)
    # Let the resend's lock query start (and wait) before the original commits.
    deadline = timezone.now() + timedelta(seconds=5)
    while timezone.now() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                break
    released.set()
    first.join(10)
    second.join(10)
    assert "error" not in result, result.get("error")
    assert result["turn"].duplicate
    assert ChatMessage.objects.filter(session_id=ctx.session_id, client_id="same").count() == 1
    assert not Answer.objects.filter(response=response).exists()


# Recruiters watching: counted on the session, so that unwatched chats skip the recruiters' fan-out ------------


def _fresh(response_id: int) -> Response:
    return Response.objects.select_related("vacancy", "candidate").get(pk=response_id)


def test_a_recruiter_socket_is_counted_while_it_watches(response):
    ctx = _open(response.pk)
    assert services.chat_candidate_message(ctx=ctx, client_id="a1", text="Moscow").watchers == 0
    watch_ctx, _snapshot = services.chat_snapshot(response=_fresh(response.pk), watch=True)
    assert ChatSession.objects.get(pk=ctx.session_id).watchers == 1
    assert services.chat_candidate_message(ctx=ctx, client_id="a2", text="5").watchers == 1
    services.chat_unwatch(session_id=watch_ctx.session_id)
    services.chat_unwatch(session_id=watch_ctx.session_id)  # never below zero
    assert ChatSession.objects.get(pk=ctx.session_id).watchers == 0
    assert services.chat_candidate_message(ctx=ctx, client_id="a3", text="yes").watchers == 0


def test_a_recruiter_watching_before_the_candidate_comes_does_not_stop_the_greeting(response):
    _ctx, snapshot = services.chat_snapshot(response=_fresh(response.pk), watch=True)
    assert snapshot.messages == [] and snapshot.question is None
    session = ChatSession.objects.get(response=response)
    assert session.watchers == 1 and session.candidate_sockets == 0
    response.refresh_from_db()
    assert response.status == Response.Status.NEW

    ctx, snapshot = services.chat_open(response=_fresh(response.pk), connect=True)
    assert ctx.session_id == session.pk and snapshot.watchers == 1
    assert [m.sender for m in snapshot.messages] == ["bot", "bot"] and snapshot.question == ctx.questions[0]
    session.refresh_from_db()
    assert session.candidate_sockets == 1
    response.refresh_from_db()
    assert response.status == Response.Status.IN_CHAT


def test_a_chat_the_candidate_has_not_opened_cannot_be_taken_over(response, recruiter):
    ctx, _snapshot = services.chat_snapshot(response=_fresh(response.pk), watch=True)
    with pytest.raises(services.ChatError) as refused:
        services.chat_takeover(ctx=ctx, user=recruiter)
    assert refused.value.code == "no_chat"
    assert not ChatMessage.objects.exists()


def test_disconnect_tells_the_sockets_left_and_the_watchers(response):
    ctx = _open(response.pk)
    _open(response.pk)
    services.chat_snapshot(response=_fresh(response.pk), watch=True)
    assert services.chat_disconnect(session_id=ctx.session_id) == (1, 1)
    assert services.chat_disconnect(session_id=ctx.session_id) == (0, 1)
    assert services.chat_disconnect(session_id=ctx.session_id) == (0, 1)  # never below zero
