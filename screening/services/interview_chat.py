"""The interview in the candidate's chat transcript (docs/scheduling.md; docs/chat-protocol.md, "Booking an
interview"): the offer of free times as buttons, and the bot's line about a booking made, moved or cancelled
outside the chat (the booking page, a recruiter, the API), pushed live to an open chat.

The offer's payload (``ChatMessage.payload``, read by ``chat.frames.message_data``)::

    {"slots": [{"id": 7, "starts_at": "2026-10-22T08:00:00+00:00", "minutes": 45,
                "label": "Thursday, 22 October 2026, 10:00–10:45 (Europe/Berlin)"}]}

``starts_at`` is UTC: the client shows it in the browser's own zone and names that zone; ``label`` is the same
time in the company's zone, for clients that cannot.

No link to the candidate's booking page is written in the transcript: the team reads it (viewers too, and over
the API), and that link opens the candidate's data; the candidate has it by email.

Called by ``scheduling`` (lazily, as its other side effects) and by ``chat.services`` (the chat's own offer and
the wording of its ``book`` confirmation), so each text and the payload have one home.
"""

from __future__ import annotations

from datetime import UTC

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from screening import live
from screening.models import Booking, ChatMessage, ChatSession, Response

from .calendars import slot_text
from .scheduling import response_can_book, slots_free

# Buttons in one offer.
OFFER_LIMIT = 6

BOOKED = "booked"
MOVED = "moved"
CANCELLED = "cancelled"


def slots_payload(*, response: Response) -> dict | None:
    """The free slots of the response's vacancy as a message payload (see the module), or None when there are
    none or the application cannot book."""
    if not response_can_book(response=response):
        return None
    free = slots_free(vacancy=response.vacancy, limit=OFFER_LIMIT)
    if not free:
        return None
    zone = response.vacancy.company.time_zone
    return {
        "slots": [
            {
                "id": slot.pk,
                "starts_at": slot.starts_at.astimezone(UTC).isoformat(),
                "minutes": slot.duration_minutes,
                "label": slot_text(slot, zone, place=False),
            }
            for slot in free
        ],
    }


def slots_offer_message(
    *, session_id: int, response: Response, language: str, invited: bool = False
) -> ChatMessage | None:
    """The bot's unsaved offer of interview times (the payload above), or None (nothing free, cannot book).
    ``invited``: a recruiter's invitation (``scheduling.slots_offer``) rather than the end of the screening."""
    payload = slots_payload(response=response)
    if payload is None:
        return None
    with translation.override(language):
        if invited:
            text = _(
                "You are invited to book an interview: choose a time below (or later, from the link in your email)."
            )
        else:
            text = _("You can book your interview now: choose a time below (or later, from the link in your email).")
    return ChatMessage(session_id=session_id, sender=ChatMessage.Sender.BOT, text=text, payload=payload)


def booking_note_text(*, booking: Booking, event: str) -> str:
    """The bot's line about ``booking`` (``event``: ``BOOKED``, ``MOVED`` or ``CANCELLED``), in the active language,
    the time in the candidate's zone (the slot's when unknown). The chat's ``book`` confirmation words it so too."""
    if event == CANCELLED:
        when = slot_text(booking.slot, booking.candidate_time_zone, place=False)
        if booking.cancelled_by == "recruiter":
            return _("The company cancelled your interview on %(when)s.") % {"when": when}
        return _("Your interview on %(when)s is cancelled.") % {"when": when}
    when = slot_text(booking.slot, booking.candidate_time_zone)
    if event == MOVED:
        message = _(
            "Your interview is moved to %(when)s. We sent the details to your email, with a link to change or "
            "cancel it."
        )
    else:
        message = _(
            "Your interview is booked: %(when)s. We sent the details to your email, with a link to change or cancel it."
        )
    return message % {"when": when}


def _push_on_commit(message: ChatMessage, response_id: int) -> None:
    # The same event the chat's sockets fan out for a new bot message: open chats and watchers show it at once.
    transaction.on_commit(
        lambda: live.response_broadcast(response_id=response_id, event=live.chat_message_event(message))
    )


def _session_id(response: Response) -> int | None:
    if response.is_erased:
        return None
    return ChatSession.objects.filter(response_id=response.pk).values_list("pk", flat=True).first()


def booking_note_write(*, booking: Booking, event: str) -> ChatMessage | None:
    """Write the bot's line about a booking made, moved or cancelled outside the chat into the candidate's
    transcript, in the vacancy's language, and push it live after the commit. None (nothing written) when the
    response has no chat or was erased. Call it inside the transaction that changed the booking."""
    response = booking.response
    session_id = _session_id(response)
    if session_id is None:
        return None
    with translation.override(response.vacancy.language):
        text = booking_note_text(booking=booking, event=event)
    message = ChatMessage.objects.create(
        session_id=session_id, sender=ChatMessage.Sender.BOT, text=text, payload={event: booking.pk}
    )
    _push_on_commit(message, response.pk)
    return message


def slots_offer_write(*, response: Response) -> ChatMessage | None:
    """Write a recruiter's invitation to book (the offer with the free times as buttons) into the candidate's
    transcript and push it live after the commit. None when the response has no chat, was erased, cannot book
    or nothing is free."""
    session_id = _session_id(response)
    if session_id is None:
        return None
    message = slots_offer_message(
        session_id=session_id, response=response, language=response.vacancy.language, invited=True
    )
    if message is None:
        return None
    message.save()
    _push_on_commit(message, response.pk)
    return message
