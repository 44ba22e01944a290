"""The screening app's models, one module per concern; everything is importable from ``screening.models``."""

from .ai import Evaluation, FairnessCheck, LLMCall, QuestionSuggestion
from .applications import Answer, Candidate, Erasure, Note, Response, StatusChange, public_token
from .chat import ChatMessage, ChatSession
from .integrations import BoardApplication, BoardConnection, BoardVacancy, TelegramBot, TelegramLink
from .notifications import (
    EmailTemplate,
    HumanRequest,
    Notification,
    NotificationPreference,
    SentEmail,
    notification_line,
)
from .pipeline import BulkAction, BulkActionItem, SavedFilter, Tag
from .reading import CandidateQuestion, QuestionEvent, Rejudge
from .scheduling import Booking, CalendarFeed, InterviewSlot
from .webhooks import WebhookDelivery, WebhookEndpoint, validate_webhook_url, webhook_address_error, webhook_ip_error

# Migration 0001 refers to the token default by its first name.
_public_token = public_token

__all__ = [
    "Answer",
    "BoardApplication",
    "BoardConnection",
    "BoardVacancy",
    "Booking",
    "BulkAction",
    "BulkActionItem",
    "CalendarFeed",
    "Candidate",
    "CandidateQuestion",
    "ChatMessage",
    "ChatSession",
    "EmailTemplate",
    "Erasure",
    "Evaluation",
    "FairnessCheck",
    "HumanRequest",
    "InterviewSlot",
    "LLMCall",
    "Note",
    "Notification",
    "NotificationPreference",
    "QuestionEvent",
    "QuestionSuggestion",
    "Rejudge",
    "Response",
    "SavedFilter",
    "SentEmail",
    "StatusChange",
    "Tag",
    "TelegramBot",
    "TelegramLink",
    "WebhookDelivery",
    "WebhookEndpoint",
    "notification_line",
    "public_token",
    "validate_webhook_url",
    "webhook_address_error",
    "webhook_ip_error",
]
