"""The screening app's models, one module per concern; everything is importable from ``screening.models``."""

from .ai import Evaluation, FairnessCheck, LLMCall, QuestionSuggestion
from .applications import Answer, Candidate, Erasure, Note, Response, StatusChange, public_token
from .chat import ChatMessage, ChatSession
from .reading import CandidateQuestion, QuestionEvent, Rejudge
from .webhooks import WebhookDelivery, WebhookEndpoint, validate_webhook_url, webhook_address_error, webhook_ip_error

# Migration 0001 refers to the token default by its first name.
_public_token = public_token

__all__ = [
    "Answer",
    "Candidate",
    "CandidateQuestion",
    "ChatMessage",
    "ChatSession",
    "Erasure",
    "Evaluation",
    "FairnessCheck",
    "LLMCall",
    "Note",
    "QuestionEvent",
    "QuestionSuggestion",
    "Rejudge",
    "Response",
    "StatusChange",
    "WebhookDelivery",
    "WebhookEndpoint",
    "public_token",
    "validate_webhook_url",
    "webhook_address_error",
    "webhook_ip_error",
]
