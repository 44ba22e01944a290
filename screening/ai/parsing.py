"""The model's replies: the JSON schemas asked for, and the parsers that let only validated output through.

Whatever a reply holds, a parser returns a bounded, validated value or raises
``InvalidOutput`` (whose reason the repair prompt and the recruiter see).
Pure functions (no ORM, no request).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from vacancies.rules import KINDS, KNOCKOUTS, clean_options, rule_errors

from .redaction import normalise_text

RECOMMENDATIONS = ("advance", "hold", "reject")
EVIDENCE_LEVELS = ("yes", "partly", "no")

# Bounds on what is stored.
MAX_SUMMARY_CHARS = 2000
MAX_ITEM_CHARS = 500
MAX_LIST_ITEMS = 10
# The only scores a reply may give; anything outside is refused, never clamped.
SCORE_MIN, SCORE_MAX = 0, 100
# Characters; a reply within the requested max_tokens is a few thousand. A longer one is refused unread.
MAX_REPLY_CHARS = 100_000

# Quotes: a few per item, each a short verbatim passage (characters).
MAX_QUOTES = 3
MAX_QUOTE_CHARS = 300

_QUOTES = {"type": "array", "items": {"type": "string"}, "description": "verbatim passages of the candidate's text"}
_LEVEL = {"type": "string", "enum": list(EVIDENCE_LEVELS)}


def _object(properties: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


# The receipt schema (docs/llm.md): every claim cites the candidate's words. All keys are required
# (strict structured output asks for that); nothing else is accepted.
EVALUATION_SCHEMA = _object(
    {
        "requirements": {
            "type": "array",
            "items": _object({"requirement": {"type": "string"}, "level": _LEVEL, "quotes": _QUOTES}),
        },
        "answers": {
            "type": "array",
            "items": _object({"question": {"type": "integer"}, "level": _LEVEL, "quotes": _QUOTES}),
        },
        "strengths": {"type": "array", "items": _object({"text": {"type": "string"}, "quotes": _QUOTES})},
        "concerns": {"type": "array", "items": _object({"text": {"type": "string"}, "quotes": _QUOTES})},
        "score": {"type": "integer", "description": "0-100, your own overall view, kept for comparison"},
        "recommendation": {"type": "string", "enum": list(RECOMMENDATIONS)},
    }
)

SUGGESTION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["questions"],
    "properties": {
        "questions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text", "kind", "options", "knockout", "knockout_value", "allowed_options"],
                "properties": {
                    "text": {"type": "string"},
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "options": {"type": "array", "items": {"type": "string"}},
                    "knockout": {"type": "string", "enum": list(KNOCKOUTS)},
                    "knockout_value": {"type": "string"},
                    "allowed_options": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


class InvalidOutput(ValueError):
    """The model's reply does not follow the schema; ``reason`` says how (shown to the recruiter)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ModelReply:
    """The model's evaluation reply, validated against the schema but not yet checked against the text sent.

    ``requirements``: ``{"requirement", "level", "quotes"}``; ``answers``: ``{"question" (1-based number
    in the prompt), "level", "quotes"}``; ``strengths``/``concerns``: ``{"text", "quotes"}``; ``quotes``
    are tuples of strings. ``score`` (0-100) and ``recommendation`` are the model's own, for comparison.
    ``receipts.verify_reply`` turns it into an ``EvaluationResult``.
    """

    requirements: tuple[dict, ...] = ()
    answers: tuple[dict, ...] = ()
    strengths: tuple[dict, ...] = ()
    concerns: tuple[dict, ...] = ()
    score: int = 0
    recommendation: str = "hold"


