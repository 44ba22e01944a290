"""The notification bell's WebSocket (``ws/notifications/``, static/js/bell.js): a signed-in member's live
unread count and new notifications (docs/notifications.md). Listen-only; the chat's sockets are in ``consumers``."""

from __future__ import annotations

import contextlib
from functools import partial

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.two_factor import two_factor_pending
from screening.live import notification_group
from screening.models import notification_line
from screening.services.notifications import notification_unread_count

from . import frames as f

_db = partial(database_sync_to_async, thread_sensitive=False)


def _bell_member_id(user, session) -> int | None:
    """The id of a signed-in company member (two-factor done), or None: who may have a live bell."""
    if user is None or not user.is_authenticated or user.company_id is None or not user.is_active:
        return None
    if two_factor_pending(user=user, session=session):
        return None
    return user.pk


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """``ws/notifications/``: a member's notification bell (static/js/bell.js), joined to
    ``notifications.user.<id>``; it only listens. Refused at the handshake (4403) for anyone who is not a signed-in
    company member. Frames sent: ``{"type": "hello", "unread"}`` on connect, ``{"type": "notification", "id",
    "kind", "text", "url", "unread"}`` for a new one, ``{"type": "unread", "unread"}`` when some were read."""

    group: str | None = None

    async def connect(self):
        user_id = await _db(_bell_member_id)(self.scope.get("user"), self.scope.get("session"))
        if user_id is None:
            await self.close(code=f.CLOSE_FORBIDDEN)
            return
        self.group = notification_group(user_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "unread": await _db(_bell_unread)(user_id)})

    async def disconnect(self, code):
        if self.group:
            with contextlib.suppress(Exception):  # best effort: the layer expires the membership anyway
                await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """The bell sends nothing; whatever a client sends is ignored."""

    async def notification_created(self, event):
        await self.send_json(
            {
                "type": "notification",
                "id": event.get("id"),
                "kind": event.get("kind", ""),
                "text": _line(event, reader_language(self.scope)),
                "url": event.get("url", ""),
                "unread": event.get("unread", 0),
            }
        )

    async def notification_read(self, event):
        await self.send_json({"type": "unread", "unread": event.get("unread", 0)})


def reader_language(scope) -> str:
    """The language the socket's reader chose, as ``LocaleMiddleware`` picks it for a page: the language
    cookie (the switch in the top bar), then ``Accept-Language``, then ``settings.LANGUAGE_CODE``."""
    candidates = [(scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME, "")]
    accept = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")[:500]
    candidates += [code for code, _q in parse_accept_lang_header(accept) if code != "*"]
    for code in candidates:
        if not code:
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _line(event: dict, language: str) -> str:
    if not event.get("message"):
        return event.get("text", "")
    try:
        with translation.override(language):
            return notification_line(event["message"], event.get("params") or {})
    except (KeyError, ValueError, TypeError):
        return event.get("text", "")


def _bell_unread(user_id: int) -> int:
    return notification_unread_count(user_id=user_id)
