"""Live updates to the pages and sockets watching a response, through the channel layer.

Every socket about one response (the candidate's chat, recruiters watching it)
joins the group ``response_group(response_id)``. Events are channel-layer
messages whose ``type`` names the consumer handler (``chat.message``,
``evaluation.updated``, ...).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def response_group(response_id: int) -> str:
    """The group name of a response; built from a validated integer id only."""
    return f"response-{int(response_id)}"


def response_broadcast(*, response_id: int, event: dict) -> None:
    """Send an event to everyone watching a response. Never raises: live updates are best effort."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(response_group(response_id), event)
    except Exception:  # the page also refreshes by itself; a lost live update must not fail a write
        logger.exception("live update for response %s failed", response_id)


# The chat's channel-layer event carrying ready frames (``chat.live.frames_event``; the consumers' ``chat_frames``)
# and the protocol version of the frames (``chat.frames.PROTOCOL_VERSION``). Here because screening sends them too.
CHAT_FRAMES_EVENT = "chat.frames"
CHAT_PROTOCOL_VERSION = 1


def chat_message_data(message) -> dict:
    """A transcript line (``ChatMessage``) as the chat protocol's ``message`` object (docs/chat-protocol.md):
    ``id``, ``sender``, ``author`` (a recruiter's first name), ``text``, ``question_id``, ``created_at``, and
    ``slots`` on the bot's offer of interview times only. ``chat.frames.message_data`` is this function."""
    payload = getattr(message, "payload", None)
    offers = isinstance(payload, dict) and isinstance(payload.get("slots"), list)
    return {
        "id": message.pk,
        "sender": message.sender,
        "author": message.author.display_name if message.author_id else None,
        "text": message.text,
        "question_id": message.question_id,
        "created_at": message.created_at.isoformat() if message.created_at else None,
        **({"slots": payload["slots"]} if offers else {}),
    }


def chat_message_event(message) -> dict:
    """The event that shows a new transcript line on every open socket of its response (the candidate's chat,
    recruiters watching): ``{"type": "chat.frames", "frames": [{"v": 1, "type": "message", "message": ...}],
    "origin": ""}``, for ``response_broadcast``; the same one the chat fans out for the bot's messages."""
    frame = {"v": CHAT_PROTOCOL_VERSION, "type": "message", "message": chat_message_data(message)}
    return {"type": CHAT_FRAMES_EVENT, "frames": [frame], "origin": ""}


def notification_group(user_id: int) -> str:
    """The group of one member's bell sockets (``chat.bell.NotificationConsumer``); from an integer id only."""
    return f"notifications.user.{int(user_id)}"


def notification_push(*, user_id: int, event: dict) -> None:
    """Send an event (``type`` "notification.created" or "notification.read") to one member's bells. Never raises."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(notification_group(user_id), event)
    except Exception:  # the bell also shows the count on the next page load
        logger.exception("live notification for user %s failed", user_id)


# --- The pipeline (issue 15, docs/pipeline.md "Live updates") ---------------------------------------------------
# Kinds of pipeline event: a new application, its chat started (the candidate is live), its screening finished, a
# recruiter's status change.
PIPELINE_CREATED = "created"
PIPELINE_CHAT_STARTED = "chat_started"
PIPELINE_FINISHED = "finished"
PIPELINE_STATUS = "status"
# The candidate came back to a running chat, or left it (the "live" badge; the status does not change).
PIPELINE_LIVE = "live"
PIPELINE_EVENT = "pipeline.changed"


def pipeline_group(company_id: int) -> str:
    """The group of a company's pipeline sockets (``chat.pipeline.PipelineConsumer``: the board, the table); from
    an integer id only."""
    return f"pipeline.company.{int(company_id)}"


def pipeline_broadcast(
    *,
    company_id: int,
    vacancy_id: int,
    response_id: int,
    kind: str,
    from_status: str,
    status: str,
    live: bool | None = None,
):
    """Tell the company's open boards and tables, once the current transaction commits, that a response changed:
    ``{"type": "pipeline.changed", "kind", "response_id", "vacancy_id", "from_status", "status"}`` (ids and
    statuses only: each page fetches what its reader may see), plus ``"live"`` (bool) when given: the
    ``PIPELINE_LIVE`` kind's candidate in the chat or not. ``kind`` is one of ``PIPELINE_*``. Never raises."""
    event = {
        "type": PIPELINE_EVENT,
        "kind": kind,
        "response_id": int(response_id),
        "vacancy_id": int(vacancy_id),
        "from_status": from_status,
        "status": status,
    }
    if live is not None:
        event["live"] = bool(live)
    transaction.on_commit(lambda: _pipeline_send(company_id, event))


def _pipeline_send(company_id: int, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(pipeline_group(company_id), event)
    except Exception:  # the pages also show the change on the next load; a lost live update must not fail a write
        logger.exception("pipeline update for company %s failed", company_id)
