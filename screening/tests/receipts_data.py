"""An evaluation with receipts in the stored shapes (``Evaluation.evidence``, ``strengths``, ``concerns``), for the
tests of what shows them: the response page, the API, the webhooks, the browser.

``receipts_evaluation(response)`` is made under the current rubric (not stale) over ``make_finished_response``'s
resume and answers: quotes of the resume (one with a placeholder, as quotes come from the redacted text), a quote of
the free-text answer, a dropped claim, a knockout answer judged by the rule, SmartBot's own concern.
"""

from screening import ai, selectors
from screening.models import Evaluation

# Candidate text is hostile: a quote that is markup must show as text.
HOSTILE_QUOTE = '<img src=x onerror="alert(1)"> "quoted" & co'


def quote(text: str, source: str = "resume") -> dict:
    return {"text": text, "source": source}


def requirement(label: str, level: str, *quotes: dict, by: str = "model", dropped: bool = False) -> dict:
    credit = {"yes": 1.0, "partly": 0.5, "no": 0.0}[level]
    return {
        "kind": "requirement",
        "label": label,
        "question_id": None,
        "level": level,
        "by": by,
        "quotes": list(quotes),
        "weight": 1,
        "credit": credit,
        "dropped": dropped,
    }


def answer(question, level: str, *quotes: dict, by: str = "model", credit: float | None = None) -> dict:
    return {
        "kind": "answer",
        "label": question.text,
        "question_id": question.pk,
        "level": level,
        "by": by,
        "quotes": list(quotes),
        "weight": question.weight,
        "credit": credit if credit is not None else {"yes": 1.0, "partly": 0.5, "no": 0.0}[level],
        "dropped": False,
    }


def receipts_evaluation(response, **fields) -> Evaluation:
    """A finished LLM evaluation of ``response`` (``make_finished_response``) with receipts; ``fields`` override."""
    questions = {a.question.position: a.question for a in response.answers.select_related("question")}
    free_text = questions[5]
    defaults = {
        "prompt_version": ai.PROMPT_VERSION,
        "status": Evaluation.Status.DONE,
        "evaluator": Evaluation.Evaluator.LLM,
        "model": "gpt-4o-mini",
        "score": 72,
        "model_score": 90,
        "model_recommendation": "advance",
        "recommendation": Evaluation.Recommendation.ADVANCE,
        "summary": "Verified evidence for 2 of 4 requirements.",
        "evidence": [
            requirement("Python", "yes", quote("Python developer with 5 years of Django")),
            requirement("Django", "partly", quote("[NAME] led a team of 4")),
            requirement("Kubernetes", "no", dropped=True),
            requirement("PostgreSQL", "no"),
            answer(free_text, "yes", quote("billing system in Django", f"answer:{free_text.pk}")),
            answer(questions[2], "yes", quote("5", f"answer:{questions[2].pk}"), by="rule"),
        ],
        "strengths": [
            {"text": "Built a billing system", "quotes": [quote("Built a billing system (2019-2023)")], "by": "model"}
        ],
        "concerns": [{"text": "No verified evidence for: Kubernetes", "quotes": [], "by": "smartbot"}],
        "dropped_claims": 1,
        "run_scores": [72],
        "score_spread": None,
        "rubric_version": ai.RUBRIC_VERSION,
        "rubric_hash": selectors.vacancy_rubric_hash(vacancy=response.vacancy),
        "input_hash": "0123456789abcdef" * 4,
        "tokens_in": 1200,
        "tokens_out": 300,
    }
    return Evaluation.objects.create(response=response, **{**defaults, **fields})
