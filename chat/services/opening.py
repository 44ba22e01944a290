"""Opening, watching and leaving a chat; the candidate's rights over its transcript (erase, export)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation

from screening.live import PIPELINE_LIVE, pipeline_broadcast
from screening.models import ChatMessage, ChatSession, Response, TelegramLink
from screening.services import response_start_chat

from .. import selectors, statements
from ..texts import greeting_text
from .base import (
    STATE_ACTIVE,
    STATE_FINISHED,
    ChatContext,
    ChatSnapshot,
    answered_ids,
    awaiting_confirm,
    bot_unsaved,
    current_question,
    finish_screening,
    last_asked_id,
    locked_session,
    moved_on,
    state_of,
    touch,
)


def chat_context(*, response: Response) -> ChatContext:
    """The per-connection context of a response's chat (creates nothing; see ``chat_open``). Its vacancy and
    questions are the process's shared copy (``selectors.script_shared``: read them, never change them)."""
    vacancy, questions = selectors.script_shared(vacancy=response.vacancy)
    response.vacancy = vacancy
    return ChatContext(
        response_id=response.pk,
        session_id=0,
        vacancy=vacancy,
        candidate_first_name=response.first_name,
        questions=list(questions),
        response=response,
        script_at=vacancy.updated_at,
    )


def chat_open(*, response: Response, connect: bool = False) -> tuple[ChatContext, ChatSnapshot]:
    """Open the chat of a response: the first time, greet the candidate and ask the first question.

    Idempotent (a reload or a reconnect only reads). ``connect`` counts a
    candidate socket for the "live" badge; ``chat_disconnect`` uncounts it.
    """
    ctx = chat_context(response=response)
    went_live = False  # this socket brought back a candidate who was away (the boards' "live" badge)
    with transaction.atomic(), translation.override(ctx.language):
        session = None
        if response.status == Response.Status.NEW:
            # The usual first open: one INSERT creates the session (already counting this socket). It fails
            # quietly if another tab or a watching recruiter created it first; the row is then read below.
            new = ChatSession(response=response, candidate_sockets=1 if connect else 0)
            if statements.session_insert_if_new(new):
                session, messages = new, []
        if session is None:
            session = locked_session(response_id=response.pk)
            if session is None:  # a response that did not start as new (an import) and has no session yet
                statements.session_insert_if_new(ChatSession(response=response))
                session = locked_session(response_id=response.pk)
            messages = list(session.messages.select_related("author"))
            if connect:
                # The row is locked: the count read with it is current.
                went_live = session.candidate_sockets == 0
                touch(session, candidate_sockets=session.candidate_sockets + 1)
        ctx.session_id = session.pk
        response.status = session.response.status
        question = None
        if response.status == Response.Status.NEW or (not messages and not response.is_screening_finished):
            # Nobody has opened the chat yet (the session lock makes this true for one opener only). A recruiter
            # watching before the candidate came may have made the session row, so its existence says nothing.
            response_start_chat(response=response)
            hello = greeting_text(vacancy=ctx.vacancy, first_name=ctx.candidate_first_name, count=len(ctx.questions))
            greeting = [bot_unsaved(session.pk, hello)]
            if ctx.questions:
                question = ctx.questions[0]
                opening = [*greeting, bot_unsaved(session.pk, question.text, question)]
                messages = [*messages, *statements.messages_insert(opening)]
            else:
                messages = [*messages, *greeting, *finish_screening(ctx, response, before=greeting)]
                session.state = ChatSession.State.FINISHED
        elif not session.is_finished and response.is_screening_finished:
            # Finished elsewhere (a recruiter's decision, an import): the chat is read-only from now on.
            touch(session, state=ChatSession.State.FINISHED, finished_at=timezone.now())
        elif not session.is_finished:
            question = current_question(ctx.questions, answered_ids(response.pk))
            if question is not None and not session.bot_paused and last_asked_id(messages) != question.pk:
                # The script changed since the candidate was last asked: show the question now awaited.
                messages = [*messages, *statements.messages_insert([moved_on(session.pk, question)])]
            if went_live:
                # A reconnect to a running screening: the chat did not start now (that is "chat_started").
                _pipeline_live(ctx.vacancy.company_id, response.vacancy_id, response.pk, response.status, live=True)
    ctx.touched_at = session.last_activity_at
    snapshot = ChatSnapshot(
        state=state_of(session),
        messages=messages,
        question=question,
        confirm=awaiting_confirm(messages, question),
        recruiter=session.taken_over_by if session.taken_over_by_id else None,
        candidate_online=session.candidate_sockets > 0,
        watchers=session.watchers,
    )
    return ctx, snapshot


