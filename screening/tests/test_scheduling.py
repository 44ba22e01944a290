"""Interview scheduling services: slots, booking, moving, cancelling, no-shows, reminders, offers, feeds.

Effects are read from the rows (bookings, recorded emails, notifications, webhook deliveries) and from
Django's locmem outbox; the clock is frozen with ``time_machine``.
"""

import json
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from icalendar import Calendar

from accounts.models import Role
from accounts.tests.factories import UserFactory
from screening import services
from screening.models import Booking, EmailTemplate, InterviewSlot, Notification, Response, SentEmail, WebhookEndpoint
from screening.services import calendars
from screening.services import scheduling as svc
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)  # a Tuesday
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def vacancy(company, clock):
    company.time_zone = "Europe/Berlin"
    company.save(update_fields=["time_zone"])
    return VacancyFactory(company=company, title="Python developer")


@pytest.fixture
def passed(vacancy):
    return ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova")


def _slot(vacancy, *, days=2, hour=10, interviewers=(), **kwargs) -> InterviewSlot:
    starts_at = datetime.combine(NOW.date() + timedelta(days=days), time(hour), tzinfo=BERLIN)
    return svc.slot_create(vacancy=vacancy, starts_at=starts_at, interviewers=interviewers, **kwargs)


def _emails(template: str):
    return list(SentEmail.objects.filter(template=template).order_by("pk"))


# --- slots -----------------------------------------------------------------------------------------------------


def test_a_slot_gets_the_companys_time_zone_by_default(vacancy, recruiter):
    slot = _slot(vacancy, interviewers=[recruiter], video_url="https://meet.example.com/x")
    assert slot.time_zone == "Europe/Berlin"
    assert slot.company == vacancy.company
    assert list(slot.interviewers.all()) == [recruiter]


def test_a_slot_in_the_past_or_with_a_foreign_interviewer_is_refused(vacancy, outsider):
    with pytest.raises(ValidationError):
        svc.slot_create(vacancy=vacancy, starts_at=NOW - timedelta(hours=1))
    with pytest.raises(ValidationError):
        _slot(vacancy, interviewers=[outsider])
    assert not InterviewSlot.objects.exists()


def test_a_series_fills_the_time_with_gaps(vacancy):
    slots = svc.slot_series_create(
        vacancy=vacancy, day=date(2026, 10, 22), start=time(10), end=time(12), duration_minutes=30, gap_minutes=15
    )
    # The last one ends exactly at 12:00.
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in slots] == ["10:00", "10:45", "11:30"]
    slots = svc.slot_series_create(
        vacancy=vacancy, day=date(2026, 10, 23), start=time(11), end=time(12), duration_minutes=40, gap_minutes=0
    )
    assert len(slots) == 1


def test_a_series_that_fits_nothing_or_too_much_is_refused(vacancy):
    with pytest.raises(ValidationError):
        svc.slot_series_create(vacancy=vacancy, day=date(2026, 10, 22), start=time(10), end=time(10, 20))
    with pytest.raises(ValidationError):
        svc.slot_series_create(
            vacancy=vacancy, day=date(2026, 10, 22), start=time(0), end=time(23, 59), duration_minutes=5
        )
    assert not InterviewSlot.objects.exists()


def test_free_slots_leave_out_booked_and_imminent_ones(vacancy, passed):
    soon = svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(minutes=20))
    booked = _slot(vacancy, days=1)
    free = _slot(vacancy, days=2)
    svc.booking_create(response=passed, slot_id=booked.pk)
    assert svc.slots_free(vacancy=vacancy) == [free]
    assert soon not in svc.slots_free(vacancy=vacancy)


def test_a_booked_slot_cannot_be_deleted_a_free_one_can(vacancy, passed):
    booked, free = _slot(vacancy, days=1), _slot(vacancy, days=2)
    svc.booking_create(response=passed, slot_id=booked.pk)
    with pytest.raises(ValidationError):
        svc.slot_delete(slot=booked)
    svc.slot_delete(slot=free)
    assert list(InterviewSlot.objects.all()) == [booked]


# --- booking ---------------------------------------------------------------------------------------------------


