"""A recruiter watching on the web sees the Telegram conversation live (their socket gets the turns), takes it
over from the socket and hands it back; their lines reach Telegram. The response page says the candidate is in
Telegram."""

import pytest
from django.test import Client
from django.urls import reverse

from chat.tests.conftest import connected
from chat.tests.conftest import db as _db

pytestmark = pytest.mark.django_db(transaction=True)


def _texts(frames, sender=None):
    return [
        f["message"]["text"]
        for f in frames
        if f["type"] == "message" and (sender is None or f["message"]["sender"] == sender)
    ]


async def _frames_until(socket, predicate):
    frames = []
    while True:
        frames.append(await socket.recv(timeout=10))
        if predicate(frames[-1]):
            return frames


async def test_the_recruiter_sees_telegram_turns_takes_over_and_hands_back(
    response, ivan, recruiter, recruiter_socket, fake_telegram
):
    await _db(ivan.start, response)
    socket, hello = await connected(recruiter_socket, response, user=recruiter)
    assert hello["question"]["number"] == 1

    # The candidate answers in Telegram: the watching recruiter's socket gets the turn.
    await _db(ivan.press, "Moscow")
    frames = await _frames_until(socket, lambda f: f["type"] == "question")
    assert _texts(frames, "candidate") == ["Moscow"]
    assert frames[-1]["question"]["number"] == 2

    # Takeover from the socket: the candidate reads it in Telegram.
    await socket.send("takeover")
    await _frames_until(socket, lambda f: f["type"] == "state")
    messages = await _db(fake_telegram.wait_for_messages, ivan.token, ivan.user_id, 4)
    assert messages[-1]["text"] == "— Roman joined the chat —"
    await socket.send("message", text="Hi Ivan, what is your notice period?")
    await _frames_until(socket, lambda f: f["type"] == "ack")
    messages = await _db(fake_telegram.wait_for_messages, ivan.token, ivan.user_id, 5)
    assert messages[-1]["text"] == "Roman: Hi Ivan, what is your notice period?"

    # The candidate's Telegram message reaches the recruiter's socket.
    await _db(ivan.send, "Two weeks")
    frames = await _frames_until(socket, lambda f: f["type"] == "message" and f["message"]["sender"] == "candidate")
    assert _texts(frames, "candidate") == ["Two weeks"]

    # Hand back: the bot asks again in Telegram, with the question's buttons.
    await socket.send("handback")
    await _frames_until(socket, lambda f: f["type"] == "question")
    messages = await _db(fake_telegram.wait_for_messages, ivan.token, ivan.user_id, 7)
    assert [m["text"] for m in messages[-2:]] == [
        "— Roman left the chat —",
        "Let's continue. How many years of Python experience do you have?",
    ]
    assert [b["text"] for row in messages[-1]["buttons"] for b in row] == ["Talk to a person"]


async def test_the_candidates_open_web_chat_follows_answers_given_in_telegram(response, ivan, candidate_socket):
    """Found on the demo: the web chat page learnt of Telegram answers only at its next send."""
    await _db(ivan.start, response)
    socket, hello = await connected(candidate_socket, response)
    assert hello["question"]["number"] == 1

    await _db(ivan.press, "Moscow")

    frames = await _frames_until(socket, lambda f: f["type"] == "question")
    assert _texts(frames, "candidate") == ["Moscow"] and frames[-1]["question"]["number"] == 2


def test_the_response_page_says_the_candidate_is_in_telegram(response, ivan, recruiter):
    ivan.start(response)
    web = Client()
    web.force_login(recruiter)
    page = web.get(reverse("screening:response", args=[response.pk]))
    assert "The candidate is in Telegram (@ivan_tg)." in page.content.decode()
