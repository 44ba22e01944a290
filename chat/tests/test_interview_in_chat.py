"""An open chat shows what happens to the interview elsewhere, live: a booking made, moved or cancelled on the
booking page or by a recruiter, and a recruiter's invitation to book with the times as buttons. The chat's own
``book`` frame writes its confirmation once (no second line from the service)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chat.tests.conftest import connected as _connected
from chat.tests.conftest import db as _db
from screening.models import Booking, ChatMessage
from screening.services import scheduling
from tests.api.conftest import jwt_client

pytestmark = pytest.mark.django_db(transaction=True)


def _slots(vacancy, count=2):
    return [
        scheduling.slot_create(vacancy=vacancy, starts_at=timezone.now() + timedelta(days=day))
        for day in range(2, 2 + count)
    ]


def _bot_lines(response):
    return list(
        ChatMessage.objects.filter(session__response=response, sender="bot", payload__isnull=False)
        .exclude(payload__has_key="slots")
        .values_list("text", flat=True)
    )


def _book_on_the_page(response, **data):
    return Client().post(reverse("chat:interview", args=[response.token]), data)


async def test_booking_moving_and_cancelling_on_the_booking_page_show_in_the_open_chat(
    vacancy, response, candidate_socket
):
    slots = await _db(_slots, vacancy)
    socket, _hello = await _connected(candidate_socket, response)

    await _db(_book_on_the_page, response, slot=slots[0].pk, time_zone="Asia/Tokyo")
    booked = await socket.recv()
    assert booked["type"] == "message" and booked["message"]["sender"] == "bot"
    assert booked["message"]["text"].startswith("Your interview is booked: ")
    assert "(Asia/Tokyo)" in booked["message"]["text"]

    await _db(_book_on_the_page, response, slot=slots[1].pk)
    moved = await socket.recv()
    assert moved["message"]["text"].startswith("Your interview is moved to ")

    await _db(_book_on_the_page, response, action="cancel")
    cancelled = await socket.recv()
    assert cancelled["message"]["text"].startswith("Your interview on ")
    assert cancelled["message"]["text"].endswith(" is cancelled.")
    assert len(await _db(_bot_lines, response)) == 3


async def test_a_recruiters_cancellation_over_the_api_shows_in_the_open_chat_and_to_watchers(
    vacancy, response, recruiter, candidate_socket, recruiter_socket
):
    (slot,) = await _db(_slots, vacancy, 1)
    booking = await _db(scheduling.booking_create, response=response, slot_id=slot.pk)
    socket, _hello = await _connected(candidate_socket, response)
    watcher, _hello = await _connected(recruiter_socket, response, recruiter)

    answer = await _db(lambda: jwt_client(recruiter).post(f"/api/v1/bookings/{booking.pk}/cancel/"))
    assert answer.status_code == 200
    told = await socket.recv()
    assert told["message"]["text"].startswith("The company cancelled your interview on ")
    seen = [frame for frame in await watcher.recv_until("message") if frame["type"] == "message"]
    assert seen[-1]["message"]["id"] == told["message"]["id"]


async def test_a_recruiters_invitation_shows_buttons_in_the_open_chat_and_a_click_books_once(
    vacancy, response, recruiter, candidate_socket, client
):
    slots = await _db(_slots, vacancy)
    socket, _hello = await _connected(candidate_socket, response)

    await _db(client.force_login, recruiter)
    invited = await _db(client.post, reverse("screening:invite", args=[response.pk]))
    assert invited.status_code == 302
    offer = (await socket.recv())["message"]
    assert [s["id"] for s in offer["slots"]] == [s.pk for s in slots]
    assert response.token not in offer["text"]

    await socket.send("book", slot=offer["slots"][0]["id"], id="b1")
    ack, reply = await socket.recv(), await socket.recv()
    assert (ack["type"], reply["type"]) == ("ack", "message")
    assert reply["message"]["text"].startswith("Your interview is booked: ")
    # The chat wrote its confirmation; the booking service wrote no second line.
    await socket.send("ping", id="sentinel")
    assert (await socket.recv())["type"] == "pong"
    assert await _db(_bot_lines, response) == [reply["message"]["text"]]
    assert await _db(lambda: Booking.objects.get().slot_id) == slots[0].pk


def test_screening_pushes_a_line_with_the_same_event_the_chat_fans_out():
    from chat import frames, live
    from screening.live import chat_message_event

    line = ChatMessage(pk=5, sender="bot", text="Your interview is booked", payload={"slots": [{"id": 1}]})
    assert chat_message_event(line) == live.frames_event([frames.message_frame(line)])
