"""The JSON frames of the chat protocol, version 1 (docs/chat-protocol.md). Pure functions, no I/O."""

from __future__ import annotations

import re

PROTOCOL_VERSION = 1
# Limits of a client frame: larger frames close the socket (1009), longer texts get an error frame.
MAX_FRAME_BYTES = 16 * 1024
MAX_TEXT_CHARS = 4000
MAX_CHOICES = 20
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

# WebSocket close codes.
CLOSE_UNSUPPORTED_DATA = 1003  # a binary frame
CLOSE_TOO_BIG = 1009  # a frame over MAX_FRAME_BYTES
CLOSE_FORBIDDEN = 4403  # no access to this chat (handshake refused)
CLOSE_NOT_FOUND = 4404  # unknown chat token (handshake refused)


def frame(frame_type: str, **fields) -> dict:
    return {"v": PROTOCOL_VERSION, "type": frame_type, **fields}


def author_name(user) -> str | None:
    """What others see of a recruiter: the first name only."""
    return user.display_name if user is not None else None


def message_data(message) -> dict:
    return {
        "id": message.pk,
        "sender": message.sender,
        "author": author_name(message.author) if message.author_id else None,
        "text": message.text,
        "question_id": message.question_id,
        "created_at": message.created_at.isoformat() if message.created_at else None,
    }


def question_data(question, *, number: int, total: int) -> dict:
    """What the client needs to show a question: buttons for yes/no and choices, required or skippable."""
    kind = question.kind
    if kind == "yes_no":
        options = ["yes", "no"]
    elif kind in ("single_choice", "multiple_choice"):
        options = [str(option) for option in question.options or []]
    else:
        options = []
    return {
        "id": question.pk,
        "kind": kind,
        "text": question.text,
        "options": options,
        "required": question.required,
        "number": number,
        "total": total,
    }


def message_frame(message) -> dict:
    return frame("message", message=message_data(message))


def error_frame(code: str, message: str, *, client_id: str | None = None) -> dict:
    return frame("error", code=code, message=message, id=client_id)
