"""Writes and workflows on applications (responses): apply, answer, finish, decide, evaluate, suggest.

Every door (the careers page, the chat consumer, the HTTP fallback, the
recruiter workspace, the REST API, the admin) goes through these functions, so
a rule is enforced in one place. Side effects wait for the commit: tasks are
queued with a plain ``task.delay()`` (``smartbot.celery.TransactionAwareTask``
publishes on commit), webhooks and live broadcasts with ``transaction.on_commit``.

``applications``: apply, the candidate's private link and its emails.
``privacy``: the candidate's rights: withdraw, export, erase, retention.
``responses``: chat, answers, finish, status changes, notes.
``evaluations``: the AI evaluation, the LLM calls, the company's LLM budget and usage.
``suggestions``: suggested screening questions for a vacancy.
``webhooks``: the company's webhook endpoints, the events they get and their deliveries.
"""

from .applications import (
    EMAIL_LINK,
    EMAIL_RECEIVED,
    application_email_send,
    application_link_request,
    application_url,
    candidate_apply,
    response_find_by_email,
)
from .evaluations import (
    FALLBACK_AI_DISABLED,
    FALLBACK_BUDGET_SPENT,
    FALLBACK_NOT_CONFIGURED,
    EvaluationRetryLater,
    company_llm_fallback,
    company_llm_spent,
    evaluation_give_up,
    evaluation_request,
    evaluation_requeue_stalled,
    evaluation_run,
    llm_usage_month,
)
from .privacy import (
    UPCOMING_ERASURE_WINDOW,
    application_export,
    application_withdraw,
    candidate_erase,
    candidates_due_for_erasure,
    retention_enforce,
    retention_period,
)
from .responses import (
    DECISION_STATUSES,
    question_events_record,
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
from .webhooks import (
    candidate_erased_emit,
    response_event_emit,
    response_event_emit_on_commit,
    response_event_payload,
    webhook_backoff_seconds,
    webhook_deliver,
    webhook_deliveries_requeue_stalled,
    webhook_endpoint_create,
    webhook_endpoint_update,
)

__all__ = [
    "DECISION_STATUSES",
    "EMAIL_LINK",
    "EMAIL_RECEIVED",
    "FALLBACK_AI_DISABLED",
    "FALLBACK_BUDGET_SPENT",
    "FALLBACK_NOT_CONFIGURED",
    "SUGGESTION_CACHE_SECONDS",
    "UPCOMING_ERASURE_WINDOW",
    "EvaluationRetryLater",
    "application_email_send",
    "application_export",
    "application_link_request",
    "application_url",
    "application_withdraw",
    "candidate_apply",
    "candidate_erase",
    "candidate_erased_emit",
    "candidates_due_for_erasure",
    "company_llm_fallback",
    "company_llm_spent",
    "evaluation_give_up",
    "evaluation_request",
    "evaluation_requeue_stalled",
    "evaluation_run",
    "llm_usage_month",
    "question_events_record",
    "response_add_note",
    "response_change_status",
    "response_event_emit",
    "response_event_emit_on_commit",
    "response_event_payload",
    "response_find_by_email",
    "response_finish",
    "response_outcome",
    "response_start_chat",
    "response_submit_answer",
    "retention_enforce",
    "retention_period",
    "suggestion_accept",
    "suggestion_discard",
    "suggestion_request",
    "suggestion_run",
    "webhook_backoff_seconds",
    "webhook_deliver",
    "webhook_deliveries_requeue_stalled",
    "webhook_endpoint_create",
    "webhook_endpoint_update",
]
