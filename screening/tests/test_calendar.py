"""The interview's iCalendar documents, parsed back with the ``icalendar`` library."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from screening.calendar import Interview, booking_ics, feed_ics

BERLIN = ZoneInfo("Europe/Berlin")


def _interview(**changes) -> Interview:
    values = {
        "uid": "0b6f0c2e-1111-4222-8333-444455556666",
        "sequence": 2,
        "starts_at": datetime(2026, 10, 26, 10, 0, tzinfo=BERLIN),  # the Monday after the clocks went back
        "duration_minutes": 45,
        "summary": "Interview: Python developer (Acme)",
        "description": "Candidate: Anna Petrova",
        "location": "Berlin office",
        "url": "https://meet.example.com/abc",
        "organizer": ("Roman Recruiter", "recruiter@acme.test"),
        "attendees": [("Anna Petrova", "anna@example.org"), ("Roman Recruiter", "recruiter@acme.test")],
    }
    return Interview(**{**values, **changes})


def test_an_invitation_is_a_request_with_the_uid_sequence_and_utc_times():
    cal = Calendar.from_ical(booking_ics(_interview()))
    assert str(cal["method"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == "0b6f0c2e-1111-4222-8333-444455556666@smartbot"
    assert int(event["sequence"]) == 2
    # 10:00 in Berlin on 26 October 2026 is CET (UTC+1): 09:00 UTC.
    assert event.decoded("dtstart") == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 10, 26, 9, 45, tzinfo=UTC)
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["location"]) == "Berlin office"
    assert str(event["url"]) == "https://meet.example.com/abc"
    assert str(event["organizer"]) == "mailto:recruiter@acme.test"
    assert [str(a) for a in event["attendee"]] == ["mailto:anna@example.org", "mailto:recruiter@acme.test"]


def test_a_cancellation_has_method_cancel_and_the_same_uid():
    cal = Calendar.from_ical(booking_ics(_interview(sequence=3), cancel=True))
    assert str(cal["method"]) == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]).startswith("0b6f0c2e")
    assert int(event["sequence"]) == 3
    assert str(event["status"]) == "CANCELLED"


def test_the_text_is_crlf_lines_a_calendar_accepts():
    text = booking_ics(_interview())
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "VERSION:2.0\r\n" in text
    assert "DTSTART:20261026T090000Z" in text


def test_a_feed_has_no_method_and_one_event_per_interview():
    summer = _interview(uid="a", starts_at=datetime(2026, 10, 23, 10, 0, tzinfo=BERLIN))  # CEST, UTC+2
    cancelled = _interview(uid="b", status="CANCELLED")
    cal = Calendar.from_ical(feed_ics([summer, cancelled], name="SmartBot interviews"))
    assert "method" not in cal
    assert str(cal["x-wr-calname"]) == "SmartBot interviews"
    first, second = cal.walk("VEVENT")
    assert first.decoded("dtstart") == datetime(2026, 10, 23, 8, 0, tzinfo=UTC)
    assert str(second["status"]) == "CANCELLED"


def test_an_empty_feed_is_still_a_calendar():
    cal = Calendar.from_ical(feed_ics([]))
    assert cal.walk("VEVENT") == []
