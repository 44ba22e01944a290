"""Messages after the screening: a recruiter writes to the candidate of a finished chat, the candidate replies.

Both stay in the chat's transcript (``ChatMessage``: a recruiter message with its author, a candidate message
with no question, never read as an answer). A recruiter's message emails the candidate their private link
(``EmailTemplate.Key.RECRUITER_MESSAGE``) and reopens the reply box: the candidate may reply once a recruiter has
written after the finish, and the link's read-only/expiry windows count from the latest such message
(``chat.selectors.chat_link_status``). Each message emits the ``message.created`` webhook; a candidate's reply
notifies the company's recruiters (``Notification.Kind.CANDIDATE_MESSAGE``, one unread row per member and
response that counts the replies: ``notify(coalesce=True)``). docs/notifications.md.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from screening.models import (
    ChatMessage,
    ChatSession,
    EmailTemplate,
    Notification,
    Response,
    SentEmail,
    WebhookEndpoint,
)
from screening.services.human import human_requests_resolve_open

from .. import frames
from ..telegram.nudge import telegram_nudge
from .base import STATE_FINISHED, ChatError, Turn, locked_session, require_editor, touch

MAX_CHARS = frames.MAX_TEXT_CHARS


def _clean(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ChatError("empty", _("The message is empty."))
    if len(text) > MAX_CHARS:
        raise ChatError("too_long", _("The message is longer than 4,000 characters."))
    if frames.has_forbidden_chars(text):
        raise ChatError("invalid_field", _("The message holds characters that cannot be stored."))
    return text


def _session(response: Response) -> ChatSession:
    session = locked_session(response_id=response.pk)
    if session is None:
        raise ChatError("no_chat", _("The candidate has not started the chat yet."))
    return session


def _message_data(message: ChatMessage) -> dict:
    return {
        "id": message.pk,
        "sender": message.sender,
        "author": frames.author_name(message.author) if message.author_id else None,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }


def _emit(response: Response, message: ChatMessage) -> None:
    from screening.services.webhooks import response_event_emit_on_commit

    response_event_emit_on_commit(
        response=response, event=WebhookEndpoint.Event.MESSAGE_CREATED, extra={"message": _message_data(message)}
    )


def chat_reply_open(*, response: Response) -> bool:
    """May the candidate reply in their finished chat? Yes once a recruiter wrote after the finish (the link's
    phase is the caller's: ``chat.selectors.chat_link_status``)."""
    session = ChatSession.objects.filter(response=response).only("state", "finished_at").first()
    if session is None or not session.is_finished:
        return False
    written = ChatMessage.objects.filter(session=session, sender=ChatMessage.Sender.RECRUITER)
    if session.finished_at is not None:
        written = written.filter(created_at__gte=session.finished_at)
    return written.exists()


def chat_message_after(*, response: Response, user, text: str, client_id: str = "") -> Turn:
    """A recruiter (owner or recruiter of the company) writes to the candidate of a finished chat.

    Stores a recruiter message in the transcript, resolves the response's open request for a person, and after
    the commit emails the candidate (``RECRUITER_MESSAGE`` with ``{"message": text}``, their private link in it)
    and emits ``message.created``. A ``client_id`` seen before writes nothing (``duplicate``). Returns the
    ``Turn`` (``own_message``) for the live frames. Raises ``ChatError``: ``forbidden`` (a viewer), ``no_chat``,
    ``not_finished`` (the chat runs: take it over instead), ``empty``, ``too_long``, ``erased``.
    """
    require_editor(user)
    with transaction.atomic():
        session = _session(response)
        if client_id:
            known = session.messages.filter(client_id=client_id).values_list("id", flat=True).first()
            if known is not None:
                return Turn(message_id=known, duplicate=True, state=STATE_FINISHED)
        if response.is_erased:
            raise ChatError("erased", _("This application was erased."))
        if not session.is_finished:
            raise ChatError("not_finished", _("The chat is still running: take it over to write to the candidate."))
        text = _clean(text)
        try:
            with transaction.atomic():
                own = ChatMessage.objects.create(
                    session=session,
                    sender=ChatMessage.Sender.RECRUITER,
                    author=user,
                    text=text,
                    client_id=client_id,
                )
        except IntegrityError:  # the same id raced in through another request
            known = session.messages.filter(client_id=client_id).values_list("id", flat=True).first()
            return Turn(message_id=known, duplicate=True, state=STATE_FINISHED)
        touch(session)
        human_requests_resolve_open(response_id=response.pk, user=user)
        recruiter_message_email(response=response, text=text)
        _emit(response, own)
        telegram_nudge(response_id=response.pk)
    return Turn(message_id=own.pk, own_message=own, state=STATE_FINISHED)


def recruiter_message_email(*, response: Response, text: str) -> SentEmail | None:
    """Queue a recruiter's message ``text`` to the candidate by email (``RECRUITER_MESSAGE``, ``{message}``, their
    private link in it), sent after the commit; recorded in the response's email history. None when there is
    nothing to send to (no address, erased). Used after the chat and in a live chat the candidate has left
    (``chat.services.recruiter``)."""
    from screening.services.emails import candidate_email_send

    return candidate_email_send(response=response, key=EmailTemplate.Key.RECRUITER_MESSAGE, extra={"message": text})


def chat_candidate_reply(*, response: Response, text: str, client_id: str = "") -> Turn:
    """The candidate replies in their finished chat (allowed once a recruiter wrote after the finish:
    ``chat_reply_open``). Stored as a candidate message with no question (never an answer); after the commit
    the company's recruiters are notified (``CANDIDATE_MESSAGE``) and ``message.created`` is emitted.

    Raises ``ChatError``: ``no_chat``, ``not_finished`` (the chat runs: answer there), ``finished`` (nobody wrote
    after the finish), ``empty``, ``too_long``.
    """
    with transaction.atomic(), translation.override(response.vacancy.language):
        session = _session(response)
        if client_id:
            known = session.messages.filter(client_id=client_id).values_list("id", flat=True).first()
            if known is not None:
                return Turn(message_id=known, duplicate=True, state=STATE_FINISHED)
        if not session.is_finished:
            raise ChatError("not_finished", _("The chat is still running: answer there."))
        if not chat_reply_open(response=response):
            raise ChatError("finished", _("This chat is finished."))
        text = _clean(text)
        try:
            with transaction.atomic():
                own = ChatMessage.objects.create(
                    session=session, sender=ChatMessage.Sender.CANDIDATE, text=text, client_id=client_id
                )
        except IntegrityError:
            known = session.messages.filter(client_id=client_id).values_list("id", flat=True).first()
            return Turn(message_id=known, duplicate=True, state=STATE_FINISHED)
        touch(session)
        _notify_reply(response, text)
        _emit(response, own)
    return Turn(message_id=own.pk, own_message=own, state=STATE_FINISHED)


def _notify_reply(response: Response, text: str) -> None:
    from screening.services.notifications import candidate_param, notify

    company = response.vacancy.company
    url = reverse("screening:response", args=[response.pk]) + "#transcript"
    transaction.on_commit(
        lambda: notify(
            company=company,
            kind=Notification.Kind.CANDIDATE_MESSAGE,
            text=gettext_noop("%(name)s replied: %(text)s"),
            params={"name": candidate_param(response), "text": " ".join(text.split())[:120]},
            response=response,
            url=url,
            # A burst of replies is one unread notification per member, emailed once until they read it.
            coalesce=True,
            repeated_text=gettext_noop("%(name)s replied (new messages: %(count)s). The latest: %(text)s"),
        ),
        robust=True,
    )
