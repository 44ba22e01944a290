"""The AI evaluation of finished responses, the LLM calls behind it, and the company's LLM budget and usage."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartbot import sql

from .. import evaluation as ai
from .. import llm
from ..models import Evaluation, LLMCall, Response

# --- AI evaluation, suggested questions and usage (issue 4) ----------------------------------
#
# The flow: ``evaluation_request`` (after a chat completes, or "Re-evaluate") makes sure a
# pending Evaluation row exists and queues ``tasks.evaluate_response``; the task calls
# ``evaluation_run``, which claims the row, picks the evaluator (builtin or LLM), and stores
# only validated output. See docs/llm.md.

FALLBACK_NOT_CONFIGURED = "not_configured"
FALLBACK_AI_DISABLED = "ai_disabled"
FALLBACK_BUDGET_SPENT = "budget_spent"


def evaluation_request(*, response: Response, force: bool = False, announce: bool = True) -> None:
    """Queue the AI evaluation of a finished response once the current transaction commits.

    ``force`` re-runs an evaluation that already exists (the "Re-evaluate" button).
    ``announce=False`` skips the live ``evaluation.updated`` event, for a caller
    that announces the change itself.
    """
    from .. import tasks

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
    with transaction.atomic(savepoint=False):
        # The common case (a screening just finished) is one INSERT; an existing row is locked and looked at.
        evaluation = Evaluation(response=response, prompt_version=ai.PROMPT_VERSION, status=Evaluation.Status.PENDING)
        if not sql.insert_if_new(evaluation):
            evaluation = Evaluation.objects.select_for_update().get(response=response, prompt_version=ai.PROMPT_VERSION)
            if evaluation.status == Evaluation.Status.RUNNING:
                return  # a worker is on it right now; its result is as fresh as a re-run would be
            if evaluation.status != Evaluation.Status.PENDING:
                if not force:
                    return  # one evaluation per response and prompt version
                _evaluation_reset(evaluation)
    response_id = response.pk
    # The task itself is idempotent: it only runs a pending (or abandoned running) evaluation.
    transaction.on_commit(lambda: tasks.evaluate_response.delay(response_id))
    if announce:
        _on_commit_evaluation_updated(response_id=response_id)


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
    evaluation.save()


def _month_start():
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def company_llm_spent(*, company) -> Decimal:
    """What the company's LLM calls cost this calendar month (estimated, USD)."""
    total = LLMCall.objects.filter(company=company, created_at__gte=_month_start()).aggregate(total=Sum("cost"))
    return total["total"] or Decimal(0)


def company_llm_fallback(*, company) -> str:
    """Why the builtin provider must be used for this company now ('' when the LLM may be called)."""
    if not company.ai_enabled:
        return FALLBACK_AI_DISABLED
    if not llm.is_configured():
        return FALLBACK_NOT_CONFIGURED
    if company.ai_monthly_budget is not None and company_llm_spent(company=company) >= company.ai_monthly_budget:
        return FALLBACK_BUDGET_SPENT
    return ""


def _llm_call(*, company, purpose: str, messages: list[dict], schema: dict, schema_name: str):
    """One provider call, recorded as an LLMCall row whatever happens. Returns (completion, cost)."""
    try:
        completion = llm.chat_json(messages=messages, schema=schema, schema_name=schema_name)
    except llm.LLMError as exc:
        LLMCall.objects.create(
            company=company, purpose=purpose, model=llm.model_name(), latency_ms=exc.latency_ms, ok=False
        )
        raise
    cost = ai.estimate_cost(
        tokens_in=completion.tokens_in,
        tokens_out=completion.tokens_out,
        price_in_per_m=settings.OPENAI_PRICE_INPUT_PER_M,
        price_out_per_m=settings.OPENAI_PRICE_OUTPUT_PER_M,
    )
    LLMCall.objects.create(
        company=company,
        purpose=purpose,
        model=completion.model[:100],
        tokens_in=completion.tokens_in,
        tokens_out=completion.tokens_out,
        latency_ms=completion.latency_ms,
        cost=cost,
        ok=True,
    )
    return completion, cost


class _InvalidTwice(Exception):
    """The model's reply was invalid, and so was its one repair."""

    def __init__(self, first: str, second: str):
        self.message = _("The model's answer was invalid twice (%(first)s; then %(second)s).") % {
            "first": first,
            "second": second,
        }
        super().__init__(self.message)


