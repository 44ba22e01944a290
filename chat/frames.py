"""The JSON frames of the chat protocol, version 1 (docs/chat-protocol.md). Pure functions, no I/O.

Both ways: reading a client's frame (``decode``, ``envelope`` and the field readers, which raise
``FrameError``) and building the server's frames. ``turn_frames`` is the one builder of what a turn shows
(the sockets and the no-JavaScript views both send it).
"""

from __future__ import annotations

import json
import re

from django.utils.translation import gettext as _

from screening.live import CHAT_PROTOCOL_VERSION, chat_message_data

PROTOCOL_VERSION = CHAT_PROTOCOL_VERSION
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


# Reading a client's frame ---------------------------------------------------------------------------------


class FrameError(Exception):
    """A client frame refused; ``code`` goes into the error frame, ``message`` (translated) is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def decode(text: str):
    """The JSON value of a text frame; ``FrameError`` (too_deep, bad_json) when it is not one we read."""
    if too_deep(text):
        raise FrameError("too_deep", _("The frame is nested too deeply."))
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError("bad_json", _("The frame is not valid JSON.")) from None


def loose_client_id(content) -> str | None:
    """The frame's ``id`` if it is a valid one, read before the frame is checked (for its error frame)."""
    if isinstance(content, dict) and isinstance(content.get("id"), str) and CLIENT_ID_RE.match(content["id"]):
        return content["id"]
    return None


def envelope(content, types) -> tuple[str, str]:
    """Check the fields every frame has (``v``, ``type`` among ``types``, ``id``): ``(type, client id)``.

    Raises ``FrameError`` (bad_frame, missing_field, unsupported_version, invalid_field, unknown_type).
    """
    if not isinstance(content, dict):
        raise FrameError("bad_frame", _("A frame must be a JSON object."))
    for name in ("v", "type", "id"):
        if name not in content:
            raise FrameError("missing_field", _("The frame has no “%(field)s” field.") % {"field": name})
    version = content["v"]
    if type(version) is not int or version != PROTOCOL_VERSION:  # True == 1 in Python: not a version
        raise FrameError("unsupported_version", _("Only version 1 of the protocol is supported."))
    client_id = content["id"]
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise FrameError("invalid_field", _("“id” must be 1 to 64 letters, digits or _.:-"))
    frame_type = content["type"]
    if not isinstance(frame_type, str):
        raise FrameError("invalid_field", _("“type” must be a string."))
    if frame_type not in types:
        raise FrameError("unknown_type", _("Unknown frame type."))
    return frame_type, client_id


def _storable(value: str, field: str) -> str:
    if has_forbidden_chars(value):
        raise FrameError(
            "invalid_field",
            _("“%(field)s” holds characters that cannot be stored (NUL or a lone surrogate).") % {"field": field},
        )
    return value


def text_field(content: dict, *, required: bool = True) -> str:
    """The frame's ``text`` (at most ``MAX_TEXT_CHARS``, storable); "" when absent and not ``required``."""
    text = content.get("text")
    if text is None:
        if required:
            raise FrameError("missing_field", _("The frame has no “%(field)s” field.") % {"field": "text"})
        return ""
    if not isinstance(text, str):
        raise FrameError("invalid_field", _("“text” must be a string."))
    if len(text) > MAX_TEXT_CHARS:
        raise FrameError("too_long", _("The message is longer than 4,000 characters."))
    return _storable(text, "text")


def choices_field(content: dict) -> list[str] | None:
    """The frame's ``choices`` (at most ``MAX_CHOICES`` storable strings of ``MAX_CHOICE_CHARS``), or None."""
    choices = content.get("choices")
    if choices is None:
        return None
    if (
        not isinstance(choices, list)
        or len(choices) > MAX_CHOICES
        or not all(isinstance(c, str) and len(c) <= MAX_CHOICE_CHARS for c in choices)
    ):
        raise FrameError("invalid_field", _("“choices” must be a list of strings."))
    for choice in choices:
        _storable(choice, "choices")
    return choices


def question_field(content: dict) -> int | None:
    """The frame's ``question`` (the id of the question answered), or None."""
    question_id = content.get("question")
    if question_id is not None and (not isinstance(question_id, int) or isinstance(question_id, bool)):
        raise FrameError("invalid_field", _("“question” must be a question id."))
    return question_id


