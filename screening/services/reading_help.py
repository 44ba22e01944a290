"""Optional LLM help for answers the rules could not read: a proposed value, to be confirmed by the candidate.

When ``screening.scoring.read_answer`` raises ``InvalidAnswer`` (unsure: "не уверен, наверное года два",
"четыре сотни", a sentence around the answer) the chat may ask ``reading_llm_propose`` before asking again.
The model proposes a value of the question's kind and the words it relied on; the proposal is validated
against the question (kind, options, a number, words the candidate wrote) and is only ever read back to the
candidate for confirmation, like any reading that was not literal. Without an LLM, or without the company's
or the candidate's leave to use one, nothing is proposed and the chat behaves as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vacancies.rules import Kind, Knockout, parse_decimal

from .. import ai
from ..ai.asked_prompts import build_reading_messages, parse_reading_reply, reading_schema
from ..ai.calls import call_recorded
from ..ai.leaks import payload_text
from ..models import LLMCall, Response
from ..scoring import QuestionSpec
from .asked import llm_timeout, response_llm_allowed

logger = logging.getLogger(__name__)

# ``LLMCall.purpose`` of these calls.
LLM_PURPOSE_READING = LLMCall.Purpose.READING
READING_LLM_MAX_TOKENS = 200
# The kinds a reading can be unsure of (free text is taken as written).
PROPOSED_KINDS = (Kind.YES_NO, Kind.NUMBER, Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
# ``Answer.read_how`` of a value the LLM proposed and the candidate confirmed.
HOW_LLM = "llm"


@dataclass(frozen=True)
class Proposal:
    """A value the LLM read from the candidate's words, validated against the question, to be confirmed.

    ``value``: of the type the rules store for the question's kind (bool, float, an option, a list of options);
    ``words``: the candidate's words it relied on (they occur in the answer); ``how``: ``"llm"``.
    """

    value: object
    words: str
    how: str = HOW_LLM


def _allows_negative(spec: QuestionSpec) -> bool:
    limit = parse_decimal(spec.knockout_value)
    return spec.knockout in (Knockout.AT_LEAST, Knockout.AT_MOST) and limit is not None and limit < 0


def reading_llm_propose(*, response: Response, question, raw) -> Proposal | None:
    """Ask the LLM for a reading of ``raw`` (the candidate's answer to ``question``), or None.

    ``question`` is a ``ScreeningQuestion`` or a ``scoring.QuestionSpec``. None when the LLM may not be used
    (``response_llm_allowed``: configured, the company's switch and budget, the candidate's consent), when the
    question is free text, when the answer talks to the AI (the injection guard), when the model reads no
    value, and when its proposal does not hold against the question or the words (``parse_reading_reply``)
    or the provider fails: the chat then asks again, as without an LLM. The answer is redacted as for
    evaluations; the call is recorded as an ``LLMCall`` and waits ``llm_timeout()`` seconds at most.
    """
    spec = question if isinstance(question, QuestionSpec) else QuestionSpec.from_question(question)
    text = ", ".join(str(item) for item in raw) if isinstance(raw, list | tuple) else str(raw or "")
    if spec.kind not in PROPOSED_KINDS or not text.strip() or ai.injection_signals(text):
        return None
    if not response_llm_allowed(response=response):
        return None
    identity = ai.Identity(full_name=response.full_name, email=response.email, phone=response.phone)
    options = list(spec.options)
    messages = build_reading_messages(
        question=spec.text, kind=spec.kind, options=options, unit=spec.unit, answer=ai.redact(text, identity)
    )
    ours = build_reading_messages(question="", kind=spec.kind, options=[], unit="", answer="")
    try:
        completion, _cost = call_recorded(
            company=response.vacancy.company,
            purpose=LLM_PURPOSE_READING,
            identity=identity,
            known_text=payload_text(ours),
            messages=messages,
            schema=reading_schema(kind=spec.kind, options=options),
            schema_name="reading",
            max_tokens=READING_LLM_MAX_TOKENS,
            timeout=llm_timeout(),
        )
        proposed = parse_reading_reply(
            completion.content, kind=spec.kind, options=options, answer=text, allow_negative=_allows_negative(spec)
        )
    except (ai.LLMError, ai.InvalidOutput) as exc:
        logger.info("response %s: no LLM reading of an unsure answer (%s)", response.pk, exc)
        return None
    if proposed is None:
        return None
    value, words = proposed
    return Proposal(value=value, words=words)
