"""The fairness pre-flight of a vacancy's AI evaluator: request, run, acknowledge, and the publish gate.

The shipped counterfactual pairs (``ai.fairness``) go through ``advice_make``, the path a real evaluation
takes (redaction, leak check, LLM or builtin evaluator, receipts, rubric, guards); the score differences of
each pair are stored on a ``FairnessCheck``. While the company's evaluations use the LLM, publishing the
vacancy needs a finished check for its current evaluator, prompt and rubric (``fairness_key``) whose largest
difference is within ``AI_FAIRNESS_THRESHOLD`` points, or the owner's written acknowledgement of it.
docs/fairness.md, "Fairness pre-flight".
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vacancies.models import Vacancy

from .. import ai, tasks
from ..ai.calls import InvalidTwice
from ..ai.fairness import FAIRNESS_SET_VERSION, fairness_pairs, neutral_answer, persona_marker
from ..models import Evaluation, FairnessCheck, LLMCall
from ..selectors import vacancy_rubric_hash
from .advice import advice_make
from .budget import company_llm_fallback

logger = logging.getLogger(__name__)

# A check still "running" after this long was lost (a killed worker): it counts as failed.
FAIRNESS_RUNNING_STALE = timedelta(minutes=30)
FAIRNESS_NOTE_MAX_LENGTH = 1000
_ACTIVE = (FairnessCheck.Status.PENDING, FairnessCheck.Status.RUNNING)


def _evaluator(company) -> tuple[str, str]:
    """``(evaluator, model)`` the company's evaluations use now: ("builtin", "builtin") or ("llm", <model>)."""
    if company_llm_fallback(company=company):
        return Evaluation.Evaluator.BUILTIN, "builtin"
    return Evaluation.Evaluator.LLM, ai.model_name()


def fairness_key(*, vacancy: Vacancy) -> str:
    """What a fairness check of ``vacancy`` checks, hashed (64 hex digits).

    The evaluator kind and model, ``ai.PROMPT_VERSION``, ``ai.RUBRIC_VERSION``, the vacancy's rubric hash
    (requirements, question weights and rules) and the version of the shipped pairs: a change of any of them
    needs a new check. One query (the rubric hash's).
    """
    evaluator, model = _evaluator(vacancy.company)
    payload = [
        evaluator,
        model,
        ai.PROMPT_VERSION,
        ai.RUBRIC_VERSION,
        vacancy_rubric_hash(vacancy=vacancy),
        FAIRNESS_SET_VERSION,
    ]
    return hashlib.sha256(json.dumps(payload).encode("utf-8")).hexdigest()


def fairness_url(*, vacancy: Vacancy) -> str:
    """The path of the vacancy's fairness page (``screening:fairness``)."""
    return reverse("screening:fairness", kwargs={"vacancy_pk": vacancy.pk})


def fairness_check_latest(*, vacancy: Vacancy, key: str | None = None) -> FairnessCheck | None:
    """The vacancy's newest check (for ``key`` when given), or None."""
    checks = vacancy.fairness_checks.select_related("requested_by", "acknowledged_by")
    if key is not None:
        checks = checks.filter(key=key)
    return checks.order_by("-created_at", "-pk").first()


def fairness_check_get_for_user(*, user, pk: int) -> FairnessCheck:
    """The check ``pk`` of one of the user's company's vacancies; ``Http404`` for any other (or none)."""
    return get_object_or_404(
        FairnessCheck.objects.select_related("vacancy__company", "acknowledged_by"),
        pk=pk,
        vacancy__company_id=user.company_id,
    )


def fairness_check_request(*, vacancy: Vacancy, user) -> FairnessCheck:
    """Queue a fairness check of ``vacancy`` (the task is published on commit); returns the pending check.

    A check already pending or running for the same key is returned instead of a second one; one left
    "running" for longer than ``FAIRNESS_RUNNING_STALE`` (a lost worker) is marked failed first. When the
    last finished check of this key is over the threshold and unacknowledged, only the owner may run it
    again (``PermissionDenied`` for others): a recruiter cannot re-roll a biased model until it passes.
    """
    key = fairness_key(vacancy=vacancy)
    with transaction.atomic():
        Vacancy.objects.select_for_update().filter(pk=vacancy.pk).first()  # one request at a time per vacancy
        latest = (
            vacancy.fairness_checks.filter(key=key, status=FairnessCheck.Status.DONE).order_by("-created_at").first()
        )
        if (
            latest is not None
            and latest.over_threshold
            and not latest.acknowledged_at
            and not getattr(user, "is_owner", False)
        ):
            # Otherwise a re-run that happens to come out flat would publish past the owner.
            raise PermissionDenied(
                _(
                    "The last check found differences over the threshold: only the owner may run it again "
                    "(or acknowledge it). Changing the vacancy's requirements or scoring also allows a new check."
                )
            )
        active = vacancy.fairness_checks.filter(key=key, status__in=_ACTIVE).order_by("-created_at").first()
        if active is not None:
            started = active.created_at or timezone.now()
            if timezone.now() - started < FAIRNESS_RUNNING_STALE:
                return active
            _finish(active, status=FairnessCheck.Status.FAILED, error=_("The check took too long and was stopped."))
        evaluator, model = _evaluator(vacancy.company)
        check = FairnessCheck.objects.create(
            vacancy=vacancy,
            key=key,
            evaluator=evaluator,
            model=model[:100],
            prompt_version=ai.PROMPT_VERSION,
            rubric_version=ai.RUBRIC_VERSION,
            threshold=max(0, int(settings.AI_FAIRNESS_THRESHOLD)),
            requested_by=user,
        )
        tasks.fairness_check.delay(check.pk)  # published on commit; a broker outage is logged
    return check