def on_field(content: dict) -> bool:
    """The frame's ``on`` (a typing frame's state; true when absent)."""
    on = content.get("on", True)
    if not isinstance(on, bool):
        raise FrameError("invalid_field", _("“on” must be true or false."))
    return on


# Building the server's frames -----------------------------------------------------------------------------


def frame(frame_type: str, **fields) -> dict:
    return {"v": PROTOCOL_VERSION, "type": frame_type, **fields}


def author_name(user) -> str | None:
    """What others see of a recruiter: the first name only."""
    return user.display_name if user is not None else None


# A transcript line as a ``message`` object: one definition, in screening, which pushes lines too (interviews).
message_data = chat_message_data


def question_data(question, *, number: int, total: int, confirm: dict | None = None) -> dict:
    """What the client needs to show a question: buttons for yes/no and choices, required or skippable.

    ``confirm``: the bot read the answer back and awaits yes/no (``{"text", "options": [{"value", "label"}]}``):
    the client shows those two buttons instead of the question's own, and sends the chosen ``value`` (or any
    typed text: a typed answer is taken as the corrected answer). Left out of the frame when None.
    """
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
        **({"confirm": confirm} if confirm else {}),
    }


def message_frame(message) -> dict:
    return frame("message", message=message_data(message))


def error_frame(code: str, message: str, *, client_id: str | None = None) -> dict:
    return frame("error", code=code, message=message, id=client_id)


def recruiter_data(user) -> dict | None:
    """The recruiter leading the chat as frames show them (``{"name": first name}``), or None."""
    return {"name": author_name(user)} if user is not None else None


def question_in(ctx, question, confirm: dict | None = None) -> dict | None:
    """``question_data`` of one of the chat's questions, numbered within the script ``ctx`` holds; None for None.

    ``ctx``: a ``chat.services.ChatContext`` (its ``questions`` and ``question_number``).
    """
    if question is None:
        return None
    return question_data(question, number=ctx.question_number(question), total=len(ctx.questions), confirm=confirm)


def hello_frame(ctx, snapshot, *, role: str, response_id: int, **extra) -> dict:
    """The first frame of a socket: the whole chat (``snapshot``, a ``chat.services.ChatSnapshot``) and ``extra``."""
    return frame(
        "hello",
        role=role,
        response_id=response_id,
        state=snapshot.state,
        recruiter=recruiter_data(snapshot.recruiter),
        **extra,
        messages=[message_data(m) for m in snapshot.messages],
        question=question_in(ctx, snapshot.question, snapshot.confirm),
    )


def state_frame(ctx, turn) -> dict:
    """Where a chat stands after a turn (``chat.services.Turn``), with the question it awaits (a duplicate's answer)."""
    return frame(
        "state", state=turn.state, recruiter=recruiter_data(turn.recruiter), question=question_in(ctx, turn.question)
    )


def leader_id(turn) -> int:
    """The user id of the recruiter leading the chat after ``turn`` (0 when the bot leads), for ``chat.live``."""
    return turn.recruiter.pk if turn.recruiter is not None else 0


def for_recruiter(item: dict, *, user_id: int, leader: int | None) -> dict:
    """``item`` as a recruiter's socket shows it: a state frame says whether this recruiter leads the chat
    (``taken_over_by_me``) when the leader is known (``leader``: a user id, 0 for the bot, None unknown)."""
    if item.get("type") != "state" or leader is None:
        return item
    return {**item, "taken_over_by_me": item.get("state") == "paused" and leader == user_id}


def turn_frames(ctx, turn, *, include_own: bool = True) -> list[dict]:
    """The frames of a turn (``chat.services.Turn``) in order: the sender's message (``include_own``), the new
    bot and system messages, the state if it changed, the question if it was (re)asked.

    The sender's socket gets its own message through the ack (``include_own=False``); everyone else gets it all.
    """
    out = []
    if include_own and turn.own_message is not None:
        out.append(message_frame(turn.own_message))
    out.extend(message_frame(m) for m in turn.messages)
    if turn.state_changed:
        out.append(frame("state", state=turn.state, recruiter=recruiter_data(turn.recruiter)))
    if turn.asked and turn.question is not None:
        out.append(frame("question", question=question_in(ctx, turn.question, turn.confirm)))
    return out
