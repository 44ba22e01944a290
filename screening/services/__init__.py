"""Writes and workflows on applications (responses): apply, answer, finish, decide, evaluate, suggest.

Every door (the careers page, the chat consumer, the HTTP fallback, the
recruiter workspace, the REST API, the admin) goes through these functions, so
a rule is enforced in one place. Side effects (evaluation, webhooks, live
broadcasts) are scheduled with ``transaction.on_commit``.

``responses``: apply, chat, answers, finish, status changes, notes.
``evaluations``: the AI evaluation, the LLM calls, the company's LLM budget and usage.
``suggestions``: suggested screening questions for a vacancy.
"""

from .evaluations import (
    FALLBACK_AI_DISABLED,
    FALLBACK_BUDGET_SPENT,
    FALLBACK_NOT_CONFIGURED,
    company_llm_fallback,
    company_llm_spent,
    evaluation_give_up,
    evaluation_request,
    evaluation_requeue_stalled,
    evaluation_run,
    llm_usage_month,
)
from .responses import (
    DECISION_STATUSES,
    candidate_apply,
    response_add_note,
    response_change_status,
    response_finish,
    response_outcome,
    response_start_chat,
    response_submit_answer,
)
from .suggestions import (
    SUGGESTION_CACHE_SECONDS,
    suggestion_accept,
    suggestion_discard,
    suggestion_request,
    suggestion_run,
)

__all__ = [
    "DECISION_STATUSES",
    "FALLBACK_AI_DISABLED",
    "FALLBACK_BUDGET_SPENT",
    "FALLBACK_NOT_CONFIGURED",
    "SUGGESTION_CACHE_SECONDS",
    "candidate_apply",
    "company_llm_fallback",
    "company_llm_spent",
    "evaluation_give_up",
    "evaluation_request",
    "evaluation_requeue_stalled",
    "evaluation_run",
    "llm_usage_month",
    "response_add_note",
    "response_change_status",
    "response_finish",
    "response_outcome",
    "response_start_chat",
    "response_submit_answer",
    "suggestion_accept",
    "suggestion_discard",
    "suggestion_request",
    "suggestion_run",
]
