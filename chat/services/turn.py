"""A candidate's turn: an answer to the question awaited, or a message to the recruiter who leads the chat."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from screening import ai, scoring
from screening.models import Answer, ChatMessage, ChatSession
from screening.reading.asked import is_question
from screening.services import (
    QuestionAnswer,
    candidate_question_answer,
    candidate_question_record,
    question_events_record,
    reading_llm_propose,
    response_submit_answer,
)
from vacancies.models import ScreeningQuestion

from .. import statements
from ..handoff import handoff_reason
from ..texts import (
    clarification_review_text,
    confirm_hint_text,
    confirm_options,
    correction_text,
    read_confirmation,
)
from .base import (
    STATE_FINISHED,
    STATE_PAUSED,
    ChatContext,
    ChatError,
    Turn,
    bot_unsaved,
    current_question,
    duplicate_turn,
    finish_screening,
    moved_on,
    touch_lazily,
)
from .handoff import handoff_stuck, handoff_turn


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
    prepared = _prepare(ctx, text=text, choices=choices, question_id=question_id)
    args = {"ctx": ctx, "client_id": client_id, "text": text, "choices": choices, "question_id": question_id}
    args["prepared"] = prepared
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


@dataclass(frozen=True)
class Prepared:
    """The slow parts of a candidate's turn, done before it takes the chat's row lock (``_prepare``)."""

    asked: QuestionAnswer | None = None  # the message asks the bot something: what was found for it
    proposal: tuple[int, object, str] | None = None  # (question id, value, how): an LLM's reading of an answer
    handoff: str | None = None  # the message asks for a person or complains (``chat.handoff``): the reason


def _prepare(ctx: ChatContext, *, text: str, choices: list[str] | None, question_id: int | None) -> Prepared:
    """What may wait on an LLM, done outside the turn's transaction so a slow model never holds the chat's lock
    or a database connection: the answer to a candidate's question (``candidate_question_answer``), or a
    reading of an answer the rules cannot read (``reading_llm_propose``; only for a frame naming its question,
    as the bundled clients do, and only where an LLM may be used at all)."""
    if ctx.response.is_screening_finished:  # as last seen: the turn refuses it anyway, without a model's call
        return Prepared()
    if not choices:
        # A bare "operator" is an answer where free text is awaited (or the question is not named).
        named = ctx.question_by_id(question_id)
        reason = handoff_reason(text, strict=named is None or named.kind == "text")
        if reason is not None:
            return Prepared(handoff=reason)
    if not choices and is_question(text):
        return Prepared(asked=candidate_question_answer(response=ctx.response, text=text))
    question = ctx.question_by_id(question_id)
    if question is None or not ai.is_configured() or not ctx.response.ai_allowed:
        return Prepared()
    raw = list(choices) if choices else text
    try:
        scoring.read_answer(scoring.QuestionSpec.from_question(question), raw)
    except scoring.InvalidAnswer as invalid:
        if invalid.proposal is None and invalid.code not in UNREVIEWABLE:
            helped = reading_llm_propose(response=ctx.response, question=question, raw=raw)
            if helped is not None:
                return Prepared(proposal=(question.pk, helped.value, helped.how))
    return Prepared()


def _candidate_turn(
    *,
    ctx: ChatContext,
    client_id: str,
    text: str,
    choices: list[str] | None,
    question_id: int | None,
    prepared: Prepared,
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
            return duplicate_turn(ctx, row.known_id)
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
            touch_lazily(ctx)
            recruiter = User.objects.filter(pk=row.taken_over_by_id).first()
            return Turn(message_id=own.pk, own_message=own, state=STATE_PAUSED, recruiter=recruiter)
        question = current_question(ctx.questions, row.answered)
        if question is None:  # every question answered but not finished (e.g. a crash in between)
            messages = finish_screening(ctx, response, before=[own])
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
        prompt = row.prompt if row.last_asked_id == question.pk else {}
        if prepared.handoff is not None:
            return handoff_turn(ctx, turn, question, prepared.handoff, text, prompt)
        if prepared.asked is not None:
            return _asked_back(ctx, turn, question, prepared.asked, prompt)
        return _answer(ctx, row, turn, question, raw, prompt, prepared)


def _asked_back(ctx: ChatContext, turn: Turn, question: ScreeningQuestion, found: QuestionAnswer, prompt: dict) -> Turn:
    """The candidate asked something ("What is the salary?"): answer it from the vacancy and the company's
    answers, or say it was passed to the recruiters (``candidate_question_reply``); then ask again what was
    awaited, the pending read-back included."""
    turn.own_message.question_id = None  # not an answer
    reply = candidate_question_record(response=ctx.response, found=found)
    turn.messages = [bot_unsaved(ctx.session_id, reply.text)]
    if "confirm" in prompt:
        again = prompt["confirm"].get("text") or question.text
        turn.confirm = {"text": again, "options": confirm_options()}
        return _ask(ctx, turn, question, [], text=again, payload=prompt, keep=turn.messages)
    return _ask(ctx, turn, question, [], payload=prompt or None, keep=turn.messages)


def _answer(
    ctx: ChatContext, row: statements.TurnRow, turn: Turn, question: ScreeningQuestion, raw, prompt: dict, prepared
) -> Turn:
    """Read the candidate's answer to ``question`` and store it, or read it back, or ask again.

    ``prompt``: the payload of the bot's latest message for this question (``ChatMessage.payload``): a read-back
    awaiting yes/no (``confirm``), a clarification already asked (``clarify``: how many), or a correction asked
    after a read-back was refused (``correct``: the refused value; repeating it confirms it).
    """
    response, own = ctx.response, turn.own_message
    events: list[str] = []
    pending = prompt.get("confirm")
    refused = (prompt.get("correct") or {}).get("value", _NOTHING) if "correct" in prompt else _NOTHING
    # ``store=False``: the answer is inserted with the turn's messages, in one statement (``_next``).
    submit = {"response": response, "question": question, "raw": raw, "new": True, "read_back": True, "store": False}
    answer = None
    if pending is not None:
        reply = read_confirmation(", ".join(raw) if isinstance(raw, list) else raw)
        if reply == "yes":
            own.question_id = None  # the reply confirms the answer; the answer's words are the earlier message's
            submit.update(raw=pending["raw"], reading=(pending["value"], pending["how"]), confirmed=True)
        elif reply == "no":
            question_events_record(response_id=response.pk, question_id=question.pk, kinds=["correction"])
            correct = {"correct": {"value": pending["value"]}}
            return _ask(ctx, turn, question, [], text=correction_text() + " " + question.text, payload=correct)
        else:  # a corrected answer typed straight away ("350k" after "So you expect 400 000?")
            events.append("correction")
            refused = pending["value"]
    try:
        # The session lock serialises the chat's turns and ``answered`` was read under it: no answer to
        # this question exists, so the answer is inserted without update_or_create's savepoints.
        try:
            answer = response_submit_answer(**submit)
        except scoring.ReadBack as read_back:
            if read_back.value != refused:
                return _confirm(ctx, turn, question, raw, read_back, events)
            # The candidate refused the read-back and then wrote the same thing again: that is what they mean.
            answer = response_submit_answer(**submit, reading=(read_back.value, read_back.how), confirmed=True)
    except scoring.InvalidAnswer as invalid:
        proposal = invalid.proposal  # a close misspelling: offered back, confirmed like any read-back
        helped = prepared.proposal
        if proposal is None and helped is not None and helped[0] == question.pk:
            # An LLM, where allowed, read what the rules could not (``_prepare``); confirmed like any reading.
            proposal = helped[1:]
        if pending is not None and proposal is None:
            # Neither yes, no nor a readable answer while a read-back waits ("hmm", "what?"): the read-back stays,
            # asked again with its buttons, and nothing the candidate said before is lost.
            turn.confirm = {"text": pending.get("text") or question.text, "options": confirm_options()}
            hint = confirm_hint_text()
            return _ask(ctx, turn, question, [], text=f"{hint} {turn.confirm['text']}", payload=prompt)
        if proposal is not None:
            # Not a literal reading, so the service reads it back (``ReadBack``) and stores nothing yet.
            try:
                response_submit_answer(**{**submit, "reading": proposal, "store": True})
            except scoring.ReadBack as read_back:
                return _confirm(ctx, turn, question, raw, read_back, events)
        clarified = int(prompt.get("clarify") or 0)
        if clarified >= 1:  # the second answer to this question that could not be taken: a person should help
            handoff_stuck(ctx, question, raw)
        if clarified < 1 or invalid.code in UNREVIEWABLE:
            events.append("clarification")
            question_events_record(response_id=response.pk, question_id=question.pk, kinds=events)
            return _ask(ctx, turn, question, [invalid.message], payload={"clarify": clarified + 1})
        # Unclear twice: a person decides rather than the candidate being asked forever (never a rejection).
        response_submit_answer(response=response, question=question, raw=raw, new=True, unread=True)
        events.append("review")
        turn.messages = [bot_unsaved(ctx.session_id, clarification_review_text())]
    if events:
        question_events_record(response_id=response.pk, question_id=question.pk, kinds=events)
    return _next(ctx, row, turn, question, answer)


def _confirm(
    ctx: ChatContext, turn: Turn, question: ScreeningQuestion, raw, read_back: scoring.ReadBack, events: list[str]
) -> Turn:
    """Ask the candidate to confirm a reading (``read_back``) of their answer ``raw``, with the two buttons; the
    reading waits on the bot's message (``ChatMessage.payload``) for the next turn."""
    events.append("read_back")
    question_events_record(response_id=ctx.response.pk, question_id=question.pk, kinds=events)
    pending = {"raw": raw, "value": read_back.value, "how": read_back.how, "text": read_back.text}
    turn.confirm = {"text": read_back.text, "options": confirm_options()}
    return _ask(ctx, turn, question, [], text=read_back.text, payload={"confirm": pending})


