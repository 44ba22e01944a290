"""Suggested screening questions for a vacancy: request, run (cache, builtin provider or LLM), accept, discard."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.question_lint import lint_messages, lint_question
from vacancies.services import question_add

from .. import ai, tasks
from ..ai.calls import InvalidTwice, call_validated
from ..models import Evaluation, LLMCall, QuestionSuggestion
from .budget import company_llm_fallback

logger = logging.getLogger(__name__)

SUGGESTION_CACHE_SECONDS = 24 * 3600


def suggestion_request(*, vacancy: Vacancy, user, count: int = 5, difficulty: str = "medium") -> QuestionSuggestion:
    """Queue suggested screening questions for a vacancy (after commit); returns the pending batch."""
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
    tasks.suggest_questions.delay(suggestion.pk)  # published on commit; a broker outage is logged
    return suggestion


def suggestions_without_flagged(items: list[dict]) -> tuple[list[dict], int]:
    """The suggested questions fit to offer, and how many were withheld.

    A suggestion the question lint flags (it asks about age, family, origin, religion, health, union membership
    or appearance: ``vacancies.question_lint``) is never offered, whatever wrote it (the LLM, the cache of an
    older batch): it is left out and counted, so the recruiter only sees questions fair to ask.
    """
    offered = []
    for item in items:
        if lint_question(item.get("text", ""), item.get("options") or ()):
            continue
        offered.append(item)
    return offered, len(items) - len(offered)


def _suggestion_save(suggestion: QuestionSuggestion, **fields) -> QuestionSuggestion:
    for name, value in fields.items():
        setattr(suggestion, name, value)
    suggestion.save()
    return suggestion


def suggestion_run(*, suggestion_id: int, last_attempt: bool = True) -> QuestionSuggestion | None:
    """Fill a pending batch of suggested questions from the cache, the builtin provider or the LLM.

    Results are cached for 24 hours by a hash of the vacancy's text and the
    options, so asking again for the same vacancy costs nothing. Raises
    ``ai.LLMError`` when retrying can help and ``last_attempt`` is False.
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
    provider = "builtin" if fallback else f"llm:{ai.model_name()}"
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
            items = call_validated(
                company=company,
                purpose=purpose,
                messages=messages,
                schema=ai.SUGGESTION_SCHEMA,
                schema_name="questions",
                parse=lambda content: ai.parse_suggestions(content, count=suggestion.count),
            )
        except InvalidTwice as invalid:
            return _suggestion_save(
                suggestion, status=QuestionSuggestion.Status.FAILED, evaluator=evaluator, error=invalid.message
            )
        except ai.LLMError as exc:
            if exc.retryable and not last_attempt:
                raise
            return _suggestion_save(
                suggestion, status=QuestionSuggestion.Status.FAILED, evaluator=evaluator, error=exc.message
            )
        except Exception:
            # Whatever else a model reply or a bug raises, the batch ends failed (the recruiter can ask again),
            # never pending forever.
            logger.exception("question suggestion %s failed", suggestion.pk)
            return _suggestion_save(
                suggestion,
                status=QuestionSuggestion.Status.FAILED,
                evaluator=evaluator,
                error=_("Something went wrong while writing the suggestions. Ask again."),
            )
    cache.set(key, items, SUGGESTION_CACHE_SECONDS)
    # Filtered after the cache, so a cached batch is judged by today's lint too.
    offered, withheld = suggestions_without_flagged(items)
    if withheld:
        logger.info("question suggestion %s: %d suggested question(s) withheld by the lint", suggestion.pk, withheld)
    return _suggestion_save(
        suggestion,
        status=QuestionSuggestion.Status.DONE,
        evaluator=evaluator,
        items=[{**item, "state": "new"} for item in offered],
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

    Added by ``vacancies.services.question_add``, as every door adds a question (same checks, same
    limit; its ``ValidationError`` passes through, field -> messages). Accepting twice (a double click)
    adds it once. A suggestion the question lint flags, as suggested or as edited, is refused
    (``ValidationError``, ``text`` -> the findings): the AI never adds such a question; a recruiter who
    needs one writes it in the editor, where publishing it asks for a reason.
    """
    with transaction.atomic():
        locked = QuestionSuggestion.objects.select_for_update().select_related("vacancy").get(pk=suggestion.pk)
        item = _suggestion_item(locked, index)
        final = {**item, **(changes or {})}
        findings = lint_question(final.get("text", ""), final.get("options") or ())
        if findings:
            raise ValidationError({"text": lint_messages(findings)})
        question = question_add(vacancy=locked.vacancy, data=final)
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
