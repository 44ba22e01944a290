"""Writes and workflows on applications (responses): apply, answer, finish, decide.

Every door (the careers page, the chat consumer, the HTTP fallback, the
recruiter workspace, the REST API, the admin) goes through these functions, so
a rule is enforced in one place. Side effects (evaluation, webhooks, live
broadcasts) are scheduled with ``transaction.on_commit``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartbot import sql
from vacancies.models import ScreeningQuestion, Vacancy

from . import evaluation as ai
from . import llm, scoring
from .models import Answer, Candidate, Evaluation, LLMCall, Note, QuestionSuggestion, Response, StatusChange

# Statuses a recruiter may set; the others are set by the screening itself.
DECISION_STATUSES = (
    Response.Status.SHORTLISTED,
    Response.Status.INTERVIEW,
    Response.Status.OFFER,
    Response.Status.HIRED,
    Response.Status.DECLINED,
    Response.Status.WITHDRAWN,
)


def _on_commit_event(*, response: Response, event: str) -> None:
    from . import webhooks

    transaction.on_commit(lambda: webhooks.response_event_emit(response_id=response.pk, event=event))


def _record_history(*, response: Response, from_status: str, to_status: str, actor=None, comment: str = "") -> None:
    sql.insert(
        [StatusChange(response=response, actor=actor, from_status=from_status, to_status=to_status, comment=comment)]
    )


def candidate_apply(
    *,
    vacancy: Vacancy,
    full_name: str,
    email: str,
    phone: str = "",
    city: str = "",
    resume_text: str = "",
    resume_file=None,
    consent: bool,
    source: str = Response.Source.WEB,
) -> tuple[Response, bool]:
    """Create the candidate's application to an open vacancy, or return the existing one.

    One response per candidate email per vacancy: applying again returns the
    first response (and its chat) unchanged, with ``created`` False.
    """
    if not vacancy.is_open:
        raise ValidationError(_("This vacancy is not open for applications."))
    if not consent:
        raise ValidationError({"consent": _("Consent is required to apply.")})
    email = email.strip().lower()
    existing = (
        Response.objects.select_related("candidate", "vacancy")
        .filter(vacancy=vacancy, candidate__company_id=vacancy.company_id, candidate__email=email)
        .first()
    )
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            candidate, _created = Candidate.objects.get_or_create(
                company_id=vacancy.company_id, email=email, defaults={"full_name": full_name.strip()}
            )
            candidate.full_name = full_name.strip()
            candidate.phone = phone.strip()
            candidate.city = city.strip()
            if resume_text:
                candidate.resume_text = resume_text
            if resume_file:
                candidate.resume_file = resume_file
            candidate.consent_at = timezone.now()
            candidate.consent_version = settings.CONSENT_TEXT_VERSION
            candidate.save()
            response = Response.objects.create(vacancy=vacancy, candidate=candidate, source=source)
            _record_history(response=response, from_status="", to_status=Response.Status.NEW)
    except IntegrityError:
        # A concurrent application with the same email won the race.
        return Response.objects.get(vacancy=vacancy, candidate__email=email), False
    return response, True


def response_start_chat(*, response: Response) -> Response:
    """Mark a new response as being screened in the chat (idempotent)."""
    with transaction.atomic(savepoint=False):  # nested in the chat's turn: no savepoint round trips
        started = Response.objects.filter(pk=response.pk, status=Response.Status.NEW).update(
            status=Response.Status.IN_CHAT, updated_at=timezone.now()
        )
        if started:
            response.status = Response.Status.IN_CHAT
            _record_history(response=response, from_status=Response.Status.NEW, to_status=Response.Status.IN_CHAT)
        else:
            response.refresh_from_db(fields=["status"])
    return response


def response_submit_answer(*, response: Response, question: ScreeningQuestion, raw, new: bool = False) -> Answer:
    """Validate, score and store the answer to one question.

    Raises ``scoring.InvalidAnswer`` (with a message in the vacancy's
    language) when the text cannot be read as the question's kind; nothing is
    written then. Answering the same question again replaces the answer while
    the screening is still running.

    ``new=True`` is for a caller that holds a lock serialising the response's
    answers and has seen that the question has no answer yet (the chat): the
    answer is inserted in one statement, without ``update_or_create``'s lock
    and savepoints. An existing answer is then never replaced: the unique
    constraint raises ``IntegrityError`` instead.
    """
    if question.vacancy_id != response.vacancy_id:
        raise ValidationError("The question belongs to another vacancy.")
    if response.is_screening_finished:
        raise ValidationError(_("This screening is already finished."))
    spec = scoring.QuestionSpec.from_question(question)
    with translation.override(response.vacancy.language):
        value = scoring.normalise(spec, raw)
        checked = scoring.check(spec, value)
    raw_text = ", ".join(raw) if isinstance(raw, list | tuple) else str(raw or "")
    fields = {
        "raw_text": raw_text.strip()[:4000],
        "value": checked.value,
        "passed": checked.passed,
        "points": checked.points,
    }
    if new:
        return sql.insert([Answer(response=response, question=question, **fields)])[0]
    answer, _created = Answer.objects.update_or_create(response=response, question=question, defaults=fields)
    return answer


def response_outcome(*, response: Response, questions: list[ScreeningQuestion] | None = None) -> scoring.Outcome:
    """Compute (without saving) the outcome of a response from its stored answers.

    ``questions``: the vacancy's script if the caller has it loaded already (the chat does).
    """
    if questions is None:
        questions = list(response.vacancy.questions.all())
    answers = dict(response.answers.order_by().values_list("question_id", "value"))
    results = []
    with translation.override(response.vacancy.language):
        for question in questions:
            spec = scoring.QuestionSpec.from_question(question)
            value = answers.get(question.pk)
            results.append((spec, scoring.check(spec, value)))
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
        result = response_outcome(response=locked, questions=questions)
        previous = locked.status
        locked.status = result.status
        locked.score = result.score
        locked.rejection_reasons = result.reasons
        locked.completed_at = timezone.now()
        locked.save(update_fields=["status", "score", "rejection_reasons", "completed_at", "updated_at"])
        _record_history(
            response=locked,
            from_status=previous,
            to_status=result.status,
            comment=_("Screening finished with score %(score)d.") % {"score": result.score},
        )
        # The chat announces the finish itself (a "state: finished" frame, on which the recruiter's page reloads
        # its evaluation block): no second live event, which cost the chat's last turn a channel-layer round trip.
        evaluation_request(response=locked, announce=False)
        _on_commit_event(response=locked, event="response.completed")
    return locked


def response_change_status(*, response: Response, to_status: str, actor, comment: str = "") -> Response:
    """A recruiter's decision on a response, recorded in its history."""
    if to_status not in DECISION_STATUSES:
        raise ValidationError({"status": _("This status is set by the screening, not by hand.")})
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status == to_status:
            raise ValidationError({"status": _("The response already has this status.")})
        previous = locked.status
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        _record_history(
            response=locked, from_status=previous, to_status=to_status, actor=actor, comment=comment.strip()
        )
        _on_commit_event(response=locked, event="response.status_changed")
    return locked


