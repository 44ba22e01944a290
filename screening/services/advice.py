"""AI advice on one application's text: redact, evaluate (builtin or LLM, once or several times), verify, score.

``advice_make`` is what an evaluation (``evaluations``) and the fairness pre-flight (``fairness``) both run:
the same redaction, guards, receipts and rubric, so what the pre-flight measures is what candidates get.
docs/llm.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import translation

from .. import ai
from ..ai.calls import call_validated
from ..ai.leaks import payload_text
from ..models import Evaluation, LLMCall
from .budget import company_llm_fallback


@dataclass(frozen=True)
class Advice:
    """One piece of AI advice, made but not stored: the result and how it was made.

    ``result``: the receipts, scored by the rubric and passed through the guards; ``evaluator``:
    "builtin" or "llm"; ``fallback_reason``: why the builtin one ran ('' for the LLM); ``run_scores``:
    the rubric score of every run (several only with the LLM and ``AI_EVALUATION_RUNS`` > 1);
    ``spread``: max - min of those (None for one run); ``input_hash``: ``ai.input_hash`` of what was read.
    """

    result: ai.EvaluationResult
    evaluator: str
    fallback_reason: str
    model: str
    run_scores: tuple[int, ...]
    spread: int | None
    input_hash: str


def evaluation_runs() -> int:
    """How many times the LLM evaluates one response (``AI_EVALUATION_RUNS``, 1 to 5)."""
    return max(1, min(5, int(settings.AI_EVALUATION_RUNS)))


def _median_run(results: list[ai.EvaluationResult]) -> ai.EvaluationResult:
    ranked = sorted(results, key=lambda result: -1 if result.score is None else result.score)
    return ranked[(len(ranked) - 1) // 2]


def advice_make(
    *,
    company,
    raw: ai.EvaluationInput,
    identity: ai.Identity,
    hidden_text: str = "",
    purpose: str = LLMCall.Purpose.EVALUATION,
    runs: int = 1,
    account=None,
) -> Advice:
    """Advise on one application's text: redact, evaluate (builtin or LLM, ``runs`` times), verify, score, guard.

    ``raw``: the unredacted ``ai.EvaluationInput``; ``identity``: the candidate's, for redaction and the
    leak check; ``hidden_text``: text hidden in the resume file (never read as the resume, but an
    instruction there flags the attempt). With several runs the median run is kept and, when the
    scores spread over ``AI_UNSTABLE_SPREAD`` points, the advice is "unstable" (a person decides).
    Raises what ``call_validated`` raises: ``InvalidTwice``, ``ai.LeakBlocked``, ``ai.LLMError``.
    """
    data = ai.prepare_input(raw, identity)
    signals = ai.injection_signals(data.resume, *(qa.answer for qa in data.answers), hidden_text)
    fallback = company_llm_fallback(company=company)
    with translation.override(raw.language):
        if fallback:
            result = ai.builtin_evaluate(data)
            return Advice(
                result=ai.apply_guards(result, signals),
                evaluator=Evaluation.Evaluator.BUILTIN,
                fallback_reason=fallback,
                model="builtin",
                run_scores=() if result.score is None else (result.score,),
                spread=None,
                input_hash=ai.input_hash(data),
            )
        results, models = [], []
        # Our prompt alone (no candidate's, no vacancy's text): its words are ours, never a leak of the name.
        known_text = payload_text(ai.build_messages(ai.EvaluationInput(title="", language=data.language)))

        def counted(completion, cost) -> None:
            models.append(completion.model)
            if account is not None:
                account(completion, cost)

        for _run in range(max(1, runs)):
            results.append(
                call_validated(
                    company=company,
                    purpose=purpose,
                    messages=ai.build_messages(data),
                    schema=ai.EVALUATION_SCHEMA,
                    schema_name="evaluation",
                    parse=lambda content: ai.verify_reply(
                        ai.parse_evaluation(content, requirements=data.requirements), data
                    ),
                    account=counted,
                    identity=identity,
                    known_text=known_text,
                )
            )
        scores = tuple(result.score for result in results if result.score is not None)
        spread = max(scores) - min(scores) if len(results) > 1 and scores else None
        result = _median_run(results)
        if spread is not None and spread > settings.AI_UNSTABLE_SPREAD:
            result = replace(result, recommendation=Evaluation.Recommendation.UNSTABLE)
        return Advice(
            result=ai.apply_guards(result, signals),
            evaluator=Evaluation.Evaluator.LLM,
            fallback_reason="",
            model=(models[-1] if models else ai.model_name())[:100],
            run_scores=scores,
            spread=spread,
            input_hash=ai.input_hash(data),
        )
