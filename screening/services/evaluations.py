"""The AI evaluation of finished responses, the LLM calls behind it, and the company's LLM budget and usage."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartbot import metrics, sql

from .. import ai, selectors, tasks
from ..ai.calls import InvalidTwice
from ..models import Evaluation, Response
from .advice import Advice, advice_make, evaluation_runs
from .webhooks import response_event_emit_on_commit

logger = logging.getLogger(__name__)

# --- AI evaluation, suggested questions and usage (issue 4) ----------------------------------
#
# The flow: ``evaluation_request`` (after a chat completes, or "Re-evaluate") makes sure a
# pending Evaluation row exists and queues ``tasks.evaluate_response``; the task calls
# ``evaluation_run``, which claims the row, picks the evaluator (builtin or LLM), and stores
# only validated output. See docs/llm.md.
#
# Never stuck (docs/llm.md, "Evaluations never stick"): the pending row is the outbox (written in
# the caller's transaction; queueing after commit never raises), the claim names its task so a
# redelivered task takes over at once, any error ends in "failed" with a reason, and the beat
# sweep (every minute) queues again what nobody holds.


def evaluation_request(*, response: Response, force: bool = False, announce: bool = True, queue: bool = True) -> None:
    """Queue the AI evaluation of a finished response once the current transaction commits.

    ``force`` re-runs an evaluation that already exists (the "Re-evaluate" button);
    a forced request for an evaluation that is running or queued raises
    ``ValidationError(code="conflict")`` (the API's 409) instead of doing nothing.
    ``announce=False`` skips the live ``evaluation.updated`` event, for a caller
    that announces the change itself. The pending row is written in the caller's
    transaction and the task queued after commit; a broker that is down then
    delays the evaluation (the beat sweep queues it) but never fails the caller.
    ``queue=False`` writes the pending row only: the caller queues the task
    (``evaluation_queue``), as the finished screening's follow-up does.
    """
    if not response.is_screening_finished:
        raise ValidationError(_("The screening is not finished yet: there is nothing to evaluate."), code="conflict")
    if response.is_erased:
        raise ValidationError(_("This candidate's data was erased: there is nothing to evaluate."), code="conflict")
    if not response.ai_allowed:
        # No consent to AI-assisted evaluation: the rules screen, a person reviews; nothing is evaluated.
        if force:
            raise ValidationError(
                _("The candidate did not agree to AI-assisted evaluation: review the answers yourself."),
                code="conflict",
            )
        return
    refusal = ""
    with transaction.atomic(savepoint=False):
        # The common case (a screening just finished) is one INSERT ... ON CONFLICT DO NOTHING, no savepoint
        # (``smartbot.sql``: it runs in the chat's measured last turn); an existing row (made earlier, or by a
        # concurrent request: the INSERT waits for its commit) is locked and looked at.
        created = sql.insert_if_new(
            Evaluation(response=response, prompt_version=ai.PROMPT_VERSION, status=Evaluation.Status.PENDING)
        )
        if not created:
            evaluation = Evaluation.objects.select_for_update().get(response=response, prompt_version=ai.PROMPT_VERSION)
            if evaluation.status == Evaluation.Status.RUNNING:
                if not force:
                    return  # a worker is on it right now; its result is as fresh as a re-run would be
                refusal = _("The evaluation is running right now: re-evaluate once it has finished.")
            elif evaluation.status == Evaluation.Status.PENDING:
                if force:
                    refusal = _("The evaluation is already queued: it starts shortly.")
            elif not force:
                return  # one evaluation per response and prompt version
            else:
                _evaluation_reset(evaluation)
    if refusal:
        # Raised outside the atomic block: a caller's transaction stays usable (the admin loops over responses).
        raise ValidationError(refusal, code="conflict")
    # Published once the caller's transaction commits. The pending row written above is the outbox: when the
    # broker is down the failure is logged and the beat sweep (``evaluation_requeue_stalled``) queues it later.
    if queue:
        evaluation_queue(response_id=response.pk)
    if announce:
        _on_commit_evaluation_updated(response_id=response.pk)


def evaluation_queue(*, response_id: int) -> None:
    """Queue the evaluation task of a response whose pending row exists (``evaluation_request(queue=False)``);
    published after the current transaction commits. A lost message is the sweep's (the row is the outbox)."""
    tasks.evaluate_response.delay(response_id)


def _on_commit_evaluation_updated(*, response_id: int) -> None:
    from .. import live

    event = {"type": "evaluation.updated", "response_id": response_id}
    transaction.on_commit(lambda: live.response_broadcast(response_id=response_id, event=event))


def _evaluation_reset(evaluation: Evaluation) -> None:
    """Put a finished evaluation back to pending, in place (one row per response and prompt version)."""
    evaluation.status = Evaluation.Status.PENDING
    evaluation.error = ""
    evaluation.fallback_reason = ""
    evaluation.attempts = 0
    evaluation.tokens_in = evaluation.tokens_out = evaluation.latency_ms = 0
    evaluation.cost = 0
    evaluation.finished_at = None
    evaluation.task_id = ""
    evaluation.lease_expires_at = None
    evaluation.save()


def _evaluation_input(response: Response) -> tuple[ai.EvaluationInput, ai.Identity]:
    vacancy = response.vacancy
    answers = tuple(
        ai.QA(
            question=answer.question.text,
            answer=answer.raw_text,
            passed=answer.passed,
            question_id=answer.question_id,
            kind=answer.question.kind,
            weight=answer.question.weight,
            credit=min(1.0, answer.points / answer.question.weight) if answer.question.weight else 0.0,
            has_rule=bool(answer.question.knockout),
        )
        for answer in response.answers.select_related("question").order_by("question__position", "question_id")
    )
    data = ai.EvaluationInput(
        title=vacancy.title,
        description=vacancy.description,
        requirements=tuple(vacancy.requirement_lines),
        answers=answers,
        # The visible resume only: text hidden in the file (white, tiny, off-page) is never read as the resume.
        resume=response.resume_text,
        rule_score=response.score,
        rule_status=response.status if response.status in ("passed", "rejected") else "",
        rejection_reasons=tuple(str(r) for r in (response.rejection_reasons or [])),
        language=vacancy.language,
    )
    return data, ai.Identity(full_name=response.full_name, email=response.email, phone=response.phone)


def evaluation_lease() -> timedelta:
    """How long a claim holds without its holder finishing: the task's hard time limit (``CELERY_TASK_TIME_LIMIT``).

    A live task never runs longer (Celery kills it), so an older claim belongs to a lost worker.
    """
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _evaluation_claim(*, response_id: int, force: bool, task_id: str) -> Evaluation | None:
    """Take the response's evaluation for task ``task_id``, or None when there is nothing to do.

    A claim records its task and a lease (``evaluation_lease``). Another task
    leaves a claimed evaluation alone until the lease runs out (a duplicate from
    the sweep, a double click); the same task id (Celery redelivers a lost
    worker's message with its id) takes it over at once, so a killed worker's
    evaluation is finished by the redelivery instead of waiting for the lease.
    """
    now = timezone.now()
    with transaction.atomic():
        response = Response.objects.filter(pk=response_id).first()
        if response is None:
            return None
        evaluation, _created = Evaluation.objects.get_or_create(
            response=response, prompt_version=ai.PROMPT_VERSION, defaults={"status": Evaluation.Status.PENDING}
        )
        evaluation = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("response__vacancy__company", "response__candidate")
            .get(pk=evaluation.pk)
        )
        if evaluation.status in (Evaluation.Status.DONE, Evaluation.Status.FAILED):
            if not force or evaluation.task_id == task_id:
                return None  # finished (by this very task, when its acknowledgement was lost)
            _evaluation_reset(evaluation)
        elif evaluation.is_claimed_by_another(task_id=task_id, now=now):
            return None
        evaluation.status = Evaluation.Status.RUNNING
        evaluation.task_id = task_id
        evaluation.lease_expires_at = now + evaluation_lease()
        evaluation.attempts += 1
        evaluation.save(update_fields=["status", "task_id", "lease_expires_at", "attempts", "updated_at"])
    return evaluation


