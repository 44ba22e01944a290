"""Interview slots offered inside the chat: the bot's message with the free times as buttons, and the
candidate's ``book`` frame (docs/chat-protocol.md, "Booking an interview"; docs/scheduling.md).

The booking itself is ``screening.services.scheduling.booking_create`` (atomic: the first click wins). The offer's
payload (``ChatMessage.payload["slots"]``, documented in ``screening.services.interview_chat``), the offer
message and the wording of the confirmation live in screening, which also writes them when a recruiter invites
or a booking changes outside the chat; this module answers the ``book`` frame.

No link to the candidate's booking page is written in the chat: the transcript is shown to the company's team
(viewers too, and over the API), and that link opens the candidate's data; the candidate has it by email.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from screening.models import ChatMessage, Response
from screening.services import interview_chat, scheduling
from screening.services.interview_chat import OFFER_LIMIT, slots_offer_message, slots_payload

from .. import statements

__all__ = ["OFFER_LIMIT", "Booked", "chat_book", "slots_offer_message", "slots_payload"]


@dataclass
class Booked:
    """What a ``book`` frame did: the bot's (saved) reply, and whether the slot is now the candidate's."""

    message: ChatMessage
    booked: bool
    duplicate: bool = False


def chat_book(*, ctx, slot_id: int, time_zone: str = "", client_id: str = "") -> Booked:
    """Book ``slot_id`` for the chat's candidate (or move their interview there) and word the bot's reply:
    the confirmation in ``time_zone`` (the browser's, if known), or, when someone else took it a moment ago,
    the remaining free times as a new offer. Raises ``ChatError`` for a slot of another vacancy or an
    application that cannot book.

    ``client_id`` (the frame's) is kept on the reply: the same frame sent again (a reconnect resends what was
    not acknowledged) returns that reply with ``duplicate`` and books, moves and emails nothing more."""
    from .base import ChatError

    if client_id:
        known = ChatMessage.objects.filter(session_id=ctx.session_id, client_id=client_id).first()
        if known is not None:
            return Booked(message=known, booked=bool((known.payload or {}).get("booked")), duplicate=True)
    response = Response.objects.select_related("vacancy", "vacancy__company").get(pk=ctx.response_id)
    with translation.override(ctx.language):
        try:
            booking = scheduling.booking_create(
                response=response, slot_id=slot_id, candidate_time_zone=time_zone, in_chat=True
            )
        except scheduling.SlotTaken:
            payload = slots_payload(response=response)
            if payload:
                text = _("Someone booked that time a moment ago. Here are the other free times:")
            else:
                text = _(
                    "Someone booked that time a moment ago, and no other time is free. The company will contact you."
                )
            message = ChatMessage(
                session_id=ctx.session_id,
                sender=ChatMessage.Sender.BOT,
                text=text,
                payload=payload,
                client_id=client_id,
            )
            statements.messages_insert([message])
            return Booked(message=message, booked=False)
        except ValidationError as error:
            raise ChatError("cannot_book", " ".join(error.messages)) from error
        event = interview_chat.MOVED if getattr(booking, "rescheduled", False) else interview_chat.BOOKED
        text = interview_chat.booking_note_text(booking=booking, event=event)
    message = ChatMessage(
        session_id=ctx.session_id,
        sender=ChatMessage.Sender.BOT,
        text=text,
        payload={"booked": booking.pk},
        client_id=client_id,
    )
    statements.messages_insert([message])
    return Booked(message=message, booked=True)
