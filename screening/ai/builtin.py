"""The builtin provider: a deterministic, offline evaluator and template suggested questions.

It runs when no LLM is configured, when a company has switched AI off, or when
its monthly budget is spent. Pure functions (no ORM, no request); texts are
translated in the active language (the caller picks the vacancy's).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from vacancies.rules import Kind, Knockout

from .parsing import MAX_ITEM_CHARS, MAX_LIST_ITEMS, EvaluationResult, clean_suggestion
from .prompts import MAX_SUGGESTIONS, EvaluationInput

# --- Evaluation --------------------------------------------------------------------------------

_STOPWORDS = {
    "and", "or", "of", "the", "a", "an", "in", "on", "with", "for", "to", "at", "as", "by", "is", "be", "are",
    "experience", "years", "year", "knowledge", "good", "strong", "solid", "skills", "skill", "ability",
    "understanding", "working", "work", "plus", "least", "level", "basic", "advanced", "proficiency",
    "familiarity", "familiar", "using", "use", "able", "must", "nice", "have", "has", "etc",
    "и", "или", "в", "на", "с", "со", "по", "для", "от", "до", "не", "опыт", "опыта", "знание", "знания",
    "лет", "года", "год", "умение", "навыки", "работы", "работа", "хорошее", "уверенное", "понимание", "менее",
}  # fmt: skip
_WORD_RE = re.compile(r"[\w+#.]+")
# How much a requirement counts towards coverage, by how well the text meets it.
_CREDIT = {"yes": 1.0, "partly": 0.5, "no": 0.0}


def _keywords(text: str) -> list[str]:
    words = []
    for raw in _WORD_RE.findall(text.lower()):
        word = raw.strip(".")
        if len(word) >= 2 and word not in _STOPWORDS and not word.isdigit() and word not in words:
            words.append(word)
    return words


def _found(word: str, corpus: str) -> int:
    # Match whole words, and a Russian word by its stem (Python/Python'а, Django/Джанго aside).
    stem = word[:-2] if len(word) > 6 and re.search(r"[а-яё]", word) else word
    match = re.search(rf"(?<![\w+#]){re.escape(stem)}", corpus)
    return match.start() if match else -1


def _snippet(corpus: str, index: int, width: int = 60) -> str:
    start = max(0, index - width // 2)
    text = corpus[start : start + width].replace("\n", " ").strip()
    return ("…" if start else "") + text + ("…" if start + width < len(corpus) else "")


def requirement_evidence(requirement: str, original: str) -> dict | None:
    """How well ``original`` (resume and answers) covers one requirement, by its keywords.

    ``{"requirement", "met": "yes" (all keywords) / "partly" (half or more) / "no",
    "evidence": a snippet around the first keyword found, or ""}``; None when the
    requirement has no keyword to look for.
    """
    words = _keywords(requirement)
    if not words:
        return None
    corpus = original.lower()
    hits = [p for p in (_found(word, corpus) for word in words) if p >= 0]
    share = len(hits) / len(words)
    level = "yes" if share >= 0.99 else "partly" if share >= 0.5 else "no"
    return {"requirement": requirement[:300], "met": level, "evidence": _snippet(original, min(hits)) if hits else ""}


def combined_score(rule_score: int | None, coverage: float | None) -> int:
    """60 % rule score + 40 % coverage (0-1), either alone when the other is missing; 0-100, half up."""
    if rule_score is not None and coverage is not None:
        score = 0.6 * rule_score + 0.4 * coverage * 100
    elif rule_score is not None:
        score = float(rule_score)
    else:
        score = (coverage or 0.0) * 100
    score = int(Decimal(score).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(0, min(100, score))


def recommend(score: int, *, knocked_out: bool) -> str:
    """A failed knockout rule means "reject"; otherwise >= 70 "advance", >= 45 "hold", else "reject"."""
    if knocked_out:
        return "reject"
    if score >= 70:
        return "advance"
    if score >= 45:
        return "hold"
    return "reject"


def _strengths(data: EvaluationInput, assessed: list[tuple[str, dict]]) -> list[str]:
    strengths = []
    met = [requirement for requirement, item in assessed if item["met"] != "no"]
    if met:
        strengths.append(_("Mentions: %(items)s") % {"items": ", ".join(met)})
    passed = sum(1 for qa in data.answers if qa.passed is True)
    if passed:
        strengths.append(_("Passed %(n)d knockout question(s)") % {"n": passed})
    return strengths


def _concerns(data: EvaluationInput, assessed: list[tuple[str, dict]]) -> list[str]:
    concerns = []
    missing = [requirement for requirement, item in assessed if item["met"] == "no"]
    if missing:
        concerns.append(_("No evidence for: %(items)s") % {"items": ", ".join(missing)})
    concerns.extend(data.rejection_reasons)
    if not data.resume.strip():
        concerns.append(_("No resume text to check the requirements against"))
    return concerns


def _summary(data: EvaluationInput, *, covered: float, total: int, knocked_out: bool) -> str:
    parts = []
    if data.rule_score is not None:
        parts.append(_("Screening rule score %(score)d/100.") % {"score": data.rule_score})
    if total:
        parts.append(
            _("The resume and answers cover %(met)s of %(total)d requirements.")
            % {"met": f"{covered:g}", "total": total}
        )
    if knocked_out:
        parts.append(_("A knockout rule was not met."))
    parts.append(_("Builtin evaluator: keyword matching, no language model."))
    return " ".join(parts)


def builtin_evaluate(data: EvaluationInput) -> EvaluationResult:
    """The deterministic, offline evaluator: the rule score plus how well the text covers the requirements.

    score = 60 % rule score + 40 % requirement coverage (coverage alone without a
    rule score); a failed knockout rule means "reject", otherwise >= 70 "advance",
    >= 45 "hold", else "reject". Explains every requirement with a snippet.
    ``data`` should be redacted (``prepare_input``) so that snippets hold no personal data.
    """
    original = "\n".join([data.resume, *(qa.answer for qa in data.answers)])
    assessed = [(r, item) for r in data.requirements if (item := requirement_evidence(r, original))]
    evidence = [item for _requirement, item in assessed]
    covered = sum((_CREDIT[item["met"]] for item in evidence), 0.0)
    coverage = covered / len(evidence) if evidence else None
    score = combined_score(data.rule_score, coverage)
    knocked_out = data.rule_status == "rejected" or any(qa.passed is False for qa in data.answers)
    return EvaluationResult(
        score=score,
        summary=_summary(data, covered=covered, total=len(evidence), knocked_out=knocked_out),
        strengths=tuple(_strengths(data, assessed)[:MAX_LIST_ITEMS]),
        concerns=tuple(c[:MAX_ITEM_CHARS] for c in _concerns(data, assessed)[:MAX_LIST_ITEMS]),
        recommendation=recommend(score, knocked_out=knocked_out),
        evidence=tuple(evidence),
    )


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