def _evaluation_save(
    evaluation: Evaluation, *, status: str, expected: tuple[str, ...] = (Evaluation.Status.RUNNING,), **fields
) -> Evaluation:
    """Write the outcome if this task still holds the evaluation; copy score and advice to the response.

    Only the response's ``ai_score`` and ``ai_recommendation`` change: its status is a recruiter's call.
    """
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if current.status not in expected or current.task_id != evaluation.task_id:
            return current  # taken over (this worker was thought lost) or finished meanwhile: not ours to write
        for name, value in fields.items():
            setattr(evaluation, name, value)
        evaluation.status = status
        if status in (Evaluation.Status.DONE, Evaluation.Status.FAILED):
            evaluation.finished_at = timezone.now()
            evaluation.lease_expires_at = None  # the task id stays: a redelivery of it has nothing left to do
            metrics.evaluation_finished(evaluator=evaluation.evaluator, status=status, since=evaluation.updated_at)
        evaluation.save()
        if status == Evaluation.Status.DONE:
            Response.objects.filter(pk=evaluation.response_id).update(
                ai_score=evaluation.score, ai_recommendation=evaluation.recommendation
            )
            response_event_emit_on_commit(response=evaluation.response, event="response.evaluated")
        elif status == Evaluation.Status.FAILED:
            Response.objects.filter(pk=evaluation.response_id).update(ai_score=None, ai_recommendation="")
        _on_commit_evaluation_updated(response_id=evaluation.response_id)
    return evaluation


