"""Judging a stored answer again under its question's current rule: pure functions, no ORM, no request.

``screening.services.rejudge`` re-judges a question's past answers with these (the preview and the audited
change); the response page names the rule an old verdict was judged by with ``answer_judged_by``. An answer
keeps the rule it was judged by (``Answer.rule``: ``vacancies.rules.rule_snapshot``, ``{}`` for answers stored
before rules were kept).

An answer is never failed on something it was not judged for: a stored value that does not fit the question any
more (another kind, an option the question no longer has), or one read before answers were read back to
candidates that today's reader reads differently, goes to a person (needs review) instead of failing.
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vacancies.rules import Kind, Unit, rule_is_other, rule_snapshot, rule_text

from . import scoring

# An answer's verdict, as the preview shows it before and after.
VERDICT_PASS, VERDICT_FAIL, VERDICT_REVIEW, VERDICT_NONE = "pass", "fail", "review", "none"
VERDICT_LABELS = {
    VERDICT_PASS: gettext_lazy("✓ passed"),
    VERDICT_FAIL: gettext_lazy("✗ failed"),
    VERDICT_REVIEW: gettext_lazy("? needs review"),
    VERDICT_NONE: gettext_lazy("no verdict"),
}


class StoredAnswer(NamedTuple):
    """One stored answer, as re-judging reads it (the order of ``values_list(*StoredAnswer._fields)``)."""

    pk: int
    response_id: int
    question_id: int
    value: object
    raw_text: str
    read_how: str
    needs_review: bool
    passed: bool | None
    points: float
    rule: dict


def rule_words(rule: dict) -> str:
    """A stored rule (``rule_snapshot``) in words, in the active language: "must be at least 3", "no rule".

    ``{}`` (an answer stored before rules were kept) is "an earlier rule (not recorded)".
    """
    if not rule:
        return _("an earlier rule (not recorded)")
    text = rule_text(
        kind=rule.get("kind", ""),
        knockout=rule.get("knockout", ""),
        knockout_value=rule.get("knockout_value", ""),
        allowed_options=rule.get("allowed_options") or [],
        review_value=rule.get("review_value", ""),
    )
    return text or _("no rule")


def rule_fingerprint(rule: dict) -> str:
    """A short stable name of a rule snapshot: the preview's form sends it back so a changed rule is noticed."""
    return hashlib.sha256(json.dumps(rule, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def answer_judged_by(*, answer, question) -> str:
    """What the response page says next to an answer's verdict when another rule gave it; "" otherwise.

    "judged by: must be at least 3" when the answer's stored rule differs from the question's current one. An
    answer stored before rules were kept says "judged by an earlier rule" only when its verdict disagrees with
    the current rule (so "4 ✓ must be at least 5" never appears silently). In the active language; no query.
    ``answer``: an ``Answer``; ``question``: its ``ScreeningQuestion`` (or anything with their fields).
    """
    current = rule_snapshot(question)
    if answer.rule:
        if not rule_is_other(answer.rule, current):
            return ""
        return _("judged by: %(rule)s") % {"rule": rule_words(answer.rule)}
    if answer.value is None:
        return ""
    checked = judge_stored(scoring.QuestionSpec.from_question(question), stored_answer(answer))
    if (checked.passed, checked.review) != (answer.passed, answer.needs_review):
        return _("judged by an earlier rule")
    return ""


def stored_answer(answer) -> StoredAnswer:
    """An ``Answer`` as ``judge_stored`` reads it."""
    return StoredAnswer(
        answer.pk,
        answer.response_id,
        answer.question_id,
        answer.value,
        answer.raw_text,
        answer.read_how,
        answer.needs_review,
        answer.passed,
        answer.points,
        answer.rule or {},
    )


def verdict_code(passed: bool | None, review: bool) -> str:
    """An answer's verdict as one of ``VERDICT_*``."""
    if review:
        return VERDICT_REVIEW
    if passed is True:
        return VERDICT_PASS
    if passed is False:
        return VERDICT_FAIL
    return VERDICT_NONE


def _fits(kind: str, value) -> bool:
    """Whether a stored value has the type the question's kind reads (a kind changed since is not judged)."""
    if kind == Kind.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == Kind.YES_NO:
        return isinstance(value, bool)
    if kind == Kind.MULTIPLE_CHOICE:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, str)


def _in_unit(value, before: dict, spec: scoring.QuestionSpec):
    """A number read in the old rule's unit, in the current one (years and months convert; others stay)."""
    old = before.get("unit", spec.unit) if before else spec.unit
    if old == spec.unit or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    if old == Unit.YEARS and spec.unit == Unit.MONTHS:
        return float(value) * 12
    if old == Unit.MONTHS and spec.unit == Unit.YEARS:
        return float(value) / 12
    return value


def _to_review(spec: scoring.QuestionSpec, value, reason: str) -> scoring.Checked:
    return scoring.Checked(value=value, passed=None, points=0.0, review=True, reason=reason)


def _facts(spec: scoring.QuestionSpec, words: str) -> dict:
    said = " ".join((words or "").split())
    return {
        "question": spec.text.rstrip("?:. "),
        "words": said if len(said) <= 80 else said[:79] + "…",
        "need": rule_text(
            kind=spec.kind,
            knockout=spec.knockout,
            knockout_value=spec.knockout_value,
            allowed_options=spec.allowed_options,
        ),
    }


def judge_stored(spec: scoring.QuestionSpec, row: StoredAnswer) -> scoring.Checked:
    """``row``'s verdict under ``spec`` (the current rule), as ``scoring.check`` gives it, with three guards.

    An answer that could not be read (needs review, no value) stays in review. A value that does not fit the
    question now (its kind changed, or an option it named is gone) goes to review. A value stored before
    readings were recorded (``read_how`` "") that now fails is read again from the words: if today's reader
    reads it differently, or not literally, it goes to review instead of failing on a possible misreading.
    """
    value = row.value
    unread = row.needs_review and value is None
    if unread or value is None:
        return scoring.check(spec, value, words=row.raw_text, unread=unread)
    if row.rule.get("kind", spec.kind) != spec.kind or not _fits(spec.kind, value):
        return _to_review(
            spec,
            value,
            _(
                "%(question)s: “%(words)s” answered the question when it asked for another kind of answer; "
                "a person should decide."
            )
            % _facts(spec, row.raw_text),
        )
    if spec.kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        chosen = value if isinstance(value, list) else [value]
        if any(item not in spec.options for item in chosen):
            return _to_review(
                spec,
                value,
                _("%(question)s: “%(words)s” names an option the question no longer has; a person should decide.")
                % _facts(spec, row.raw_text),
            )
    value = _in_unit(value, row.rule, spec)
    checked = scoring.check(spec, value, words=row.raw_text)
    if checked.passed is False and not row.read_how and row.raw_text.strip():
        try:
            again, how = scoring.read_answer(spec, row.raw_text)
        except scoring.InvalidAnswer:
            again, how = None, "unread"
        if how not in scoring.LITERAL_READINGS or again != value:
            return _to_review(
                spec,
                value,
                _(
                    "%(question)s: “%(words)s” was read before answers were confirmed with candidates and now "
                    "fails the rule (%(need)s); a person should decide."
                )
                % _facts(spec, row.raw_text),
            )
    return checked
