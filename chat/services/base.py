"""What every chat workflow shares: its errors, the per-connection context, the snapshot and turn shapes, and
the small reads and writes of a session (lock, touch, bot messages, finishing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from screening.models import Answer, ChatMessage, ChatSession, Response
from screening.services import response_finish
from vacancies.models import ScreeningQuestion, Vacancy

from .. import selectors, statements
from ..texts import closing_text, confirm_options
from .slots import slots_offer_message

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
    # The bot's read-back of an answer to ``question``, awaiting the candidate's yes/no (``confirm_prompt``).
    confirm: dict | None = None


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
    # The question is asked as a read-back awaiting yes/no (``confirm_prompt``), not as itself.
    confirm: dict | None = None


def state_of(session: ChatSession) -> str:
    if session.is_finished:
        return STATE_FINISHED
    return STATE_PAUSED if session.bot_paused else STATE_ACTIVE


def current_question(questions: list[ScreeningQuestion], answered: set[int]) -> ScreeningQuestion | None:
    return next((q for q in questions if q.pk not in answered), None)


def answered_ids(response_id: int) -> set[int]:
    # order_by(): Answer's default ordering would join the questions table for nothing.
    return set(Answer.objects.filter(response_id=response_id).order_by().values_list("question_id", flat=True))


def bot_message(session: ChatSession, text: str, question: ScreeningQuestion | None = None) -> ChatMessage:
    return ChatMessage.objects.create(session=session, sender=ChatMessage.Sender.BOT, text=text, question=question)


def bot_unsaved(
    session_id: int, text: str, question: ScreeningQuestion | None = None, payload: dict | None = None
) -> ChatMessage:
    return ChatMessage(
        session_id=session_id,
        sender=ChatMessage.Sender.BOT,
        text=text,
        question_id=question.pk if question else None,
        payload=payload,
    )


def confirm_prompt(message: ChatMessage) -> dict | None:
    """The read-back a bot message asks the candidate to confirm, as frames show it, or None.

    ``{"text": the read-back, "options": [{"value": "yes"|"no", "label"}]}`` (``chat.texts.confirm_options``).
    """
    if not isinstance(message.payload, dict) or "confirm" not in message.payload:
        return None
    return {"text": message.text, "options": confirm_options()}


def awaiting_confirm(messages: list[ChatMessage], question: ScreeningQuestion | None) -> dict | None:
    """``confirm_prompt`` of the bot's latest message naming a question, if that is ``question`` (still awaited)."""
    if question is None:
        return None
    last = next((m for m in reversed(messages) if m.sender == ChatMessage.Sender.BOT and m.question_id), None)
    return confirm_prompt(last) if last is not None and last.question_id == question.pk else None


def system_message(session: ChatSession, text: str, author=None) -> ChatMessage:
    return ChatMessage.objects.create(session=session, sender=ChatMessage.Sender.SYSTEM, text=text, author=author)


# ``last_activity_at`` only feeds the "live" badge (a 30-minute window) and the admin: a turn that changes
# nothing else on the session skips the UPDATE when the row was touched this recently.
ACTIVITY_RESOLUTION = timedelta(seconds=30)


def touch(session: ChatSession, **fields) -> None:
    fields["last_activity_at"] = timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(**fields)
    for name, value in fields.items():
        setattr(session, name, value)


def touch_lazily(ctx: ChatContext) -> None:
    """Record activity at most every ACTIVITY_RESOLUTION per connection (other writers only make the row newer)."""
    now = timezone.now()
    if ctx.touched_at is None or now - ctx.touched_at >= ACTIVITY_RESOLUTION:
        statements.session_update(ctx.session_id, last_activity_at=now)
        ctx.touched_at = now


def finish_screening(ctx: ChatContext, response: Response, *, before: list[ChatMessage] = ()) -> list[ChatMessage]:
    """Score and close the screening; ``before`` (unsaved messages of the same turn) is inserted with the closing.

    Returns the new bot messages (not ``before``).
    """
    finished = response_finish(response=response, questions=ctx.questions)
    response.status = finished.status
    response.score = finished.score
    closing = bot_unsaved(
        ctx.session_id,
        closing_text(vacancy=ctx.vacancy, first_name=ctx.candidate_first_name, status=finished.status),
    )
    new = [closing]
    if finished.status == Response.Status.PASSED:  # interview times as buttons (docs/scheduling.md)
        offer = slots_offer_message(session_id=ctx.session_id, response=response, language=ctx.language)
        new += [offer] if offer is not None else []
    now = timezone.now()
    finished = {"state": ChatSession.State.FINISHED, "finished_at": now, "last_activity_at": now}
    statements.messages_insert([*before, *new], session=(ctx.session_id, finished))  # one statement
    ctx.touched_at = now
    return new


def last_asked_id(messages: list[ChatMessage]) -> int | None:
    """As ``statements.TurnRow.last_asked_id``: the question of the bot's latest message naming one, or None."""
    return next(
        (m.question_id for m in reversed(messages) if m.sender == ChatMessage.Sender.BOT and m.question_id), None
    )


def moved_on(session_id: int, question: ScreeningQuestion) -> ChatMessage:
    """The bot asking the question now awaited after a script change (unsaved)."""
    return bot_unsaved(session_id, _("The questions have changed.") + " " + question.text, question)


def locking():
    # (The candidate's turn locks through ``statements.turn_read`` instead, without the recruiter's row.)
    return ChatSession.objects.select_for_update(of=("self",)).select_related("response", "taken_over_by")


def locked_session(*, response_id: int) -> ChatSession | None:
    return locking().filter(response_id=response_id).first()


def lock(ctx: ChatContext) -> ChatSession:
    return locking().get(pk=ctx.session_id)


def known_message(session: ChatSession, client_id: str) -> int | None:
    if not client_id:
        return None
    return session.messages.filter(client_id=client_id).values_list("id", flat=True).first()


def duplicate_turn(ctx: ChatContext, message_id: int) -> Turn:
    session = ChatSession.objects.select_related("taken_over_by").get(pk=ctx.session_id)
    question = None
    if not session.is_finished:
        question = current_question(ctx.questions, answered_ids(ctx.response_id))
    return Turn(
        message_id=message_id,
        duplicate=True,
        state=state_of(session),
        question=question,
        recruiter=session.taken_over_by,
    )


def require_editor(user) -> None:
    if not getattr(user, "can_edit", False):
        raise ChatError("forbidden", _("Viewers can watch the chat but not take part in it."))
