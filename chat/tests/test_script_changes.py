"""A script edited while a candidate is mid-chat: the open chat moves to the new script at its next question, an
answer to a removed question is refused with ``script_changed`` and the question now awaited is asked, and the
socket never breaks (docs/chat-protocol.md, "When the script changes"). The edits go through the vacancy's
services, as the editor, the API and the admin make them."""

import re

import pytest
from django.urls import reverse

from chat import services
from chat.tests.conftest import connected
from chat.tests.conftest import db as _db
from screening.models import Answer, ChatMessage, Response
from vacancies.models import ScreeningQuestion
from vacancies.services import question_add, question_delete, question_reorder, question_update

pytestmark = pytest.mark.django_db(transaction=True)

CHANGED = "The questions have changed"


def _types(frames):
    return [f["type"] for f in frames]


def _question(frames):
    return next((f["question"] for f in frames if f["type"] == "question"), None)


def _bot_texts(frames):
    return [f["message"]["text"] for f in frames if f["type"] == "message" and f["message"]["sender"] == "bot"]


def _script(vacancy):
    return list(ScreeningQuestion.objects.filter(vacancy=vacancy).order_by("position", "id"))


async def _stored(response):
    """(candidate messages, answers) stored for the response."""

    def count():
        return (
            ChatMessage.objects.filter(session__response=response, sender="candidate").count(),
            Answer.objects.filter(response=response).count(),
        )

    return await _db(count)


async def test_deleting_the_awaited_question_refuses_its_answer_and_asks_the_next_one(
    response, vacancy, candidate_socket
):
    socket, hello = await connected(candidate_socket, response)
    first = hello["question"]
    await _db(lambda: question_delete(question=ScreeningQuestion.objects.get(pk=first["id"])))

    frames = await socket.answer("Moscow", question=first["id"], id="a1")

    error = next(f for f in frames if f["type"] == "error")
    assert error["code"] == "script_changed" and error["id"] == "a1"
    assert "not saved" in error["message"]
    assert "ack" not in _types(frames)
    now = _question(frames)
    assert now["kind"] == "number" and (now["number"], now["total"]) == (1, 4)
    assert _bot_texts(frames) == [f"{CHANGED}. How many years of Python experience do you have?"]
    assert _types(frames)[-1] == "typing"
    assert await _stored(response) == (0, 0)

    # The socket goes on with the new script, to the end.
    assert _question(await socket.answer("5", question=now["id"]))["kind"] == "yes_no"
    assert _question(await socket.answer("yes"))["kind"] == "multiple_choice"
    assert _question(await socket.answer(choices=["Django"]))["kind"] == "text"
    frames = await socket.answer("A billing system in Django.")
    assert next(f for f in frames if f["type"] == "state")["state"] == "finished"
    await _db(response.refresh_from_db)
    assert response.status == Response.Status.PASSED
    assert await _stored(response) == (4, 4)


async def test_an_answer_without_a_question_id_is_refused_too_when_its_question_was_deleted(response, candidate_socket):
    socket, hello = await connected(candidate_socket, response)
    await _db(lambda: question_delete(question=ScreeningQuestion.objects.get(pk=hello["question"]["id"])))
    frames = await socket.answer("Moscow")
    assert next(f for f in frames if f["type"] == "error")["code"] == "script_changed"
    assert _question(frames)["kind"] == "number"
    assert await _stored(response) == (0, 0)
    # Resending the refused answer is refused again, and the question is not written into the chat twice.
    frames = await socket.answer("Moscow", question=hello["question"]["id"])
    assert next(f for f in frames if f["type"] == "error")["code"] == "script_changed"
    assert _bot_texts(frames) == [] and _question(frames)["kind"] == "number"
    assert await _db(lambda: ChatMessage.objects.filter(text__startswith=CHANGED).count()) == 1