def response_add_note(*, response: Response, author, text: str) -> Note:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A note cannot be empty.")})
    return Note.objects.create(response=response, author=author, text=text)


def evaluation_request(*, response: Response, force: bool = False, announce: bool = True) -> None:
    """Queue the AI evaluation of a finished response once the current transaction commits.

    ``force`` re-runs an evaluation that already exists (the "Re-evaluate" button).
    ``announce=False`` skips the live ``evaluation.updated`` event, for a caller
    that announces the change itself.
    """
    from . import tasks

    if not response.is_screening_finished:
        raise ValidationError(_("The screening is not finished yet: there is nothing to evaluate."), code="conflict")
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


# --- AI evaluation, suggested questions and usage (issue 4) ----------------------------------
#
# The flow: ``evaluation_request`` (after a chat completes, or "Re-evaluate") makes sure a
# pending Evaluation row exists and queues ``tasks.evaluate_response``; the task calls
# ``evaluation_run``, which claims the row, picks the evaluator (builtin or LLM), and stores
# only validated output. See docs/llm.md.

FALLBACK_NOT_CONFIGURED = "not_configured"
FALLBACK_AI_DISABLED = "ai_disabled"
FALLBACK_BUDGET_SPENT = "budget_spent"
SUGGESTION_CACHE_SECONDS = 24 * 3600


