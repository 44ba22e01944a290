"""Receipts: every claim of the evaluation cites the candidate's words, checked against the text that was sent.

``verify_reply`` turns the model's reply into what may be stored: each quote is looked
up (whitespace- and case-normalised) in the redacted resume and answers that were sent;
a claim of evidence whose quotes are all missing is dropped and counted, never shown as
fact; the score and the advice come from the rubric (``rubric``), and the summary is
written by us from the verified receipts. ``builtin_receipts`` does the same for the
offline keyword evaluator. Pure functions (no ORM, no request); texts are translated in
the active language (the caller picks the vacancy's). docs/llm.md, "Receipts".
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .keywords import found, keywords
from .parsing import MAX_ITEM_CHARS, MAX_LIST_ITEMS, MAX_QUOTE_CHARS, EvaluationResult, ModelReply
from .prompts import QA, EvaluationInput
from .rubric import LEVEL_CREDIT, REQUIREMENT_WEIGHT, level_for_credit, rubric_recommendation, rubric_score

_FOLD = str.maketrans(
    {
        "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
        "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
        "ё": "е", "…": "...",
    }
)  # fmt: skip
_SPACE_RE = re.compile(r"\s+")
_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+\]")
_WORD_CHAR_RE = re.compile(r"\w", re.UNICODE)
# The edges a model adds around a quote (its own quotation marks, a trailing full stop) that are not the quote.
_EDGE = " \"'.,;:!?()"


def match_key(text: str) -> str:
    """``text`` as quotes are compared: NFKC, case-folded, typographic quotes and dashes plain, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold().translate(_FOLD)
    return _SPACE_RE.sub(" ", folded).strip()


def quote_source(quote: str, sources: dict[str, str]) -> str | None:
    """Which source (``{name: match_key(text)}``) holds ``quote``, or None when none does or it is too thin.

    A quote must keep two word characters once placeholders ([NAME], [PHONE]...) are taken out:
    a lone letter or a placeholder cites nothing.
    """
    key = match_key(quote).strip(_EDGE)
    if len(_WORD_CHAR_RE.findall(_PLACEHOLDER_RE.sub("", quote))) < 2 or not key:
        return None
    for name, text in sources.items():
        if key in text:
            return name
    return None


def _raw_sources(data: EvaluationInput) -> dict[str, str]:
    """The candidate's texts as sent, by receipt source: ``resume`` and ``answer:<question_id>``."""
    sources = {"resume": data.resume} if data.resume.strip() else {}
    for number, qa in enumerate(data.answers, start=1):
        sources[qa.source(number)] = qa.answer
    return sources


def _sources(data: EvaluationInput) -> dict[str, str]:
    return {name: match_key(text) for name, text in _raw_sources(data).items()}


def _verified(quotes, sources: dict[str, str]) -> list[dict]:
    found = []
    for quote in quotes:
        source = quote_source(quote, sources)
        if source is not None and all(q["text"] != quote for q in found):
            found.append({"text": quote[:MAX_QUOTE_CHARS], "source": source})
    return found


def _item(kind: str, label: str, *, level: str, by: str, quotes: list[dict], weight: float, credit: float,
          question_id: int | None = None, dropped: bool = False) -> dict:  # fmt: skip
    return {
        "kind": kind,
        "label": label[:500],
        "question_id": question_id,
        "level": level,
        "by": by,
        "quotes": quotes,
        "weight": weight,
        "credit": round(credit, 4),
        "dropped": dropped,
    }


def _claimed(level: str, quotes: list[dict]) -> tuple[str, bool]:
    """A level of evidence stands only with a verified quote; without one it is dropped (and reads "no")."""
    if level != "no" and not quotes:
        return "no", True
    return level, False


def _answer_quote(qa: QA, number: int) -> list[dict]:
    """The candidate's own answer as the quote of a rule-judged answer (its words, as sent)."""
    text = qa.answer.strip()[:200]
    return [{"text": text, "source": qa.source(number)}] if len(_WORD_CHAR_RE.findall(text)) >= 1 else []


