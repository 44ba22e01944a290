"""Writes and workflows of the screening chat: open, answer, take over, hand back, talk.

The WebSocket consumers and the HTTP fallback call the same functions, so the
chat behaves the same with and without JavaScript. Each function is one
transaction that locks the chat session row: turns of one chat never
interleave (two tabs, a recruiter taking over mid-answer), and a message is
acknowledged only once this function has returned, i.e. after commit.

For speed each candidate turn is a single call doing a handful of queries; the
caller keeps a ``ChatContext`` (the vacancy and its questions) for the life of
a connection so no turn reloads the script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from screening import scoring
from screening.models import Answer, Response
from screening.services import response_finish, response_start_chat, response_submit_answer
from vacancies.models import ScreeningQuestion, Vacancy

from . import selectors
from .models import ChatMessage, ChatSession

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

    @property
    def language(self) -> str:
        return self.vacancy.language

    def question_number(self, question: ScreeningQuestion) -> int:
        return next(i for i, q in enumerate(self.questions, start=1) if q.pk == question.pk)


@dataclass
class ChatSnapshot:
    """The whole chat as a (re)connecting client needs it."""

    state: str
    messages: list[ChatMessage]
    question: ScreeningQuestion | None
    recruiter: object | None  # the user who has taken the chat over
    candidate_online: bool


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


def _bot_unsaved(session: ChatSession, text: str, question: ScreeningQuestion | None = None) -> ChatMessage:
    return ChatMessage(session=session, sender=ChatMessage.Sender.BOT, text=text, question=question)


def _save_all(messages: list[ChatMessage]) -> list[ChatMessage]:
    """Insert the messages of one turn in one statement, in order (ids are returned on PostgreSQL and SQLite)."""
    ChatMessage.objects.bulk_create(messages)
    return messages


def _system(session: ChatSession, text: str, author=None) -> ChatMessage:
    return ChatMessage.objects.create(session=session, sender=ChatMessage.Sender.SYSTEM, text=text, author=author)


# ``last_activity_at`` only feeds the "live" badge (a 30-minute window) and the admin: a turn that changes
# nothing else on the session skips the UPDATE when the row was touched this recently.
ACTIVITY_RESOLUTION = timedelta(seconds=30)


def _touch(session: ChatSession, *, lazy: bool = False, **fields) -> None:
    now = timezone.now()
    if lazy and not fields and session.last_activity_at and now - session.last_activity_at < ACTIVITY_RESOLUTION:
        return
    fields["last_activity_at"] = now
    ChatSession.objects.filter(pk=session.pk).update(**fields)
    for name, value in fields.items():
        setattr(session, name, value)


def _greeting(ctx: ChatContext) -> str:
    count = len(ctx.questions)
    name = ctx.candidate_first_name
    hello = _("Hi, %(name)s!") % {"name": name} if name else _("Hello!")
    thanks = _("Thank you for applying for “%(title)s”.") % {"title": ctx.vacancy.title}
    if not count:
        return f"{hello} {thanks}"
    plan = ngettext(
        "I have %(count)d short question for you; it takes a couple of minutes.",
        "I have %(count)d short questions for you; it takes a couple of minutes.",
        count,
    ) % {"count": count}
    return f"{hello} {thanks} {plan}"


def _closing(ctx: ChatContext, response: Response) -> str:
    name = ctx.candidate_first_name
    if ctx.vacancy.show_outcome:
        if response.status == Response.Status.PASSED:
            return _("Thank you, %(name)s! You have passed the screening. A recruiter will contact you soon.") % {
                "name": name
            }
        return _(
            "Thank you for your answers, %(name)s. Unfortunately your profile does not match this vacancy's "
            "requirements, so we cannot move forward this time."
        ) % {"name": name}
    return _("Thank you, %(name)s! Your answers have been sent to the recruiter. We will get back to you.") % {
        "name": name
    }


def _finish(
    ctx: ChatContext, session: ChatSession, response: Response, *, before: list[ChatMessage] = ()
) -> list[ChatMessage]:
    """Score and close the screening; ``before`` (unsaved messages of the same turn) is inserted with the closing.

    Returns the new bot messages (not ``before``).
    """
    finished = response_finish(response=response)
    response.status = finished.status
    response.score = finished.score
    closing = _bot_unsaved(session, _closing(ctx, finished))
    _save_all([*before, closing])
    _touch(session, state=ChatSession.State.FINISHED, finished_at=timezone.now())
    return [closing]


def chat_context(*, response: Response) -> ChatContext:
    """The per-connection context of a response's chat (creates nothing; see ``chat_open``)."""
    return ChatContext(
        response_id=response.pk,
        session_id=0,
        vacancy=response.vacancy,
        candidate_first_name=response.candidate.first_name,
        questions=selectors.script_questions(vacancy=response.vacancy),
    )


