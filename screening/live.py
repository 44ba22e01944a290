"""Live updates to the pages and sockets watching a response, through the channel layer.

Every socket about one response (the candidate's chat, recruiters watching it)
joins the group ``response_group(response_id)``. Events are channel-layer
messages whose ``type`` names the consumer handler (``chat.message``,
``evaluation.updated``, ...).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

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