def _advice_fields(advice: Advice, *, rubric_hash: str) -> dict:
    result = advice.result
    return {
        "score": result.score,
        "summary": result.summary,
        "strengths": list(result.strengths),
        "concerns": list(result.concerns),
        "recommendation": result.recommendation,
        "evidence": list(result.evidence),
        "model_score": result.model_score,
        "model_recommendation": result.model_recommendation,
        "dropped_claims": min(result.dropped_claims, 32767),
        "rubric_version": ai.RUBRIC_VERSION,
        "rubric_hash": rubric_hash,
        "input_hash": advice.input_hash,
        "run_scores": list(advice.run_scores),
        "score_spread": advice.spread,
        "evaluator": advice.evaluator,
        "fallback_reason": advice.fallback_reason,
        "model": advice.model,
        "error": "",
    }


_EMPTY_RESULT = {
    "score": None,
    "summary": "",
    "strengths": [],
    "concerns": [],
    "recommendation": "",
    "evidence": [],
    "model_score": None,
    "model_recommendation": "",
    "dropped_claims": 0,
    "run_scores": [],
    "score_spread": None,
}


class EvaluationRetryLater(Exception):
    """The provider failed in a way a later attempt may fix: retry the task in ``countdown`` seconds.

    The evaluation is pending meanwhile, still claimed by the task (for the
    countdown plus ``RETRY_GRACE``), so the sweep and duplicates leave it alone.
    ``error`` is the ``ai.LLMError`` behind it.
    """

    def __init__(self, error: ai.LLMError, countdown: float):
        super().__init__(error.message)
        self.error = error
        self.countdown = countdown


# How long after a scheduled retry is due its task still holds the evaluation (one sweep period).
RETRY_GRACE = timedelta(minutes=1)


def evaluation_run(
    *, response_id: int, force: bool = False, last_attempt: bool = True, retries: int = 0, task_id: str = ""
) -> Evaluation | None:
    """Evaluate a response once: claim its evaluation, pick the evaluator, store validated advice.

    The builtin evaluator runs when no LLM is configured, when the company has
    switched AI off (then nothing about the candidate leaves the machine) or when
    its monthly budget is spent; ``fallback_reason`` says which. With the LLM, the
    candidate's text is redacted and delimited, the reply validated, an invalid
    reply repaired once, then the evaluation fails with the reason.

    ``task_id`` names the claim (the Celery task id; a fresh one when empty),
    ``retries`` is how many retries came before this attempt (for the backoff).
    Raises ``EvaluationRetryLater`` when retrying can help and ``last_attempt``
    is False (the evaluation waits, pending, for the retry). Anything else that
    goes wrong (a provider error, an unreadable reply, a bug, the soft time
    limit) marks the evaluation failed with the reason, to be re-evaluated, and
    is not raised. Returns None when there was nothing to do (already done, or
    claimed by another live task).
    """
    from celery.exceptions import SoftTimeLimitExceeded

    evaluation = _evaluation_claim(response_id=response_id, force=force, task_id=task_id or f"run-{uuid.uuid4()}")
    if evaluation is None:
        return None
    try:
        return _evaluation_evaluate(evaluation, last_attempt=last_attempt, retries=retries)
    except EvaluationRetryLater:
        raise
    except SoftTimeLimitExceeded:
        error = _("The evaluation took too long and was stopped. Re-evaluate to try again.")
    except Exception as exc:
        # Whatever it was (a reply no check foresaw, the database), the evaluation must not stay "running".
        logger.exception("the evaluation of response %s failed", response_id)
        error = _("The evaluation stopped on an unexpected error (%(error)s). Re-evaluate to try again.") % {
            "error": type(exc).__name__
        }
    return _evaluation_save(evaluation, status=Evaluation.Status.FAILED, error=error, **_EMPTY_RESULT)


