"""The builtin provider: a deterministic, offline evaluator and template suggested questions.

It runs when no LLM is configured, when a company has switched AI off, or when
its monthly budget is spent. Pure functions (no ORM, no request); texts are
translated in the active language (the caller picks the vacancy's).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from vacancies.rules import Kind, Knockout

from .keywords import found as _found
from .keywords import keywords as _keywords
from .parsing import EvaluationResult, clean_suggestion
from .prompts import MAX_SUGGESTIONS, EvaluationInput
from .receipts import builtin_receipts

# --- Evaluation --------------------------------------------------------------------------------

_QUOTE_WORDS = 5  # words either side of a keyword in a builtin quote


def _quote_around(text: str, index: int) -> str:
    """A verbatim passage of ``text`` around ``index``: a few whole words either side, within one line."""
    line_start = text.rfind("\n", 0, index) + 1
    line_end = text.find("\n", index)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    at = index - line_start
    words = list(re.finditer(r"\S+", line))
    hit = next((i for i, m in enumerate(words) if m.end() > at), len(words) - 1)
    first, last = words[max(0, hit - _QUOTE_WORDS)], words[min(len(words) - 1, hit + _QUOTE_WORDS)]
    return line[first.start() : last.end()]


def keyword_evidence(requirement: str, sources: dict[str, str]) -> tuple[str, list[str]] | None:
    """How well the candidate's texts (``{source: text}``) cover one requirement, by its keywords.

    ``(level, quotes)``: "yes" when every keyword is found, "partly" for half or more, else "no";
    a verbatim passage around the first hit of each keyword found (at most 3). None when the
    requirement has no keyword to look for.
    """
    words = _keywords(requirement)
    if not words:
        return None
    quotes, lines, found = [], set(), 0
    for word in words:
        for name, text in sources.items():
            position = _found(word, text.lower())
            if position >= 0:
                found += 1
                line = (name, text.rfind("\n", 0, position))  # one quote per line: two hits there overlap
                quote = _quote_around(text, position)
                if quote and line not in lines:
                    lines.add(line)
                    quotes.append(quote)
                break
    share = found / len(words)
    level = "yes" if share >= 0.99 else "partly" if share >= 0.5 else "no"
    return level, quotes[:3] if level != "no" else []


def builtin_evaluate(data: EvaluationInput) -> EvaluationResult:
    """The deterministic, offline evaluator: receipts from keyword matching, scored by the rubric.

    Each requirement's level comes from its keywords found in the resume and answers
    (``keyword_evidence``), with verbatim quotes; each answer's credit from the rule engine.
    The same input always gives the same result. ``data`` should be redacted (``prepare_input``)
    so that quotes hold no personal data. See ``rubric`` for the score and the advice.
    """
    return builtin_receipts(data, keyword_evidence)


# --- Suggested questions -------------------------------------------------------------------------

_EXPERIENCE_YEARS = {"easy": "1", "medium": "2", "hard": "4"}


def _question(text, kind: Kind, options=(), knockout: Knockout = Knockout.NONE, knockout_value="", allowed=()) -> dict:
    # Plain strings, as a question stored as JSON has them.
    return {
        "text": text[:500],
        "kind": str(kind),
        "options": list(options),
        "knockout": str(knockout),
        "knockout_value": knockout_value,
        "allowed_options": list(allowed),
    }


def _requirement_question(requirement: str, difficulty: str) -> dict:
    req = {"req": requirement[:200]}
    if difficulty == "easy":
        return _question(_("Do you have experience with %(req)s?") % req, Kind.YES_NO)
    if difficulty == "hard":
        return _question(
            _("Describe a project where you applied %(req)s, and what you would do differently now.") % req, Kind.TEXT
        )
    return _question(
        _("Do you have hands-on experience with %(req)s?") % req,
        Kind.YES_NO,
        knockout=Knockout.MUST_EQUAL,
        knockout_value="yes",
    )


def builtin_suggestions(*, title: str, requirements: list[str], count: int, difficulty: str) -> list[dict]:
    """Sensible template questions from the vacancy's requirements (the offline provider).

    Returns 1 to ``min(count, MAX_SUGGESTIONS)`` question dicts, each valid by ``clean_suggestion``.
    """
    years = _EXPERIENCE_YEARS.get(difficulty, "2")
    english = [_("Basic"), _("Intermediate"), _("Fluent")]
    hard = difficulty == "hard"
    items = [
        _question(
            _("How many years of professional experience do you have as %(title)s?") % {"title": title[:200]},
            Kind.NUMBER,
            knockout=Knockout.AT_LEAST,
            knockout_value=years,
        ),
        *(_requirement_question(requirement, difficulty) for requirement in requirements),
        _question(
            _("What is your level of English?"),
            Kind.SINGLE_CHOICE,
            options=english,
            knockout=Knockout.ONE_OF if hard else Knockout.NONE,
            allowed=english[1:] if hard else (),
        ),
        _question(
            _("Are you legally allowed to work in the country of this job?"),
            Kind.YES_NO,
            knockout=Knockout.MUST_EQUAL,
            knockout_value="yes",
        ),
        _question(
            _("When could you start?"),
            Kind.SINGLE_CHOICE,
            options=[_("Now"), _("In 2 weeks"), _("In a month or later")],
        ),
        _question(_("Tell us about the achievement you are most proud of."), Kind.TEXT),
    ]
    valid = [q for q in (clean_suggestion(item) for item in items) if q]
    return valid[: max(1, min(count, MAX_SUGGESTIONS))]
