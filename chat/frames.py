"""The JSON frames of the chat protocol, version 1 (docs/chat-protocol.md). Pure functions, no I/O."""

from __future__ import annotations

import re

PROTOCOL_VERSION = 1
# Limits of a client frame: larger frames close the socket (CLOSE_TOO_BIG), longer texts get an error frame.
MAX_FRAME_BYTES = 16 * 1024
MAX_TEXT_CHARS = 4000
MAX_CHOICES = 20
MAX_CHOICE_CHARS = 500
# Arrays and objects nested deeper than this are refused before ``json.loads`` runs (it recurses once per level).
MAX_DEPTH = 32
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

# WebSocket close codes. ASGI lets an application close with 1000 or 3000-4999 only (the protocol-level 1003
# and 1009 are the server's to send), so the application's are 4000-4999, after the HTTP status they resemble.
CLOSE_FORBIDDEN = 4403  # no access to this chat (handshake refused)
CLOSE_NOT_FOUND = 4404  # unknown or malformed chat token, or no such route (handshake refused)
CLOSE_GONE = 4410  # the chat's link is read-only or expired: load the page (handshake refused)
CLOSE_TOO_BIG = 4413  # a text frame over MAX_FRAME_BYTES
CLOSE_UNSUPPORTED_DATA = 4415  # a binary frame
CLOSE_FLOODING = 4429  # frames kept coming after the "rate_limited" error
CLOSE_INTERNAL = 4500  # the server failed; reconnecting is safe (frames are idempotent by id)

# Strings in JSON, and the brackets outside them (escapes included, so "\"[" stays inside its string).
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# NUL (PostgreSQL text cannot hold it) and UTF-16 surrogates (``"\ud800"`` decodes to one; it cannot be encoded).
_FORBIDDEN_CHARS = re.compile("[\x00\ud800-\udfff]")


def too_deep(text: str, *, limit: int = MAX_DEPTH) -> bool:
    """True if the JSON ``text`` nests arrays/objects more than ``limit`` deep. Linear, no recursion.

    Counts brackets outside strings, so it is right for any valid JSON and merely conservative for
    invalid JSON (which ``json.loads`` then refuses anyway).
    """
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual small frame: no scan at all
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        piece = match.group()
        if piece in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif piece in ("]", "}"):
            depth -= 1
    return False


def has_forbidden_chars(text: str) -> bool:
    """True if ``text`` holds NUL or a lone UTF-16 surrogate: neither can be stored, both are refused."""
    return _FORBIDDEN_CHARS.search(text) is not None


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
