"""The rubric: how SmartBot turns verified evidence into the AI score and the advice (docs/llm.md, "The rubric").

The score is ours, not the model's free number. Every item of the receipts has a
level ("yes", "partly", "no"), a weight and so a credit:

- **Screening answers** (weight: the question's weight, 0-10): an answer with a knockout
  rule, and any structured answer, earns what the rule engine gave it (points / weight,
  ``screening.scoring.check``); a free-text answer without a rule earns its evidence
  level's credit, judged by the model from the answer's own words (the builtin evaluator,
  which cannot read meaning, keeps the rule engine's credit there too).
- **Requirements** of the vacancy (weight 1 each): the evidence level's credit.

Credits: yes 1, partly 0.5, no 0; a level the model claimed without a quote found in the
candidate's words counts as "no". ``score = 100 x (0.6 x answers + 0.4 x requirements)``,
each part a weighted mean, either part alone when the other is empty, rounded half up.
Advice: a failed knockout rule means "reject"; otherwise 70 or more "advance", 45 or more
"hold", below "reject". Pure functions (no ORM, no request).
"""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

# Bump when anything below changes: older evaluations show as stale.
RUBRIC_VERSION = "r1"

LEVEL_CREDIT = {"yes": 1.0, "partly": 0.5, "no": 0.0}
ANSWERS_SHARE = 0.6
REQUIREMENTS_SHARE = 0.4
REQUIREMENT_WEIGHT = 1
ADVANCE_FROM = 70
HOLD_FROM = 45


def level_for_credit(credit: float) -> str:
    """The evidence level a rule engine's credit (0-1) reads as: 1 "yes", half or more "partly", else "no"."""
    if credit >= 0.99:
        return "yes"
    if credit >= 0.5:
        return "partly"
    return "no"


def _weighted_mean(items: list[dict]) -> float | None:
    total = sum(float(item["weight"]) for item in items)
    if total <= 0:
        return None
    return sum(float(item["weight"]) * float(item["credit"]) for item in items) / total


def rubric_score(evidence: list[dict] | tuple[dict, ...]) -> int | None:
    """The AI score (0-100) from receipt items (``{"kind", "weight", "credit", ...}``); None when nothing is weighed.

    ``kind`` "answer" items make the answers part, "requirement" items the requirements part;
    items of weight 0 count for nothing.
    """
    answers = _weighted_mean([item for item in evidence if item["kind"] == "answer"])
    requirements = _weighted_mean([item for item in evidence if item["kind"] == "requirement"])
    if answers is None and requirements is None:
        return None
    if answers is None:
        score = requirements
    elif requirements is None:
        score = answers
    else:
        score = ANSWERS_SHARE * answers + REQUIREMENTS_SHARE * requirements
    return int(Decimal(score * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rubric_recommendation(score: int | None, *, knocked_out: bool) -> str:
    """ "reject" after a failed knockout rule; else >= 70 "advance", >= 45 "hold", below (or no score) "reject"."""
    if knocked_out or score is None:
        return "reject"
    if score >= ADVANCE_FROM:
        return "advance"
    if score >= HOLD_FROM:
        return "hold"
    return "reject"


def vacancy_rubric_hash(*, requirements: list[str] | tuple[str, ...], questions: list[tuple]) -> str:
    """What the rubric reads from a vacancy, hashed (64 hex digits): a change makes earlier advice stale.

    ``requirements``: the vacancy's requirement lines; ``questions``: one tuple per screening
    question of what scores it (id, kind, weight, the knockout rule's fields).
    """
    payload = json.dumps([RUBRIC_VERSION, list(requirements), [list(q) for q in questions]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
