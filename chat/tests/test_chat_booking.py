"""Interview booking inside the live chat: a candidate who passes is offered the free times as buttons
(``slots`` on the bot's message) and books one with a ``book`` frame; a time taken a moment ago gets the rest."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.tests.conftest import connected as _connected
from chat.tests.conftest import db as _db
from screening.models import Booking, Response
from screening.services import scheduling
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSING = ["Moscow", "5", "yes", None, "A payments platform in Django serving a million users every day."]


def _slots(vacancy, count=2):
    return [
        scheduling.slot_create(vacancy=vacancy, starts_at=timezone.now() + timedelta(days=day))
        for day in range(2, 2 + count)
    ]


async def _finish(socket, hello):
    question = hello["question"]
    frames = []
    for text in PASSING:
        if text is None:
            frames = await socket.answer(choices=["Django"], question=question["id"])
        else:
            frames = await socket.answer(text, question=question["id"])
        question = next((f["question"] for f in frames if f["type"] == "question"), question)
    return frames


def _offer(frames):
    return next(f["message"] for f in frames if f["type"] == "message" and f["message"].get("slots"))


async def test_a_candidate_who_passes_is_offered_times_and_books_one_in_the_chat(vacancy, response, candidate_socket):
    slots = await _db(_slots, vacancy)
    socket, hello = await _connected(candidate_socket, response)
    frames = await _finish(socket, hello)
    offer = _offer(frames)
    assert [s["id"] for s in offer["slots"]] == [s.pk for s in slots]
    assert offer["slots"][0]["starts_at"] == slots[0].starts_at.isoformat()
    # The transcript is the team's to read (viewers, the API): no private link of the candidate in it.
    assert "/chat/" not in offer["text"] and "booking_url" not in offer

    await socket.send("book", slot=slots[0].pk, time_zone="Asia/Tokyo", id="b1")
    ack, reply = await socket.recv(), await socket.recv()
    assert (ack["type"], ack["id"]) == ("ack", "b1")
    assert reply["type"] == "message" and "Your interview is booked" in reply["message"]["text"]
    assert "(Asia/Tokyo)" in reply["message"]["text"]
    booking = await _db(Booking.objects.get)
    assert (booking.slot_id, booking.response_id, booking.candidate_time_zone) == (
        slots[0].pk,
        response.pk,
        "Asia/Tokyo",
    )

    # The offer is still on the transcript after a reload: the buttons come back with it.
    await socket.close()
    socket, hello = await _connected(candidate_socket, response)
    assert any(m.get("slots") for m in hello["messages"])


async def test_a_time_taken_a_moment_ago_gets_the_other_times(vacancy, response, candidate_socket):
    slots = await _db(_slots, vacancy)
    socket, hello = await _connected(candidate_socket, response)
    await _finish(socket, hello)
    rival = await _db(ResponseFactory, vacancy=vacancy, status=Response.Status.PASSED)
    await _db(scheduling.booking_create, response=rival, slot_id=slots[0].pk)

    await socket.send("book", slot=slots[0].pk)
    _ack, reply = await socket.recv(), await socket.recv()
    assert "Someone booked that time a moment ago" in reply["message"]["text"]
    assert [s["id"] for s in reply["message"]["slots"]] == [slots[1].pk]
    assert not await _db(lambda: Booking.objects.filter(response=response).exists())


async def test_a_book_frame_sent_again_books_once_and_answers_duplicate(vacancy, response, candidate_socket):
    slots = await _db(_slots, vacancy)
    socket, hello = await _connected(candidate_socket, response)
    await _finish(socket, hello)
    await socket.send("book", slot=slots[0].pk, id="b1")
    first_ack, reply = await socket.recv(), await socket.recv()
    await socket.close()

    socket, _hello = await _connected(candidate_socket, response)  # a reconnect resends the unacknowledged
    await socket.send("book", slot=slots[0].pk, id="b1")
    again = await socket.recv()

    assert (again["type"], again["id"], again["duplicate"]) == ("ack", "b1", True)
    assert again["message_id"] == first_ack["message_id"] == reply["message"]["id"]
    booking = await _db(Booking.objects.get)
    assert booking.sequence == 0  # not "moved" to the same time, no second invitation
    confirmations = await _db(
        lambda: response.chat.messages.filter(text__startswith="Your interview is booked").count()
    )
    assert confirmations == 1


@pytest.mark.parametrize("slot", ["7", True, -1, None, 2**70])
async def test_a_bad_slot_field_is_refused(response, candidate_socket, slot):
    socket, _hello = await _connected(candidate_socket, response)
    await socket.send("book", slot=slot)
    error = await socket.recv()
    assert (error["type"], error["code"]) == ("error", "invalid_field")


async def test_no_free_times_no_offer(vacancy, response, candidate_socket):
    socket, hello = await _connected(candidate_socket, response)
    frames = await _finish(socket, hello)
    assert not [f for f in frames if f["type"] == "message" and f["message"].get("slots")]


async def test_a_finished_chat_reloaded_links_its_offer_to_the_booking_page(vacancy, response, candidate_socket):
    from django.test import Client

    await _db(_slots, vacancy)
    socket, hello = await _connected(candidate_socket, response)
    await _finish(socket, hello)
    await socket.close()

    page = await _db(lambda: Client().get(response.get_chat_url()).content.decode())

    assert f'href="/chat/{response.token}/interview/"' in page  # the buttons need a socket a finished chat lacks
    await _db(Response.objects.filter(pk=response.pk).update, status=Response.Status.DECLINED)
    page = await _db(lambda: Client().get(response.get_chat_url()).content.decode())
    assert "/interview/" not in page  # nothing to book any more
