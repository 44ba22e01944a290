"""Writes and workflows of the screening chat: open, answer, take over, hand back, talk.

The WebSocket consumers and the HTTP fallback call the same functions, so the
chat behaves the same with and without JavaScript. Each function is one
transaction that locks the chat session row: turns of one chat never
interleave (two tabs, a recruiter taking over mid-answer), and a message is
acknowledged only once this function has returned, i.e. after commit.

For speed each candidate turn is a single call doing a handful of queries; the
caller keeps a ``ChatContext`` (the vacancy and its questions) for the life of
a connection so no turn reloads the script, unless it changed: script edits
stamp the vacancy's ``updated_at``, each turn reads the stamp with its lock,
and a chat whose script changed moves to the new one at its next question
(``chat_candidate_message``; docs/chat-protocol.md, "When the script
changes"). The measured paths (a candidate's turn, the first open, a
disconnect) write and read through ``chat.statements`` (hand-written SQL built
from the models' metadata); everything else is the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from screening import scoring
from screening.models import Answer, ChatMessage, ChatSession, Response
from screening.services import response_finish, response_start_chat, response_submit_answer
from vacancies.models import ScreeningQuestion, Vacancy

from . import selectors, statements
from .texts import closing_text, greeting_text

STATE_ACTIVE = "active"
STATE_PAUSED = "paused"
STATE_FINISHED = "finished"


class ChatError(Exception):
    """A client request the chat refuses; ``code`` goes into the error frame, ``message`` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ChatContext:
    """What a connection keeps about its chat so that turns do not reload it."""

    response_id: int
    session_id: int
    vacancy: Vacancy
    candidate_first_name: str
    questions: list[ScreeningQuestion]
    response: Response | None = None
    # The vacancy's ``updated_at`` when ``questions`` were loaded; a turn reading another one reloads them.
    script_at: datetime | None = None
    # When this connection last wrote the session's ``last_activity_at`` (see ``ACTIVITY_RESOLUTION``).
    touched_at: datetime | None = None

    @property
    def language(self) -> str:
        return self.vacancy.language

    def question_number(self, question: ScreeningQuestion) -> int:
        return next(i for i, q in enumerate(self.questions, start=1) if q.pk == question.pk)

    def question_by_id(self, question_id: int | None) -> ScreeningQuestion | None:
        """The script's question with this id, or None (not in the script, or no longer)."""
        return next((q for q in self.questions if q.pk == question_id), None)

    def reload_script(self) -> None:
        """Load the vacancy and its questions again (the script changed): the vacancy first, so the stamp kept
        is never newer than the questions (a change committing in between only costs another reload)."""
        self.vacancy = Vacancy.objects.get(pk=self.vacancy.pk)
        self.questions = selectors.script_questions(vacancy=self.vacancy)
        self.script_at = self.vacancy.updated_at
        if self.response is not None:
            self.response.vacancy = self.vacancy


@dataclass
class ChatSnapshot:
    """The whole chat as a (re)connecting client needs it."""

    state: str
    messages: list[ChatMessage]
    question: ScreeningQuestion | None
    recruiter: object | None  # the user who has taken the chat over
    candidate_online: bool
    watchers: int = 1  # recruiter sockets watching (a candidate's presence is fanned out to them)


@dataclass
class Turn:
    """What one client message changed: the ack, the new messages, the question now awaited."""

    message_id: int | None
    duplicate: bool = False
    own_message: ChatMessage | None = None  # the sender's message (others are shown it)
    messages: list[ChatMessage] = field(default_factory=list)  # new bot / system messages
    state: str = STATE_ACTIVE
    state_changed: bool = False
    question: ScreeningQuestion | None = None
    asked: bool = False  # the question was (re)asked in this turn
    recruiter: object | None = None
    # The message was refused, yet the turn wrote or shows something (the script changed: the question now
    # awaited is asked): the error frame goes first, then the turn's frames; nothing is acknowledged.
    error: ChatError | None = None
    # Recruiter sockets watching the chat when the turn ran: none means no fan-out to them.
    watchers: int = 1


def _state_of(session: ChatSession) -> str:
    if session.is_finished:
        return STATE_FINISHED
    return STATE_PAUSED if session.bot_paused else STATE_ACTIVE


def _current_question(questions: list[ScreeningQuestion], answered: set[int]) -> ScreeningQuestion | None:
    return next((q for q in questions if q.pk not in answered), None)


