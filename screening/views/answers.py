"""How the response page shows an answer: its verdict, the value read from the candidate's words and how.

The reading codes are ``screening.reading.Reading.how`` (and "unread", set by the chat when nothing could be
read even after a clarification); each gets a label a recruiter understands, in the active language.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..services import answer_judged_by

# How a value was read from the words, as the recruiter reads it after "read as". A code missing here is shown
# as it is (a reader added later still shows something true).
READ_HOW_LABELS = {
    "magnitude": gettext_lazy("a magnitude (k, thousand, million)"),
    "words": gettext_lazy("a number in words"),
    "range": gettext_lazy("a range"),
    "since_year": gettext_lazy("the years since the year given"),
    "duration": gettext_lazy("a duration in years and months"),
    "qualified": gettext_lazy("a number with a qualifier (less than, about)"),
    "negative": gettext_lazy("a negative number"),
    "idiom": gettext_lazy("an idiom"),
    "phrase": gettext_lazy("a phrase"),
    "folded": gettext_lazy("ignoring case, punctuation and look-alike letters"),
    "alias": gettext_lazy("another name of the option"),
    "index": gettext_lazy("the option's number"),
    "suggestion": gettext_lazy("a close misspelling of the option"),
    "hedge": gettext_lazy("an unsure answer"),
    "mixed": gettext_lazy("both yes and no"),
    "unknown": gettext_lazy("nothing readable"),
    "unread": gettext_lazy("could not be read"),
    "llm": gettext_lazy("the AI assistant's proposal"),
    "conditional": gettext_lazy("an answer with a condition (yes, but...)"),
    "unconverted": gettext_lazy("a number with a currency or period, not converted"),
}
# Readings that need no explanation: the value is the words as written.
PLAIN_READINGS = frozenset({"", "literal"})

# An answer's verdict against the rule it was judged by: the CSS modifier of its row and its label.
VERDICT_PASSED = "pass"
VERDICT_FAILED = "fail"
VERDICT_REVIEW = "review"
VERDICT_NONE = "none"


def read_how_label(how: str) -> str:
    """How a value was read, in words ("a magnitude (k, thousand, million)"); "" for a plain reading."""
    if how in PLAIN_READINGS:
        return ""
    return str(READ_HOW_LABELS.get(how, how))


def value_text(value) -> str:
    """A normalised answer value as a recruiter reads it: "yes", "400,000" (grouped as the locale groups), "a, b"."""
    if value is None:
        return ""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, float | int):
        return number_format(Decimal(str(value)).normalize(), force_grouping=True)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def answer_verdict(answer) -> str:
    """``VERDICT_PASSED``, ``VERDICT_FAILED``, ``VERDICT_REVIEW`` (a person decides) or ``VERDICT_NONE`` (no rule)."""
    if answer.needs_review:
        return VERDICT_REVIEW
    if answer.passed is True:
        return VERDICT_PASSED
    if answer.passed is False:
        return VERDICT_FAILED
    return VERDICT_NONE


def answer_row(answer) -> dict:
    """What the answer partial (``screening/_answer_row.html``) shows of one answer (its question loaded).

    ``{"answer", "question", "verdict", "value", "read_as", "how", "rule"}``: ``value`` the value as read;
    ``read_as`` True when it differs from the words (so the page shows «words» → value); ``how`` the reading's
    label ("" when plain); ``rule`` the question's current rule in words.
    """
    value = value_text(answer.value)
    raw = " ".join((answer.raw_text or "").split())
    how = read_how_label(answer.read_how)
    return {
        "answer": answer,
        "question": answer.question,
        "verdict": answer_verdict(answer),
        "value": value,
        "read_as": bool(value) and (value.casefold() != raw.casefold() or bool(how)),
        "how": how,
        "rule": answer.question.rule_text(),
        # "judged by: must be at least 3" when another rule gave the verdict (re-judging: services.rejudge).
        "judged_by": answer_judged_by(answer=answer, question=answer.question),
    }
