"""Questions candidates ask the bot mid-chat: answered from the vacancy's text and the company's answers, quoted,
or passed to the recruiters; never invented.

``candidate_question_reply`` is called by the chat's turn when ``screening.reading.asked.is_question`` says the
message asks something. Without an LLM (or without the company's or the candidate's leave to use one) the
deterministic matcher (``screening.reading.asked.find_answer``) decides alone. With one, the model gets the
question, redacted, and the best passages, and must quote one of them verbatim or say it does not know; a reply
whose quote no passage holds is "I don't know"; a provider failure or an unreadable reply falls back to the
matcher. See docs/candidate-questions.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .. import ai
from ..ai.asked_prompts import QUESTION_SCHEMA, build_question_messages, parse_question_reply
from ..ai.calls import call_recorded
from ..ai.leaks import payload_text
from ..models import CandidateQuestion, LLMCall, Response
from ..reading.asked import SOURCE_COMPANY_ANSWER, Passage, find_answer, rank_passages, vacancy_passages
from ..reading.text import collapse
from .budget import company_llm_fallback

logger = logging.getLogger(__name__)

# ``LLMCall.purpose`` of these calls.
LLM_PURPOSE_QUESTION = LLMCall.Purpose.QUESTION
# Seconds the chat waits for the model at most (less when ``OPENAI_TIMEOUT`` is shorter).
QUESTION_LLM_TIMEOUT = 10.0
QUESTION_LLM_MAX_TOKENS = 300
# How many passages the model sees: the matcher's best first, then the others in order.
QUESTION_LLM_PASSAGES = 8
MAX_QUESTION_CHARS = 4000


@dataclass(frozen=True)
class Reply:
    """The bot's reply to a candidate's question: the ``CandidateQuestion`` row written, and the ``text`` to send
    (in the vacancy's language)."""

    record: CandidateQuestion
    text: str

    @property
    def answered(self) -> bool:
        return self.record.answered


@dataclass(frozen=True)
class _Answer:
    source: str
    quote: str
    answer: str = ""  # the model's own short answer, shown before the quote


def response_llm_allowed(*, response: Response) -> bool:
    """May the LLM help in this response's chat: configured, allowed for the company (switch and budget, as for
    evaluations: ``company_llm_fallback``), and the candidate agreed to AI assistance."""
    if not response.ai_allowed or response.is_erased:
        return False
    return not company_llm_fallback(company=response.vacancy.company)


def llm_timeout() -> float:
    """Seconds a chat-time LLM call may take: ``QUESTION_LLM_TIMEOUT``, or ``OPENAI_TIMEOUT`` when shorter."""
    return min(QUESTION_LLM_TIMEOUT, float(settings.OPENAI_TIMEOUT))


def question_passages(*, vacancy) -> list[Passage]:
    """What the bot may answer from: the vacancy's own text (``vacancy_passages``, its labels in the vacancy's
    language) and the company's answers to common questions, in the recruiters' order."""
    with translation.override(vacancy.language):
        passages = vacancy_passages(
            title=vacancy.title,
            description=vacancy.description,
            requirements=vacancy.requirements,
            location=vacancy.location,
            salary_text=vacancy.salary_display,
            employment_type_text=str(vacancy.get_employment_type_display()),
        )
    passages += [
        Passage(SOURCE_COMPANY_ANSWER, answer.question, answer.answer)
        for answer in vacancy.company.company_answers.order_by("position", "id")
    ]
    return passages


def _matched(question: str, passages: list[Passage]) -> _Answer | None:
    found = find_answer(question, passages)
    return None if found is None else _Answer(source=found.passage.source, quote=found.quote)


def _llm_passages(question: str, passages: list[Passage]) -> list[Passage]:
    best = [passage for passage, _score, _quote in rank_passages(question, passages)]
    return (best + [passage for passage in passages if passage not in best])[:QUESTION_LLM_PASSAGES]


def _asked_llm(*, response: Response, question: str, passages: list[Passage]) -> _Answer | None:
    """The model's grounded answer, or None ("I don't know", or not grounded). Raises ``ai.LLMError`` or
    ``ai.InvalidOutput`` when the provider fails or its reply is unreadable (the caller falls back)."""
    identity = ai.Identity(full_name=response.full_name, email=response.email, phone=response.phone)
    shown = _llm_passages(question, passages)
    messages = build_question_messages(
        question=ai.redact(question, identity), passages=shown, language=response.vacancy.language
    )
    ours = build_question_messages(question="", passages=[], language=response.vacancy.language)
    completion, _cost = call_recorded(
        company=response.vacancy.company,
        purpose=LLM_PURPOSE_QUESTION,
        identity=identity,
        known_text=payload_text(ours),
        messages=messages,
        schema=QUESTION_SCHEMA,
        schema_name="answer",
        max_tokens=QUESTION_LLM_MAX_TOKENS,
        timeout=llm_timeout(),
    )
    grounded = parse_question_reply(completion.content, passages=shown)
    if grounded is None:
        return None
    return _Answer(source=grounded.passage.source, quote=grounded.quote, answer=grounded.answer)


def _reply_text(answer: _Answer | None) -> str:
    if answer is None:
        return _("I don't know that; I've passed your question to the recruiters, who will answer you.")
    if answer.source == SOURCE_COMPANY_ANSWER:
        source = _("From our answers to common questions: «%(quote)s»") % {"quote": answer.quote}
    else:
        source = _("From the job description: «%(quote)s»") % {"quote": answer.quote}
    return f"{answer.answer} {source}" if answer.answer else source


@dataclass(frozen=True)
class QuestionAnswer:
    """What the bot found for a candidate's question before anything is written (``candidate_question_answer``):
    the question as kept (collapsed, at most ``MAX_QUESTION_CHARS``) and the answer, or None for "I don't know"."""

    question: str
    answer: _Answer | None


def candidate_question_answer(*, response: Response, text: str) -> QuestionAnswer:
    """Find the answer to a candidate's question from the vacancy and the company's answers; writes nothing but
    the ``LLMCall`` record of a model's call.

    With the LLM allowed (``response_llm_allowed``) and the question free of instructions to the AI, the model
    decides, grounded in a quote; otherwise, or when the provider fails (the call waits ``llm_timeout()``
    seconds at most), ``find_answer`` does. Never raises for the model's sake. The chat calls it before taking
    its row lock, so a slow model never holds the chat (``candidate_question_record`` writes).
    """
    question = collapse(text)[:MAX_QUESTION_CHARS]
    passages = question_passages(vacancy=response.vacancy)
    if response_llm_allowed(response=response) and not ai.injection_signals(question):
        try:
            return QuestionAnswer(question, _asked_llm(response=response, question=question, passages=passages))
        except (ai.LLMError, ai.InvalidOutput) as exc:
            logger.info("response %s: the LLM could not answer a question (%s); the matcher does", response.pk, exc)
    return QuestionAnswer(question, _matched(question, passages))


def candidate_question_record(*, response: Response, found: QuestionAnswer) -> Reply:
    """Record a candidate's question and the bot's reply (one ``CandidateQuestion``); return the reply.

    The reply, in the vacancy's language, quotes where the answer came from ("From the job description: «…»",
    "From our answers to common questions: «…»") or says plainly that the bot does not know and passed the
    question on to the recruiters.
    """
    answer = found.answer
    with translation.override(response.vacancy.language):
        reply = _reply_text(answer)
    record = CandidateQuestion.objects.create(
        response=response,
        text=found.question,
        answered=answer is not None,
        answer=reply[:MAX_QUESTION_CHARS],
        source=answer.source if answer else CandidateQuestion.Source.NONE,
        quote=answer.quote[:MAX_QUESTION_CHARS] if answer else "",
    )
    return Reply(record=record, text=reply)


def candidate_question_reply(*, response: Response, text: str) -> Reply:
    """Answer a candidate's question and record it: ``candidate_question_answer`` then
    ``candidate_question_record`` (one ``CandidateQuestion`` written)."""
    return candidate_question_record(response=response, found=candidate_question_answer(response=response, text=text))