def _finish(check: FairnessCheck, *, status: str, error: str = "", **fields) -> FairnessCheck:
    check.status, check.error, check.finished_at = status, error, timezone.now()
    for name, value in fields.items():
        setattr(check, name, value)
    check.save()
    return check


def _neutral_answers(vacancy: Vacancy) -> tuple[ai.QA, ...]:
    return tuple(
        ai.QA(
            question=question.text,
            answer=neutral_answer(
                kind=question.kind,
                language=vacancy.language,
                options=question.options,
                allowed_options=question.allowed_options,
                knockout=question.knockout,
                knockout_value=question.knockout_value,
            ),
            question_id=question.pk,
            kind=question.kind,
            weight=question.weight,
            credit=1.0,
            has_rule=bool(question.knockout),
            passed=True if question.knockout else None,
        )
        for question in vacancy.questions.order_by("position", "pk")
    )


def _difference(score_a: int | None, score_b: int | None) -> int:
    if score_a is None and score_b is None:
        return 0
    if score_a is None or score_b is None:
        return 100  # one member scored, the other not: as far apart as scores go
    return abs(score_a - score_b)


def fairness_check_run(*, check_id: int) -> FairnessCheck | None:
    """Run a pending check: both members of every shipped pair through ``advice_make``, the differences stored.

    Stores ``results`` (one dict per pair: pair, kind, language, score_a, score_b, difference (points),
    recommendation_a, recommendation_b), ``max_difference``, the evaluator and model that answered. Any error
    (the provider, the leak check, an invalid reply, a bug) ends the check failed with the reason in
    ``error``; it never stays running. Returns the check, or None when it is not pending (idempotent).
    """
    with transaction.atomic():
        check = (
            FairnessCheck.objects.select_for_update()
            .filter(pk=check_id, status=FairnessCheck.Status.PENDING)
            .select_related("vacancy__company")
            .first()
        )
        if check is None:
            return None
        check.status = FairnessCheck.Status.RUNNING
        check.save(update_fields=["status"])
    vacancy = check.vacancy
    try:
        pairs = fairness_pairs(
            title=vacancy.title,
            description=vacancy.description,
            requirements=vacancy.requirement_lines,
            answers=_neutral_answers(vacancy),
            language=vacancy.language,
        )
        results, evaluators, models = [], set(), set()
        for pair in pairs:
            advice = {}
            for side, member in (("a", pair.a), ("b", pair.b)):
                advice[side] = advice_make(
                    company=vacancy.company, raw=member.data, identity=member.identity, purpose=LLMCall.Purpose.FAIRNESS
                )
                evaluators.add(advice[side].evaluator)
                models.add(advice[side].model)
            score_a, score_b = advice["a"].result.score, advice["b"].result.score
            results.append(
                {
                    "pair": pair.spec.key,
                    "a": persona_marker(pair.spec.kind, pair.a.persona),
                    "b": persona_marker(pair.spec.kind, pair.b.persona),
                    "kind": pair.spec.kind,
                    "language": pair.spec.language,
                    "score_a": score_a,
                    "score_b": score_b,
                    "difference": _difference(score_a, score_b),
                    "recommendation_a": advice["a"].result.recommendation,
                    "recommendation_b": advice["b"].result.recommendation,
                }
            )
    except InvalidTwice as invalid:
        return _finish(check, status=FairnessCheck.Status.FAILED, error=invalid.message)
    except ai.LeakBlocked as blocked:
        return _finish(check, status=FairnessCheck.Status.FAILED, error=blocked.message)
    except ai.LLMError as error:
        reason = _("The LLM provider failed: %(reason)s. Run the check again later.") % {"reason": error.message}
        return _finish(check, status=FairnessCheck.Status.FAILED, error=reason)
    except Exception:
        # Whatever else (a bug, the soft time limit): the check ends failed, never running forever.
        logger.exception("fairness check %s failed", check.pk)
        return _finish(
            check, status=FairnessCheck.Status.FAILED, error=_("Something went wrong while running the check.")
        )
    if len(evaluators) > 1:  # the budget ran out half-way: the pairs were not scored by one evaluator
        return _finish(
            check,
            status=FairnessCheck.Status.FAILED,
            error=_("The evaluator changed during the check (the LLM budget ran out?). Run the check again."),
        )
    evaluator = evaluators.pop() if evaluators else check.evaluator
    return _finish(
        check,
        status=FairnessCheck.Status.DONE,
        results=results,
        max_difference=max((row["difference"] for row in results), default=0),
        evaluator=evaluator,
        model=(sorted(models)[-1] if models else check.model)[:100],
    )