def _answered_ids(response_id: int) -> set[int]:
    # order_by(): Answer's default ordering would join the questions table for nothing.
    return set(Answer.objects.filter(response_id=response_id).order_by().values_list("question_id", flat=True))


def _bot(session: ChatSession, text: str, question: ScreeningQuestion | None = None) -> ChatMessage:
    return ChatMessage.objects.create(session=session, sender=ChatMessage.Sender.BOT, text=text, question=question)


def _bot_unsaved(session_id: int, text: str, question: ScreeningQuestion | None = None) -> ChatMessage:
    return ChatMessage(
        session_id=session_id, sender=ChatMessage.Sender.BOT, text=text, question_id=question.pk if question else None
    )


def _system(session: ChatSession, text: str, author=None) -> ChatMessage:
    return ChatMessage.objects.create(session=session, sender=ChatMessage.Sender.SYSTEM, text=text, author=author)


# ``last_activity_at`` only feeds the "live" badge (a 30-minute window) and the admin: a turn that changes
# nothing else on the session skips the UPDATE when the row was touched this recently.
ACTIVITY_RESOLUTION = timedelta(seconds=30)


def _touch(session: ChatSession, **fields) -> None:
    fields["last_activity_at"] = timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(**fields)
    for name, value in fields.items():
        setattr(session, name, value)


def _touch_lazily(ctx: ChatContext) -> None:
    """Record activity at most every ACTIVITY_RESOLUTION per connection (other writers only make the row newer)."""
    now = timezone.now()
    if ctx.touched_at is None or now - ctx.touched_at >= ACTIVITY_RESOLUTION:
        statements.session_update(ctx.session_id, last_activity_at=now)
        ctx.touched_at = now


def _finish(ctx: ChatContext, response: Response, *, before: list[ChatMessage] = ()) -> list[ChatMessage]:
    """Score and close the screening; ``before`` (unsaved messages of the same turn) is inserted with the closing.

    Returns the new bot messages (not ``before``).
    """
    finished = response_finish(response=response, questions=ctx.questions)
    response.status = finished.status
    response.score = finished.score
    closing = _bot_unsaved(
        ctx.session_id,
        closing_text(vacancy=ctx.vacancy, first_name=ctx.candidate_first_name, status=finished.status),
    )
    statements.messages_insert([*before, closing])
    now = timezone.now()
    statements.session_update(ctx.session_id, state=ChatSession.State.FINISHED, finished_at=now, last_activity_at=now)
    ctx.touched_at = now
    return [closing]


def chat_context(*, response: Response) -> ChatContext:
    """The per-connection context of a response's chat (creates nothing; see ``chat_open``)."""
    return ChatContext(
        response_id=response.pk,
        session_id=0,
        vacancy=response.vacancy,
        candidate_first_name=response.first_name,
        questions=selectors.script_questions(vacancy=response.vacancy),
        response=response,
        script_at=response.vacancy.updated_at,
    )