def _answer_item(qa: QA, number: int, reply_item: dict | None, sources: dict[str, str], *, by_model: bool) -> dict:
    source = qa.source(number)
    quotes = _verified(reply_item["quotes"], {source: sources[source]}) if reply_item else []
    if by_model and qa.kind == "text" and not qa.has_rule:
        level, dropped = _claimed(reply_item["level"] if reply_item else "no", quotes)
        return _item("answer", qa.question, level=level, by="model", quotes=quotes, weight=qa.weight,
                     credit=LEVEL_CREDIT[level], question_id=qa.question_id, dropped=dropped)  # fmt: skip
    credit = max(0.0, min(1.0, qa.credit))
    return _item("answer", qa.question, level=level_for_credit(credit), by="rule",
                 quotes=quotes or _answer_quote(qa, number), weight=qa.weight, credit=credit,
                 question_id=qa.question_id)  # fmt: skip


def _on_topic(quote: str, requirement: str) -> bool:
    """True when the quote names one of the requirement's keywords (``keywords.keywords``; Russian by stem)."""
    text = match_key(quote)
    return any(found(word, text) >= 0 for word in keywords(requirement))


def _relevant(quotes: list[dict], requirement: str, generic: set[str]) -> list[dict]:
    """The quotes that may support ``requirement``: on topic, or off topic but not used for another one yet.

    A passage that names none of the requirement's words ("it met every requirement the client had", or a
    sentence in another language) may stand for one requirement; quoted for a second one it is dropped: one
    sentence cannot evidence every requirement. ``generic`` holds the off-topic passages already used.
    """
    kept = []
    for quote in quotes:
        key = match_key(quote["text"])
        if _on_topic(quote["text"], requirement):
            kept.append(quote)
        elif key not in generic:
            generic.add(key)
            kept.append(quote)
    return kept


def _requirement_for(label: str, requirements: tuple[str, ...]) -> str | None:
    """Our requirement a model's copy names: the same text, or the one requirement it contains or is part of."""
    key = match_key(label)
    keys = {match_key(r): r for r in requirements}
    if key in keys:
        return keys[key]
    near = [r for k, r in keys.items() if k and (k in key or key in k)]
    return near[0] if len(near) == 1 else None


def knocked_out(data: EvaluationInput) -> bool:
    """True when the rule engine rejected the response or any answer failed its knockout rule."""
    return data.rule_status == "rejected" or any(qa.passed is False for qa in data.answers)


def verify_reply(reply: ModelReply, data: EvaluationInput) -> EvaluationResult:
    """The model's reply checked against ``data`` (exactly what was sent, redacted), scored by the rubric.

    Every quote is looked up in the candidate's text (``quote_source``); unverified quotes
    are removed; a requirement, an answer, a strength or a concern left without a verified
    quote for a claim of evidence is dropped and counted in ``dropped_claims`` (its level
    reads "no"); a requirement or a question the vacancy does not have is dropped too. A quote that names
    none of a requirement's words supports at most one requirement (``_relevant``).
    """
    sources = _sources(data)
    dropped = 0
    by_requirement: dict[str, dict] = {}
    for item in reply.requirements:
        ours = _requirement_for(item["requirement"], data.requirements)
        if ours is None:
            dropped += item["level"] != "no"
        else:
            by_requirement.setdefault(ours, item)
    evidence, generic = [], set()
    for requirement in data.requirements:
        item = by_requirement.get(requirement)
        quotes = _relevant(_verified(item["quotes"], sources), requirement, generic) if item else []
        level, was_dropped = _claimed(item["level"] if item else "no", quotes)
        dropped += was_dropped
        evidence.append(_item("requirement", requirement, level=level, by="model", quotes=quotes,
                              weight=REQUIREMENT_WEIGHT, credit=LEVEL_CREDIT[level], dropped=was_dropped))  # fmt: skip
    by_number = {}
    for item in reply.answers:
        if 1 <= item["question"] <= len(data.answers):
            by_number.setdefault(item["question"], item)
        else:
            dropped += item["level"] != "no"
    for number, qa in enumerate(data.answers, start=1):
        item = _answer_item(qa, number, by_number.get(number), sources, by_model=True)
        dropped += item["dropped"]
        evidence.append(item)
    strengths, concerns = [], []
    for claims, kept in ((reply.strengths, strengths), (reply.concerns, concerns)):
        for claim in claims:
            quotes = _verified(claim["quotes"], sources)
            if quotes:
                kept.append({"text": claim["text"][:MAX_ITEM_CHARS], "quotes": quotes, "by": "model"})
            else:
                dropped += 1
    return _result(data, evidence, strengths, concerns, dropped=dropped, model=reply)


def _ours(text: str) -> dict:
    return {"text": text[:MAX_ITEM_CHARS], "quotes": [], "by": "smartbot"}


