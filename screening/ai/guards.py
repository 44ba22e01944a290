"""The injection guard: candidate text that talks to the AI is flagged, and its advice never says "advance".

Pure functions (no ORM, no request); docs/llm.md describes the defence in depth.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import replace

from django.utils.translation import gettext as _

from ..reading.text import fold_confusables
from .parsing import MAX_LIST_ITEMS, EvaluationResult
from .redaction import normalise_text

_INJECTION_PATTERNS = [
    (
        "override",
        r"\b(?:ignore|disregard|forget|override|skip)\b[^.\n]{0,40}\b(?:previous|prior|above|earlier|all|"
        r"your|system|the)\b[^.\n]{0,30}\b(?:instructions?|prompts?|rules?|guidelines|directions)\b",
    ),
    ("override", r"\bnew (?:instructions?|task|rules)\s*:"),
    ("system", r"\b(?:system|developer)\s*(?:prompt|message|instructions?|override)\b"),
    (
        "system",
        r"<\|?\s*(?:im_start|im_end|system|assistant|user)\s*\|?>|\[/?INST\]|<</?SYS>>|^\s*#{2,}\s*(?:system|"
        r"instruction|assistant)\b",
    ),
    (
        "roleplay",
        r"\b(?:you are now|from now on,? you|pretend (?:to be|you are)|role-?play|roleplay|"
        r"act as (?:an? |the )?(?:ai|assistant|evaluator|recruiter|hr|system|model|language model|gpt|chatbot)|"
        r"you're now|imagine you are)\b",
    ),
    (
        "score",
        r"\b(?:give|assign|rate|score|grade|mark)\s+(?:me|us|this candidate|the candidate|him|her|it|this "
        r"(?:application|applicant|resume|cv|profile))\b[^.\n]{0,30}\b(?:100|hundred|maximum|max|highest|top|"
        r"perfect|10/10|full marks)\b",
    ),
    ("score", r"\b(?:score|rating)\s+(?:of\s+)?100\b|\b(?:maximum|highest|perfect|full)\s+(?:score|rating|marks)\b"),
    ("score", r"\b(?:recommend|recommendation)\b[^.\n]{0,30}\badvance\b"),
    ("json", r"[\"'“”]\s*(?:score|recommendation|summary)\s*[\"'“”]\s*:"),
    (
        "delimiter",
        r"<{2,}\s*/?\s*(?:BEGIN|END)\b|\b(?:BEGIN|END) UNTRUSTED\b|</?\s*(?:candidate|resume|data|"
        r"system|instructions?)\s*>",
    ),
    # Other languages.
    (
        "override",
        r"(?:игнорир|проигнорир|забудь|забудьте|не обращай)\w*[^.\n]{0,40}(?:инструкц|указани|правил|"
        r"промпт)\w*",
    ),
    ("roleplay", r"\b(?:ты теперь|представь, что ты|веди себя как)\b"),
    ("score", r"(?:постав|дай|оцени)\w*[^.\n]{0,30}(?:100|максимальн|высш)\w*"),
    ("override", r"\b(?:ignoriere|vergiss)\b[^.\n]{0,40}\b(?:anweisungen|vorgaben|regeln)\b"),
    ("override", r"\b(?:ignore[zr]?|oublie[zr]?)\b[^.\n]{0,40}\b(?:instructions|consignes|règles)\b"),
    ("override", r"\b(?:ignora|olvida)\w*\b[^.\n]{0,40}\b(?:instrucciones|reglas|indicaciones)\b"),
    ("override", r"(?:忽略|无视|忘记)[^。\n]{0,20}(?:指令|指示|说明|规则|提示)"),
    ("override", r"(?:無視|忘れ)[^。\n]{0,20}(?:指示|命令|ルール|プロンプト)|(?:指示|命令)[^。\n]{0,10}(?:無視|忘れ)"),
]
_INJECTION_RES = [(kind, re.compile(pattern, re.IGNORECASE | re.MULTILINE)) for kind, pattern in _INJECTION_PATTERNS]
_BASE64_RE = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_HEX_RE = re.compile(r"\b(?:[0-9a-fA-F]{2}\s?){12,}\b")


def _decoded_variants(text: str) -> list[str]:
    """Readable texts hidden in base64 or hex runs (a classic way to smuggle instructions)."""
    variants = []
    for match in _BASE64_RE.finditer(text):
        chunk = match.group(0)
        try:
            decoded = base64.b64decode(chunk + "=" * (-len(chunk) % 4), validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if decoded and sum(ch.isprintable() or ch.isspace() for ch in decoded) / len(decoded) > 0.9:
            variants.append(decoded)
    for match in _HEX_RE.finditer(text):
        try:
            decoded = bytes.fromhex(re.sub(r"\s", "", match.group(0))).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue
        variants.append(decoded)
    return variants


def injection_signals(*texts: str) -> tuple[str, ...]:
    """Kinds of instruction-like content found in candidate text (empty when none), sorted.

    Checked on the text as written, with look-alike letters folded (Cyrillic "о" for
    Latin "o"), with spacing collapsed, and on base64/hex it hides.
    """
    found = set()
    for text in texts:
        base = normalise_text(text)
        if not base:
            continue
        candidates = [base, fold_confusables(base), re.sub(r"(?<=\w)[\s._-](?=\w\b)", "", base)]
        for decoded in _decoded_variants(base):
            candidates += [decoded, normalise_text(decoded)]
        for candidate in candidates:
            for kind, regex in _INJECTION_RES:
                if regex.search(candidate):
                    found.add(kind)
    return tuple(sorted(found))


def apply_guards(result: EvaluationResult, signals: tuple[str, ...]) -> EvaluationResult:
    """When the candidate's text talks to the AI, say so first and never let the advice be "advance"."""
    if not signals:
        return result
    concern = _(
        "The candidate's text contains instructions addressed to the AI (%(kinds)s); "
        "this evaluation may be manipulated: read the answers yourself."
    ) % {"kinds": ", ".join(signals)}
    recommendation = "hold" if result.recommendation == "advance" else result.recommendation
    return replace(
        result,
        concerns=(concern, *result.concerns)[:MAX_LIST_ITEMS],
        recommendation=recommendation,
        flags=tuple(sorted({*result.flags, "injection"})),
    )