async def test_a_question_added_mid_chat_is_asked_before_the_chat_finishes(response, vacancy, candidate_socket):
    socket, hello = await connected(candidate_socket, response)
    await _db(lambda: question_add(vacancy=vacancy, data={"text": "When can you start?", "kind": "text"}))
    frames = await socket.answer("Moscow", question=hello["question"]["id"])
    assert "ack" in _types(frames)
    assert (_question(frames)["number"], _question(frames)["total"]) == (2, 6)
    for answer in ("5", "yes"):
        await socket.answer(answer)
    await socket.answer(choices=["Django"])
    frames = await socket.answer("A billing system in Django.")
    assert _question(frames)["text"] == "When can you start?"
    frames = await socket.answer("In two weeks")
    assert next(f for f in frames if f["type"] == "state")["state"] == "finished"
    assert await _stored(response) == (6, 6)


async def test_a_reorder_takes_the_answer_shown_and_asks_the_new_order_next(response, vacancy, candidate_socket):
    socket, _hello = await connected(candidate_socket, response)
    city, years, permit, frameworks, story = await _db(_script, vacancy)
    await _db(lambda: question_reorder(vacancy=vacancy, order=[permit.pk, frameworks.pk, city.pk, years.pk, story.pk]))
    # The candidate answers the question they were shown (still in the script): it is taken for that question.
    frames = await socket.answer("Moscow", question=city.pk)
    assert "ack" in _types(frames)
    assert (_question(frames)["id"], _question(frames)["number"]) == (permit.pk, 1)
    frames = await socket.answer("yes", question=permit.pk)
    assert _question(frames)["id"] == frameworks.pk
    answered = await _db(lambda: set(Answer.objects.filter(response=response).values_list("question_id", flat=True)))
    assert answered == {city.pk, permit.pk}


async def test_an_edited_question_is_asked_and_judged_as_it_is_now(response, vacancy, candidate_socket):
    socket, hello = await connected(candidate_socket, response)
    _city, years, *_rest = await _db(_script, vacancy)
    await _db(
        lambda: question_update(question=years, data={"text": "Years of Python, at least 10?", "knockout_value": "10"})
    )
    frames = await socket.answer("Moscow", question=hello["question"]["id"])
    assert _question(frames)["text"] == "Years of Python, at least 10?"
    assert _bot_texts(frames) == ["Years of Python, at least 10?"]
    frames = await socket.answer("5")
    assert _question(frames)["confirm"]["text"].endswith("your answer is “5”. Is that right?")
    await socket.answer("yes")  # confirms the read-back of an answer failing the rule as it is now
    await socket.answer("yes")
    await socket.answer(choices=["Django"])
    await socket.answer("A billing system in Django.")
    await _db(response.refresh_from_db)
    assert response.status == Response.Status.REJECTED  # 5 years under the rule as it is now


async def test_reconnecting_after_the_awaited_question_was_deleted_shows_the_question_now_awaited(
    response, candidate_socket
):
    _socket, hello = await connected(candidate_socket, response)
    await _db(lambda: question_delete(question=ScreeningQuestion.objects.get(pk=hello["question"]["id"])))
    _again, hello = await connected(candidate_socket, response)
    assert hello["question"]["kind"] == "number" and hello["question"]["total"] == 4
    assert hello["messages"][-1]["text"].startswith(CHANGED)
    assert hello["messages"][-1]["question_id"] == hello["question"]["id"]
    _third, hello = await connected(candidate_socket, response)
    assert await _db(lambda: ChatMessage.objects.filter(text__startswith=CHANGED).count()) == 1


async def test_an_old_tab_after_a_script_change_is_refused_and_the_other_tab_goes_on(response, candidate_socket):
    old_tab, hello = await connected(candidate_socket, response)
    new_tab, _hello = await connected(candidate_socket, response)
    first = hello["question"]
    await _db(lambda: question_delete(question=ScreeningQuestion.objects.get(pk=first["id"])))
    frames = await new_tab.answer("Moscow", question=first["id"])
    now = _question(frames)
    assert (await new_tab.answer("5", question=now["id"]))[1]["type"] == "ack"
    # The old tab names the removed question: refused, and shown the question awaited now.
    frames = await old_tab.answer("Moscow", question=first["id"])
    assert next(f for f in frames if f["type"] == "error")["code"] == "script_changed"
    assert _question(frames)["kind"] == "yes_no"
    assert await _stored(response) == (1, 1)