@dataclass(frozen=True)
class EvaluationResult:
    """Advice on one response as stored: the receipts, the rubric's score and advice, our summary.

    ``score``: the rubric's, 0-100 (None when the guards withheld it); ``evidence``: receipt items
    ``{"kind", "label", "question_id", "level", "by", "quotes": [{"text", "source"}], "weight", "credit",
    "dropped"}``; ``strengths``/``concerns``: ``{"text", "quotes", "by"}``; ``model_score`` and
    ``model_recommendation``: the model's own (None / "" for the builtin evaluator); ``dropped_claims``:
    the model's claims left out because their quotes are not in the candidate's words; ``flags`` names
    what the guards found (``"injection"``). docs/llm.md, "Receipts".
    """

    score: int | None
    summary: str
    strengths: tuple[dict, ...] = ()
    concerns: tuple[dict, ...] = ()
    recommendation: str = "hold"
    evidence: tuple[dict, ...] = ()
    flags: tuple[str, ...] = field(default=())
    model_score: int | None = None
    model_recommendation: str = ""
    dropped_claims: int = 0


_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)


def load_json_object(content: str) -> dict:
    """The reply as a JSON object, or ``InvalidOutput``: whatever the text holds, no other error escapes.

    Hostile text is bounded: over ``MAX_REPLY_CHARS`` it is not parsed, a number
    past Python's integer-conversion limit (4300 digits) or nesting past the
    recursion limit is an invalid reply, not a crash.
    """
    if not isinstance(content, str) or not content.strip():
        raise InvalidOutput("empty reply")
    if len(content) > MAX_REPLY_CHARS:
        raise InvalidOutput(f"the reply is longer than {MAX_REPLY_CHARS} characters")
    text = content.strip()
    fenced = _FENCE_RE.match(text)
    if fenced:  # some local models wrap JSON in a code fence even in JSON mode
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidOutput(f"not valid JSON ({exc.msg} at position {exc.pos})")
    except ValueError:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise InvalidOutput("not valid JSON (a number is too long)")
    except RecursionError:
        raise InvalidOutput("not valid JSON (nested too deep)")
    if not isinstance(value, dict):
        raise InvalidOutput("the reply is not a JSON object")
    return value