def chat_snapshot(*, response: Response, watch: bool = False) -> tuple[ChatContext, ChatSnapshot]:
    """The chat as a recruiter sees it on connecting; greets no one.

    ``watch`` counts a recruiter socket (``chat_unwatch`` uncounts it), creating
    the session row if the candidate has not opened the chat yet, so that the
    candidate's turns know from their first one that someone is watching.
    """
    ctx = chat_context(response=response)
    # One transaction for the count and every read: if any read fails, the count is rolled back with it
    # (a socket that never opened must not stay counted).
    with transaction.atomic():
        if watch:
            counted = ChatSession.objects.filter(response=response).update(watchers=F("watchers") + 1)
            if not counted:
                _session, created = ChatSession.objects.get_or_create(response=response, defaults={"watchers": 1})
                if not created:  # the candidate's first open made it meanwhile
                    ChatSession.objects.filter(response=response).update(watchers=F("watchers") + 1)
        session = ChatSession.objects.select_related("taken_over_by").filter(response=response).first()
        if session is None:
            state = STATE_FINISHED if response.is_screening_finished else STATE_ACTIVE
            return ctx, ChatSnapshot(state=state, messages=[], question=None, recruiter=None, candidate_online=False)
        ctx.session_id = session.pk
        messages = list(session.messages.select_related("author"))
        question = None
        if messages and not session.is_finished:
            question = current_question(ctx.questions, answered_ids(response.pk))
    return ctx, ChatSnapshot(
        state=state_of(session),
        messages=messages,
        question=question,
        confirm=awaiting_confirm(messages, question),
        recruiter=session.taken_over_by,
        candidate_online=session.is_live,
    )


def chat_transcript(*, response: Response) -> tuple[ChatContext, ChatSnapshot]:
    """The chat as its read-only link shows it: the transcript, finished, nothing awaited. Writes nothing."""
    ctx, snapshot = chat_snapshot(response=response)
    snapshot.state, snapshot.question, snapshot.recruiter, snapshot.confirm = STATE_FINISHED, None, None, None
    return ctx, snapshot


def chat_unwatch(*, session_id: int) -> None:
    """Uncount a recruiter socket (see ``chat_snapshot(watch=True)``)."""
    ChatSession.objects.filter(pk=session_id).update(watchers=Greatest(F("watchers") - 1, 0))


def chat_disconnect(*, session_id: int) -> tuple[int, int]:
    """Uncount a candidate socket; returns the candidate sockets still open and the recruiters watching.

    The candidate's last socket of a running screening closing tells the company's boards and tables that the
    candidate left (a pipeline "live" event, ``live: false``); that costs one more query, on the last socket only.
    """
    counts = statements.session_disconnect(session_id=session_id, now=timezone.now())
    if counts.candidate_sockets == 0:
        row = (
            Response.objects.filter(chat__pk=session_id, chat__state=ChatSession.State.ACTIVE)
            .values_list("pk", "status", "vacancy_id", "vacancy__company_id")
            .first()
        )
        if row is not None:
            response_id, status, vacancy_id, company_id = row
            _pipeline_live(company_id, vacancy_id, response_id, status, live=False)
    return counts.candidate_sockets, counts.watchers


def _pipeline_live(company_id: int, vacancy_id: int, response_id: int, status: str, *, live: bool) -> None:
    """The company's open boards and tables learn, after commit, that the candidate came back to (``live``) or
    left the running chat of a response (``screening.live.pipeline_broadcast``, kind "live"; status unchanged)."""
    pipeline_broadcast(
        company_id=company_id,
        vacancy_id=vacancy_id,
        response_id=response_id,
        kind=PIPELINE_LIVE,
        from_status=status,
        status=status,
        live=live,
    )


def chat_erase(*, response_ids: list[int]) -> None:
    """Delete the chats' messages of erased applications and forget who took them over (``application_erasing``).

    The session rows stay (state and dates, for counts); nothing the candidate or a recruiter wrote does, nor the
    Telegram thread (the candidate's Telegram account: ``TelegramLink``; nothing more is sent there).
    """
    ChatMessage.objects.filter(session__response_id__in=response_ids).delete()
    TelegramLink.objects.filter(response_id__in=response_ids).delete()
    ChatSession.objects.filter(response_id__in=response_ids).update(taken_over_by=None)


def chat_export(*, response: Response) -> dict:
    """The application's chat transcript for the candidate's export (``application_exporting``): ``{"chat": [...]}``."""
    rows = ChatMessage.objects.filter(session__response=response).order_by("created_at", "id")
    return {
        "chat": [
            {"at": m.created_at.isoformat(), "from": m.sender, "text": m.text}
            for m in rows.only("created_at", "sender", "text")
        ]
    }
