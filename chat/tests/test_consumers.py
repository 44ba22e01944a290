"""The screening chat over WebSockets: the candidate's consumer and the recruiter's, through smartbot.asgi."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async

from chat.tests.conftest import connected as _connected
from chat.tests.conftest import db as _db
from screening.models import Answer, ChatMessage, ChatSession, Response, StatusChange
from screening.services import response_outcome
from screening.tests.factories import ResponseFactory
from vacancies.models import Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory

from .conftest import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


def _types(frames):
    return [f["type"] for f in frames]


def _bot_texts(frames):
    return [f["message"]["text"] for f in frames if f["type"] == "message" and f["message"]["sender"] == "bot"]


def _question(frames):
    return next((f["question"] for f in frames if f["type"] == "question"), None)


async def test_whole_script_with_every_kind_of_question_scores_and_finishes(response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    assert hello["state"] == "active"
    assert hello["messages"][0]["text"].startswith("Hi, Anna!")
    first = hello["question"]
    assert first["kind"] == "single_choice" and first["options"] == ["Moscow", "Saint Petersburg", "Kazan"]
    assert (first["number"], first["total"]) == (1, 5)

    frames = await socket.answer("Moscow", question=first["id"], id="c1")
    assert _types(frames) == ["typing", "ack", "message", "question", "typing"]
    assert frames[1]["id"] == "c1" and frames[1]["duplicate"] is False
    assert _question(frames)["kind"] == "number"

    frames = await socket.answer("5")
    yes_no = _question(frames)
    assert yes_no["kind"] == "yes_no" and yes_no["options"] == ["yes", "no"]

    frames = await socket.answer("yes")
    assert _question(frames)["kind"] == "multiple_choice"

    frames = await socket.answer(choices=["Django", "Flask"])
    assert _question(frames)["kind"] == "text"

    frames = await socket.answer(
        "A payments platform in Django serving a million users every single day, in production."
    )
    assert "question" not in _types(frames)
    state = next(f for f in frames if f["type"] == "state")
    assert state["state"] == "finished"
    assert "sent to the recruiter" in _bot_texts(frames)[-1]  # neutral: show_outcome is off

    await _db(response.refresh_from_db)
    assert response.status == Response.Status.PASSED
    expected = await _db(lambda: response_outcome(response=Response.objects.get(pk=response.pk)))
    assert response.score == expected.score > 50
    assert await _db(lambda: Answer.objects.filter(response=response).count()) == 5
    history = await _db(
        lambda: list(StatusChange.objects.filter(response=response).values_list("to_status", flat=True))
    )
    assert history[-1] == "passed"
    multiple = await _db(lambda: Answer.objects.get(response=response, question__kind="multiple_choice"))
    assert multiple.value == ["Django", "Flask"]

    await socket.send("message", text="one more")
    error = (await socket.recv_until("error"))[-1]
    assert error["code"] == "finished"
    await socket.close()


async def test_outcome_is_told_when_the_vacancy_says_so(company, candidate_socket):
    vacancy = await _db(VacancyFactory, company=company, show_outcome=True)
    await _db(QuestionFactory, vacancy=vacancy, kind="yes_no", knockout="must_equal", knockout_value="yes")
    response = await _db(ResponseFactory, vacancy=vacancy, full_name="Ivan Petrov")
    socket, _hello = await _connected(candidate_socket, response)
    frames = await socket.answer("no")
    assert "does not match" not in " ".join(_bot_texts(frames))  # read back first: nobody fails on a misreading
    frames = await socket.answer("yes")  # "yes, that's right"
    assert "does not match" in _bot_texts(frames)[-1]
    await socket.close()


async def test_a_number_in_words_gets_a_polite_clarification_and_the_question_again(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.answer("Moscow")
    frames = await socket.answer("a few years")
    texts = _bot_texts(frames)
    assert texts[0] == "Please answer with a number, e.g. 3."
    assert texts[1] == "How many years of Python experience do you have?"
    assert _question(frames)["kind"] == "number"
    assert frames[1]["type"] == "ack"  # the candidate's message is stored and acknowledged
    assert await _db(lambda: Answer.objects.filter(response=response).count()) == 1
    await socket.close()


async def test_a_required_question_cannot_be_skipped(response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    frames = await socket.answer("")
    assert _bot_texts(frames)[0] == "This question needs an answer."
    assert _question(frames)["id"] == hello["question"]["id"]
    assert await _db(lambda: Answer.objects.filter(response=response).count()) == 0
    await socket.close()


async def test_an_optional_question_can_be_skipped(company, candidate_socket):
    vacancy = await _db(VacancyFactory, company=company)
    await _db(QuestionFactory, vacancy=vacancy, kind="text", required=False, position=1)
    await _db(QuestionFactory, vacancy=vacancy, kind="number", position=2)
    response = await _db(ResponseFactory, vacancy=vacancy)
    socket, hello = await _connected(candidate_socket, response)
    assert hello["question"]["required"] is False
    frames = await socket.answer("")
    assert _question(frames)["kind"] == "number"
    await socket.close()


async def test_greeting_and_questions_are_in_the_vacancys_language(company, candidate_socket):
    vacancy = await _db(VacancyFactory, company=company, language=Vacancy.Language.RU)
    await _db(QuestionFactory, vacancy=vacancy, kind="number", text="Сколько лет опыта?")
    response = await _db(ResponseFactory, vacancy=vacancy, full_name="Анна Петрова")
    socket, hello = await _connected(candidate_socket, response)
    assert "Анна" in hello["messages"][0]["text"]
    frames = await socket.answer("много")
    # The clarification comes from the scoring rules in the vacancy's language (English until translated).
    assert _bot_texts(frames)[-1] == "Сколько лет опыта?"
    await socket.close()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        (json.dumps({"type": "message", "id": "a", "text": "x"}), "missing_field"),
        (json.dumps({"v": 1, "id": "a", "text": "x"}), "missing_field"),
        (json.dumps({"v": 1, "type": "message", "text": "x"}), "missing_field"),
        (json.dumps({"v": 1, "type": "message", "id": "a"}), "missing_field"),
        (json.dumps({"v": 2, "type": "message", "id": "a", "text": "x"}), "unsupported_version"),
        (json.dumps({"v": 1, "type": "dance", "id": "a"}), "unknown_type"),
        (json.dumps({"v": 1, "type": "message", "id": "<bad id>", "text": "x"}), "invalid_field"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "text": 5}), "invalid_field"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "choices": "Django"}), "invalid_field"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "text": "x", "question": "1"}), "invalid_field"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "text": "x" * 4001}), "too_long"),
        (json.dumps({"v": 1, "type": "takeover", "id": "a"}), "unknown_type"),
        # Hostile shapes: each used to end the socket with 1011 and a traceback.
        (json.dumps({"v": 1, "type": ["message"], "id": "a", "text": "x"}), "invalid_field"),
        (json.dumps({"v": 1, "type": {"message": 1}, "id": "a", "text": "x"}), "invalid_field"),
        (json.dumps({"v": True, "type": "message", "id": "a", "text": "x"}), "unsupported_version"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "text": "a\u0000b"}), "invalid_field"),
        ('{"v": 1, "type": "message", "id": "a", "text": "\\ud800"}', "invalid_field"),
        ('{"v": 1, "type": "message", "id": "a", "choices": ["\\udfff"]}', "invalid_field"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "choices": ["Django\u0000"]}), "invalid_field"),
        (json.dumps({"v": 1, "type": "typing", "id": "a", "on": {"deep": [1]}}), "invalid_field"),
        ('{"v": 1, "type": "message", "id": "a", "text": "x", "extra": ' + "[" * 8000 + "]" * 8000 + "}", "too_deep"),
        ("[" * 8000, "too_deep"),
        ('{"v": 1, "type": "message", "id": "a", "question": ' + "9" * 5000 + "}", "bad_json"),
    ],
)
async def test_a_malformed_frame_gets_an_error_and_the_socket_stays_usable(response, candidate_socket, raw, code):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.send_raw(raw)
    error = await socket.recv()
    assert error["type"] == "error" and error["code"] == code
    assert error["message"]
    assert await _db(lambda: ChatMessage.objects.filter(sender="candidate").count()) == 0
    frames = await socket.answer("Moscow")
    assert _question(frames)["kind"] == "number"
    await socket.close()


async def test_a_frame_over_16_kb_closes_with_4413(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.send_raw(json.dumps({"v": 1, "type": "message", "id": "a", "text": "x" * 17000}))
    closed = await socket.comm.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4413}


async def test_json_nested_100k_deep_closes_as_too_big_without_parsing(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.send_raw("[" * 100_000 + "]" * 100_000)
    closed = await socket.comm.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4413}


async def test_a_binary_frame_closes_with_4415(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.comm.send_to(bytes_data=b"\x00\x01")
    closed = await socket.comm.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4415}


async def test_reconnect_replays_the_transcript_and_continues_at_the_unanswered_question(response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    await socket.answer("Moscow")
    await socket.answer("7")
    await socket.close()

    again, hello = await _connected(candidate_socket, response)
    texts = [m["text"] for m in hello["messages"]]
    assert texts[1:] == [
        "Which city do you live in?",
        "Moscow",
        "How many years of Python experience do you have?",
        "7",
        "Are you allowed to work in Russia?",
    ]
    assert hello["question"]["kind"] == "yes_no" and hello["question"]["number"] == 3
    frames = await again.answer("yes")
    assert _question(frames)["kind"] == "multiple_choice"
    # Nothing was greeted or asked twice.
    assert await _db(lambda: ChatMessage.objects.filter(text__startswith="Hi, Anna").count()) == 1
    await again.close()


async def test_a_resent_id_is_acknowledged_again_without_a_second_write(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.answer("Moscow", id="same-id")
    count = await _db(lambda: ChatMessage.objects.count())
    frames = await socket.answer("Kazan", id="same-id")
    ack = next(f for f in frames if f["type"] == "ack")
    assert ack["duplicate"] is True and ack["id"] == "same-id"
    state = next(f for f in frames if f["type"] == "state")
    assert state["question"]["kind"] == "number"  # the client learns where the chat stands
    assert await _db(lambda: ChatMessage.objects.count()) == count
    answer = await _db(lambda: Answer.objects.get(response=response))
    assert answer.raw_text == "Moscow"
    await socket.close()

    # Also across connections (the resend after a dropped connection).
    again, _hello = await _connected(candidate_socket, response)
    frames = await again.answer("Moscow", id="same-id")
    assert next(f for f in frames if f["type"] == "ack")["duplicate"] is True
    assert await _db(lambda: ChatMessage.objects.count()) == count
    await again.close()


async def test_an_answer_for_an_old_question_is_refused(response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    await socket.answer("Moscow", question=hello["question"]["id"])
    await socket.send("message", text="Kazan", question=hello["question"]["id"])
    frames = await socket.recv_until("error")
    assert frames[-1]["code"] == "stale_question"
    await socket.close()


async def test_html_is_kept_as_text(response, candidate_socket, recruiter_socket, recruiter):
    watcher, _hello = await _connected(recruiter_socket, response, recruiter)
    socket, _hello = await _connected(candidate_socket, response)
    await socket.answer("<script>alert(1)</script>")
    seen = await watcher.recv_until("message")
    assert seen[-1]["message"]["text"] == "<script>alert(1)</script>"
    stored = await _db(lambda: ChatMessage.objects.get(sender="candidate"))
    assert stored.text == "<script>alert(1)</script>"
    await socket.close()
    await watcher.close()


async def test_recruiter_watches_takes_over_talks_and_hands_back(
    response, candidate_socket, recruiter_socket, recruiter
):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.answer("Moscow")
    watcher, hello = await _connected(recruiter_socket, response, recruiter)
    assert hello["role"] == "recruiter" and hello["can_take_over"] is True
    assert hello["candidate_online"] is True
    assert hello["question"]["kind"] == "number"

    # The recruiter sees the candidate's turns live.
    await socket.answer("4")
    frames = await watcher.recv_until("question")
    assert [f["message"]["text"] for f in frames if f["type"] == "message"] == [
        "4",
        "Are you allowed to work in Russia?",
    ]

    await watcher.send("takeover", id="t1")
    frames = await watcher.recv_until("state")
    assert frames[0] == {"v": 1, "type": "ack", "id": "t1", "message_id": None, "duplicate": False}
    assert frames[-1]["state"] == "paused" and frames[-1]["recruiter"] == {"name": "Roman"}
    joined = await socket.recv_until("state")
    assert joined[0]["message"]["text"] == "Roman joined the chat"
    assert joined[-1]["recruiter"] == {"name": "Roman"}

    # While paused the bot is silent: messages go to the recruiter, not to the script.
    await socket.answer("Can I ask about the salary?")
    seen = await watcher.recv_until("message")
    assert seen[-1]["message"]["text"] == "Can I ask about the salary?"
    assert await _db(lambda: Answer.objects.filter(response=response).count()) == 2

    await watcher.send("message", text="Sure, <b>up to 300k</b>.", id="r1")
    await watcher.recv_until("message")
    reply = await socket.recv_until("message")
    assert reply[-1]["message"] | {"id": 0, "created_at": None} == {
        "id": 0,
        "sender": "recruiter",
        "author": "Roman",
        "text": "Sure, <b>up to 300k</b>.",
        "question_id": None,
        "created_at": None,
    }

    await watcher.send("handback", id="h1")
    await watcher.recv_until("question")
    back = await socket.recv_until("question")
    assert back[0]["message"]["text"] == "Roman left the chat"
    assert "Are you allowed to work in Russia?" in back[1]["message"]["text"]
    assert next(f for f in back if f["type"] == "state")["state"] == "active"
    assert back[-1]["question"]["kind"] == "yes_no"

    frames = await socket.answer("yes")
    assert _question(frames)["kind"] == "multiple_choice"
    await socket.close()
    await watcher.close()


async def test_a_recruiter_cannot_write_without_taking_over(response, candidate_socket, recruiter_socket, recruiter):
    socket, _hello = await _connected(candidate_socket, response)
    watcher, _hello = await _connected(recruiter_socket, response, recruiter)
    await watcher.send("message", text="hello")
    error = await watcher.recv_until("error")
    assert error[-1]["code"] == "not_taken_over"
    await socket.close()
    await watcher.close()


async def test_a_viewer_may_watch_but_not_take_over_or_write(response, candidate_socket, recruiter_socket, viewer):
    socket, _hello = await _connected(candidate_socket, response)
    watcher, hello = await _connected(recruiter_socket, response, viewer)
    assert hello["can_take_over"] is False
    await watcher.send("takeover")
    assert (await watcher.recv_until("error"))[-1]["code"] == "forbidden"
    await watcher.send("message", text="hi")
    assert (await watcher.recv_until("error"))[-1]["code"] == "forbidden"
    session = await _db(ChatSession.objects.get, response=response)
    assert session.taken_over_by_id is None
    await socket.close()
    await watcher.close()


async def test_a_recruiter_who_leaves_while_leading_hands_the_chat_back(
    response, candidate_socket, recruiter_socket, recruiter
):
    socket, _hello = await _connected(candidate_socket, response)
    watcher, _hello = await _connected(recruiter_socket, response, recruiter)
    await watcher.send("takeover")
    await watcher.recv_until("state")
    await socket.recv_until("state")
    await watcher.close()
    back = await socket.recv_until("question")
    assert next(f for f in back if f["type"] == "state")["state"] == "active"
    await socket.close()


def _take_over_over_http(response, user):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    assert client.post(reverse("chat:takeover", args=[response.pk])).status_code == 302


async def test_a_socket_that_never_led_does_not_hand_back_when_it_closes(
    response, candidate_socket, recruiter_socket, recruiter
):
    # The takeover form posted over HTTP before the page's socket opened: the page reloads, and the old
    # page's socket closing must not undo the takeover (it did, and the browser test caught it under load).
    socket, _hello = await _connected(candidate_socket, response)
    old_page, _hello = await _connected(recruiter_socket, response, recruiter)
    await _db(_take_over_over_http, response, recruiter)
    await old_page.recv_until("state")
    await old_page.close()
    assert await _db(lambda: ChatSession.objects.get(response=response).taken_over_by_id) == recruiter.pk

    # The reloaded page's socket opened while its recruiter led, and its script said it read so (a ping): closing
    # it hands back (never a stuck bot).
    new_page, hello = await _connected(recruiter_socket, response, recruiter)
    assert hello["taken_over_by_me"] is True
    await new_page.send("ping")
    await new_page.recv_until("pong")
    await new_page.close()
    back = await socket.recv_until("question")  # the takeover's frames, then the hand-back's
    assert [f["state"] for f in back if f["type"] == "state"] == ["paused", "active"]
    assert await _db(lambda: ChatSession.objects.get(response=response).taken_over_by_id) is None
    await socket.close()


async def test_a_page_replaced_before_its_script_read_the_hello_does_not_hand_back(
    response, candidate_socket, recruiter_socket, recruiter
):
    # The recruiter leads; their page's socket gets the hello, but the page posts a message over HTTP before its
    # script has read it (Enter pressed at once) and reloads: the old socket closing must not hand back (it did,
    # and the queue's browser test caught it under load).
    socket, _hello = await _connected(candidate_socket, response)
    await _db(_take_over_over_http, response, recruiter)
    page, hello = await _connected(recruiter_socket, response, recruiter)
    assert hello["taken_over_by_me"] is True
    await page.close()  # not a frame sent: the page was replaced
    assert await _db(lambda: ChatSession.objects.get(response=response).taken_over_by_id) == recruiter.pk
    await socket.close()


async def test_recruiters_get_evaluation_updates_and_candidates_ignore_them(
    response, candidate_socket, recruiter_socket, recruiter
):
    from channels.layers import get_channel_layer

    from screening.live import response_group

    socket, _hello = await _connected(candidate_socket, response)
    watcher, _hello = await _connected(recruiter_socket, response, recruiter)
    await get_channel_layer().group_send(
        response_group(response.pk), {"type": "evaluation.updated", "response_id": response.pk}
    )
    frame = await watcher.recv()
    assert frame == {"v": 1, "type": "evaluation.updated", "response_id": response.pk}
    assert await socket.nothing()
    frames = await socket.answer("Moscow")  # the candidate's socket still works
    assert _question(frames)
    await socket.close()
    await watcher.close()


async def test_an_unwatched_chat_sends_nothing_to_the_recruiters_group(response, candidate_socket):
    from channels.layers import get_channel_layer

    from chat.live import staff_group

    layer = get_channel_layer()
    spy = await layer.new_channel()
    await layer.group_add(staff_group(response.pk), spy)  # listening without being counted as a watcher
    socket, _hello = await _connected(candidate_socket, response)
    await socket.answer("Moscow")
    await socket.close()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(spy), timeout=0.2)


async def test_a_recruiter_watching_before_the_candidate_comes_sees_the_chat_live(
    response, candidate_socket, recruiter_socket, recruiter
):
    watcher, hello = await _connected(recruiter_socket, response, recruiter)
    assert hello["messages"] == [] and hello["candidate_online"] is False
    socket, hello = await _connected(candidate_socket, response)
    assert _bot_texts([{"type": "message", "message": m} for m in hello["messages"]])[0].startswith("Hi, Anna!")
    assert (await watcher.recv()) == {"v": 1, "type": "presence", "candidate_online": True}
    await socket.answer("Moscow")
    frames = await watcher.recv_until("question")
    assert next(f["message"]["text"] for f in frames if f["type"] == "message") == "Moscow"
    await socket.close()
    assert (await watcher.recv()) == {"v": 1, "type": "presence", "candidate_online": False}
    await watcher.close()
    session = await _db(ChatSession.objects.get, response=response)
    assert session.watchers == 0 and session.candidate_sockets == 0


async def test_a_watching_recruiter_sees_answers_sent_without_javascript(response, recruiter_socket, recruiter, client):
    from django.urls import reverse

    await sync_to_async(client.get)(response.get_chat_url())  # the page opens the chat (greeting, question 1)
    watcher, hello = await _connected(recruiter_socket, response, recruiter)
    assert hello["question"]["kind"] == "single_choice"
    url = reverse("chat:fallback", args=[response.token])
    reply = await sync_to_async(client.post)(url, {"client_id": "form-1", "text": "Moscow"})
    assert reply.status_code == 302
    assert reply.url == f"{response.get_chat_url()}#chat-form"
    frames = await watcher.recv_until("question")
    assert next(f["message"]["text"] for f in frames if f["type"] == "message") == "Moscow"
    assert frames[-1]["question"]["kind"] == "number"
    await watcher.close()


async def test_watchers_see_a_turn_as_the_same_frames_from_the_form_and_from_the_socket(
    response, candidate_socket, recruiter_socket, recruiter, client
):
    """One builder (``chat.frames.turn_frames``) for the no-JavaScript view and the socket."""
    from django.urls import reverse

    def shape(frames):
        shown = [f for f in frames if f["type"] in ("message", "state", "question")]
        return [(f["type"], f.get("message", {}).get("sender"), (f.get("question") or {}).get("number")) for f in shown]

    await sync_to_async(client.get)(response.get_chat_url())
    watcher, _hello = await _connected(recruiter_socket, response, recruiter)
    await sync_to_async(client.post)(
        reverse("chat:fallback", args=[response.token]), {"client_id": "f1", "text": "Moscow"}
    )
    by_form = await watcher.recv_until("question")
    socket, _hello = await _connected(candidate_socket, response)
    await socket.answer("5")
    by_socket = await watcher.recv_until("question")
    assert shape(by_form) == [("message", "candidate", None), ("message", "bot", None), ("question", None, 2)]
    assert shape(by_socket) == [("message", "candidate", None), ("message", "bot", None), ("question", None, 3)]
    assert by_form[-1]["question"].keys() == by_socket[-1]["question"].keys()
    assert by_form[-3]["message"].keys() == by_socket[-3]["message"].keys()
    await socket.close()
    await watcher.close()


async def test_live_is_counted_per_open_candidate_socket(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    session = await _db(ChatSession.objects.get, response=response)
    assert session.is_live
    await socket.close()
    await _db(session.refresh_from_db)
    assert not session.is_live


async def test_ping_gets_pong(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.send("ping", id="p1")
    assert await socket.recv() == {"v": 1, "type": "pong", "id": "p1"}
    await socket.close()


# Refused sockets ---------------------------------------------------------------------------------


async def test_an_unknown_token_is_refused(db, candidate_socket, asgi_app):
    from .conftest import Socket

    socket = Socket(asgi_app, "/ws/chat/" + "x" * 43 + "/")
    connected, code = await socket.connect()
    assert not connected and code == 4404


async def test_a_token_joins_only_its_own_chat(response, company, candidate_socket):
    other = await _db(ResponseFactory, vacancy=response.vacancy)
    socket, hello = await _connected(candidate_socket, other)
    assert hello["response_id"] == other.pk
    assert await _db(lambda: ChatSession.objects.filter(response=response).exists()) is False
    await socket.close()


async def test_an_anonymous_recruiter_socket_is_refused(response, recruiter_socket):
    socket = await recruiter_socket(response)
    connected, code = await socket.connect()
    assert not connected and code == 4403


async def test_an_outsider_recruiter_socket_is_refused(response, recruiter_socket, outsider):
    socket = await recruiter_socket(response, outsider)
    connected, code = await socket.connect()
    assert not connected and code == 4403


async def test_a_socket_from_another_origin_is_refused(response, candidate_socket):
    socket = candidate_socket(response, headers=[(b"origin", b"https://evil.example")])
    connected, _code = await socket.connect()
    assert not connected
    socket = candidate_socket(response, headers=[])
    connected, _code = await socket.connect()
    assert not connected
    assert await _db(lambda: ChatSession.objects.exists()) is False


async def test_a_draft_vacancys_chat_still_opens_by_token_for_an_existing_response(company, candidate_socket):
    # The link stays valid for people who applied before the vacancy was closed.
    vacancy = await _db(VacancyFactory, company=company, status=Vacancy.Status.CLOSED)
    await _db(QuestionFactory, vacancy=vacancy)
    response = await _db(ResponseFactory, vacancy=vacancy)
    socket, hello = await _connected(candidate_socket, response)
    assert hello["state"] == "active"
    await socket.close()


def test_origin_constant_matches_test_host():
    assert ORIGIN[1] == b"http://testserver"


async def test_every_tab_of_the_recruiter_who_takes_over_is_told_it_leads_and_no_one_else(
    response, candidate_socket, recruiter_socket, recruiter, owner
):
    socket, _hello = await _connected(candidate_socket, response)
    tab_a, _hello = await _connected(recruiter_socket, response, recruiter)
    tab_b, _hello = await _connected(recruiter_socket, response, recruiter)
    colleague, _hello = await _connected(recruiter_socket, response, owner)

    await tab_a.send("takeover", id="t1")
    assert (await tab_a.recv_until("state"))[-1]["taken_over_by_me"] is True
    assert (await tab_b.recv_until("state"))[-1]["taken_over_by_me"] is True  # the same person, another tab
    assert (await colleague.recv_until("state"))[-1]["taken_over_by_me"] is False
    # The candidate is shown who leads by first name only: no staff ids, no "me".
    seen = (await socket.recv_until("state"))[-1]
    assert seen["recruiter"] == {"name": "Roman"} and "taken_over_by_me" not in seen

    await tab_b.send("handback", id="h1")
    for tab in (tab_a, tab_b, colleague):
        state = next(f for f in await tab.recv_until("state") if f["type"] == "state")
        assert state["state"] == "active" and state["taken_over_by_me"] is False
    for each in (socket, tab_a, tab_b, colleague):
        await each.close()