def chat_open(*, response: Response, connect: bool = False) -> tuple[ChatContext, ChatSnapshot]:
    """Open the chat of a response: the first time, greet the candidate and ask the first question.

    Idempotent (a reload or a reconnect only reads). ``connect`` counts a
    candidate socket for the "live" badge; ``chat_disconnect`` uncounts it.
    """
    ctx = chat_context(response=response)
    with transaction.atomic(), translation.override(ctx.language):
        # A reconnect finds and locks the session in one query, reading the response's status fresh in the same
        # statement. A new response has no session yet (its status changes in the transaction that creates
        # one), so the first open skips that lookup and creates it.
        session = None if response.status == Response.Status.NEW else _locked_session(response_id=response.pk)
        created = False
        if session is None:
            try:
                with transaction.atomic():
                    ChatSession.objects.create(response=response)
                created = True
            except IntegrityError:  # another tab opened it first
                created = False
            session = _locked_session(response_id=response.pk)
        ctx.session_id = session.pk
        response.status = session.response.status
        messages = None
        if created and not response.is_screening_finished:
            response_start_chat(response=response)
            greeting = [_bot_unsaved(session, _greeting(ctx))]
            if ctx.questions:
                messages = _save_all([*greeting, _bot_unsaved(session, ctx.questions[0].text, ctx.questions[0])])
            else:
                _finish(ctx, session, response, before=greeting)
        elif not session.is_finished and response.is_screening_finished:
            # Finished elsewhere (a recruiter's decision, an import): the chat is read-only from now on.
            _touch(session, state=ChatSession.State.FINISHED, finished_at=timezone.now())
        if connect:
            # The row is locked: the count read with it is current.
            _touch(session, candidate_sockets=session.candidate_sockets + 1)
        question = None
        if messages is not None:  # just greeted: nothing answered yet, and these are all the messages
            question = ctx.questions[0]
        else:
            messages = list(session.messages.select_related("author"))
            if not session.is_finished:
                question = _current_question(ctx.questions, _answered_ids(response.pk))
    snapshot = ChatSnapshot(
        state=_state_of(session),
        messages=messages,
        question=question,
        recruiter=session.taken_over_by,
        candidate_online=session.candidate_sockets > 0,
    )
    return ctx, snapshot


def chat_snapshot(*, response: Response) -> tuple[ChatContext, ChatSnapshot]:
    """The chat as a recruiter sees it on connecting; opens nothing and greets no one."""
    ctx = chat_context(response=response)
    session = ChatSession.objects.select_related("taken_over_by").filter(response=response).first()
    if session is None:
        state = STATE_FINISHED if response.is_screening_finished else STATE_ACTIVE
        return ctx, ChatSnapshot(state=state, messages=[], question=None, recruiter=None, candidate_online=False)
    ctx.session_id = session.pk
    question = None
    if not session.is_finished:
        question = _current_question(ctx.questions, _answered_ids(response.pk))
    return ctx, ChatSnapshot(
        state=_state_of(session),
        messages=list(session.messages.select_related("author")),
        question=question,
        recruiter=session.taken_over_by,
        candidate_online=session.is_live,
    )


def chat_disconnect(*, session_id: int) -> int:
    """Uncount a candidate socket; returns how many are still open."""
    ChatSession.objects.filter(pk=session_id).update(
        candidate_sockets=Greatest(F("candidate_sockets") - 1, 0), last_activity_at=timezone.now()
    )
    return ChatSession.objects.filter(pk=session_id).values_list("candidate_sockets", flat=True).first() or 0


def _locking(*, recruiter: bool = True):
    # The candidate's turns skip the recruiter's row (a join and a whole user): it is loaded, with one query,
    # only while a recruiter leads the chat.
    related = ("response", "taken_over_by") if recruiter else ("response",)
    return ChatSession.objects.select_for_update(of=("self",)).select_related(*related)


