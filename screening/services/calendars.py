"""Interview times for people and calendars: time zones, the text of a slot, a booking's invitation or
cancellation (.ics, RFC 5545 through ``screening.calendar``), and recruiters' private calendar feeds
(docs/scheduling.md)."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User, is_time_zone_name
from screening.models import Booking, CalendarFeed, InterviewSlot, Response

from .. import calendar

# The feed shows interviews from this long ago on.
FEED_PAST = timedelta(days=60)


# --- time zones and texts ---------------------------------------------------------------------------------------


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone ``name``; UTC for an empty or unknown name (stored names are validated)."""
    try:
        return zoneinfo.ZoneInfo(name) if name else zoneinfo.ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def zone_name(name: str) -> str:
    """``name`` when it is a place's IANA zone this machine knows (as a browser sends it; see
    ``accounts.models.is_time_zone_name``), else ""."""
    return name if is_time_zone_name(name) else ""


def local_datetime(*, day: date, at: time, time_zone: str) -> datetime:
    """The aware instant of wall-clock ``day`` ``at`` in ``time_zone`` (the earlier one when clocks go back)."""
    return datetime.combine(day, at).replace(tzinfo=zone(time_zone))


def slot_local(slot: InterviewSlot, time_zone: str = "") -> tuple[datetime, datetime]:
    """(start, end) of the slot as wall-clock times in ``time_zone`` (default the slot's own)."""
    tz = zone(time_zone or slot.time_zone)
    # Arithmetic in UTC: adding to a datetime in a zone is wall-clock arithmetic, wrong across a clock change.
    start = slot.starts_at.astimezone(UTC)
    return start.astimezone(tz), (start + timedelta(minutes=slot.duration_minutes)).astimezone(tz)


def slot_text(slot: InterviewSlot, time_zone: str = "", *, place: bool = True) -> str:
    """One line for people, in the active language: "Tuesday, 27 October 2026, 10:00–10:45 (Europe/Berlin)",
    then the place or the video link when ``place``."""
    text = calendar.span_text(slot.starts_at, slot.duration_minutes, time_zone or slot.time_zone)
    if place:
        where = ", ".join(part for part in (slot.location, slot.video_url) if part)
        if where:
            text += f"; {where}"
    return text


def booking_url(response: Response) -> str:
    """The candidate's booking page (absolute): their private link, under the chat's address."""
    return settings.SITE_URL + reverse("chat:interview", args=[response.token])


def _interview(booking: Booking, *, cancel: bool = False, private_link: bool = False) -> calendar.Interview:
    # ``private_link``: the candidate's own link to move or cancel, only in their own copy (their email's .ics);
    # never in a recruiter's feed, which calendars share and sync: the link opens the candidate's data.
    slot = booking.slot
    response = booking.response
    vacancy = response.vacancy
    company = vacancy.company
    interviewers = list(slot.interviewers.all())
    organizer = (
        (interviewers[0].get_full_name() or interviewers[0].email, interviewers[0].email) if interviewers else None
    )
    with translation.override(vacancy.language):
        summary = _("Interview: %(vacancy)s (%(company)s)") % {"vacancy": vacancy.title, "company": company.name}
        lines = [_("Candidate: %(name)s") % {"name": response.full_name or response.email}]
        if slot.video_url:
            lines.append(_("Video link: %(url)s") % {"url": slot.video_url})
        if private_link:
            lines.append(_("Reschedule or cancel: %(url)s") % {"url": booking_url(response)})
        if booking.status == Booking.Status.NO_SHOW:
            # The meeting was held for them: the event stays (CONFIRMED; CANCELLED would hide it), marked where
            # every calendar shows it, in the title, and said in the description.
            summary = _("[No-show] %(summary)s") % {"summary": summary}
            lines.insert(0, _("No-show: the candidate did not come to this interview."))
    attendees = [(response.full_name, response.email)] + [(u.get_full_name(), u.email) for u in interviewers]
    return calendar.Interview(
        uid=str(booking.uid),
        sequence=booking.sequence,
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        summary=summary,
        description="\n".join(lines),
        location=slot.location or slot.video_url,
        url=slot.video_url,
        organizer=organizer,
        attendees=attendees,
        status="CANCELLED" if cancel or booking.status == Booking.Status.CANCELLED else "CONFIRMED",
    )


def booking_ics(*, booking: Booking, cancel: bool = False, for_candidate: bool = True) -> str:
    """The booking's invitation (``METHOD:REQUEST``) or its cancellation (``METHOD:CANCEL``), as text."""
    return calendar.booking_ics(_interview(booking, cancel=cancel, private_link=for_candidate), cancel=cancel)


# --- calendar feeds ------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_create(*, user: User) -> str:
    """A new private feed URL token for ``user`` (the old one, if any, stops working). Returns the token: it is
    shown once to the user and only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _token_hash(token)})
    return token


def calendar_feed_get(*, user: User) -> CalendarFeed | None:
    """The user's feed row (its creation and last fetch times; never the token), or None."""
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_revoke(*, user: User) -> bool:
    """Delete the user's feed (its URL answers 404). False when there was none."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("screening:calendar_feed", args=[token])


@dataclass(frozen=True)
class FeedResult:
    user: User
    ics: str


def calendar_feed_render(*, token: str) -> FeedResult | None:
    """The feed behind ``token``, or None (unknown, revoked, or its user left the company or is inactive).

    It lists the user's company's interviews where the user is an interviewer, plus those in slots with no
    interviewer (the team's), from ``FEED_PAST`` ago on; cancelled ones as ``STATUS:CANCELLED``, no-shows kept
    ``CONFIRMED`` with "[No-show]" before the title and a line in the description.
    """
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    if feed is None or not feed.user.is_active or feed.user.company_id is None:
        return None
    user = feed.user
    mine = Q(slot__interviewers=user) | Q(slot__interviewers__isnull=True)
    bookings = (
        Booking.objects.filter(mine, company_id=user.company_id, slot__starts_at__gte=timezone.now() - FEED_PAST)
        .select_related("slot", "response", "response__vacancy", "response__vacancy__company")
        .prefetch_related("slot__interviewers")
        .distinct()
        .order_by("slot__starts_at", "id")
    )
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
    name = _("SmartBot interviews")
    return FeedResult(user=user, ics=calendar.feed_ics([_interview(b) for b in bookings], name=name))
