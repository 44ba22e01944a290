"""iCalendar (RFC 5545) documents for interviews: the invitation attached to a booking's emails and the
recruiters' subscribed feeds (docs/scheduling.md). Pure: the callers pass plain values, no ORM here.

Times are written in UTC (``DTSTART:20261027T090000Z``): every calendar shows them in its user's own zone,
and no VTIMEZONE is needed. A booking keeps one UID for its whole life; a reschedule or a cancellation sends
the same UID with a higher SEQUENCE, so calendars update the event instead of adding one.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import translation
from django.utils.formats import date_format
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//SmartBot//Interviews//EN"
UID_DOMAIN = "smartbot"
# Languages whose weekday names are common nouns, lowercase inside a sentence ("вторник, 12 мая"): Django's
# ``l`` format capitalises them as a calendar heading would ("Вторник").
LOWERCASE_WEEKDAYS = frozenset({"ru"})


def span_text(starts_at: datetime, duration_minutes: int, time_zone: str) -> str:
    """An interview's time for people, in the active language and named zone:
    "Tuesday, 27 October 2026, 10:00–10:45 (Europe/Berlin)", "вторник, 27 октября 2026, 10:00–10:45
    (Europe/Berlin)" (the weekday lowercase where the language writes it so, ``LOWERCASE_WEEKDAYS``: the text
    stands mid-sentence in emails and the chat). ``starts_at`` is aware; ``time_zone`` an IANA name (UTC when
    empty or unknown). The end is computed in UTC, so a span across a clock change is right."""
    try:
        tz = zoneinfo.ZoneInfo(time_zone) if time_zone else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz, time_zone = UTC, "UTC"
    start_utc = starts_at.astimezone(UTC)
    start, end = start_utc.astimezone(tz), (start_utc + timedelta(minutes=duration_minutes)).astimezone(tz)
    weekday = date_format(start, "l")
    if (translation.get_language() or "").split("-")[0] in LOWERCASE_WEEKDAYS:
        weekday = weekday.lower()
    return f"{weekday}, {date_format(start, 'j E Y')}, {start:%H:%M}–{end:%H:%M} ({time_zone or 'UTC'})"


@dataclass(frozen=True)
class Interview:
    """What an interview's calendar event says. ``starts_at`` is an aware datetime; ``status`` is
    ``"CONFIRMED"`` or ``"CANCELLED"``; ``attendees`` are ``(name, email)`` pairs."""

    uid: str
    sequence: int
    starts_at: datetime
    duration_minutes: int
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer: tuple[str, str] | None = None
    attendees: list[tuple[str, str]] = field(default_factory=list)
    status: str = "CONFIRMED"
    stamp: datetime | None = None


def _calendar(method: str | None = None, *, name: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _address(name: str, email: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    address.params.update(params)
    return address


def _event(interview: Interview) -> Event:
    event = Event()
    event.add("uid", f"{interview.uid}@{UID_DOMAIN}")
    event.add("sequence", interview.sequence)
    event.add("dtstamp", (interview.stamp or datetime.now(UTC)).astimezone(UTC))
    start = interview.starts_at.astimezone(UTC)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=interview.duration_minutes))
    event.add("summary", interview.summary)
    event.add("status", interview.status)
    if interview.description:
        event.add("description", interview.description)
    if interview.location:
        event.add("location", interview.location)
    if interview.url:
        event.add("url", interview.url)
    if interview.organizer:
        event.add("organizer", _address(*interview.organizer))
    for name, email in interview.attendees:
        if email:
            event.add("attendee", _address(name, email, role="REQ-PARTICIPANT", partstat="ACCEPTED"))
    return event


def booking_ics(interview: Interview, *, cancel: bool = False) -> str:
    """One interview as an email attachment: ``METHOD:REQUEST`` (booked or moved), or ``METHOD:CANCEL`` with
    ``STATUS:CANCELLED`` when ``cancel``. Returns the text (CRLF lines), ready for ``text/calendar``."""
    cal = _calendar("CANCEL" if cancel else "REQUEST")
    if cancel:
        interview = Interview(**{**interview.__dict__, "status": "CANCELLED"})
    cal.add_component(_event(interview))
    return cal.to_ical().decode()


def feed_ics(interviews: list[Interview], *, name: str = "SmartBot") -> str:
    """A subscribed calendar (no METHOD, as feeds are published, RFC 5545 3.7.2): one event per interview;
    cancelled ones keep ``STATUS:CANCELLED`` so subscribed calendars drop them."""
    cal = _calendar(name=name)
    for interview in interviews:
        cal.add_component(_event(interview))
    return cal.to_ical().decode()