def _locked_session(*, response_id: int) -> ChatSession | None:
    return _locking().filter(response_id=response_id).first()


def _lock(ctx: ChatContext, client_id: str = "", *, recruiter: bool = True) -> ChatSession:
    """Lock the chat's session row; with ``client_id``, the same query tells (``known_id``) whether that id
    already made a message of this chat."""
    sessions = _locking(recruiter=recruiter)
    if client_id:
        sessions = sessions.annotate(
            known_id=Subquery(
                ChatMessage.objects.filter(session=OuterRef("pk"), client_id=client_id).order_by().values("id")[:1]
            )
        )
    return sessions.get(pk=ctx.session_id)


def _known(session: ChatSession, client_id: str) -> int | None:
    if not client_id:
        return None
    if hasattr(session, "known_id"):
        return session.known_id
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
    ``duplicate`` set and writes nothing. ``question_id``, when given, must be
    the question awaited (else ``ChatError("stale_question")``), so an answer
    typed in an old tab never lands on another question.
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
        raise


def _candidate_turn(
    *, ctx: ChatContext, client_id: str, text: str, choices: list[str] | None, question_id: int | None
) -> Turn:
    with transaction.atomic(), translation.override(ctx.language):
        session = _lock(ctx, client_id, recruiter=False)
        known = _known(session, client_id)
        if known is not None:
            return _duplicate(ctx, session, known)
        if session.is_finished or session.response.is_screening_finished:
            raise ChatError("finished", _("This chat is finished."))
        response = session.response
        response.vacancy = ctx.vacancy  # cached with the connection: no query
        shown = ", ".join(choices) if choices else text.strip()
        own = ChatMessage(session=session, sender=ChatMessage.Sender.CANDIDATE, text=shown, client_id=client_id)
        if session.bot_paused:
            own.save()
            _touch(session, lazy=True)
            return Turn(message_id=own.pk, own_message=own, state=STATE_PAUSED, recruiter=session.taken_over_by)
        answered = _answered_ids(response.pk)
        question = _current_question(ctx.questions, answered)
        if question is None:  # every question answered but not finished (e.g. a crash in between)
            messages = _finish(ctx, session, response, before=[own])
            return Turn(message_id=own.pk, own_message=own, messages=messages, state=STATE_FINISHED, state_changed=True)
        if question_id is not None and question_id != question.pk:
            raise ChatError("stale_question", _("This question has already been answered."))
        own.question = question
        turn = Turn(message_id=None, own_message=own)
        raw = list(choices) if choices else text
        try:
            # The session lock serialises the chat's turns and ``answered`` was read under it: no answer to
            # this question exists, so the answer is inserted without update_or_create's savepoints.
            response_submit_answer(response=response, question=question, raw=raw, new=True)
        except scoring.InvalidAnswer as invalid:
            turn.messages = [
                _bot_unsaved(session, invalid.message, question),
                _bot_unsaved(session, question.text, question),
            ]
            _save_all([own, *turn.messages])
            turn.message_id = own.pk
            turn.question, turn.asked = question, True
            _touch(session, lazy=True)
            return turn
        answered.add(question.pk)
        following = _current_question(ctx.questions, answered)
        if following is None:
            turn.messages = _finish(ctx, session, response, before=[own])
            turn.state, turn.state_changed = STATE_FINISHED, True
        else:
            turn.messages = [_bot_unsaved(session, following.text, following)]
            _save_all([own, *turn.messages])
            turn.question, turn.asked = following, True
            _touch(session, lazy=True)
        turn.message_id = own.pk
        return turn


def _duplicate(ctx: ChatContext, session: ChatSession, message_id: int) -> Turn:
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
        left_name = session.taken_over_by.display_name
        messages = [_system(session, _("%(name)s left the chat") % {"name": left_name}, author=session.taken_over_by)]
        _touch(session, taken_over_by=None)
        turn = Turn(message_id=None, state=STATE_ACTIVE, state_changed=True)
        if session.is_finished:
            turn.state = STATE_FINISHED
        else:
            question = _current_question(ctx.questions, _answered_ids(ctx.response_id))
            if question is None:
                turn.messages = messages + _finish(ctx, session, session.response)
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
            return _duplicate(ctx, session, known)
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
            return _duplicate(ctx, session, _known(session, client_id))
        _touch(session)
        return Turn(message_id=own.pk, own_message=own, state=STATE_PAUSED, recruiter=user)