def _on_commit_evaluation_updated(*, response_id: int) -> None:
    from . import live

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
    candidate = response.candidate
    data = ai.EvaluationInput(
        title=vacancy.title,
        description=vacancy.description,
        requirements=tuple(vacancy.requirement_lines),
        answers=answers,
        resume=candidate.resume_text,
        rule_score=response.score,
        rule_status=response.status if response.status in ("passed", "rejected") else "",
        rejection_reasons=tuple(str(r) for r in (response.rejection_reasons or [])),
        language=vacancy.language,
    )
    return data, ai.Identity(full_name=candidate.full_name, email=candidate.email, phone=candidate.phone)


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
    from . import tasks

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


# --- Suggested questions ------------------------------------------------------------------------


def suggestion_request(*, vacancy: Vacancy, user, count: int = 5, difficulty: str = "medium") -> QuestionSuggestion:
    """Queue suggested screening questions for a vacancy (after commit); returns the pending batch."""
    from . import tasks

    errors = {}
    if not isinstance(count, int) or not 1 <= count <= ai.MAX_SUGGESTIONS:
        errors["count"] = _("Choose between 1 and %(n)d questions.") % {"n": ai.MAX_SUGGESTIONS}
    if difficulty not in ai.DIFFICULTIES:
        errors["difficulty"] = _("Unknown difficulty.")
    if errors:
        raise ValidationError(errors)
    suggestion = QuestionSuggestion.objects.create(
        vacancy=vacancy, requested_by=user, count=count, difficulty=difficulty
    )
    suggestion_id = suggestion.pk
    transaction.on_commit(lambda: tasks.suggest_questions.delay(suggestion_id))
    return suggestion


def _suggestion_save(suggestion: QuestionSuggestion, **fields) -> QuestionSuggestion:
    for name, value in fields.items():
        setattr(suggestion, name, value)
    suggestion.save()
    return suggestion


