"""What the fake LLM answers to an evaluation prompt: a model that reads the prompt and quotes it.

``evaluation_reply(body, mode=...)`` reads the request our client sent (the vacancy's
requirements, the candidate's answers and resume, from their delimited blocks) and
answers in the receipt schema, quoting the candidate's text verbatim, like a careful
model. Modes:

- ``faithful``: levels from the requirement's words found in the text, quotes copied exactly;
- ``inventive``: the same, plus claims whose quotes the candidate never wrote (a hallucinating
  model: the receipts must drop them);
- ``biased``: the same as faithful, but every level one step lower when the text carries a
  female gender marker or a caregiving gap (a model the fairness pre-flight must catch);
- ``jittery``: faithful on one call, no evidence at all on the next (an unstable model, for the N-run check).

Used by the tests (``fake_openai.FakeOpenAI``'s callable replies) and by
``python -m screening.tests.fake_openai`` for trying the product by hand.
"""

from __future__ import annotations

import itertools
import re

_BLOCK_RE = re.compile(
    r"<<<BEGIN (?P<label>[A-Z ]+) (?P<nonce>[0-9a-f]+)>>>\n(?P<text>.*?)\n<<<END (?P=label) (?P=nonce)>>>", re.S
)
_ANSWER_RE = re.compile(
    r"^Q(?P<n>\d+)\. .*?\nA(?P=n)\. (?P<answer>.*?)(?=\n\(knockout rule|\n\nQ\d+\. |\Z)", re.S | re.M
)
_WORD_RE = re.compile(r"[\w+#]{3,}")
_STOP = {
    "and", "the", "with", "for", "years", "year", "experience", "knowledge", "good", "least", "skills", "work",
    "опыт", "опыта", "знание", "лет", "года", "год", "работы", "менее", "уверенное", "хорошее", "навыки",
}  # fmt: skip
# What the biased model reacts to (gender markers and caregiving gaps, both languages).
_PENALISED_RE = re.compile(
    r"\b(she|her|hers|herself|mother|maternity|parental leave|caring for|career break)\b"
    r"|\b(она|её|ее|мама|декрет\w*|уход\w* за)\b|\b\w+(ла|лась)\b",
    re.I,
)
_LOWER = {"yes": "partly", "partly": "no", "no": "no"}
_JITTER = itertools.count()


def blocks(body: dict) -> dict[str, str]:
    """The user message's data blocks by label ("VACANCY", "UNTRUSTED CANDIDATE RESUME", ...)."""
    user = next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")
    return {m.group("label"): m.group("text") for m in _BLOCK_RE.finditer(user)}


def requirements_of(vacancy: str) -> list[str]:
    """The "- " lines under "Requirements:" of the vacancy block."""
    tail = vacancy.split("Requirements:\n", 1)[1] if "Requirements:\n" in vacancy else ""
    return [line[2:] for line in tail.splitlines() if line.startswith("- ")]


def answers_of(text: str) -> dict[int, str]:
    """``{number: answer}`` from the answers block."""
    return {int(m.group("n")): m.group("answer").strip() for m in _ANSWER_RE.finditer(text)}


def _passage(text: str, start: int) -> str:
    """The verbatim line around ``start`` (at most 200 characters)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return line[:200]


def _evidence(requirement: str, texts: list[str]) -> tuple[str, list[str]]:
    words = [w for w in _WORD_RE.findall(requirement.lower()) if w not in _STOP] or [requirement.lower()]
    quotes, found = [], 0
    for word in words:
        for text in texts:
            at = text.lower().find(word)
            if at >= 0:
                found += 1
                passage = _passage(text, at)
                if passage and passage not in quotes:
                    quotes.append(passage)
                break
    level = "yes" if found == len(words) else "partly" if found else "no"
    return level, quotes[:2] if level != "no" else []


def evaluation_reply(body: dict, *, mode: str = "faithful") -> dict:
    """The reply (receipt schema) a model in ``mode`` gives to the evaluation request ``body``."""
    parts = blocks(body)
    resume = parts.get("UNTRUSTED CANDIDATE RESUME", "")
    resume = "" if resume == "(no resume)" else resume
    answers = answers_of(parts.get("UNTRUSTED CANDIDATE ANSWERS", ""))
    texts = [t for t in (resume, *answers.values()) if t and t != "(no answer)"]
    penalised = mode == "biased" and any(_PENALISED_RE.search(t) for t in texts)
    jitter = next(_JITTER) if mode == "jittery" else 0
    requirements, strengths = [], []
    for requirement in requirements_of(parts.get("VACANCY", "")):
        level, quotes = _evidence(requirement, texts)
        if penalised:
            level = _LOWER[level]
        if mode == "jittery" and jitter % 2:
            level = "no"
        requirements.append({"requirement": requirement, "level": level, "quotes": quotes if level != "no" else []})
        if level == "yes":
            strengths.append({"text": f"Shows {requirement}", "quotes": quotes[:1]})
    answer_items = []
    for number, answer in answers.items():
        words = len(answer.split())
        level = "yes" if words >= 3 else "partly" if words else "no"
        if penalised:
            level = _LOWER[level]
        answer_items.append({"question": number, "level": level, "quotes": [answer[:120]] if answer else []})
    concerns = []
    if mode == "inventive":
        strengths.append(
            {"text": "Led a team of 50 engineers at Google", "quotes": ["Team lead at Google, 50 reports"]}
        )
        concerns.append({"text": "Was dismissed from the last job", "quotes": ["dismissed for misconduct"]})
        for item in requirements:
            if item["level"] == "no":
                item.update(level="yes", quotes=[f"Ten years of {item['requirement']} in production"])
    met = sum({"yes": 1.0, "partly": 0.5}.get(item["level"], 0.0) for item in requirements)
    score = round(100 * met / len(requirements)) if requirements else 50
    recommendation = "advance" if score >= 70 else "hold" if score >= 45 else "reject"
    return {
        "requirements": requirements,
        "answers": answer_items,
        "strengths": strengths[:10],
        "concerns": concerns,
        "score": score,
        "recommendation": recommendation,
    }
