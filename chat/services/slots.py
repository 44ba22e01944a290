"""Interview slots offered inside the chat: the bot's message with the free times as buttons, and the
candidate's ``book`` frame (docs/chat-protocol.md, "Booking an interview"; docs/scheduling.md).

The booking itself is ``screening.services.scheduling.booking_create`` (atomic: the first click wins); this
module only words the bot's messages and carries the slots in ``ChatMessage.payload``::

    {"slots": [{"id": 7, "starts_at": "2026-10-22T08:00:00+00:00", "minutes": 45,
                "label": "Thursday, 22 October 2026, 10:00–10:45 (Europe/Berlin)"}]}

No link to the candidate's booking page is written in the chat: the transcript is shown to the company's team
(viewers too, and over the API), and that link opens the candidate's data; the candidate has it by email.

``starts_at`` is UTC: the client shows it in the browser's own zone and names that zone; ``label`` is the
same time in the company's zone, for clients that cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from screening.models import ChatMessage, Response
from screening.services import calendars, scheduling

from .. import statements

# Buttons in one offer.
OFFER_LIMIT = 6


def slots_payload(*, response: Response) -> dict | None:
    """The free slots of the response's vacancy as a message payload (see the module), or None when there are
    none or the application cannot book."""
    if not scheduling.response_can_book(response=response):
        return None
    free = scheduling.slots_free(vacancy=response.vacancy, limit=OFFER_LIMIT)
    if not free:
        return None
    zone = response.vacancy.company.time_zone
    return {
        "slots": [
            {
                "id": slot.pk,
                "starts_at": slot.starts_at.astimezone(UTC).isoformat(),
                "minutes": slot.duration_minutes,
                "label": calendars.slot_text(slot, zone, place=False),
            }
            for slot in free
        ],
    }


def slots_offer_message(*, session_id: int, response: Response, language: str) -> ChatMessage | None:
    """The bot's unsaved offer of interview times to a candidate who passed, or None (nothing free).
    Called by ``chat.services.base.finish_screening`` in the finishing turn."""
    payload = slots_payload(response=response)
    if payload is None:
        return None
    with translation.override(language):
        text = _("You can book your interview now: choose a time below (or later, from the link in your email).")
    return ChatMessage(session_id=session_id, sender=ChatMessage.Sender.BOT, text=text, payload=payload)


@dataclass
class Booked:
    """What a ``book`` frame did: the bot's (saved) reply, and whether the slot is now the candidate's."""

    message: ChatMessage
    booked: bool


def chat_book(*, ctx, slot_id: int, time_zone: str = "") -> Booked:
    """Book ``slot_id`` for the chat's candidate (or move their interview there) and word the bot's reply:
    the confirmation in ``time_zone`` (the browser's, if known), or, when someone else took it a moment ago,
    the remaining free times as a new offer. Raises ``ChatError`` for a slot of another vacancy or an
    application that cannot book."""
    from .base import ChatError

    response = Response.objects.select_related("vacancy", "vacancy__company").get(pk=ctx.response_id)
    with translation.override(ctx.language):
        try:
            booking = scheduling.booking_create(response=response, slot_id=slot_id, candidate_time_zone=time_zone)
        except scheduling.SlotTaken:
            payload = slots_payload(response=response)
            if payload:
                text = _("Someone booked that time a moment ago. Here are the other free times:")
            else:
                text = _(
                    "Someone booked that time a moment ago, and no other time is free. The company will contact you."
                )
            message = ChatMessage(session_id=ctx.session_id, sender=ChatMessage.Sender.BOT, text=text, payload=payload)
            statements.messages_insert([message])
            return Booked(message=message, booked=False)
        except ValidationError as error:
            raise ChatError("cannot_book", " ".join(error.messages)) from error
        when = calendars.slot_text(booking.slot, booking.candidate_time_zone)
        text = (
            _(
                "Your interview is moved to %(when)s. We sent the details to your email, with a link to change or "
                "cancel it."
            )
            if getattr(booking, "rescheduled", False)
            else _(
                "Your interview is booked: %(when)s. We sent the details to your email, with a link to change or "
                "cancel it."
            )
        ) % {"when": when}
    message = ChatMessage(
        session_id=ctx.session_id, sender=ChatMessage.Sender.BOT, text=text, payload={"booked": booking.pk}
    )
    statements.messages_insert([message])
    return Booked(message=message, booked=True)