def test_booking_confirms_by_email_with_an_invitation_and_tells_the_interviewer(
    vacancy, passed, recruiter, owner, django_capture_on_commit_callbacks
):
    slot = _slot(vacancy, interviewers=[recruiter], location="Office, room 3")
    with django_capture_on_commit_callbacks(execute=True):
        booking = svc.booking_create(response=passed, slot_id=slot.pk, candidate_time_zone="America/New_York")
    assert booking.status == Booking.Status.BOOKED
    assert booking.candidate_time_zone == "America/New_York"
    (sent,) = _emails(EmailTemplate.Key.BOOKING_CONFIRMED)
    assert sent.to == passed.email
    cal = Calendar.from_ical(sent.ics)
    (event,) = cal.walk("VEVENT")
    assert str(cal["method"]) == "REQUEST"
    assert str(event["uid"]) == f"{booking.uid}@smartbot"
    assert event.decoded("dtstart") == slot.starts_at
    # The candidate's own zone first, the slot's beside it: 22 October 10:00 in Berlin is 04:00 in New York.
    assert "04:00" in sent.body_text and "America/New_York" in sent.body_text
    assert "10:00" in sent.body_text and "Europe/Berlin" in sent.body_text
    notes = Notification.objects.filter(kind=Notification.Kind.INTERVIEW_BOOKED)
    assert [n.user for n in notes] == [recruiter]  # the slot's interviewer, not the whole team
    # Both sides get the invitation: the interviewer's email carries their own copy, without the candidate's
    # private link (which opens the candidate's data).
    (to_interviewer,) = [m for m in mail.outbox if m.to == [recruiter.email]]
    (part,) = [a for a in to_interviewer.attachments if getattr(a, "get_content_type", None)]
    invite = Calendar.from_ical(part.get_payload(decode=True))
    assert str(invite["method"]) == "REQUEST"
    assert str(invite.walk("VEVENT")[0]["uid"]) == f"{booking.uid}@smartbot"
    assert "/chat/" not in part.get_payload(decode=True).decode()
    assert "/chat/" in Calendar.from_ical(sent.ics).walk("VEVENT")[0]["description"]  # the candidate's has it


def test_booking_without_interviewers_tells_the_team(
    vacancy, passed, recruiter, owner, django_capture_on_commit_callbacks
):
    slot = _slot(vacancy)
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_create(response=passed, slot_id=slot.pk)
    users = set(Notification.objects.filter(kind=Notification.Kind.INTERVIEW_BOOKED).values_list("user", flat=True))
    assert {owner.pk, recruiter.pk} <= users


def test_the_second_candidate_for_a_slot_gets_slot_taken(vacancy, passed):
    slot = _slot(vacancy)
    svc.booking_create(response=passed, slot_id=slot.pk)
    other = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    with pytest.raises(svc.SlotTaken):
        svc.booking_create(response=other, slot_id=slot.pk)
    assert Booking.objects.filter(status="booked").count() == 1


def test_booking_the_same_slot_twice_is_one_booking(vacancy, passed):
    slot = _slot(vacancy)
    first = svc.booking_create(response=passed, slot_id=slot.pk)
    again = svc.booking_create(response=passed, slot_id=slot.pk)
    assert again.pk == first.pk and again.sequence == 0
    assert Booking.objects.count() == 1


def test_a_slot_of_another_vacancy_is_refused(vacancy, passed, company):
    foreign = _slot(VacancyFactory(company=company))
    with pytest.raises(ValidationError):
        svc.booking_create(response=passed, slot_id=foreign.pk)
    with pytest.raises(svc.SlotTaken):
        svc.booking_create(response=passed, slot_id=10**9)


def test_a_rejected_or_withdrawn_application_cannot_book(vacancy):
    slot = _slot(vacancy)
    for status in (Response.Status.REJECTED, Response.Status.WITHDRAWN):
        response = ResponseFactory(vacancy=vacancy, status=status)
        with pytest.raises(ValidationError):
            svc.booking_create(response=response, slot_id=slot.pk)


