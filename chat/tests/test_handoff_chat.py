"""Asking for a person in the chat: the button (socket and no-JS form), typed requests and complaints in both
languages, stuck twice; then the queue's claim takes the chat over, and the hand-back resumes the script."""

import pytest
from django.test import Client
from django.urls import reverse

from chat.tests.conftest import connected as _connected
from chat.tests.conftest import db as _db
from screening.models import Answer, ChatMessage, ChatSession, HumanRequest
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db(transaction=True)


def _types(frames):
    return [f["type"] for f in frames]


def _messages(frames, sender):
    return [f["message"]["text"] for f in frames if f["type"] == "message" and f["message"]["sender"] == sender]


def _requests():
    return list(HumanRequest.objects.order_by("id").values_list("reason", "text", "resolved_at"))


async def _human(socket):
    """Press "Talk to a person": every frame up to the question asked again (or the error)."""
    frame_id = await socket.send("human")
    frames = []
    while True:
        item = await socket.recv()
        frames.append(item)
        if item["type"] in ("question", "error"):
            return frame_id, frames


async def test_the_button_queues_a_request_acknowledges_with_a_time_and_the_script_goes_on(response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    first = hello["question"]
    frame_id, frames = await _human(socket)
    assert _types(frames) == ["ack", "message", "message", "message", "question"]
    assert frames[0]["id"] == frame_id and frames[0]["duplicate"] is False
    assert _messages(frames, "candidate") == ["I'd like to talk to a person."]
    [ack, again] = _messages(frames, "bot")
    assert "A person will answer by" in ack and "(Europe/Moscow time)" in ack
    assert again == first["text"] and frames[-1]["question"]["id"] == first["id"]
    assert await _db(_requests) == [("asked", "", None)]

    # Asking again: the same request waits, the bot says so.
    _id, frames = await _human(socket)
    assert "already been asked" in _messages(frames, "bot")[0]
    assert await _db(HumanRequest.objects.count) == 1
    # The candidate's line is not an answer; the script goes on from where it was.
    frames = await socket.answer("Moscow", question=first["id"])
    assert frames[-2]["type"] == "question" and frames[-2]["question"]["number"] == 2


async def test_a_resent_button_frame_is_a_duplicate(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.send("human", id="h-1")
    await socket.recv_until("question")
    await socket.send("human", id="h-1")
    ack = await socket.recv()
    assert ack["type"] == "ack" and ack["duplicate"] is True
    assert (await socket.recv())["type"] == "state"
    count = await _db(ChatMessage.objects.filter(sender="candidate").count)
    assert count == 1


async def test_a_typed_request_is_not_taken_as_an_answer(response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    frames = await socket.answer("Can I talk to a human, please?", question=hello["question"]["id"])
    assert "ack" in _types(frames)
    assert "A person will answer by" in _messages(frames, "bot")[0]
    assert next(f for f in frames if f["type"] == "question")["question"]["id"] == hello["question"]["id"]
    assert await _db(Answer.objects.count) == 0
    assert await _db(_requests) == [("asked", "Can I talk to a human, please?", None)]


async def test_a_russian_complaint_is_a_complaint(company, candidate_socket):
    vacancy = await _db(VacancyFactory, company=company, language="ru", title="Разработчик")
    await _db(full_script, vacancy)
    response = await _db(ResponseFactory, vacancy=vacancy, full_name="Анна")
    socket, hello = await _connected(candidate_socket, response)
    frames = await socket.answer("бот тупой, позовите менеджера", question=hello["question"]["id"])
    assert "Europe/Moscow" in _messages(frames, "bot")[0]  # (its Russian comes with compilemessages)
    assert await _db(_requests) == [("complained", "бот тупой, позовите менеджера", None)]


async def test_a_job_named_in_a_free_text_answer_is_an_answer(company, candidate_socket):
    vacancy = await _db(VacancyFactory, company=company)
    from vacancies.tests.factories import QuestionFactory

    await _db(QuestionFactory, vacancy=vacancy, position=1, text="What was your last job?", kind="text")
    await _db(QuestionFactory, vacancy=vacancy, position=2, text="Anything else?", kind="text", required=False)
    response = await _db(ResponseFactory, vacancy=vacancy)
    socket, hello = await _connected(candidate_socket, response)
    frames = await socket.answer("operator", question=hello["question"]["id"])
    assert next(f for f in frames if f["type"] == "question")["question"]["text"] == "Anything else?"
    assert await _db(HumanRequest.objects.count) == 0
    assert await _db(Answer.objects.count) == 1


async def test_stuck_twice_on_a_question_puts_the_candidate_in_the_queue(response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    frames = await socket.answer("Moscow", question=hello["question"]["id"])
    number = next(f for f in frames if f["type"] == "question")["question"]
    await socket.answer("quite a few", question=number["id"])
    assert await _db(HumanRequest.objects.count) == 0  # once is a clarification
    await socket.answer("many many", question=number["id"])
    [(reason, text, resolved)] = await _db(_requests)
    assert reason == "stuck" and "How many years" in text and "many many" in text and resolved is None


async def test_the_button_in_a_finished_chat_is_refused(response, candidate_socket):
    socket, _hello = await _connected(candidate_socket, response)
    await _db(ChatSession.objects.filter(response=response).update, state="finished")
    _id, frames = await _human(socket)
    assert frames[-1]["type"] == "error" and frames[-1]["code"] == "finished"
    assert await _db(HumanRequest.objects.count) == 0


def test_without_javascript_the_button_posts_a_form(response, client):
    client.get(response.get_chat_url())
    page = client.post(reverse("chat:human", args=[response.token]), {"client_id": "h-nojs"})
    assert page.status_code == 302 and page["Location"] == f"{response.get_chat_url()}#chat-form"
    assert HumanRequest.objects.get().reason == "asked"
    again = client.get(response.get_chat_url())
    assert "A person will answer by" in again.content.decode()
    assert f'action="/chat/{response.token}/human/"' in again.content.decode()
    # A resend of the same form writes nothing more.
    client.post(reverse("chat:human", args=[response.token]), {"client_id": "h-nojs"})
    assert ChatMessage.objects.filter(sender="candidate").count() == 1


def test_claim_takes_the_chat_over_and_hand_back_resolves_and_resumes(response, recruiter, owner):
    from chat import services

    ctx, snapshot = services.chat_open(response=response)
    services.chat_human_request(ctx=ctx, client_id="h-1")
    request = HumanRequest.objects.get()

    browser = Client()
    browser.force_login(recruiter)
    claimed = browser.post(reverse("chat:human_claim", args=[request.pk]))
    assert claimed.status_code == 302
    assert claimed["Location"] == f"{response.get_absolute_url()}#transcript"
    request.refresh_from_db()
    assert request.claimed_by == recruiter and request.resolved_at is None
    session = ChatSession.objects.get(response=response)
    assert session.taken_over_by == recruiter
    assert ChatMessage.objects.filter(sender="system", text="Roman joined the chat").exists()

    # Another recruiter cannot claim it now.
    other = Client()
    other.force_login(owner)
    refused = other.post(reverse("chat:human_claim", args=[request.pk]), follow=True)
    assert "already claimed" in refused.content.decode()

    browser.post(reverse("chat:recruiter_send", args=[response.pk]), {"client_id": "r-1", "text": "Hello, Roman here."})
    handed = browser.post(reverse("chat:handback", args=[response.pk]))
    assert handed.status_code == 302
    request.refresh_from_db()
    assert request.resolved_at is not None
    last = ChatMessage.objects.filter(sender="bot").last()
    assert last.text == "Let's continue. " + snapshot.question.text and last.question_id == snapshot.question.pk


def test_a_hand_back_without_a_word_leaves_the_request_in_the_queue(response, recruiter):
    # The recruiter claimed, then closed the tab (or the connection dropped): the chat went back to the bot, but
    # nobody answered the candidate, so the request stays open (claimed) with its SLA.
    from chat import services

    ctx, _snapshot = services.chat_open(response=response)
    services.chat_human_request(ctx=ctx, client_id="h-1")
    request = HumanRequest.objects.get()
    browser = Client()
    browser.force_login(recruiter)
    browser.post(reverse("chat:human_claim", args=[request.pk]))
    browser.post(reverse("chat:handback", args=[response.pk]))
    request.refresh_from_db()
    assert request.claimed_by == recruiter and request.resolved_at is None
    assert ChatSession.objects.get(response=response).taken_over_by is None


def test_taking_over_from_the_response_page_claims_the_waiting_request(response, recruiter):
    from chat import services

    ctx, _snapshot = services.chat_open(response=response)
    services.chat_human_request(ctx=ctx, client_id="h-1")
    browser = Client()
    browser.force_login(recruiter)
    browser.post(reverse("chat:takeover", args=[response.pk]))
    assert HumanRequest.objects.get().claimed_by == recruiter


async def test_a_watching_recruiter_sees_the_request_live(response, candidate_socket, recruiter_socket, recruiter):
    candidate, _hello = await _connected(candidate_socket, response)
    watcher, _hello = await _connected(recruiter_socket, response, recruiter)
    await _human(candidate)
    seen = await watcher.recv_until("question")
    assert _messages(seen, "candidate") == ["I'd like to talk to a person."]