def _text(value, name: str, *, limit: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidOutput(f"'{name}' must be a string")
    value = normalise_text(value).strip()
    if required and not value:
        raise InvalidOutput(f"'{name}' is empty")
    return value[:limit]


def parse_score(value) -> int:
    """The model's score as an integer 0-100; anything else (a string, a fraction, 1000, -5) is ``InvalidOutput``.

    Never clamped: a number out of range means the reply did not follow the schema (an
    injection that asked for "1000" would otherwise be stored as a perfect 100), so it is
    refused and goes through the repair-or-fail path like any other broken reply.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidOutput("'score' must be an integer")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise InvalidOutput("'score' must be an integer")
        value = int(value)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise InvalidOutput(f"'score' must be between {SCORE_MIN} and {SCORE_MAX}, not {str(value)[:12]}")
    return value


def _unknown_keys(data: dict, allowed, name: str) -> None:
    unknown = sorted(str(key)[:40] for key in data if key not in allowed)
    if unknown:
        raise InvalidOutput(f"unknown key(s) in {name}: " + ", ".join(f"'{key}'" for key in unknown[:5]))


def _level(value, name: str) -> str:
    if not isinstance(value, str) or value.strip().lower() not in EVIDENCE_LEVELS:
        raise InvalidOutput(f"'{name}' must be yes, partly or no")
    return value.strip().lower()


def _quotes(value, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(quote, str) for quote in value):
        raise InvalidOutput(f"'{name}' must be a list of strings")
    quotes = (normalise_text(quote).strip()[:MAX_QUOTE_CHARS] for quote in value)
    return tuple(quote for quote in quotes if quote)[:MAX_QUOTES]


def _items(data: dict, key: str, fields: dict, *, limit: int) -> tuple[dict, ...]:
    """The list ``data[key]`` of objects with exactly ``fields`` (name -> reader), read and bounded."""
    value = data[key]
    if not isinstance(value, list):
        raise InvalidOutput(f"'{key}' must be a list")
    items = []
    for raw in value[:limit]:
        if not isinstance(raw, dict):
            raise InvalidOutput(f"every '{key}' item must be an object")
        _unknown_keys(raw, fields, f"a '{key}' item")
        missing = [name for name in fields if name not in raw]
        if missing:
            raise InvalidOutput(f"a '{key}' item misses " + ", ".join(f"'{m}'" for m in missing))
        items.append({name: read(raw[name], f"{key}.{name}") for name, read in fields.items()})
    return tuple(items)


def _question_number(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise InvalidOutput(f"'{name}' must be the question's number")
    return value


def _claim_text(value, name: str) -> str:
    return _text(value, name, limit=MAX_ITEM_CHARS)


def parse_evaluation(content: str, *, requirements: tuple[str, ...] | list[str] = ()) -> ModelReply:
    """Validate the model's reply against ``EVALUATION_SCHEMA``; raise ``InvalidOutput`` otherwise.

    Anything off the schema is refused, never mended: a score outside 0-100 (``parse_score``),
    a wrong type, an unknown recommendation or evidence level, a missing or an unknown key.
    Only lengths are bounded (texts cut, lists shortened). The quotes are not checked here:
    ``receipts.verify_reply`` does that against the text that was sent.
    """
    data = load_json_object(content)
    missing = [key for key in EVALUATION_SCHEMA["required"] if key not in data]
    if missing:
        raise InvalidOutput("missing " + ", ".join(f"'{m}'" for m in missing))
    _unknown_keys(data, EVALUATION_SCHEMA["properties"], "the reply")
    score = parse_score(data["score"])
    recommendation = data["recommendation"]
    if not isinstance(recommendation, str) or recommendation.strip().lower() not in RECOMMENDATIONS:
        raise InvalidOutput("'recommendation' must be one of advance, hold, reject")
    claim = {"text": _claim_text, "quotes": _quotes}
    return ModelReply(
        requirements=_items(
            data,
            "requirements",
            {"requirement": lambda v, n: _text(v, n, limit=300), "level": _level, "quotes": _quotes},
            limit=len(requirements) + MAX_LIST_ITEMS,
        ),
        answers=_items(data, "answers", {"question": _question_number, "level": _level, "quotes": _quotes}, limit=60),
        strengths=_items(data, "strengths", claim, limit=MAX_LIST_ITEMS),
        concerns=_items(data, "concerns", claim, limit=MAX_LIST_ITEMS),
        score=score,
        recommendation=recommendation.strip().lower(),
    )


def clean_suggestion(item) -> dict | None:
    """A suggested question as the editor stores it, or None when it is not a valid question.

    The dict has ``text, kind, options, knockout, knockout_value, allowed_options``
    and passes ``vacancies.rules.rule_errors``.
    """
    if not isinstance(item, dict):
        return None
    text = item.get("text")
    kind = item.get("kind")
    if not isinstance(text, str) or not normalise_text(text).strip() or not isinstance(kind, str):
        return None
    options = item.get("options") or []
    allowed = item.get("allowed_options") or []
    if not isinstance(options, list) or not isinstance(allowed, list):
        return None
    question = {
        "text": normalise_text(text).strip()[:500],
        "kind": kind,
        "options": clean_options([str(o)[:100] for o in options if isinstance(o, str | int | float)]),
        "knockout": item.get("knockout") or "",
        "knockout_value": str(item.get("knockout_value") or "").strip()[:50],
        "allowed_options": clean_options([str(o) for o in allowed if isinstance(o, str | int | float)]),
    }
    if not isinstance(question["knockout"], str):
        return None
    errors = rule_errors(
        kind=question["kind"],
        options=question["options"],
        knockout=question["knockout"],
        knockout_value=question["knockout_value"],
        allowed_options=question["allowed_options"],
    )
    return None if errors else question


def parse_suggestions(content: str, *, count: int) -> list[dict]:
    """Valid questions (``clean_suggestion`` dicts, at most ``count``) from the model's reply.

    Invalid ones are dropped; raises ``InvalidOutput`` if none is valid.
    """
    data = load_json_object(content)
    questions = data.get("questions")
    if not isinstance(questions, list):
        raise InvalidOutput("'questions' must be a list")
    cleaned = [q for q in (clean_suggestion(item) for item in questions[: count * 2]) if q]
    if not cleaned:
        raise InvalidOutput("no valid question in the reply")
    return cleaned[:count]