def _llm_call_validated(
    *, company, purpose: str, messages: list[dict], schema: dict, schema_name: str, parse, account=None
):
    """Call the LLM and return ``parse(reply)``; an invalid reply gets one repair attempt.

    Unvalidated output never leaves this function: raises ``_InvalidTwice`` when
    the repair is invalid too, ``llm.LLMError`` when the provider fails.
    ``account(completion, cost)`` is told of every call.
    """

    def call(conversation):
        completion, cost = _llm_call(
            company=company, purpose=purpose, messages=conversation, schema=schema, schema_name=schema_name
        )
        if account is not None:
            account(completion, cost)
        return completion

    completion = call(messages)
    try:
        return parse(completion.content)
    except ai.InvalidOutput as first:
        completion = call(ai.repair_messages(messages, reply=completion.content, reason=first.reason))
        try:
            return parse(completion.content)
        except ai.InvalidOutput as second:
            raise _InvalidTwice(first.reason, second.reason)


def _evaluation_input(response: Response) -> tuple[ai.EvaluationInput, ai.Identity]:
    vacancy = response.vacancy
    answers = tuple(
        ai.QA(question=answer.question.text, answer=answer.raw_text, passed=answer.passed)
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


def _evaluation_claim(*, response_id: int, force: bool) -> Evaluation | None:
    """Take the response's evaluation for this worker, or None when there is nothing to do.

    A running evaluation whose lease (the task's hard time limit) has not run out
    belongs to another worker; an older one was abandoned (a killed worker) and is
    taken over, so a redelivered task finishes the job exactly once.
    """
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
        lease = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        if evaluation.status == Evaluation.Status.RUNNING and evaluation.updated_at > timezone.now() - lease:
            return None
        if evaluation.status in (Evaluation.Status.DONE, Evaluation.Status.FAILED) and not force:
            return None
        if evaluation.status in (Evaluation.Status.DONE, Evaluation.Status.FAILED):
            _evaluation_reset(evaluation)
        evaluation.status = Evaluation.Status.RUNNING
        evaluation.attempts += 1
        evaluation.save(update_fields=["status", "attempts", "updated_at"])
    return evaluation


def _evaluation_save(
    evaluation: Evaluation, *, status: str, expected: tuple[str, ...] = (Evaluation.Status.RUNNING,), **fields
) -> Evaluation:
    """Write the outcome if this worker still holds the evaluation; copy score and advice to the response.

    Only the response's ``ai_score`` and ``ai_recommendation`` change: its status is a recruiter's call.
    """
    from .responses import _on_commit_event  # not at the top: responses imports this module (finish → evaluate)

    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if current.status not in expected:
            return current
        for name, value in fields.items():
            setattr(evaluation, name, value)
        evaluation.status = status
        if status in (Evaluation.Status.DONE, Evaluation.Status.FAILED):
            evaluation.finished_at = timezone.now()
        evaluation.save()
        if status == Evaluation.Status.DONE:
            Response.objects.filter(pk=evaluation.response_id).update(
                ai_score=evaluation.score, ai_recommendation=evaluation.recommendation
            )
            _on_commit_event(response=evaluation.response, event="response.evaluated")
        elif status == Evaluation.Status.FAILED:
            Response.objects.filter(pk=evaluation.response_id).update(ai_score=None, ai_recommendation="")
        _on_commit_evaluation_updated(response_id=evaluation.response_id)
    return evaluation


def _result_fields(result: ai.EvaluationResult) -> dict:
    return {
        "score": result.score,
        "summary": result.summary,
        "strengths": list(result.strengths),
        "concerns": list(result.concerns),
        "recommendation": result.recommendation,
        "evidence": list(result.evidence),
        "error": "",
    }


_EMPTY_RESULT = {"score": None, "summary": "", "strengths": [], "concerns": [], "recommendation": "", "evidence": []}


def evaluation_run(*, response_id: int, force: bool = False, last_attempt: bool = True) -> Evaluation | None:
    """Evaluate a response once: claim its evaluation, pick the evaluator, store validated advice.

    The builtin evaluator runs when no LLM is configured, when the company has
    switched AI off (then nothing about the candidate leaves the machine) or when
    its monthly budget is spent; ``fallback_reason`` says which. With the LLM, the
    candidate's text is redacted and delimited, the reply validated, an invalid
    reply repaired once, then the evaluation fails with the reason.

    Raises ``llm.LLMError`` when retrying can help and ``last_attempt`` is False
    (the evaluation is put back to pending for the retry); otherwise a provider
    error marks it failed. Returns None when there was nothing to do (already
    done, or running in another worker).
    """
    evaluation = _evaluation_claim(response_id=response_id, force=force)
    if evaluation is None:
        return None
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
    data = ai.prepare_input(raw, identity)
    signals = ai.injection_signals(data.resume, *(qa.answer for qa in data.answers))
    fallback = company_llm_fallback(company=company)
    if fallback:
        with translation.override(response.vacancy.language):
            result = ai.apply_guards(ai.builtin_evaluate(data), signals)
        return _evaluation_save(
            evaluation,
            status=Evaluation.Status.DONE,
            evaluator=Evaluation.Evaluator.BUILTIN,
            fallback_reason=fallback,
            model="builtin",
            **_result_fields(result),
        )

    evaluation.evaluator = Evaluation.Evaluator.LLM
    evaluation.fallback_reason = ""
    purpose = LLMCall.Purpose.EVALUATION

    def account(completion, cost) -> None:
        evaluation.model = completion.model[:100]
        evaluation.tokens_in += completion.tokens_in
        evaluation.tokens_out += completion.tokens_out
        evaluation.latency_ms += completion.latency_ms
        evaluation.cost += cost

    try:
        result = _llm_call_validated(
            company=company,
            purpose=purpose,
            messages=ai.build_messages(data),
            schema=ai.EVALUATION_SCHEMA,
            schema_name="evaluation",
            parse=lambda content: ai.parse_evaluation(content, requirements=data.requirements),
            account=account,
        )
    except _InvalidTwice as invalid:
        return _evaluation_save(evaluation, status=Evaluation.Status.FAILED, error=invalid.message, **_EMPTY_RESULT)
    except llm.LLMError as exc:
        if exc.retryable and not last_attempt:
            _evaluation_save(
                evaluation,
                status=Evaluation.Status.PENDING,
                error=_("Attempt %(n)d failed: %(error)s Retrying.") % {"n": evaluation.attempts, "error": exc.message},
            )
            raise
        return _evaluation_save(
            evaluation,
            status=Evaluation.Status.FAILED,
            error=_("The LLM provider failed after %(n)d attempt(s): %(error)s")
            % {"n": evaluation.attempts, "error": exc.message},
            **_EMPTY_RESULT,
        )
    with translation.override(response.vacancy.language):
        result = ai.apply_guards(result, signals)
    return _evaluation_save(evaluation, status=Evaluation.Status.DONE, **_result_fields(result))


def evaluation_requeue_stalled(*, older_than: timedelta) -> int:
    """Queue again evaluations nobody is working on: still pending, or running past their lease.

    The periodic safety net (Celery beat) for a task lost before it reached the
    broker; the task is idempotent, so a duplicate costs nothing. Returns how many.
    """
    from .. import tasks

    now = timezone.now()
    lease = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    stalled = Evaluation.objects.filter(
        Q(status=Evaluation.Status.PENDING, updated_at__lt=now - older_than)
        | Q(status=Evaluation.Status.RUNNING, updated_at__lt=now - max(lease, older_than))
    ).values_list("response_id", flat=True)
    response_ids = list(stalled[:500])
    for response_id in response_ids:
        tasks.evaluate_response.delay(response_id)
    return len(response_ids)


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


def llm_usage_month(*, company) -> dict:
    """This calendar month's LLM calls, tokens and estimated cost for the company, with the budget left."""
    start = _month_start()
    calls = LLMCall.objects.filter(company=company, created_at__gte=start)
    totals = calls.aggregate(
        calls=Count("pk"),
        failed=Count("pk", filter=Q(ok=False)),
        tokens_in=Sum("tokens_in"),
        tokens_out=Sum("tokens_out"),
        cost=Sum("cost"),
    )
    by_purpose = list(
        calls.values("purpose")
        .annotate(calls=Count("pk"), tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"), cost=Sum("cost"))
        .order_by("purpose")
    )
    labels = dict(LLMCall.Purpose.choices)
    for row in by_purpose:
        row["label"] = labels.get(row["purpose"], row["purpose"])
    evaluations = Evaluation.objects.filter(response__vacancy__company=company, created_at__gte=start).aggregate(
        total=Count("pk"),
        llm=Count("pk", filter=Q(evaluator=Evaluation.Evaluator.LLM)),
        builtin=Count("pk", filter=Q(evaluator=Evaluation.Evaluator.BUILTIN)),
        failed=Count("pk", filter=Q(status=Evaluation.Status.FAILED)),
    )
    cost = totals["cost"] or Decimal(0)
    budget = company.ai_monthly_budget
    return {
        "month_start": start,
        "calls": totals["calls"] or 0,
        "failed_calls": totals["failed"] or 0,
        "tokens_in": totals["tokens_in"] or 0,
        "tokens_out": totals["tokens_out"] or 0,
        "cost": cost,
        "budget": budget,
        "budget_left": None if budget is None else max(Decimal(0), budget - cost),
        "budget_spent": budget is not None and cost >= budget,
        "by_purpose": by_purpose,
        "evaluations": evaluations,
        "fallback": company_llm_fallback(company=company),
        "model": llm.model_name() if llm.is_configured() else "",
    }
