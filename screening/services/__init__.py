"""Writes and workflows on applications (responses): apply, answer, finish, decide, evaluate, suggest.

Every door (the careers page, the chat consumer, the HTTP fallback, the
recruiter workspace, the REST API, the admin) goes through these functions, so
a rule is enforced in one place. Side effects wait for the commit: tasks are
queued with a plain ``task.delay()`` (``smartbot.celery.TransactionAwareTask``
publishes on commit), webhooks and live broadcasts with ``transaction.on_commit``.

``applications``: apply, the candidate's private link and its emails.
``privacy``: the candidate's rights: withdraw, export, erase, retention.
``responses``: chat, answers, finish, status changes, notes.
``evaluations``: the AI evaluation of a response: queue, claim, run, store, sweep.
``advice``: one piece of AI advice (redact, evaluate, verify the receipts, score, guard), for evaluations and
the fairness pre-flight.
``fairness``: the fairness pre-flight of a vacancy's evaluator over counterfactual pairs, and its publish gate.
``budget``: the company's LLM budget and usage, and when the builtin evaluator must run.
``suggestions``: suggested screening questions for a vacancy.
``webhooks``: the company's webhook endpoints, the events they get and their deliveries.
``rejudge``: a question's past answers judged again under its current rule: the preview and the audited change.
``asked``: questions candidates ask the bot, answered from the vacancy and the company's answers.
``reading_help``: the optional LLM reading of an answer the rules could not read.
"""

from .advice import Advice, advice_make
from .applications import (
    EMAIL_LINK,
    EMAIL_RECEIVED,
    application_email_send,
    application_link_request,
    application_url,
    candidate_apply,
    response_find_by_email,
)
from .asked import (
    QuestionAnswer,
    Reply,
    candidate_question_answer,
    candidate_question_record,
    candidate_question_reply,
    question_passages,
    response_llm_allowed,
)
from .budget import (
    FALLBACK_AI_DISABLED,
    FALLBACK_BUDGET_SPENT,
    FALLBACK_NOT_CONFIGURED,
    company_llm_fallback,
    company_llm_spent,
    llm_usage_month,
)
from .evaluations import (
    EvaluationRetryLater,
    evaluation_give_up,
    evaluation_request,
    evaluation_requeue_stalled,
    evaluation_run,
)
from .fairness import (
    fairness_acknowledge,
    fairness_check_get_for_user,
    fairness_check_latest,
    fairness_check_request,
    fairness_check_run,
    fairness_key,
    fairness_publish_check,
    fairness_url,
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
from .reading_help import Proposal, reading_llm_propose
from .rejudge import RejudgePreview, RejudgeRow, answer_judged_by, rejudge_apply, rejudge_preview, rule_words
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
    "Advice",
    "EvaluationRetryLater",
    "Proposal",
    "QuestionAnswer",
    "RejudgePreview",
    "RejudgeRow",
    "Reply",
    "advice_make",
    "answer_judged_by",
    "application_email_send",
    "application_export",
    "application_link_request",
    "application_url",
    "application_withdraw",
    "candidate_apply",
    "candidate_erase",
    "candidate_erased_emit",
    "candidate_question_answer",
    "candidate_question_record",
    "candidate_question_reply",
    "candidates_due_for_erasure",
    "company_llm_fallback",
    "company_llm_spent",
    "evaluation_give_up",
    "evaluation_request",
    "evaluation_requeue_stalled",
    "evaluation_run",
    "fairness_acknowledge",
    "fairness_check_get_for_user",
    "fairness_check_latest",
    "fairness_check_request",
    "fairness_check_run",
    "fairness_key",
    "fairness_publish_check",
    "fairness_url",
    "llm_usage_month",
    "question_events_record",
    "question_passages",
    "reading_llm_propose",
    "rejudge_apply",
    "rejudge_preview",
    "response_add_note",
    "response_change_status",
    "response_event_emit",
    "response_event_emit_on_commit",
    "response_event_payload",
    "response_find_by_email",
    "response_finish",
    "response_llm_allowed",
    "response_outcome",
    "response_start_chat",
    "response_submit_answer",
    "retention_enforce",
    "retention_period",
    "rule_words",
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