def chat_open(*, response: Response, connect: bool = False) -> tuple[ChatContext, ChatSnapshot]:
    """Open the chat of a response: the first time, greet the candidate and ask the first question.

    Idempotent (a reload or a reconnect only reads). ``connect`` counts a
    candidate socket for the "live" badge; ``chat_disconnect`` uncounts it.
    """
    ctx = chat_context(response=response)
    with transaction.atomic(), translation.override(ctx.language):
        session = None
        if response.status == Response.Status.NEW:
            # The usual first open: one INSERT creates the session (already counting this socket). It fails
            # quietly if another tab or a watching recruiter created it first; the row is then read below.
            new = ChatSession(response=response, candidate_sockets=1 if connect else 0)
            if statements.session_insert_if_new(new):
                session, messages = new, []
        if session is None:
            session = _locked_session(response_id=response.pk)
            if session is None:  # a response that did not start as new (an import) and has no session yet
                statements.session_insert_if_new(ChatSession(response=response))
                session = _locked_session(response_id=response.pk)
            messages = list(session.messages.select_related("author"))
            if connect:
                # The row is locked: the count read with it is current.
                _touch(session, candidate_sockets=session.candidate_sockets + 1)
        ctx.session_id = session.pk
        response.status = session.response.status
        question = None
        if response.status == Response.Status.NEW or (not messages and not response.is_screening_finished):
            # Nobody has opened the chat yet (the session lock makes this true for one opener only). A recruiter
            # watching before the candidate came may have made the session row, so its existence says nothing.
            response_start_chat(response=response)
            hello = greeting_text(vacancy=ctx.vacancy, first_name=ctx.candidate_first_name, count=len(ctx.questions))
            greeting = [_bot_unsaved(session.pk, hello)]
            if ctx.questions:
                question = ctx.questions[0]
                opening = [*greeting, _bot_unsaved(session.pk, question.text, question)]
                messages = [*messages, *statements.messages_insert(opening)]
            else:
                messages = [*messages, *greeting, *_finish(ctx, response, before=greeting)]
                session.state = ChatSession.State.FINISHED
        elif not session.is_finished and response.is_screening_finished:
            # Finished elsewhere (a recruiter's decision, an import): the chat is read-only from now on.
            _touch(session, state=ChatSession.State.FINISHED, finished_at=timezone.now())
        elif not session.is_finished:
            question = _current_question(ctx.questions, _answered_ids(response.pk))
            if question is not None and not session.bot_paused and _last_asked_id(messages) != question.pk:
                # The script changed since the candidate was last asked: show the question now awaited.
                messages = [*messages, *statements.messages_insert([_moved_on(session.pk, question)])]
    ctx.touched_at = session.last_activity_at
    snapshot = ChatSnapshot(
        state=_state_of(session),
        messages=messages,
        question=question,
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
            question = _current_question(ctx.questions, _answered_ids(response.pk))
    return ctx, ChatSnapshot(
        state=_state_of(session),
        messages=messages,
        question=question,
        recruiter=session.taken_over_by,
        candidate_online=session.is_live,
    )


def chat_transcript(*, response: Response) -> tuple[ChatContext, ChatSnapshot]:
    """The chat as its read-only link shows it: the transcript, finished, nothing awaited. Writes nothing."""
    ctx, snapshot = chat_snapshot(response=response)
    snapshot.state, snapshot.question, snapshot.recruiter = STATE_FINISHED, None, None
    return ctx, snapshot


def chat_unwatch(*, session_id: int) -> None:
    """Uncount a recruiter socket (see ``chat_snapshot(watch=True)``)."""
    ChatSession.objects.filter(pk=session_id).update(watchers=Greatest(F("watchers") - 1, 0))


def chat_disconnect(*, session_id: int) -> tuple[int, int]:
    """Uncount a candidate socket; returns the candidate sockets still open and the recruiters watching."""
    counts = statements.session_disconnect(session_id=session_id, now=timezone.now())
    return counts.candidate_sockets, counts.watchers


def _last_asked_id(messages: list[ChatMessage]) -> int | None:
    """As ``statements.TurnRow.last_asked_id``: the question of the bot's latest message naming one, or None."""
    return next(
        (m.question_id for m in reversed(messages) if m.sender == ChatMessage.Sender.BOT and m.question_id), None
    )


def _moved_on(session_id: int, question: ScreeningQuestion) -> ChatMessage:
    """The bot asking the question now awaited after a script change (unsaved)."""
    return _bot_unsaved(session_id, _("The questions have changed.") + " " + question.text, question)


def _locking():
    # (The candidate's turn locks through ``statements.turn_read`` instead, without the recruiter's row.)
    return ChatSession.objects.select_for_update(of=("self",)).select_related("response", "taken_over_by")


def _locked_session(*, response_id: int) -> ChatSession | None:
    return _locking().filter(response_id=response_id).first()


def _lock(ctx: ChatContext) -> ChatSession:
    return _locking().get(pk=ctx.session_id)


def _known(session: ChatSession, client_id: str) -> int | None:
    if not client_id:
        return None
    return session.messages.filter(client_id=client_id).values_list("id", flat=True).first()


def chat_candidate_message(
    *,
    ctx: ChatContext,
    client_id: str,
    text: str = "",
    choices: list[str] | None = None,
    question_id: int | None = None,
) -> Turn:
    """One message of the candidate: an answer to the current question, or (while a recruiter has taken the
    chat over) a message to the recruiter.

    An answer is validated, stored with the candidate's message and scored; then
    the bot asks the next question, or asks again politely when the answer
    could not be read, or finishes the screening after the last one. A
    ``client_id`` seen before returns the first result's message id with
    ``duplicate`` set and writes nothing.

    The question answered is ``question_id`` when given, else the one the bot
    last asked. It must be the question awaited, so an answer typed in an old
    tab never lands on another question: one already answered is refused with
    ``ChatError("stale_question")``. When the script changed (``ctx`` is
    reloaded at the first turn that sees the vacancy's new stamp), the chat
    moves to the new script at its next question: the answer is still taken
    if its question is in the script and unanswered; if that question was
    removed, nothing is stored and the returned ``Turn`` carries
    ``error`` (``script_changed``) and asks the question now awaited.
    """
    args = {"ctx": ctx, "client_id": client_id, "text": text, "choices": choices, "question_id": question_id}
    try:
        return _candidate_turn(**args)
    except IntegrityError:
        # The duplicate check rides on the lock query, whose snapshot predates the wait for the lock: a resend
        # racing its original through another socket reaches the unique constraint instead. The turn was rolled
        # back whole; run it again, now as the duplicate it is.
        if client_id and ChatMessage.objects.filter(session_id=ctx.session_id, client_id=client_id).exists():
            return _candidate_turn(**args)
        # Or a script edit raced the turn: the stamp it read predates a question's removal that committed
        # while the turn ran, and the foreign keys to that question failed at commit. Run it once more with
        # the script reloaded.
        ctx.script_at = None
        return _candidate_turn(**args)


def _candidate_turn(
    *, ctx: ChatContext, client_id: str, text: str, choices: list[str] | None, question_id: int | None
) -> Turn:
    # The hot path of the product: one locking read, then one INSERT for the answer and one for the messages
    # (plain SQL, ``chat.statements``; the ORM's compilation was most of a turn's CPU).
    with transaction.atomic(), translation.override(ctx.language):
        row = statements.turn_read(session_id=ctx.session_id, client_id=client_id)
        if row is None:
            raise ChatError("no_chat", _("This chat no longer exists."))
        if row.script_at != ctx.script_at:
            ctx.reload_script()
        if row.known_id is not None:
            return _duplicate(ctx, row.known_id)
        response = ctx.response
        response.status = row.response_status
        if row.state == ChatSession.State.FINISHED or response.is_screening_finished:
            raise ChatError("finished", _("This chat is finished."))
        shown = ", ".join(choices) if choices else text.strip()
        own = ChatMessage(
            session_id=ctx.session_id, sender=ChatMessage.Sender.CANDIDATE, text=shown, client_id=client_id
        )
        if row.taken_over_by_id is not None:
            statements.messages_insert([own])
            _touch_lazily(ctx)
            recruiter = User.objects.filter(pk=row.taken_over_by_id).first()
            return Turn(message_id=own.pk, own_message=own, state=STATE_PAUSED, recruiter=recruiter)
        question = _current_question(ctx.questions, row.answered)
        if question is None:  # every question answered but not finished (e.g. a crash in between)
            messages = _finish(ctx, response, before=[own])
            return Turn(
                message_id=own.pk, own_message=own, messages=messages, state=STATE_FINISHED, state_changed=True,
                watchers=row.watchers,
            )  # fmt: skip
        last = row.last_asked_id
        if question_id is None and last != question.pk:
            # No question named: the answer is for the one the bot last asked, if it is still awaited.
            asked = ctx.question_by_id(last)
            if asked is None or last in row.answered:  # removed (or the chat moved on) since it was asked
                return _script_changed(ctx, row, question)
            question = asked  # the script changed around it (a reorder): the answer is taken for it
        elif question_id is not None and question_id != question.pk:
            if question_id in row.answered:
                raise ChatError("stale_question", _("This question has already been answered."))
            asked = ctx.question_by_id(question_id)
            if asked is None:  # removed from the script while the candidate was answering it
                return _script_changed(ctx, row, question)
            if question_id != last:  # not asked yet: answers come in the script's order
                raise ChatError("stale_question", _("This question has already been answered."))
            # The script changed around the question the candidate was asked (still there, unanswered): the
            # answer is taken for it, and the next question comes from the new order.
            question = asked
        own.question_id = question.pk
        turn = Turn(message_id=None, own_message=own, watchers=row.watchers)
        raw = list(choices) if choices else text
        try:
            # The session lock serialises the chat's turns and ``answered`` was read under it: no answer to
            # this question exists, so the answer is inserted without update_or_create's savepoints.
            response_submit_answer(response=response, question=question, raw=raw, new=True)
        except scoring.InvalidAnswer as invalid:
            turn.messages = [
                _bot_unsaved(ctx.session_id, invalid.message, question),
                _bot_unsaved(ctx.session_id, question.text, question),
            ]
            statements.messages_insert([own, *turn.messages])
            turn.message_id = own.pk
            turn.question, turn.asked = question, True
            _touch_lazily(ctx)
            return turn
        following = _current_question(ctx.questions, row.answered | {question.pk})
        if following is None:
            turn.messages = _finish(ctx, response, before=[own])
            turn.state, turn.state_changed = STATE_FINISHED, True
        else:
            turn.messages = [_bot_unsaved(ctx.session_id, following.text, following)]
            statements.messages_insert([own, *turn.messages])
            turn.question, turn.asked = following, True
            _touch_lazily(ctx)
        turn.message_id = own.pk
        return turn


def _script_changed(ctx: ChatContext, row: statements.TurnRow, question: ScreeningQuestion) -> Turn:
    """Refuse an answer to a question removed from the script and ask the one now awaited (once in the
    transcript: a second refusal shows the question without writing it again)."""
    turn = Turn(message_id=None, question=question, asked=True, watchers=row.watchers)
    turn.error = ChatError(
        "script_changed",
        _("The questions have changed, so this answer was not saved. Please answer the question below."),
    )
    if row.last_asked_id != question.pk:
        turn.messages = statements.messages_insert([_moved_on(ctx.session_id, question)])
        _touch_lazily(ctx)
    return turn


def _duplicate(ctx: ChatContext, message_id: int) -> Turn:
    session = ChatSession.objects.select_related("taken_over_by").get(pk=ctx.session_id)
    question = None
    if not session.is_finished:
        question = _current_question(ctx.questions, _answered_ids(ctx.response_id))
    return Turn(
        message_id=message_id,
        duplicate=True,
        state=_state_of(session),
        question=question,
        recruiter=session.taken_over_by,
    )


def _require_editor(user) -> None:
    if not getattr(user, "can_edit", False):
        raise ChatError("forbidden", _("Viewers can watch the chat but not take part in it."))


def chat_takeover(*, ctx: ChatContext, user) -> Turn:
    """A recruiter takes the chat over: the bot pauses and the candidate is told who joined. Idempotent."""
    _require_editor(user)
    with transaction.atomic(), translation.override(ctx.language):
        session = _lock(ctx)
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
        joined = _system(session, _("%(name)s joined the chat") % {"name": user.display_name}, author=user)
        _touch(session, taken_over_by=user)
        return Turn(message_id=None, messages=[joined], state=STATE_PAUSED, state_changed=True, recruiter=user)


def chat_handback(*, ctx: ChatContext, user) -> Turn:
    """Hand the chat back to the bot, which asks again the question where it stopped."""
    _require_editor(user)
    with transaction.atomic(), translation.override(ctx.language):
        session = _lock(ctx)
        if session.taken_over_by_id is None:
            raise ChatError("not_taken_over", _("The bot is already leading this chat."))
        ctx.reload_script()  # a recruiter's page may have been open across a script edit (and hand-backs are rare)
        left_name = session.taken_over_by.display_name
        messages = [_system(session, _("%(name)s left the chat") % {"name": left_name}, author=session.taken_over_by)]
        _touch(session, taken_over_by=None)
        turn = Turn(message_id=None, state=STATE_ACTIVE, state_changed=True)
        if session.is_finished:
            turn.state = STATE_FINISHED
        else:
            question = _current_question(ctx.questions, _answered_ids(ctx.response_id))
            if question is None:
                response = ctx.response
                response.status = session.response.status
                turn.messages = messages + _finish(ctx, response)
                turn.state = STATE_FINISHED
                return turn
            messages.append(_bot(session, _("Let's continue.") + " " + question.text, question))
            turn.question, turn.asked = question, True
        turn.messages = messages
        return turn


def chat_recruiter_message(*, ctx: ChatContext, user, client_id: str, text: str) -> Turn:
    """A message of the recruiter who has taken the chat over, to the candidate."""
    _require_editor(user)
    with transaction.atomic():
        session = _lock(ctx)
        known = _known(session, client_id)
        if known is not None:
            return _duplicate(ctx, known)
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
            return _duplicate(ctx, _known(session, client_id))
        _touch(session)
        return Turn(message_id=own.pk, own_message=own, state=STATE_PAUSED, recruiter=user)


def chat_erase(*, response_ids: list[int]) -> None:
    """Delete the chats' messages of erased applications and forget who took them over (``application_erasing``).

    The session rows stay (state and dates, for counts); nothing the candidate or a recruiter wrote does.
    """
    ChatMessage.objects.filter(session__response_id__in=response_ids).delete()
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