def test_moving_keeps_the_uid_raises_the_sequence_and_frees_the_old_slot(
    vacancy, passed, django_capture_on_commit_callbacks
):
    first, second = _slot(vacancy, days=1), _slot(vacancy, days=2)
    booking = svc.booking_create(response=passed, slot_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        moved = svc.booking_create(response=passed, slot_id=second.pk)
    assert moved.pk == booking.pk and moved.uid == booking.uid
    assert moved.rescheduled is True
    assert (moved.slot, moved.sequence) == (second, 1)
    assert first in svc.slots_free(vacancy=vacancy)
    (sent,) = _emails(EmailTemplate.Key.BOOKING_CONFIRMED)
    (event,) = Calendar.from_ical(sent.ics).walk("VEVENT")
    assert int(event["sequence"]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_candidates_clicking_one_slot_at_once_one_wins(company):
    """Two threads, each with its own PostgreSQL connection, book the same slot at the same moment."""
    vacancy = VacancyFactory(company=company)
    slot = svc.slot_create(vacancy=vacancy, starts_at=datetime.now(UTC) + timedelta(days=2))
    responses = [ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = {}

    def book(response):
        try:
            barrier.wait(timeout=10)
            results[response.pk] = svc.booking_create(response=response, slot_id=slot.pk)
        except svc.SlotTaken as error:
            results[response.pk] = error
        finally:
            close_old_connections()
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=book, args=(r,)) for r in responses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = sorted(type(result).__name__ for result in results.values())
    assert outcomes == ["Booking", "SlotTaken"]
    assert Booking.objects.filter(slot=slot, status="booked").count() == 1


# --- cancel and mark -------------------------------------------------------------------------------------------


def test_the_candidate_cancels_the_slot_is_free_and_everyone_is_told(
    vacancy, passed, recruiter, django_capture_on_commit_callbacks
):
    slot = _slot(vacancy, interviewers=[recruiter])
    booking = svc.booking_create(response=passed, slot_id=slot.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_cancel(booking=booking, by=svc.CANDIDATE)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.sequence) == ("cancelled", "candidate", 1)
    assert slot in svc.slots_free(vacancy=vacancy)
    (sent,) = _emails(EmailTemplate.Key.BOOKING_CANCELLED)
    cal = Calendar.from_ical(sent.ics)
    assert str(cal["method"]) == "CANCEL"
    assert str(cal.walk("VEVENT")[0]["uid"]) == f"{booking.uid}@smartbot"
    assert Notification.objects.filter(kind=Notification.Kind.INTERVIEW_CANCELLED, user=recruiter).exists()
    with pytest.raises(ValidationError):
        svc.booking_cancel(booking=booking, by=svc.CANDIDATE)


@pytest.mark.parametrize(
    ("status", "by"), [(Response.Status.DECLINED, "recruiter"), (Response.Status.WITHDRAWN, "candidate")]
)
def test_a_declined_or_withdrawn_candidates_interview_is_cancelled(
    vacancy, passed, recruiter, status, by, django_capture_on_commit_callbacks
):
    slot = _slot(vacancy, interviewers=[recruiter])
    booking = svc.booking_create(response=passed, slot_id=slot.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_change_status(response=passed, to_status=status, actor=recruiter)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", by)
    assert slot in svc.slots_free(vacancy=vacancy)
    (sent,) = _emails(EmailTemplate.Key.BOOKING_CANCELLED)
    assert str(Calendar.from_ical(sent.ics)["method"]) == "CANCEL"


def test_a_cancelled_slot_can_be_booked_again(vacancy, passed):
    slot = _slot(vacancy)
    svc.booking_cancel(booking=svc.booking_create(response=passed, slot_id=slot.pk), by=svc.RECRUITER)
    other = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    assert svc.booking_create(response=other, slot_id=slot.pk).status == "booked"


def test_a_no_show_is_marked_after_the_start_only_and_notifies_and_emits(
    vacancy, passed, recruiter, receiver, clock, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(company=vacancy.company, url=receiver.url, events=["interview.no_show"])
    slot = _slot(vacancy, interviewers=[recruiter])
    booking = svc.booking_create(response=passed, slot_id=slot.pk)
    with pytest.raises(ValidationError):
        svc.booking_mark(booking=booking, status=Booking.Status.NO_SHOW, user=recruiter)
    clock.move_to(slot.starts_at + timedelta(minutes=50))
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_mark(booking=booking, status=Booking.Status.NO_SHOW, user=recruiter)
    booking.refresh_from_db()
    assert (booking.status, booking.marked_by) == ("no_show", recruiter)
    assert Notification.objects.filter(kind=Notification.Kind.INTERVIEW_MISSED, user=recruiter).exists()
    (request,) = receiver.requests
    body = json.loads(request["body"])
    assert body["event"] == "interview.no_show"
    assert body["data"]["booking"]["id"] == booking.pk
    assert body["data"]["response"]["id"] == passed.pk
    with pytest.raises(ValidationError):
        svc.booking_mark(booking=booking, status="cancelled", user=recruiter)


def test_booking_emits_interview_booked(vacancy, passed, receiver, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(
        company=vacancy.company, url=receiver.url, events=["interview.booked", "interview.cancelled"]
    )
    slot = _slot(vacancy)
    with django_capture_on_commit_callbacks(execute=True):
        booking = svc.booking_create(response=passed, slot_id=slot.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svc.booking_cancel(booking=booking, by=svc.RECRUITER)
    events = [json.loads(r["body"])["event"] for r in receiver.requests]
    assert events == ["interview.booked", "interview.cancelled"]
    starts_at = json.loads(receiver.requests[0]["body"])["data"]["booking"]["starts_at"]
    assert datetime.fromisoformat(starts_at) == slot.starts_at


# --- offers ----------------------------------------------------------------------------------------------------


def test_offering_slots_emails_the_booking_link(vacancy, passed, recruiter):
    _slot(vacancy)
    assert svc.slots_offer(response=passed, actor=recruiter) is True
    passed.refresh_from_db()
    assert passed.slots_offered_at == NOW
    (sent,) = _emails(EmailTemplate.Key.SLOTS_OFFERED)
    assert f"/chat/{passed.token}/interview/" in sent.body_text


def test_nothing_is_offered_without_free_slots_or_to_a_booked_candidate(vacancy, passed):
    assert svc.slots_offer(response=passed) is False
    slot = _slot(vacancy)
    svc.booking_create(response=passed, slot_id=slot.pk)
    _slot(vacancy, days=3)
    assert svc.slots_offer(response=passed) is False
    assert not _emails(EmailTemplate.Key.SLOTS_OFFERED)


# --- reminders -------------------------------------------------------------------------------------------------


def test_reminders_go_out_a_day_and_an_hour_before_once_each(vacancy, passed, clock):
    slot = _slot(vacancy, days=3)
    svc.booking_create(response=passed, slot_id=slot.pk)
    assert svc.booking_reminders_send() == 0
    clock.move_to(slot.starts_at - timedelta(hours=23, minutes=58))
    assert svc.booking_reminders_send() == 1
    assert svc.booking_reminders_send() == 0  # idempotent
    clock.move_to(slot.starts_at - timedelta(minutes=58))
    assert svc.booking_reminders_send() == 1
    assert svc.booking_reminders_send() == 0
    clock.move_to(slot.starts_at + timedelta(minutes=1))
    assert svc.booking_reminders_send() == 0
    reminders = _emails(EmailTemplate.Key.INTERVIEW_REMINDER)
    assert len(reminders) == 2
    assert all(Calendar.from_ical(r.ics).walk("VEVENT") for r in reminders)


def test_a_booking_made_an_hour_before_gets_no_extra_reminder(vacancy, passed, clock):
    slot = svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(minutes=50))
    svc.booking_create(response=passed, slot_id=slot.pk)
    assert svc.booking_reminders_send() == 0


def test_a_cancelled_booking_gets_no_reminder(vacancy, passed, clock):
    slot = _slot(vacancy, days=1)
    svc.booking_cancel(booking=svc.booking_create(response=passed, slot_id=slot.pk), by=svc.CANDIDATE)
    clock.move_to(slot.starts_at - timedelta(minutes=30))
    assert svc.booking_reminders_send() == 0


# --- time zones across the change to winter time (Europe/Berlin, Sunday 25 October 2026) -------------------------


def test_a_series_across_the_clock_change_keeps_wall_clock_times(vacancy):
    saturday = svc.slot_series_create(
        vacancy=vacancy, day=date(2026, 10, 24), start=time(10), end=time(11), duration_minutes=60
    )
    monday = svc.slot_series_create(
        vacancy=vacancy, day=date(2026, 10, 26), start=time(10), end=time(11), duration_minutes=60
    )
    # 10:00 summer time (UTC+2) is 08:00 UTC; 10:00 winter time (UTC+1) is 09:00 UTC.
    assert saturday[0].starts_at == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert monday[0].starts_at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert "10:00–11:00 (Europe/Berlin)" in calendars.slot_text(saturday[0])
    assert "10:00–11:00 (Europe/Berlin)" in calendars.slot_text(monday[0])
    # Shown in Moscow (UTC+3 all year) they are an hour apart.
    assert "11:00" in calendars.slot_text(saturday[0], "Europe/Moscow")
    assert "12:00" in calendars.slot_text(monday[0], "Europe/Moscow")


def test_a_slot_over_the_night_of_the_change_lasts_its_real_duration(vacancy):
    # 01:30 summer time + 90 real minutes: the clock went from 03:00 back to 02:00, so it ends at 02:00 winter time.
    slot = svc.slot_create(vacancy=vacancy, starts_at=datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN), duration_minutes=90)
    assert slot.starts_at == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    start, end = calendars.slot_local(slot)
    assert (start.strftime("%H:%M"), end.strftime("%H:%M")) == ("01:30", "02:00")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=90)


# --- calendar feeds --------------------------------------------------------------------------------------------


def test_a_feed_lists_my_interviews_and_the_teams_and_is_revocable(vacancy, passed, recruiter, owner):
    mine = _slot(vacancy, days=1, interviewers=[recruiter])
    teams = _slot(vacancy, days=2)
    someone_elses = _slot(vacancy, days=3, interviewers=[owner])
    booked = []
    for slot in (mine, teams, someone_elses):
        response = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
        booked.append(svc.booking_create(response=response, slot_id=slot.pk))
    token = calendars.calendar_feed_create(user=recruiter)
    result = calendars.calendar_feed_render(token=token)
    starts = [event.decoded("dtstart") for event in Calendar.from_ical(result.ics).walk("VEVENT")]
    assert starts == [mine.starts_at, teams.starts_at]
    # A feed is shared and synced by calendars: never the candidate's private link, which opens their data.
    assert "/chat/" not in result.ics and booked[0].response.token not in result.ics
    assert booked[0].response.token in calendars.booking_ics(booking=booked[0])  # only the candidate's own copy has it
    # Only a hash is stored; a new address replaces the old one; revoking ends it.
    assert token not in str(list(recruiter.calendar_feed.__dict__.values()))
    new = calendars.calendar_feed_create(user=recruiter)
    assert calendars.calendar_feed_render(token=token) is None
    assert calendars.calendar_feed_render(token=new) is not None
    assert calendars.calendar_feed_revoke(user=recruiter) is True
    assert calendars.calendar_feed_render(token=new) is None


def test_a_feed_of_a_member_who_left_is_gone(recruiter):
    token = calendars.calendar_feed_create(user=recruiter)
    recruiter.is_active = False
    recruiter.save()
    assert calendars.calendar_feed_render(token=token) is None


def test_a_viewer_may_have_a_feed_too(company):
    viewer = UserFactory(company=company, role=Role.VIEWER)
    assert calendars.calendar_feed_render(token=calendars.calendar_feed_create(user=viewer)) is not None
    assert mail.outbox == []


def test_the_beat_task_sends_the_due_reminders(vacancy, passed, clock, django_capture_on_commit_callbacks):
    from screening import tasks
    from smartbot.beat import CELERY_BEAT_SCHEDULE

    slot = _slot(vacancy, days=3)
    svc.booking_create(response=passed, slot_id=slot.pk)
    clock.move_to(slot.starts_at - timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):  # tasks are published once the transaction commits
        tasks.send_interview_reminders.delay()
    assert len(_emails(EmailTemplate.Key.INTERVIEW_REMINDER)) == 1
    assert CELERY_BEAT_SCHEDULE["send-interview-reminders"]["schedule"] == 300.0