def _evaluation_evaluate(evaluation: Evaluation, *, last_attempt: bool, retries: int) -> Evaluation:
    response = evaluation.response
    company = response.vacancy.company
    if not response.ai_allowed or response.is_erased:
        # Queued before a withdrawal of consent or an erasure: nothing about the candidate is evaluated.
        return _evaluation_save(
            evaluation,
            status=Evaluation.Status.FAILED,
            error="The candidate did not agree to AI-assisted evaluation, or their data was erased.",
            **_EMPTY_RESULT,
        )
    raw, identity = _evaluation_input(response)
    rubric_hash = selectors.vacancy_rubric_hash(vacancy=response.vacancy)

    def account(completion, cost) -> None:
        evaluation.model = completion.model[:100]
        evaluation.tokens_in += completion.tokens_in
        evaluation.tokens_out += completion.tokens_out
        evaluation.latency_ms += completion.latency_ms
        evaluation.cost += cost

    evaluation.evaluator = Evaluation.Evaluator.LLM
    try:
        advice = advice_make(
            company=company,
            raw=raw,
            identity=identity,
            hidden_text=response.resume_hidden_text,
            runs=evaluation_runs(),
            account=account,
        )
    except InvalidTwice as invalid:
        return _evaluation_save(evaluation, status=Evaluation.Status.FAILED, error=invalid.message, **_EMPTY_RESULT)
    except ai.LeakBlocked as blocked:
        # Not retried: the same input would leak the same way. A person reviews the candidate instead.
        return _evaluation_save(evaluation, status=Evaluation.Status.FAILED, error=blocked.message, **_EMPTY_RESULT)
    except ai.LLMError as exc:
        if exc.retryable and not last_attempt:
            countdown = ai.retry_delay(retries, exc.retry_after)
            _evaluation_save(
                evaluation,
                status=Evaluation.Status.PENDING,
                lease_expires_at=timezone.now() + timedelta(seconds=countdown) + RETRY_GRACE,
                error=_("Attempt %(n)d failed: %(error)s Retrying.") % {"n": evaluation.attempts, "error": exc.message},
            )
            raise EvaluationRetryLater(exc, countdown)
        return _evaluation_save(
            evaluation,
            status=Evaluation.Status.FAILED,
            error=_("The LLM provider failed after %(n)d attempt(s): %(error)s Re-evaluate to try again.")
            % {"n": evaluation.attempts, "error": exc.message},
            **_EMPTY_RESULT,
        )
    return _evaluation_save(
        evaluation, status=Evaluation.Status.DONE, **_advice_fields(advice, rubric_hash=rubric_hash)
    )


# The most evaluations one sweep queues; the rest wait for the next minute.
SWEEP_LIMIT = 500


def evaluation_requeue_stalled(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue again the evaluations nobody holds; returns how many were queued.

    Taken: pending ones older than ``older_than`` that no task holds (a lost
    enqueue: the broker was down at commit time, or the message was lost) or
    whose scheduled retry is overdue, and running ones whose lease
    (``evaluation_lease``) has run out (a lost worker). They are put back to
    pending, unclaimed, and queued; the first refusal of the broker ends the
    sweep (the next one tries again). Duplicates are harmless: only one task
    can hold the claim. Run every minute by Celery beat.
    """
    now = timezone.now()
    unheld = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    stalled = (Q(status=Evaluation.Status.PENDING, updated_at__lt=now - older_than) & unheld) | Q(
        status=Evaluation.Status.RUNNING, lease_expires_at__lt=now
    )
    # A running row from before claims had leases: abandoned once older than the lease.
    stalled |= Q(
        status=Evaluation.Status.RUNNING, lease_expires_at__isnull=True, updated_at__lt=now - evaluation_lease()
    )
    with transaction.atomic():
        rows = list(
            Evaluation.objects.select_for_update(skip_locked=True)
            .filter(stalled)
            .order_by("updated_at")
            .values_list("pk", "response_id")[:SWEEP_LIMIT]
        )
        Evaluation.objects.filter(pk__in=[pk for pk, _response_id in rows]).update(
            status=Evaluation.Status.PENDING, task_id="", lease_expires_at=None, updated_at=now
        )
    queued = 0
    for _pk, response_id in rows:
        if tasks.evaluate_response.delay(response_id) is None:  # the broker refused (logged): the next sweep tries
            break
        queued += 1
    return queued


def evaluation_give_up(*, response_id: int, reason: str) -> None:
    """Mark a response's unfinished evaluation failed from outside the run (the task hit its time limit)."""
    evaluation = (
        Evaluation.objects.select_related("response")
        .filter(response_id=response_id, prompt_version=ai.PROMPT_VERSION)
        .first()
    )
    if evaluation is not None:
        _evaluation_save(
            evaluation,
            status=Evaluation.Status.FAILED,
            expected=(Evaluation.Status.PENDING, Evaluation.Status.RUNNING),
            error=reason,
            **_EMPTY_RESULT,
        )
