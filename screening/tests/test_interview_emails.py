"""The candidate's interview emails with the real default templates (``screening.services.interview_emails``): a
moved interview says so, with the new and the earlier time, and its invitation updates the same calendar event
(same UID, higher SEQUENCE: RFC 5545 §3.8.7.4); an offer lists the first three free times in the candidate's
zone with the booking link; Russian weekdays are lowercase mid-sentence, in emails and the chat alike."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation
from icalendar import Calendar

from screening.calendar import span_text
from screening.models import EmailTemplate, Response, SentEmail
from screening.services import scheduling as svc
from screening.services.interview_chat import MOVED, booking_note_text
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _vacancy(company, language="en"):
    company.time_zone = "Europe/Berlin"
    company.save(update_fields=["time_zone"])
    title = "Python developer" if language == "en" else "Python-разработчик"
    return VacancyFactory(company=company, title=title, language=language)


def _slots(vacancy, days=(22, 23)):
    # 08:00 UTC: 10:00 in Berlin, 17:00 in Tokyo.
    return [svc.slot_create(vacancy=vacancy, starts_at=datetime(2026, 10, day, 8, tzinfo=UTC)) for day in days]


def _emails(key):
    return list(SentEmail.objects.filter(template=key).order_by("pk"))


def _event(row):
    cal = Calendar.from_ical(row.ics)
    (event,) = cal.walk("VEVENT")
    return str(cal["method"]), event


# --- a moved interview -----------------------------------------------------------------------------------------


MOVED_WORDING = {
    "en": {
        "subject": "Your interview is moved: Python developer",
        "new": (
            "is moved to a new time:\nFriday, 23 October 2026, 17:00–17:45 (Asia/Tokyo) · "
            "Friday, 23 October 2026, 10:00–10:45 (Europe/Berlin)"
        ),
        "old": "The earlier time is cancelled: Thursday, 22 October 2026, 17:00–17:45 (Asia/Tokyo).",
        "booked": "Your interview for Python developer at Acme is booked",
    },
    "ru": {
        "subject": "Собеседование перенесено: Python-разработчик",
        "new": (
            "перенесено на новое время:\nпятница, 23 октября 2026, 17:00–17:45 (Asia/Tokyo) · "
            "пятница, 23 октября 2026, 10:00–10:45 (Europe/Berlin)"
        ),
        "old": "Прежнее время отменено: четверг, 22 октября 2026, 17:00–17:45 (Asia/Tokyo).",
        "booked": "Ваше собеседование по вакансии Python-разработчик в Acme назначено",
    },
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_moved_interview_is_emailed_as_a_move_with_the_new_and_the_earlier_time(
    company, language, django_capture_on_commit_callbacks
):
    wording = MOVED_WORDING[language]
    vacancy = _vacancy(company, language)
    first, second = _slots(vacancy)
    anna = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova")
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_create(response=anna, slot_id=first.pk, candidate_time_zone="Asia/Tokyo")
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_create(response=anna, slot_id=second.pk)
    booked, moved = _emails(EmailTemplate.Key.BOOKING_CONFIRMED)
    assert wording["booked"] in booked.body_text and wording["old"] not in booked.body_text
    assert moved.subject == wording["subject"]
    assert wording["new"] in moved.body_text
    assert wording["old"] in moved.body_text
    assert wording["booked"] not in moved.body_text
    assert f"/chat/{anna.token}/interview/" in moved.body_text
    assert "<p>" in moved.body_html and "Asia/Tokyo" in moved.body_html


def test_the_moved_invitation_updates_the_same_event_with_a_higher_sequence(
    company, django_capture_on_commit_callbacks
):
    vacancy = _vacancy(company)
    first, second = _slots(vacancy)
    anna = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    with django_capture_on_commit_callbacks(execute=True):
        booking = svc.booking_create(response=anna, slot_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_create(response=anna, slot_id=second.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_cancel(booking=booking, by=svc.CANDIDATE)
    booked, moved = _emails(EmailTemplate.Key.BOOKING_CONFIRMED)
    (cancelled,) = _emails(EmailTemplate.Key.BOOKING_CANCELLED)
    events = [_event(row) for row in (booked, moved, cancelled)]
    assert {str(event["uid"]) for _method, event in events} == {f"{booking.uid}@smartbot"}
    assert [int(event["sequence"]) for _method, event in events] == [0, 1, 2]
    assert [method for method, _event in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert events[0][1].decoded("dtstart") == first.starts_at
    assert events[1][1].decoded("dtstart") == second.starts_at
    assert str(events[2][1]["status"]) == "CANCELLED"


def test_a_companys_own_booked_wording_names_the_earlier_time_once_when_moved(
    company, django_capture_on_commit_callbacks
):
    vacancy = _vacancy(company)
    first, second, third = _slots(vacancy, days=(22, 23, 26))
    EmailTemplate.objects.create(
        company=company, key="booking_confirmed", language="en", subject="See you", body="At {slot}: {booking_url}"
    )
    anna = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    for slot in (first, second):
        with django_capture_on_commit_callbacks(execute=True):
            svc.booking_create(response=anna, slot_id=slot.pk)
    booked, moved = _emails(EmailTemplate.Key.BOOKING_CONFIRMED)
    assert "moved" not in booked.body_text
    assert moved.subject == "See you"
    assert moved.body_text.endswith(
        "\n\nYour interview was moved; the earlier time is cancelled: Thursday, 22 October 2026, 10:00–10:45 "
        "(Europe/Berlin).\n"
    )
    EmailTemplate.objects.filter(key="booking_confirmed").update(body="At {slot} (was {previous_slot}): {booking_url}")
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_create(response=anna, slot_id=third.pk)
    again = _emails(EmailTemplate.Key.BOOKING_CONFIRMED)[-1]
    assert "(was Friday, 23 October 2026, 10:00–10:45 (Europe/Berlin))" in again.body_text
    assert "Your interview was moved" not in again.body_text


# --- the offer's email -----------------------------------------------------------------------------------------


OFFER_WORDING = {
    "en": {
        "intro": "The first free times for your interview:",
        "times": [
            "• Thursday, 22 October 2026, 10:00–10:45 (Europe/Berlin)",
            "• Friday, 23 October 2026, 10:00–10:45 (Europe/Berlin)",
            "• Monday, 26 October 2026, 09:00–09:45 (Europe/Berlin)",
        ],
        "fourth": "27 October",
        "more": "Book one of them, or see every free time, here:",
    },
    "ru": {
        "intro": "Ближайшее свободное время для собеседования:",
        "times": [
            "• четверг, 22 октября 2026, 10:00–10:45 (Europe/Berlin)",
            "• пятница, 23 октября 2026, 10:00–10:45 (Europe/Berlin)",
            "• понедельник, 26 октября 2026, 09:00–09:45 (Europe/Berlin)",
        ],
        "fourth": "27 октября",
        "more": "Запишитесь на одно из них или посмотрите всё свободное время здесь:",
    },
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_offer_lists_the_first_three_free_times_and_the_booking_link(company, recruiter, language):
    wording = OFFER_WORDING[language]
    vacancy = _vacancy(company, language)
    _slots(vacancy, days=(27, 22, 26, 23))  # four free, made out of order; 26 October is after the clock change
    anna = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    assert svc.slots_offer(response=anna, actor=recruiter) is True
    (sent,) = _emails(EmailTemplate.Key.SLOTS_OFFERED)
    body = sent.body_text
    assert wording["intro"] + "\n" + "\n".join(wording["times"]) + "\n\n" + wording["more"] in body
    assert wording["fourth"] not in body
    assert f"/chat/{anna.token}/interview/\n" in body
    assert "<br>\n• " in sent.body_html


def test_the_offer_is_in_the_zone_the_candidates_browser_told_before(company, recruiter, vacancy_tokyo_candidate):
    anna = vacancy_tokyo_candidate
    assert svc.slots_offer(response=anna, actor=recruiter) is True
    (sent,) = _emails(EmailTemplate.Key.SLOTS_OFFERED)
    assert (
        "• Thursday, 22 October 2026, 17:00–17:45 (Asia/Tokyo)\n• Friday, 23 October 2026, 17:00–17:45 (Asia/Tokyo)\n"
        in sent.body_text
    )
    assert "Europe/Berlin" not in sent.body_text


@pytest.fixture
def vacancy_tokyo_candidate(company):
    vacancy = _vacancy(company)
    first, _second = _slots(vacancy)
    anna = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    booking = svc.booking_create(response=anna, slot_id=first.pk, candidate_time_zone="Asia/Tokyo")
    svc.booking_cancel(booking=booking, by=svc.CANDIDATE)  # the slot is free again; the zone is remembered
    return anna


# --- one text of a time, in emails and the chat ------------------------------------------------------------------


def test_russian_weekdays_are_lowercase_and_english_ones_capitalised():
    wednesday = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    with translation.override("ru"):
        assert span_text(wednesday, 45, "Europe/Moscow") == "среда, 2 декабря 2026, 10:00–10:45 (Europe/Moscow)"
    with translation.override("en"):
        assert span_text(wednesday, 45, "Europe/Moscow") == "Wednesday, 2 December 2026, 10:00–10:45 (Europe/Moscow)"


def test_the_chats_line_about_a_move_has_the_lowercase_weekday_too(company):
    vacancy = _vacancy(company, "ru")
    (slot,) = _slots(vacancy, days=(28,))
    booking = svc.booking_create(response=ResponseFactory(vacancy=vacancy), slot_id=slot.pk)
    with translation.override("ru"):
        text = booking_note_text(booking=booking, event=MOVED)
    assert "среда, 28 октября 2026, 09:00–09:45 (Europe/Berlin)" in text and "Среда" not in text, text
