"""Writes and workflows of the screening chat: open, answer, take over, hand back, talk.

The WebSocket consumers and the HTTP fallback call the same functions, so the
chat behaves the same with and without JavaScript. Each function is one
transaction that locks the chat session row: turns of one chat never
interleave (two tabs, a recruiter taking over mid-answer), and a message is
acknowledged only once this function has returned, i.e. after commit.

For speed each candidate turn is a single call doing a handful of queries; the
caller keeps a ``ChatContext`` (the vacancy and its questions) for the life of
a connection so no turn reloads the script, unless it changed: script edits
stamp the vacancy's ``updated_at``, each turn reads the stamp with its lock,
and a chat whose script changed moves to the new one at its next question
(``chat_candidate_message``; docs/chat-protocol.md, "When the script
changes"). The measured paths (a candidate's turn, the first open, a
disconnect) write and read through ``chat.statements`` (hand-written SQL built
from the models' metadata); everything else is the ORM.
"""

from ..texts import closing_text, greeting_text
from .after import chat_candidate_reply, chat_message_after, chat_reply_open
from .base import STATE_ACTIVE, STATE_FINISHED, STATE_PAUSED, ChatContext, ChatError, ChatSnapshot, Turn
from .handoff import chat_human_request
from .opening import (
    chat_context,
    chat_disconnect,
    chat_erase,
    chat_export,
    chat_open,
    chat_snapshot,
    chat_transcript,
    chat_unwatch,
)
from .recruiter import chat_handback, chat_recruiter_message, chat_takeover
from .turn import chat_candidate_message

__all__ = [
    "STATE_ACTIVE",
    "STATE_FINISHED",
    "STATE_PAUSED",
    "ChatContext",
    "ChatError",
    "ChatSnapshot",
    "Turn",
    "chat_candidate_message",
    "chat_candidate_reply",
    "chat_context",
    "chat_disconnect",
    "chat_erase",
    "chat_export",
    "chat_handback",
    "chat_human_request",
    "chat_message_after",
    "chat_open",
    "chat_recruiter_message",
    "chat_reply_open",
    "chat_snapshot",
    "chat_takeover",
    "chat_transcript",
    "chat_unwatch",
    "closing_text",
    "greeting_text",
]