def suggestion_run(*, suggestion_id: int, last_attempt: bool = True) -> QuestionSuggestion | None:
    """Fill a pending batch of suggested questions from the cache, the builtin provider or the LLM.

    Results are cached for 24 hours by a hash of the vacancy's text and the
    options, so asking again for the same vacancy costs nothing. Raises
    ``llm.LLMError`` when retrying can help and ``last_attempt`` is False.
    """
    suggestion = (
        QuestionSuggestion.objects.select_related("vacancy__company")
        .filter(pk=suggestion_id, status=QuestionSuggestion.Status.PENDING)
        .first()
    )
    if suggestion is None:
        return None
    vacancy = suggestion.vacancy
    company = vacancy.company
    fallback = company_llm_fallback(company=company)
    provider = "builtin" if fallback else f"llm:{llm.model_name()}"
    key = "smartbot:suggest:" + ai.vacancy_text_hash(
        title=vacancy.title,
        description=vacancy.description,
        requirements=vacancy.requirements,
        count=suggestion.count,
        difficulty=suggestion.difficulty,
        language=vacancy.language,
        provider=provider,
    )
    cached = cache.get(key)
    evaluator = Evaluation.Evaluator.BUILTIN if fallback else Evaluation.Evaluator.LLM
    if cached:
        items = cached
    elif fallback:
        with translation.override(vacancy.language):
            items = ai.builtin_suggestions(
                title=vacancy.title,
                requirements=vacancy.requirement_lines,
                count=suggestion.count,
                difficulty=suggestion.difficulty,
            )
    else:
        purpose = LLMCall.Purpose.SUGGESTION
        messages = ai.build_suggestion_messages(
            title=vacancy.title,
            description=vacancy.description,
            requirements=vacancy.requirement_lines,
            count=suggestion.count,
            difficulty=suggestion.difficulty,
            language=vacancy.language,
        )
        try:
            items = _llm_call_validated(
                company=company,
                purpose=purpose,
                messages=messages,
                schema=ai.SUGGESTION_SCHEMA,
                schema_name="questions",
                parse=lambda content: ai.parse_suggestions(content, count=suggestion.count),
            )
        except _InvalidTwice as invalid:
            return _suggestion_save(
                suggestion, status=QuestionSuggestion.Status.FAILED, evaluator=evaluator, error=invalid.message
            )
        except llm.LLMError as exc:
            if exc.retryable and not last_attempt:
                raise
            return _suggestion_save(
                suggestion, status=QuestionSuggestion.Status.FAILED, evaluator=evaluator, error=exc.message
            )
    cache.set(key, items, SUGGESTION_CACHE_SECONDS)
    return _suggestion_save(
        suggestion,
        status=QuestionSuggestion.Status.DONE,
        evaluator=evaluator,
        items=[{**item, "state": "new"} for item in items],
        error="",
    )


def _suggestion_item(suggestion: QuestionSuggestion, index: int) -> dict:
    if not isinstance(index, int) or not 0 <= index < len(suggestion.items):
        raise ValidationError(_("This suggestion does not exist."))
    item = suggestion.items[index]
    if item.get("state", "new") != "new":
        raise ValidationError(_("This suggestion was already accepted or discarded."))
    return item


def suggestion_accept(*, suggestion: QuestionSuggestion, index: int, changes: dict | None = None) -> ScreeningQuestion:
    """Add suggested question ``index`` (with the recruiter's edits) to the end of the vacancy's script.

    The question is validated like any other (``vacancies.rules.rule_errors``);
    accepting twice (a double click) adds it once.
    """
    from vacancies.rules import rule_errors
    from vacancies.services import MAX_QUESTIONS, question_normalise

    with transaction.atomic():
        locked = QuestionSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        item = _suggestion_item(locked, index)
        data = question_normalise({**item, **(changes or {})})
        if not data["text"]:
            raise ValidationError({"text": _("A question needs a text.")})
        errors = rule_errors(
            kind=data["kind"],
            options=data["options"],
            knockout=data["knockout"],
            knockout_value=data["knockout_value"],
            allowed_options=data["allowed_options"],
        )
        if errors:
            raise ValidationError(errors)
        vacancy = Vacancy.objects.select_for_update().get(pk=locked.vacancy_id)
        existing = vacancy.questions.count()
        if existing >= MAX_QUESTIONS:
            raise ValidationError(_("A vacancy has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
        last = vacancy.questions.order_by("-position").values_list("position", flat=True).first() or 0
        question = ScreeningQuestion.objects.create(vacancy=vacancy, position=last + 1, **data)
        locked.items[index] = {**item, "state": "accepted", "question_id": question.pk}
        locked.save(update_fields=["items"])
    suggestion.items = locked.items
    return question


def suggestion_discard(*, suggestion: QuestionSuggestion, index: int) -> None:
    """Set suggested question ``index`` aside; it is kept, marked discarded."""
    with transaction.atomic():
        locked = QuestionSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        item = _suggestion_item(locked, index)
        locked.items[index] = {**item, "state": "discarded"}
        locked.save(update_fields=["items"])
    suggestion.items = locked.items
