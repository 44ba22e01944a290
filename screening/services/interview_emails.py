"""The candidate's interview emails (docs/scheduling.md; the wording: docs/notifications.md): the values their
placeholders get and their sending, with the booking's invitation.

- ``{slot}``: the interview's time in the candidate's zone, then in the slot's when they differ, and the place;
- ``{previous_slot}``: the earlier time of a moved interview (``booking_confirmed`` then reads as a move);
- ``{slots}``: an offer's first free times, one per line, in the candidate's zone;
- ``{booking_url}``: the candidate's booking page.

Called by ``scheduling`` after the commit (booked, moved, cancelled, reminders) and by its ``slots_offer``.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import translation

from screening.calendar import span_text
from screening.models import Booking, EmailTemplate, InterviewSlot, Response, SentEmail

from .calendars import booking_url, slot_text

# The times an offer's email lists; the booking page has every one.
OFFER_EMAIL_SLOTS = 3


def previous_slot(slot: InterviewSlot) -> dict:
    """What a move's email says of the time it left: ``{"starts_at", "minutes", "time_zone"}`` of ``slot`` (read
    before the booking moves; the slot may be deleted once it is free)."""
    return {"starts_at": slot.starts_at, "minutes": slot.duration_minutes, "time_zone": slot.time_zone}


def booking_email_extra(booking: Booking, *, previous: dict | None = None) -> dict:
    """The placeholders of the booking's emails, in the vacancy's language: ``slot``, ``booking_url`` and, for a
    move, ``previous_slot`` (``previous`` as ``previous_slot`` gives it), the earlier time in the candidate's
    zone (the old slot's when unknown)."""
    response = booking.response
    with translation.override(response.vacancy.language):
        slot = slot_text(booking.slot, booking.candidate_time_zone)
        if booking.candidate_time_zone and booking.candidate_time_zone != booking.slot.time_zone:
            slot += " · " + slot_text(booking.slot, place=False)
        extra = {"slot": slot, "booking_url": booking_url(response)}
        if previous:
            starts_at: datetime = previous["starts_at"]
            zone = booking.candidate_time_zone or previous["time_zone"]
            extra["previous_slot"] = span_text(starts_at, previous["minutes"], zone)
    return extra


def booking_email_send(*, booking: Booking, key: str, ics: str = "", previous: dict | None = None) -> SentEmail | None:
    """Queue the candidate's ``key`` email about ``booking`` (``BOOKING_CONFIRMED``, ``BOOKING_CANCELLED``,
    ``INTERVIEW_REMINDER``) with ``ics`` attached; ``previous`` (``previous_slot``) makes a confirmation a move's.
    None when nothing is sent (erased, no address). ``booking`` comes with its slot, response, vacancy, company."""
    from .emails import candidate_email_send

    extra = booking_email_extra(booking, previous=previous)
    return candidate_email_send(response=booking.response, key=key, extra=extra, ics=ics)


def candidate_time_zone(response: Response) -> str:
    """The zone the candidate's browser last told (their latest booking's, even a cancelled one), else the
    company's: the zone an offer's times are written in."""
    told = (
        Booking.objects.filter(response=response)
        .exclude(candidate_time_zone="")
        .order_by("-created_at", "-id")
        .values_list("candidate_time_zone", flat=True)
        .first()
    )
    return told or response.vacancy.company.time_zone


def slots_list_text(slots: list[InterviewSlot], time_zone: str) -> str:
    """``{slots}``: one line per slot, "• Tuesday, 12 May 2026, 15:00–15:45 (Europe/Moscow)", in the active
    language and ``time_zone`` (IANA name)."""
    return "\n".join("• " + slot_text(slot, time_zone, place=False) for slot in slots)


def slots_offered_email_send(*, response: Response, free: list[InterviewSlot], actor=None) -> SentEmail | None:
    """Queue ``SLOTS_OFFERED``: the first ``OFFER_EMAIL_SLOTS`` of ``free`` (the vacancy's free slots, earliest
    first) in the candidate's zone (``candidate_time_zone``) and the booking link for the rest. ``slot`` carries
    the same times on one line, for a company's wording saved before ``{slots}`` existed."""
    from .emails import candidate_email_send

    shown = free[:OFFER_EMAIL_SLOTS]
    zone = candidate_time_zone(response)
    with translation.override(response.vacancy.language):
        extra = {
            "slots": slots_list_text(shown, zone),
            "slot": "; ".join(slot_text(slot, zone, place=False) for slot in shown),
            "booking_url": booking_url(response),
        }
    return candidate_email_send(response=response, key=EmailTemplate.Key.SLOTS_OFFERED, extra=extra, actor=actor)
