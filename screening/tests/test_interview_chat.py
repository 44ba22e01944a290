"""The interview in the candidate's chat transcript (``screening.services.interview_chat``): a booking made, moved
or cancelled outside the chat, and a recruiter's invitation to book, each add one bot line, pushed live to the
response's sockets after the commit. The chat's own ``book`` frame is tested in chat/tests."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from screening import services
from screening.live import response_group
from screening.models import ChatMessage, Response
from screening.services import privacy
from screening.services import scheduling as svc
from screening.tests.factories import ChatSessionFactory, ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture
def vacancy(company):
    company.time_zone = "Europe/Berlin"
    company.save(update_fields=["time_zone"])
    return VacancyFactory(company=company, title="Python developer")


@pytest.fixture
def passed(vacancy):
    response = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova")
    ChatSessionFactory(response=response)
    return response


@pytest.fixture
def slots(vacancy):
    # Thursday 22 and Friday 23 October 2026, 08:00 UTC: 10:00 in Berlin, 17:00 in Tokyo.
    return [svc.slot_create(vacancy=vacancy, starts_at=datetime(2026, 10, day, 8, tzinfo=UTC)) for day in (22, 23)]


def _lines(response):
    return list(ChatMessage.objects.filter(session__response=response).order_by("id"))


def _listen(layer, response):
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(response_group(response.pk), channel)
    return channel


def test_booking_moving_and_cancelling_outside_the_chat_each_add_one_line_in_the_candidates_zone(
    passed, slots, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = svc.booking_create(response=passed, slot_id=slots[0].pk, candidate_time_zone="Asia/Tokyo")
        svc.booking_create(response=passed, slot_id=slots[0].pk)  # a double click changes nothing
        svc.booking_create(response=passed, slot_id=slots[1].pk)
        svc.booking_cancel(booking=booking, by=svc.CANDIDATE)
    texts = [(m.sender, m.text) for m in _lines(passed)]
    assert len(texts) == 3 and {sender for sender, _text in texts} == {"bot"}
    assert texts[0][1].startswith("Your interview is booked: Thursday, 22 October 2026, 17:00–17:45 (Asia/Tokyo).")
    assert texts[1][1].startswith("Your interview is moved to Friday, 23 October 2026, 17:00–17:45 (Asia/Tokyo).")
    assert texts[2][1] == "Your interview on Friday, 23 October 2026, 17:00–17:45 (Asia/Tokyo) is cancelled."
    # The team reads the transcript: the candidate's private link is never written in it.
    assert not any(passed.token in text or "/interview/" in text for _sender, text in texts)


def test_a_recruiters_cancellation_says_the_company_cancelled(passed, slots, recruiter):
    booking = svc.booking_create(response=passed, slot_id=slots[0].pk)
    svc.booking_cancel(booking=booking, by=svc.RECRUITER, user=recruiter)
    assert _lines(passed)[-1].text == (
        "The company cancelled your interview on Thursday, 22 October 2026, 10:00–10:45 (Europe/Berlin)."
    )


def test_the_line_is_in_the_vacancys_language(vacancy, passed, slots):
    vacancy.language = "ru"
    vacancy.save(update_fields=["language"])
    svc.booking_create(response=passed, slot_id=slots[0].pk)
    (line,) = _lines(passed)
    assert line.text.startswith("Вы записаны на собеседование: четверг, 22 октября 2026, 10:00–10:45")


def test_the_line_is_pushed_live_after_the_commit_as_a_chat_message_frame(
    layer, passed, slots, django_capture_on_commit_callbacks
):
    channel = _listen(layer, passed)
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_create(response=passed, slot_id=slots[0].pk)
    (line,) = _lines(passed)
    event = async_to_sync(layer.receive)(channel)
    assert event["type"] == "chat.frames" and event["origin"] == ""
    (frame,) = event["frames"]
    assert (frame["v"], frame["type"]) == (1, "message")
    assert frame["message"] == {
        "id": line.pk,
        "sender": "bot",
        "author": None,
        "text": line.text,
        "question_id": None,
        "created_at": line.created_at.isoformat(),
    }


def test_no_chat_no_line(vacancy, slots):
    emailed = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    booking = svc.booking_create(response=emailed, slot_id=slots[0].pk)
    svc.booking_cancel(booking=booking, by=svc.CANDIDATE)
    assert not ChatMessage.objects.exists()


def test_a_declined_candidates_cancelled_interview_is_told_in_the_chat(passed, slots, recruiter):
    svc.booking_create(response=passed, slot_id=slots[0].pk)
    services.response_change_status(response=passed, to_status=Response.Status.DECLINED, actor=recruiter)
    assert _lines(passed)[-1].text.startswith("The company cancelled your interview on Thursday")


def test_a_recruiters_invitation_puts_the_offer_with_buttons_in_the_open_chat(
    layer, passed, slots, recruiter, django_capture_on_commit_callbacks
):
    channel = _listen(layer, passed)
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.slots_offer(response=passed, actor=recruiter) is True
    (offer,) = _lines(passed)
    assert offer.sender == "bot" and offer.text.startswith("You are invited to book an interview")
    assert [s["id"] for s in offer.payload["slots"]] == [s.pk for s in slots]
    assert offer.payload["slots"][0] == {
        "id": slots[0].pk,
        "starts_at": "2026-10-22T08:00:00+00:00",
        "minutes": 45,
        "label": "Thursday, 22 October 2026, 10:00–10:45 (Europe/Berlin)",
    }
    assert "/interview/" not in offer.text
    (frame,) = async_to_sync(layer.receive)(channel)["frames"]
    assert frame["message"]["id"] == offer.pk and frame["message"]["slots"] == offer.payload["slots"]


def test_the_offer_after_a_passed_screening_is_the_chats_own_not_a_second_one(passed, slots):
    assert svc.slots_offer(response=passed) is True  # the lead's follow-up: no actor
    assert not _lines(passed)


def test_nothing_is_offered_in_the_chat_of_a_withdrawn_or_erased_application_or_without_a_chat(
    vacancy, slots, recruiter
):
    withdrawn = ResponseFactory(vacancy=vacancy, status=Response.Status.WITHDRAWN)
    ChatSessionFactory(response=withdrawn)
    no_chat = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    erased = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    ChatSessionFactory(response=erased)
    privacy.candidate_erase(candidate=erased.candidate, reason="owner", actor=recruiter)
    erased.refresh_from_db()
    assert svc.slots_offer(response=withdrawn, actor=recruiter) is False
    assert svc.slots_offer(response=no_chat, actor=recruiter) is True  # by email only
    svc.slots_offer(response=erased, actor=recruiter)
    assert not ChatMessage.objects.filter(sender="bot").exists()


def test_no_free_time_no_offer_line(passed, recruiter, vacancy):
    svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(minutes=20))  # inside the booking notice
    assert svc.slots_offer(response=passed, actor=recruiter) is False
    assert not _lines(passed)