# An empty required answer, or a question of an unknown kind: asked again, never sent to review.
UNREVIEWABLE = frozenset({"required", "kind"})
_NOTHING = object()  # no refused read-back to compare with (None is a value: a skipped answer)


def _ask(
    ctx: ChatContext,
    turn: Turn,
    question: ScreeningQuestion,
    before: list[str],
    *,
    text: str = "",
    payload: dict | None = None,
    keep: list[ChatMessage] = (),
) -> Turn:
    """Store the candidate's message, ``keep`` (unsaved bot messages already made) and the bot's ``before``
    lines, then ask ``question`` again: its text, or ``text`` (a read-back) carrying ``payload``."""
    turn.messages = [
        *keep,
        *(bot_unsaved(ctx.session_id, line, question) for line in before),
        bot_unsaved(ctx.session_id, text or question.text, question, payload=payload),
    ]
    statements.messages_insert([turn.own_message, *turn.messages])
    turn.message_id = turn.own_message.pk
    turn.question, turn.asked = question, True
    touch_lazily(ctx)
    return turn


def _next(
    ctx: ChatContext, row: statements.TurnRow, turn: Turn, question: ScreeningQuestion, answer: Answer | None
) -> Turn:
    """After ``question`` was answered: ask the next question, or finish the screening after the last one.

    ``answer``: the answer still to insert (``response_submit_answer(store=False)``), or None if it is stored.
    """
    following = current_question(ctx.questions, row.answered | {question.pk})
    before = [turn.own_message, *turn.messages]
    if following is None:
        if answer is not None:
            statements.answer_insert(answer)  # the finish scores the stored answers
        turn.messages = [*turn.messages, *finish_screening(ctx, ctx.response, before=before)]
        turn.state, turn.state_changed = STATE_FINISHED, True
    else:
        asked = bot_unsaved(ctx.session_id, following.text, following)
        statements.messages_insert([*before, asked], answer=answer)
        turn.messages = [*turn.messages, asked]
        turn.question, turn.asked = following, True
        touch_lazily(ctx)
    turn.message_id = turn.own_message.pk
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
        turn.messages = statements.messages_insert([moved_on(ctx.session_id, question)])
        touch_lazily(ctx)
    return turn
