"""Applying to a vacancy and the screening of a response: chat, answers, finish, decisions, notes.

Finishing a screening queues its AI evaluation (``evaluations.evaluation_request``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry
from smartbot import sql
from vacancies.models import ScreeningQuestion
from vacancies.rules import rule_is_other, rule_snapshot

from .. import live, scoring, tasks
from ..models import Answer, Note, QuestionEvent, Response, StatusChange
from .boards import board_decision_schedule
from .emails import decision_email_send
from .evaluations import evaluation_request
from .scheduling import CANDIDATE, RECRUITER, booking_cancel, booking_live
from .webhooks import response_event_emit_on_commit

# Statuses a recruiter may set; the others are set by the screening itself.
DECISION_STATUSES = (
    Response.Status.SHORTLISTED,
    Response.Status.INTERVIEW,
    Response.Status.OFFER,
    Response.Status.HIRED,
    Response.Status.DECLINED,
    Response.Status.WITHDRAWN,
)


def _record_history(*, response: Response, from_status: str, to_status: str, actor=None, comment: str = "") -> None:
    StatusChange.objects.create(
        response=response, actor=actor, from_status=from_status, to_status=to_status, comment=comment
    )


def response_start_chat(*, response: Response) -> Response:
    """Mark a new response as being screened in the chat (idempotent)."""
    with transaction.atomic(savepoint=False):  # nested in the chat's turn: no savepoint round trips
        started = Response.objects.filter(pk=response.pk, status=Response.Status.NEW).update(
            status=Response.Status.IN_CHAT, updated_at=timezone.now()
        )
        if started:
            response.status = Response.Status.IN_CHAT
            _record_history(response=response, from_status=Response.Status.NEW, to_status=Response.Status.IN_CHAT)
            _pipeline_push(response, kind=live.PIPELINE_CHAT_STARTED, from_status=Response.Status.NEW)
        else:
            response.refresh_from_db(fields=["status"])
    return response


def response_submit_answer(
    *,
    response: Response,
    question: ScreeningQuestion,
    raw,
    new: bool = False,
    reading: tuple[object, str] | None = None,
    read_back: bool = False,
    confirmed: bool = False,
    unread: bool = False,
    store: bool = True,
) -> Answer:
    """Validate, score and store the answer to one question, with the rule it was judged by.

    Raises ``scoring.InvalidAnswer`` (with a message in the vacancy's
    language) when the text cannot be read as the question's kind; nothing is
    written then. Answering the same question again replaces the answer while
    the screening is still running.

    - ``reading``: ``(value, how)`` already read and confirmed by the candidate (a misspelt option they
      confirmed, an LLM's proposal); ``raw`` is then only kept as their words.
    - ``read_back``: the caller can ask the candidate to confirm (the chat): when the value was not read
      literally, or the answer fails its rule or needs review, ``scoring.ReadBack`` is raised with the bot's
      question and nothing is written (``scoring.needs_read_back``).
    - ``confirmed``: the candidate confirmed this reading (stored on the answer; no read-back again).
    - ``unread``: the chat could not read the answer even after a clarification: it is stored with its words
      and no value, and needs review (``scoring.check(unread=True)``).

    ``new=True`` is for a caller that holds a lock serialising the response's
    answers and has seen that the question has no answer yet (the chat): the
    answer is inserted in one statement, without ``update_or_create``'s lock
    and savepoints. An existing answer is then never replaced: the unique
    constraint raises ``IntegrityError`` instead. With ``store=False`` as well, the
    answer is returned unsaved for the caller to insert in its transaction (the
    chat's turn inserts it with its messages, in one statement).
    """
    if question.vacancy_id != response.vacancy_id:
        raise ValidationError("The question belongs to another vacancy.")
    if response.is_screening_finished:
        raise ValidationError(_("This screening is already finished."))
    spec = scoring.QuestionSpec.from_question(question)
    raw_text = ", ".join(raw) if isinstance(raw, list | tuple) else str(raw or "")
    with translation.override(response.vacancy.language):
        if unread:
            value, read_how = None, "unread"
        elif reading is not None:
            value, read_how = reading
        else:
            value, read_how = scoring.read_answer(spec, raw)
        checked = scoring.check(spec, value, words=raw_text, unread=unread)
        if read_back and not confirmed and not unread and scoring.needs_read_back(read_how, checked, spec=spec):
            text = scoring.read_back_text(
                spec, value, words=raw_text, how=read_how, currency=response.vacancy.salary_currency
            )
            raise scoring.ReadBack(value=value, how=read_how, text=text)
    fields = {
        "raw_text": raw_text.strip()[:4000],
        "value": checked.value,
        "read_how": read_how,
        "passed": checked.passed,
        "needs_review": checked.review,
        "confirmed": confirmed,
        "rule": rule_snapshot(question),
        "points": checked.points,
    }
    if new:
        # Plain SQL (smartbot.sql) on purpose: this is the chat's measured turn (docs/benchmarks.md), where the
        # ORM's insert compilation was a large share of the CPU; the chat's query-count pins guard it.
        answer = Answer(response=response, question=question, **fields)
        return sql.insert([answer])[0] if store else answer
    answer, _created = Answer.objects.update_or_create(response=response, question=question, defaults=fields)
    return answer


def _judged(response: Response, questions: list[ScreeningQuestion]):
    """Every question checked against its stored answer under the current rule: ``(results, stale)``, where
    ``stale`` holds ``(answer id, Checked, rule snapshot)`` for answers stored under another rule."""
    answers = {
        row[0]: row[1:]
        for row in response.answers.order_by().values_list(
            "question_id", "pk", "value", "raw_text", "needs_review", "rule"
        )
    }
    results, stale = [], []
    with translation.override(response.vacancy.language):
        for question in questions:
            spec = scoring.QuestionSpec.from_question(question)
            answer_id, value, raw_text, review, rule = answers.get(question.pk, (None, None, "", False, {}))
            # An answer stored without a value but needing review was unreadable; a value in a review band is
            # judged again from the value.
            checked = scoring.check(spec, value, words=raw_text, unread=review and value is None)
            results.append((spec, checked))
            current = rule_snapshot(question)
            if answer_id is not None and rule_is_other(rule or {}, current):
                stale.append((answer_id, checked, current))
    return results, stale


def response_outcome(*, response: Response, questions: list[ScreeningQuestion] | None = None) -> scoring.Outcome:
    """Compute (without saving) the outcome of a response from its stored answers, under the current rules.

    ``questions``: the vacancy's script if the caller has it loaded already (the chat does).
    """
    if questions is None:
        questions = list(response.vacancy.questions.all())
    results, _stale = _judged(response, questions)
    with translation.override(response.vacancy.language):
        return scoring.outcome(results, threshold=response.vacancy.pass_threshold)


def response_finish(*, response: Response, questions: list[ScreeningQuestion] | None = None) -> Response:
    """Close the screening: compute score and status, record history, queue evaluation.

    Idempotent: a response whose screening is already finished is returned as is.
    ``questions``: the vacancy's script if the caller has it loaded already (the chat does).
    """
    with transaction.atomic(savepoint=False):  # nested in the chat's turn: no savepoint round trips
        locked = Response.objects.select_for_update().get(pk=response.pk)
        locked.vacancy = response.vacancy  # the caller's (cached) vacancy, or one query
        if locked.is_screening_finished:
            return locked
        if questions is None:
            questions = list(locked.vacancy.questions.all())
        results, stale = _judged(locked, questions)
        with translation.override(locked.vacancy.language):
            result = scoring.outcome(results, threshold=locked.vacancy.pass_threshold)
        for answer_id, checked, rule in stale:
            # A rule edited while the candidate was in the chat: the screening is judged by the rule as it is
            # now, and so are these answers, which then record it (no stale verdict left for re-judging).
            Answer.objects.filter(pk=answer_id).update(
                passed=checked.passed, needs_review=checked.review, points=checked.points, rule=rule
            )
        previous, now = locked.status, timezone.now()
        changed = {
            "status": result.status,
            "score": result.score,
            "rejection_reasons": result.reasons,
            "review_reasons": result.review_reasons,
            "screening_verdict": result.status,
            "completed_at": now,
            "followup_pending": True,  # the follow-up's outbox (``followup`` clears it)
            "updated_at": now,
        }
        for name, value in changed.items():
            setattr(locked, name, value)
        history = StatusChange(
            response=locked,
            from_status=previous,
            to_status=result.status,
            comment=_("Screening finished with score %(score)d.") % {"score": result.score},
        )
        # The row's UPDATE rides with its history's INSERT, one statement (``smartbot.sql``: the chat's measured
        # last turn; as ``save(update_fields=...)`` and ``_record_history`` would write them).
        sql.insert([history], along=(sql.Update(Response, locked.pk, **changed),))
        # The chat announces the finish itself (a "state: finished" frame, on which the recruiter's page reloads
        # its evaluation block): no second live event, which cost the chat's last turn a channel-layer round trip.
        # Only the pending row here: the follow-up queues the evaluation and emits ``response.completed``, so the
        # chat's last turn publishes one message, not two, and skips the webhook endpoints' lookup
        # (docs/architecture.md, "After the last answer").
        evaluation_request(response=locked, announce=False, queue=False)
        _pipeline_push(locked, kind=live.PIPELINE_FINISHED, from_status=previous)
        tasks.screening_followup.delay(locked.pk)  # published on commit (TransactionAwareTask); swept if lost
    return locked


def response_change_status(
    *,
    response: Response,
    to_status: str,
    actor,
    comment: str = "",
    candidate_reason: str = "",
    notify: bool | None = None,
    audit: bool = True,
) -> Response:
    """A recruiter's decision on a response, recorded in its history.

    The candidate is emailed about it when the company enables decision emails (``decision_email_send``);
    ``candidate_reason`` is the plain-words reason a declined candidate is told where the vacancy allows it.
    ``notify`` True or False overrides the company's default for this decision (a bulk action's choice).
    A decision by a member (``actor``) goes to the audit log (``status_changed``, ids and statuses only) unless
    ``audit`` is False: a bulk action writes one entry for all its responses instead.
    """
    if to_status not in DECISION_STATUSES:
        raise ValidationError({"status": _("This status is set by the screening, not by hand.")})
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        _refuse_erased(locked)
        if locked.status == to_status:
            raise ValidationError({"status": _("The response already has this status.")})
        previous = locked.status
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        _record_history(
            response=locked, from_status=previous, to_status=to_status, actor=actor, comment=comment.strip()
        )
        if audit and actor is not None:
            audit_record(
                company=actor.company_id,
                actor=actor,
                action=AuditEntry.Action.STATUS_CHANGED,
                target=f"response:{locked.pk}",
                summary=f"Response {locked.pk} moved from {previous} to {to_status}",
                details={"response": locked.pk, "vacancy": locked.vacancy_id, "from": previous, "to": to_status},
            )
        if notify is not False:
            decision_email_send(
                response=locked, status=to_status, reason=candidate_reason, actor=actor, always=bool(notify)
            )
        if to_status in (Response.Status.DECLINED, Response.Status.WITHDRAWN):
            _interview_cancel(response=locked, to_status=to_status, actor=actor)
        response_event_emit_on_commit(response=locked, event="response.status_changed")
        board_decision_schedule(response=locked)  # a job board's response: the decision written back after commit
        locked.vacancy = response.vacancy  # the caller's (cached) vacancy, for the company's live pipeline
        _pipeline_push(locked, kind=live.PIPELINE_STATUS, from_status=previous)
    return locked


def _pipeline_push(response: Response, *, kind: str, from_status: str) -> None:
    """The company's open boards and tables learn of the change after commit (``live.pipeline_broadcast``)."""
    live.pipeline_broadcast(
        company_id=response.vacancy.company_id,
        vacancy_id=response.vacancy_id,
        response_id=response.pk,
        kind=kind,
        from_status=from_status,
        status=response.status,
    )


def _interview_cancel(*, response: Response, to_status: str, actor) -> None:
    """A declined or withdrawn candidate's booked interview is cancelled: the slot frees and the candidate's
    calendar gets the cancellation (``booking_cancel``), by the recruiter or by the candidate who withdrew."""
    booking = booking_live(response=response)
    if booking is not None:
        withdrawn = to_status == Response.Status.WITHDRAWN
        booking_cancel(booking=booking, by=CANDIDATE if withdrawn else RECRUITER, user=None if withdrawn else actor)


def _refuse_erased(response: Response) -> None:
    if response.is_erased:
        raise ValidationError(
            _("This candidate's data was erased: the application cannot be changed."), code="conflict"
        )


def response_add_note(*, response: Response, author, text: str) -> Note:
    """A recruiter's note on a response. Raises ``ValidationError`` for an empty note or an erased application."""
    _refuse_erased(response)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A note cannot be empty.")})
    return Note.objects.create(response=response, author=author, text=text)


def question_events_record(*, response_id: int, question_id: int, kinds: list[str]) -> None:
    """Count what happened while a question was answered (``QuestionEvent.Kind``: clarification, read_back,
    correction, review), one row per kind in ``kinds``, for the per-question counts on the vacancy page."""
    QuestionEvent.objects.bulk_create(
        [QuestionEvent(response_id=response_id, question_id=question_id, kind=kind) for kind in kinds]
    )
