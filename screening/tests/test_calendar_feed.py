"""The recruiter's calendar feed shows what became of each interview: a cancelled one as ``STATUS:CANCELLED``
(calendars drop it), a no-show kept ``CONFIRMED`` (the time was held) but marked in its title and description.
Read back by parsing the feed with ``icalendar``, as a calendar would."""

from datetime import datetime, time, timedelta

import pytest
from icalendar import Calendar

from screening.models import Booking, Response
from screening.services import calendars
from screening.services import scheduling as svc
from screening.tests.factories import ResponseFactory
from screening.tests.test_scheduling import BERLIN, NOW
from screening.tests.test_scheduling import clock as scheduling_clock
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

clock = scheduling_clock  # the scheduling tests' frozen Tuesday (NOW)


@pytest.fixture
def vacancy(company, clock):
    return VacancyFactory(company=company, title="Python developer", language="en")


def _booking(vacancy, *, days: int, name: str) -> Booking:
    starts_at = datetime.combine(NOW.date() + timedelta(days=days), time(10), tzinfo=BERLIN)
    slot = svc.slot_create(vacancy=vacancy, starts_at=starts_at)
    response = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name=name)
    return svc.booking_create(response=response, slot_id=slot.pk)


def _events_by_candidate(user) -> dict:
    ics = calendars.calendar_feed_render(token=calendars.calendar_feed_create(user=user)).ics
    events = Calendar.from_ical(ics).walk("VEVENT")
    return {str(event["description"]).split("Candidate: ")[1].split("\n")[0]: event for event in events}


def test_a_no_show_stays_confirmed_with_no_show_in_its_title_and_description(vacancy, recruiter, clock):
    missed = _booking(vacancy, days=1, name="Anna Petrova")
    came = _booking(vacancy, days=2, name="Boris Ivanov")
    cancelled = _booking(vacancy, days=3, name="Vera Sokolova")
    svc.booking_cancel(booking=cancelled, by=svc.RECRUITER, user=recruiter)
    clock.move_to(NOW + timedelta(days=3))
    svc.booking_mark(booking=missed, status=Booking.Status.NO_SHOW, user=recruiter)
    svc.booking_mark(booking=came, status=Booking.Status.ATTENDED, user=recruiter)

    events = _events_by_candidate(recruiter)

    no_show = events["Anna Petrova"]
    assert str(no_show["status"]) == "CONFIRMED"
    assert str(no_show["summary"]) == f"[No-show] Interview: Python developer ({vacancy.company.name})"
    assert str(no_show["description"]).startswith("No-show: the candidate did not come to this interview.\n")
    attended = events["Boris Ivanov"]
    assert (str(attended["status"]), str(attended["summary"])) == (
        "CONFIRMED",
        f"Interview: Python developer ({vacancy.company.name})",
    )
    assert "No-show" not in str(attended["description"])
    assert str(events["Vera Sokolova"]["status"]) == "CANCELLED"


def test_a_no_show_marked_by_mistake_and_corrected_loses_the_mark(vacancy, recruiter, clock):
    booking = _booking(vacancy, days=1, name="Anna Petrova")
    clock.move_to(NOW + timedelta(days=2))
    svc.booking_mark(booking=booking, status=Booking.Status.NO_SHOW, user=recruiter)
    svc.booking_mark(booking=booking, status=Booking.Status.ATTENDED, user=recruiter)

    event = _events_by_candidate(recruiter)["Anna Petrova"]

    assert "No-show" not in str(event["summary"]) + str(event["description"])
