"""A recruiter in the chat: take it over, hand it back, write to the candidate (emailed when they are away)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry
from screening.models import ChatMessage, ChatSession, EmailTemplate, Response, SentEmail
from screening.services.human import human_requests_claim_open, human_requests_resolve_answered

from ..telegram.nudge import telegram_nudge
from .after import recruiter_message_email
from .base import (
    STATE_ACTIVE,
    STATE_FINISHED,
    STATE_PAUSED,
    ChatContext,
    ChatError,
    Turn,
    answered_ids,
    bot_message,
    current_question,
    duplicate_turn,
    finish_screening,
    known_message,
    lock,
    require_editor,
    system_message,
    touch,
)


def chat_takeover(*, ctx: ChatContext, user) -> Turn:
    """A recruiter takes the chat over: the bot pauses and the candidate is told who joined. Idempotent."""
    require_editor(user)
    with transaction.atomic(), translation.override(ctx.language):
        session = lock(ctx)
        if session.is_finished:
            raise ChatError("finished", _("This chat is finished."))
        if session.response.status == Response.Status.NEW:  # a watching recruiter's page made the row
            raise ChatError("no_chat", _("The candidate has not started the chat yet."))
        if session.taken_over_by_id == user.pk:
            return Turn(message_id=None, state=STATE_PAUSED, recruiter=user)
        if session.taken_over_by_id is not None:
            raise ChatError(
                "taken_over",
                _("%(name)s has already taken this chat over.") % {"name": session.taken_over_by.display_name},
            )
        joined = system_message(session, _("%(name)s joined the chat") % {"name": user.display_name}, author=user)
        touch(session, taken_over_by=user)
        human_requests_claim_open(response_id=ctx.response_id, user=user)  # a candidate waiting for a person has one
        audit_record(
            company=user.company_id,
            actor=user,
            action=AuditEntry.Action.TAKEOVER,
            target=f"response:{ctx.response_id}",
            summary=f"Chat of response {ctx.response_id} taken over",
            details={"response": ctx.response_id, "session": ctx.session_id},
        )
        telegram_nudge(response_id=ctx.response_id)  # a candidate in Telegram is told there too
        return Turn(message_id=None, messages=[joined], state=STATE_PAUSED, state_changed=True, recruiter=user)


def chat_handback(*, ctx: ChatContext, user) -> Turn:
    """Hand the chat back to the bot, which asks again the question where it stopped."""
    require_editor(user)
    with transaction.atomic(), translation.override(ctx.language):
        session = lock(ctx)
        if session.taken_over_by_id is None:
            raise ChatError("not_taken_over", _("The bot is already leading this chat."))
        ctx.reload_script()  # a recruiter's page may have been open across a script edit (and hand-backs are rare)
        left_name = session.taken_over_by.display_name
        messages = [
            system_message(session, _("%(name)s left the chat") % {"name": left_name}, author=session.taken_over_by)
        ]
        touch(session, taken_over_by=None)
        human_requests_resolve_answered(response_id=ctx.response_id, user=user)  # if the person talked to them
        telegram_nudge(response_id=ctx.response_id)  # after the commit: the lines below reach Telegram too
        turn = Turn(message_id=None, state=STATE_ACTIVE, state_changed=True)
        if session.is_finished:
            turn.state = STATE_FINISHED
        else:
            question = current_question(ctx.questions, answered_ids(ctx.response_id))
            if question is None:
                response = ctx.response
                response.status = session.response.status
                turn.messages = messages + finish_screening(ctx, response)
                turn.state = STATE_FINISHED
                return turn
            messages.append(bot_message(session, _("Let's continue.") + " " + question.text, question))
            turn.question, turn.asked = question, True
        turn.messages = messages
        return turn


def chat_recruiter_message(*, ctx: ChatContext, user, client_id: str, text: str) -> Turn:
    """A message of the recruiter who has taken the chat over, to the candidate. A candidate with no chat open
    (``ChatSession.candidate_sockets`` 0) is emailed it too (``RECRUITER_MESSAGE``), at most once per
    ``settings.LIVE_MESSAGE_EMAIL_MINUTES`` per response. docs/notifications.md."""
    require_editor(user)
    with transaction.atomic():
        session = lock(ctx)
        known = known_message(session, client_id)
        if known is not None:
            return duplicate_turn(ctx, known)
        with translation.override(ctx.language):
            if session.is_finished:
                raise ChatError("finished", _("This chat is finished."))
            if session.taken_over_by_id != user.pk:
                raise ChatError("not_taken_over", _("Take the chat over before writing to the candidate."))
            text = text.strip()
            if not text:
                raise ChatError("empty", _("The message is empty."))
        try:
            with transaction.atomic():
                own = ChatMessage.objects.create(
                    session=session, sender=ChatMessage.Sender.RECRUITER, author=user, text=text, client_id=client_id
                )
        except IntegrityError:  # the same id raced in through another socket
            return duplicate_turn(ctx, known_message(session, client_id))
        touch(session)
        # A candidate in Telegram gets the message there; one with neither a chat open nor Telegram, by email.
        if not telegram_nudge(response_id=ctx.response_id):
            _email_if_absent(session, text)
        return Turn(message_id=own.pk, own_message=own, state=STATE_PAUSED, recruiter=user)


def _email_if_absent(session: ChatSession, text: str) -> None:
    # The bot promised a candidate who asked for a person "an email too": one who has no chat open now learns of
    # the message by email. The session row is locked, so its socket count is the one at the commit (a socket
    # opening or closing waits for the lock). A burst is one email: none while a RECRUITER_MESSAGE to this
    # response is younger than LIVE_MESSAGE_EMAIL_MINUTES (the candidate reads the rest in the chat).
    if session.candidate_sockets > 0:
        return
    since = timezone.now() - timedelta(minutes=settings.LIVE_MESSAGE_EMAIL_MINUTES)
    recent = SentEmail.objects.filter(
        response_id=session.response_id, template=EmailTemplate.Key.RECRUITER_MESSAGE, created_at__gte=since
    )
    if not recent.exists():
        recruiter_message_email(response=session.response, text=text)