def _our_concerns(data: EvaluationInput, evidence: list[dict]) -> list[dict]:
    missing = [item["label"] for item in evidence if item["kind"] == "requirement" and item["level"] == "no"]
    concerns = [_ours(_("No verified evidence for: %(items)s") % {"items": ", ".join(missing)})] if missing else []
    concerns.extend(_ours(reason) for reason in data.rejection_reasons)
    return concerns


def summary_text(evidence: list[dict], *, knocked_out: bool, dropped: int, score: int | None) -> str:
    """Our summary of verified receipts (never the model's words): requirements met, answers, dropped claims."""
    requirements = [item for item in evidence if item["kind"] == "requirement"]
    parts = []
    if requirements:
        met = sum(1 for item in requirements if item["level"] == "yes")
        partly = sum(1 for item in requirements if item["level"] == "partly")
        counts = {"met": met, "total": len(requirements), "partly": partly}
        if partly:
            text = _("Verified evidence for %(met)d of %(total)d requirements, %(partly)d more in part.")
        else:
            text = _("Verified evidence for %(met)d of %(total)d requirements.")
        parts.append(text % counts)
    answers = [item for item in evidence if item["kind"] == "answer" and float(item["weight"]) > 0]
    if answers:
        share = sum(float(i["weight"]) * float(i["credit"]) for i in answers) / sum(float(i["weight"]) for i in answers)
        parts.append(_("The screening answers earn %(share)d%% of their weight.") % {"share": round(share * 100)})
    if knocked_out:
        parts.append(_("A knockout rule was not met."))
    if dropped:
        parts.append(
            ngettext(
                "%(n)d claim of the model was dropped: its quotes are not in the candidate's words.",
                "%(n)d claims of the model were dropped: their quotes are not in the candidate's words.",
                dropped,
            )
            % {"n": dropped}
        )
    if score is None:
        parts.append(_("Nothing could be weighed: no requirements and no weighted answers."))
    return " ".join(parts)


def _result(data: EvaluationInput, evidence: list[dict], strengths: list[dict], concerns: list[dict], *,
            dropped: int, model: ModelReply | None, note: str = "") -> EvaluationResult:  # fmt: skip
    out = knocked_out(data)
    score = rubric_score(evidence)
    summary = summary_text(evidence, knocked_out=out, dropped=dropped, score=score)
    return EvaluationResult(
        score=score,
        summary=f"{summary} {note}".strip(),
        strengths=tuple(strengths[:MAX_LIST_ITEMS]),
        concerns=tuple([*concerns, *_our_concerns(data, evidence)][:MAX_LIST_ITEMS]),
        recommendation=rubric_recommendation(score, knocked_out=out),
        evidence=tuple(evidence),
        model_score=model.score if model else None,
        model_recommendation=model.recommendation if model else "",
        dropped_claims=dropped,
    )


def builtin_receipts(data: EvaluationInput, requirement_quotes) -> EvaluationResult:
    """The builtin evaluator's advice in the receipt shape, scored by the same rubric.

    ``requirement_quotes(requirement, sources) -> (level, [quote, ...]) | None`` is its keyword
    matcher (``builtin.keyword_evidence``): quotes are verbatim passages of the sources, checked here
    like the model's. Answers are judged by the rule engine's credit.
    """
    sources = _raw_sources(data)
    keys = _sources(data)
    evidence = []
    for requirement in data.requirements:
        found = requirement_quotes(requirement, sources)
        if found is None:
            continue
        level, quotes = found
        evidence.append(_item("requirement", requirement, level=level, by="keywords", quotes=_verified(quotes, keys),
                              weight=REQUIREMENT_WEIGHT, credit=LEVEL_CREDIT[level]))  # fmt: skip
    evidence.extend(_answer_item(qa, n, None, keys, by_model=False) for n, qa in enumerate(data.answers, start=1))
    met = [item for item in evidence if item["kind"] == "requirement" and item["level"] != "no"]
    strengths = []
    if met:
        mentions = _("Mentions: %(items)s") % {"items": ", ".join(item["label"] for item in met)}
        quotes = [item["quotes"][0] for item in met if item["quotes"]][:3]
        strengths.append({"text": mentions[:MAX_ITEM_CHARS], "quotes": quotes, "by": "smartbot"})
    concerns = [] if data.resume.strip() else [_ours(_("No resume text to check the requirements against"))]
    return _result(data, evidence, strengths, concerns, dropped=0, model=None,
                   note=_("Builtin evaluator: keyword matching, no language model."))  # fmt: skip