def test_a_removal_racing_the_turn_is_refused_cleanly(response):
    """The turn's locking read saw the old stamp, and the question's removal committed while it ran: the answer's
    foreign key fails at commit, and the turn runs again with the script reloaded."""
    ctx, snapshot = services.chat_open(response=Response.objects.select_related("vacancy").get(pk=response.pk))
    question_delete(question=snapshot.question)
    # As if the stamp had been read before the removal committed: this context's stamp is current, its
    # questions are not.
    ctx.script_at = type(ctx.vacancy).objects.get(pk=ctx.vacancy.pk).updated_at
    turn = services.chat_candidate_message(ctx=ctx, client_id="r1", text="Moscow", question_id=snapshot.question.pk)
    assert turn.error is not None and turn.error.code == "script_changed"
    assert turn.question.kind == "number" and [q.pk for q in ctx.questions] == [q.pk for q in _script(ctx.vacancy)]
    assert not Answer.objects.filter(response=response).exists()
    assert not ChatMessage.objects.filter(session_id=ctx.session_id, sender="candidate").exists()


# Without JavaScript: the form names the question its page asked ------------------------------------------


def _send(client, response, **data):
    return client.post(reverse("chat:fallback", args=[response.token]), data, follow=True)


def _hidden_question(page) -> str:
    return re.search(r'name="question" value="(\d*)" data-question', page.content.decode()).group(1)


def test_the_chat_page_names_the_awaited_question_in_its_forms(client, response):
    page = client.get(response.get_chat_url())
    first = _script(response.vacancy)[0]
    assert _hidden_question(page) == str(first.pk)
    assert page.content.decode().count(f'name="question" value="{first.pk}"') == 2  # the buttons' form and the text


def test_a_form_from_an_old_tab_is_refused_as_on_the_socket_and_nothing_is_stored(client, response):
    old_tab = client.get(response.get_chat_url())
    asked = _hidden_question(old_tab)
    _send(client, response, client_id="f1", text="Moscow", question=asked)
    stored = (ChatMessage.objects.filter(sender="candidate").count(), Answer.objects.count())
    # The old tab still shows the first question and posts its id with another answer.
    page = _send(client, response, client_id="f2", text="7", question=asked)
    assert "This question has already been answered." in page.content.decode()
    assert (ChatMessage.objects.filter(sender="candidate").count(), Answer.objects.count()) == stored
    assert not ChatMessage.objects.filter(client_id="f2").exists()


def test_a_form_naming_a_deleted_question_is_refused_and_the_page_asks_the_next_one(client, response):
    asked = _hidden_question(client.get(response.get_chat_url()))
    question_delete(question=ScreeningQuestion.objects.get(pk=asked))
    page = _send(client, response, client_id="f1", text="Moscow", question=asked)
    body = page.content.decode()
    assert "The questions have changed, so this answer was not saved." in body
    assert f"{CHANGED}. How many years of Python experience do you have?" in body
    years = _script(response.vacancy)[0]
    assert _hidden_question(page) == str(years.pk)
    assert not ChatMessage.objects.filter(sender="candidate").exists() and not Answer.objects.exists()
    _send(client, response, client_id="f2", text="5", question=str(years.pk))
    assert Answer.objects.get().question_id == years.pk
    assert ChatMessage.objects.filter(text__startswith=CHANGED).count() == 1


def test_only_the_first_turn_after_a_script_change_reloads_it(response, django_assert_max_num_queries):
    ctx, _snapshot = services.chat_open(response=Response.objects.select_related("vacancy").get(pk=response.pk))
    question_add(vacancy=ctx.vacancy, data={"text": "When can you start?", "kind": "text"})
    # The usual five (see test_services) and the vacancy and its questions, once.
    with django_assert_max_num_queries(7):
        services.chat_candidate_message(ctx=ctx, client_id="a1", text="Moscow")
    assert len(ctx.questions) == 6
    with django_assert_max_num_queries(5):
        services.chat_candidate_message(ctx=ctx, client_id="a2", text="5")
