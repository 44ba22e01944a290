"""A candidate asking for a person in the chat: the button (``chat_human_request``), typed words (the candidate's
turn calls ``handoff_turn``) and being stuck on a question twice (``handoff_stuck``).

The script goes on: the bot acknowledges, says when a person will answer (the company's working hours) and asks
the awaited question again. A candidate who asked for a person would rather keep going than stare at a paused
chat for hours; the recruiter who claims the request takes the chat over (the bot pauses then) or, when the
chat has finished meanwhile, writes after it (``chat.services.after``). docs/notifications.md.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from screening.models import ChatMessage, HumanRequest
from screening.services.human import human_promise_text, human_request_open, human_request_open_for
from vacancies.models import ScreeningQuestion

from .. import statements
from ..handoff import COMPLAINED
from ..texts import confirm_options
from .base import (
    STATE_ACTIVE,
    ChatContext,
    ChatError,
    Turn,
    answered_ids,
    bot_unsaved,
    current_question,
    duplicate_turn,
    known_message,
    last_asked_id,
    lock,
    state_of,
    touch_lazily,
)

BUTTON_REASON = HumanRequest.Reason.ASKED


def button_text() -> str:
    """What the transcript shows for the candidate's "Talk to a person" button (in the active language)."""
    return _("I'd like to talk to a person.")


def acknowledgement(*, ctx: ChatContext, request: HumanRequest | None, reason: str) -> str:
    """The bot's answer to a request: noted, when a person will answer, and that the questions go on.

    ``request`` is the new request, or None when one was already waiting (its promise is repeated).
    """
    waiting = request or human_request_open_for(response=ctx.response)
    company = ctx.vacancy.company
    promise = ""
    if waiting is not None:
        promise = human_promise_text(
            due_at=waiting.due_at, time_zone=company.time_zone, now=timezone.now(), language=ctx.language
        )
    if request is None:
        head = _("A person at the company has already been asked and will reply here.")
    elif reason == COMPLAINED:
        head = _("I'm sorry this is not going well. I have asked a person at the company to reply here.")
    else:
        head = _("Of course. I have asked a person at the company to reply here.")
    tail = _("You will get an email too. Meanwhile, let's go on with the questions.")
    return " ".join(part for part in (head, promise, tail) if part)


def handoff_turn(
    ctx: ChatContext, turn: Turn, question: ScreeningQuestion | None, reason: str, text: str, prompt: dict
) -> Turn:
    """Inside the candidate's turn: the message asked for a person (``reason``). Open the request, acknowledge it,
    and ask the awaited question again (a pending read-back again with its buttons). The candidate's message is
    stored as theirs, not as an answer."""
    turn.own_message.question_id = None
    request = human_request_open(response=ctx.response, reason=reason, text=text)
    turn.messages = [bot_unsaved(ctx.session_id, acknowledgement(ctx=ctx, request=request, reason=reason))]
    if question is None:
        statements.messages_insert([turn.own_message, *turn.messages])
        turn.message_id = turn.own_message.pk
        touch_lazily(ctx)
        return turn
    again, payload = question.text, prompt or None
    if "confirm" in (prompt or {}):
        again = prompt["confirm"].get("text") or question.text
        turn.confirm = {"text": again, "options": confirm_options()}
    asked = bot_unsaved(ctx.session_id, again, question, payload=payload)
    turn.messages.append(asked)
    statements.messages_insert([turn.own_message, *turn.messages])
    turn.message_id = turn.own_message.pk
    turn.question, turn.asked = question, True
    touch_lazily(ctx)
    return turn


def handoff_stuck(ctx: ChatContext, question: ScreeningQuestion, raw) -> None:
    """The candidate could not answer ``question`` twice: they wait in the queue (reason ``stuck``), silently (the
    bot's own words already say a person will look). Inside the turn's transaction."""
    shown = ", ".join(raw) if isinstance(raw, list) else str(raw or "")
    words = _("Stuck on “%(question)s”: %(answer)s") % {"question": question.text[:200], "answer": shown[:250]}
    human_request_open(response=ctx.response, reason=HumanRequest.Reason.STUCK, text=words)


def chat_human_request(*, ctx: ChatContext, client_id: str) -> Turn:
    """The candidate pressed "Talk to a person": their line ("I'd like to talk to a person.") is stored, the request
    opened (``screening.services.human.human_request_open``), the bot acknowledges with when to expect an answer,
    and the awaited question is asked again. A ``client_id`` seen before is a duplicate (nothing written).

    Raises ``ChatError``: ``finished`` (the chat is over: the candidate replies after a recruiter writes),
    ``taken_over`` (a recruiter is already in the chat), ``no_chat``.
    """
    with transaction.atomic(), translation.override(ctx.language):
        session = lock(ctx)
        known = known_message(session, client_id)
        if known is not None:
            return duplicate_turn(ctx, known)
        if session.is_finished or session.response.is_screening_finished:
            raise ChatError("finished", _("This chat is finished."))
        if session.taken_over_by_id is not None:
            raise ChatError(
                "taken_over",
                _("%(name)s from the company is already in the chat: write your message below.")
                % {"name": session.taken_over_by.display_name},
            )
        own = ChatMessage(
            session_id=ctx.session_id, sender=ChatMessage.Sender.CANDIDATE, text=button_text(), client_id=client_id
        )
        turn = Turn(message_id=None, own_message=own, state=state_of(session), watchers=session.watchers)
        messages = list(session.messages.order_by("created_at", "id"))
        question = current_question(ctx.questions, answered_ids(ctx.response_id))
        prompt = {}
        if question is not None and last_asked_id(messages) == question.pk:
            last = next(m for m in reversed(messages) if m.sender == ChatMessage.Sender.BOT and m.question_id)
            prompt = last.payload if isinstance(last.payload, dict) else {}
        turn = handoff_turn(ctx, turn, question, BUTTON_REASON, "", prompt)
        turn.state = STATE_ACTIVE
        return turn