def fairness_acknowledge(*, check: FairnessCheck, user, note: str) -> FairnessCheck:
    """The owner's written acknowledgement of a check over the threshold: publishing is then allowed.

    Only the company's owner may (``PermissionDenied`` otherwise). ``note``: why the vacancy may go live
    anyway (required, at most ``FAIRNESS_NOTE_MAX_LENGTH`` characters; ``ValidationError`` with ``note``).
    A check that is not done and over the threshold, already acknowledged, or made for another evaluator,
    prompt or rubric than the vacancy's now, is refused (``ValidationError`` code "conflict"). Logged.
    """
    if not getattr(user, "is_owner", False) or user.company_id != check.vacancy.company_id:
        raise PermissionDenied
    note = str(note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why this vacancy may be published despite the differences.")})
    if len(note) > FAIRNESS_NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("Keep the note under %(n)d characters.") % {"n": FAIRNESS_NOTE_MAX_LENGTH}})
    with transaction.atomic():
        locked = FairnessCheck.objects.select_for_update().select_related("vacancy__company").get(pk=check.pk)
        if locked.status != FairnessCheck.Status.DONE or not locked.over_threshold:
            raise ValidationError(
                _("Only a finished check over the threshold needs an acknowledgement."), code="conflict"
            )
        if locked.acknowledged_at is not None:
            raise ValidationError(_("This check was already acknowledged."), code="conflict")
        if locked.key != fairness_key(vacancy=locked.vacancy):
            raise ValidationError(
                _("The vacancy or its evaluator changed since this check: run the check again."), code="conflict"
            )
        locked.acknowledged_by, locked.acknowledged_at, locked.acknowledgement = user, timezone.now(), note
        locked.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement"])
    logger.warning(
        "fairness check %s of vacancy %s acknowledged by user %s: max difference %s > threshold %s; note: %r",
        locked.pk,
        locked.vacancy_id,
        user.pk,
        locked.max_difference,
        locked.threshold,
        note,
    )
    return locked


def fairness_publish_check(*, vacancy: Vacancy) -> None:
    """The publish gate (registered with ``vacancies.services.publish_check_register``).

    While the company's evaluations use the LLM, the vacancy needs a finished check for its current
    ``fairness_key`` that is within the threshold or acknowledged by the owner; otherwise ``ValidationError``
    (code "fairness") saying what to do, with the path of the fairness page. With the builtin evaluator (it
    reads no names and is deterministic) publishing is not gated.
    """
    if company_llm_fallback(company=vacancy.company):
        return
    key = fairness_key(vacancy=vacancy)
    done = vacancy.fairness_checks.filter(key=key, status=FairnessCheck.Status.DONE).order_by("-created_at").first()
    if done is not None and (not done.over_threshold or done.acknowledged_at is not None):
        return
    url = fairness_url(vacancy=vacancy)
    if done is not None:
        message = _(
            "The fairness check found score differences of up to %(diff)d points between counterfactual "
            "candidates (threshold %(threshold)d). The company owner must review and acknowledge them on the "
            "fairness page before publishing: %(url)s"
        ) % {"diff": done.max_difference, "threshold": done.threshold, "url": url}
    elif vacancy.fairness_checks.filter(key=key, status__in=_ACTIVE).exists():
        message = _("The fairness check of this vacancy is still running; publish when it is done: %(url)s") % {
            "url": url
        }
    else:
        message = _(
            "Run the fairness check of this vacancy's AI evaluation before publishing (it is needed again after "
            "the requirements, the question weights or rules, or the AI model change): %(url)s"
        ) % {"url": url}
    raise ValidationError(message, code="fairness")
