"""Interview scheduling: slots, atomic booking, reschedule and cancel, reminders, no-shows, calendar feeds.

OWNER: helper "scheduling" (issue 14). Interface used by other modules; keep these signatures.
"""

from __future__ import annotations

from screening.models import Booking, InterviewSlot, Response


class SlotTaken(Exception):
    """Another candidate booked the slot first (or it was removed, or it is in the past)."""


def slots_free(*, vacancy, limit: int = 6) -> list[InterviewSlot]:
    """The vacancy's bookable slots (future, not held by a live booking), earliest first, at most ``limit``."""
    return []


def booking_create(*, response: Response, slot_id: int, candidate_time_zone: str = "") -> Booking:
    """Book ``slot_id`` for ``response`` atomically; a live booking of the response moves (reschedule).
    Raises ``SlotTaken`` when someone else holds it, ``ValidationError`` for a slot of another vacancy."""
    raise SlotTaken


def slots_offer(*, response: Response, actor=None) -> bool:
    """Offer the vacancy's free slots to the candidate by email (their private link lists them); False when
    there are none. ``actor``: the recruiter inviting, None when the screening passed."""
    return False
