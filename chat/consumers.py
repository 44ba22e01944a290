"""WebSocket consumers of the screening chat: the candidate's and the recruiters'. Protocol: docs/chat-protocol.md.

Thin doors into ``chat.services``. Speed matters here (a thousand chats on
two cores), so:

- all the ORM work of one client frame is ONE call to ``_db`` (a
  ``database_sync_to_async`` that is not thread-sensitive, so calls of
  different sockets run in parallel threads instead of queueing on the one
  thread Django's default uses), doing one transaction;
- the chat's vacancy and questions are loaded once per connection;
- the bot's reply goes straight down the candidate's own socket; the channel
  layer is used only to reach the other sockets of the response;
- ``dispatch`` skips channels' per-message ``close_old_connections`` hop to
  the sync thread (the ``_db`` calls already tidy connections around
  themselves).
"""

from __future__ import annotations

import json
import logging
from functools import partial

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from screening.live import response_group

from . import frames as f
from . import live, selectors, services

logger = logging.getLogger(__name__)

_db = partial(database_sync_to_async, thread_sensitive=False)


class FrameError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _question(ctx: services.ChatContext, question) -> dict | None:
    if question is None:
        return None
    return f.question_data(question, number=ctx.question_number(question), total=len(ctx.questions))


def _recruiter(user) -> dict | None:
    return {"name": f.author_name(user)} if user is not None else None


class _ChatSocket(AsyncJsonWebsocketConsumer):
    """Frame hygiene shared by both consumers: size, binary, JSON, version, type, id."""

    role = ""
    handlers: dict[str, str] = {}
    ctx: services.ChatContext | None = None
    language = "en"

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:  # an event meant for other kinds of sockets
            logger.debug("%s socket ignores %s", self.role, message.get("type"))
            return
        await handler(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if getattr(self, "_closing", False):
            return
        if text_data is None:
            await self._close(f.CLOSE_UNSUPPORTED_DATA)
            return
        if len(text_data) > f.MAX_FRAME_BYTES or (
            len(text_data) * 4 > f.MAX_FRAME_BYTES and len(text_data.encode()) > f.MAX_FRAME_BYTES
        ):
            await self._close(f.CLOSE_TOO_BIG)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            with translation.override(self.language):
                await self._error("bad_json", _("The frame is not valid JSON."))
            return
        client_id = content.get("id") if isinstance(content, dict) and isinstance(content.get("id"), str) else None
        with translation.override(self.language):
            try:
                frame_type, client_id = self._parse(content)
                await getattr(self, self.handlers[frame_type])(content, client_id)
            except (FrameError, services.ChatError) as error:
                await self._error(error.code, error.message, client_id)

    async def _close(self, code: int) -> None:
        self._closing = True
        await self.close(code=code)

    async def _error(self, code: str, message: str, client_id: str | None = None) -> None:
        await self.send_json(f.error_frame(code, message, client_id=client_id))

    def _parse(self, content) -> tuple[str, str]:
        if not isinstance(content, dict):
            raise FrameError("bad_frame", _("A frame must be a JSON object."))
        for name in ("v", "type", "id"):
            if name not in content:
                raise FrameError("missing_field", _("The frame has no “%(field)s” field.") % {"field": name})
        if content["v"] != f.PROTOCOL_VERSION:
            raise FrameError("unsupported_version", _("Only version 1 of the protocol is supported."))
        client_id = content["id"]
        if not isinstance(client_id, str) or not f.CLIENT_ID_RE.match(client_id):
            raise FrameError("invalid_field", _("“id” must be 1 to 64 letters, digits or _.:-"))
        if content["type"] not in self.handlers:
            raise FrameError("unknown_type", _("Unknown frame type."))
        return content["type"], client_id

    @staticmethod
    def _text(content, *, required: bool = True) -> str:
        text = content.get("text")
        if text is None:
            if required:
                raise FrameError("missing_field", _("The frame has no “%(field)s” field.") % {"field": "text"})
            return ""
        if not isinstance(text, str):
            raise FrameError("invalid_field", _("“text” must be a string."))
        if len(text) > f.MAX_TEXT_CHARS:
            raise FrameError("too_long", _("The message is longer than 4,000 characters."))
        return text

    async def ping(self, content, client_id):
        await self.send_json(f.frame("pong", id=client_id))

    async def chat_frames(self, event):
        """Frames fanned out by another socket or a view (``chat.live``); the sender skips its own."""
        if event.get("origin") == self.channel_name:
            return
        for item in event.get("frames", ()):
            await self.send_json(item)

    async def _join(self, *groups: str) -> None:
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)  # discarded by the base class on disconnect

    def _turn_frames(self, turn: services.Turn, *, include_own: bool) -> list[dict]:
        """The frames others see for a turn (the sender gets ack and the same messages directly)."""
        out = []
        if include_own and turn.own_message is not None:
            out.append(f.message_frame(turn.own_message))
        out.extend(f.message_frame(m) for m in turn.messages)
        if turn.state_changed:
            out.append(f.frame("state", state=turn.state, recruiter=_recruiter(turn.recruiter)))
        if turn.asked and turn.question is not None:
            out.append(f.frame("question", question=_question(self.ctx, turn.question)))
        return out


class CandidateChatConsumer(_ChatSocket):
    """``ws/chat/<token>/``: the candidate's screening chat. The token is the only credential."""

    role = "candidate"
    handlers = {"message": "on_message", "typing": "on_typing", "ping": "ping"}

    async def connect(self):
        token = self.scope["url_route"]["kwargs"]["token"]
        opened = await _db(self._open)(token)
        if opened is None:
            await self.close(code=f.CLOSE_NOT_FOUND)
            return
        self.ctx, snapshot = opened
        self.language = self.ctx.language
        self.response_id = self.ctx.response_id
        await self._join(response_group(self.response_id))
        await self.accept()
        await self.send_json(self._hello(snapshot))
        if snapshot.watchers:
            await live.send_frames(
                self.channel_layer,
                response_id=self.response_id,
                frames=[f.frame("presence", candidate_online=True)],
                staff_only=True,
            )

    @staticmethod
    def _open(token):
        response = selectors.response_get_by_token(token=token, page=False)
        if response is None:
            return None
        return services.chat_open(response=response, connect=True)

    def _hello(self, snapshot: services.ChatSnapshot) -> dict:
        return f.frame(
            "hello",
            role=self.role,
            response_id=self.ctx.response_id,
            state=snapshot.state,
            recruiter=_recruiter(snapshot.recruiter),
            messages=[f.message_data(m) for m in snapshot.messages],
            question=_question(self.ctx, snapshot.question),
        )

    async def disconnect(self, code):
        if self.ctx is None:
            return
        remaining, watchers = await _db(services.chat_disconnect)(session_id=self.ctx.session_id)
        if remaining == 0 and watchers:
            await live.send_frames(
                self.channel_layer,
                response_id=self.response_id,
                frames=[f.frame("presence", candidate_online=False)],
                staff_only=True,
            )

    async def on_message(self, content, client_id):
        choices = content.get("choices")
        if choices is not None:
            if (
                not isinstance(choices, list)
                or len(choices) > f.MAX_CHOICES
                or not all(isinstance(c, str) and len(c) <= 500 for c in choices)
            ):
                raise FrameError("invalid_field", _("“choices” must be a list of strings."))
            text = self._text(content, required=False)
        else:
            text = self._text(content)
        question_id = content.get("question")
        if question_id is not None and (not isinstance(question_id, int) or isinstance(question_id, bool)):
            raise FrameError("invalid_field", _("“question” must be a question id."))
        typing_off = f.frame("typing", who="bot", on=False)
        await self.send_json(f.frame("typing", who="bot", on=True))
        try:
            turn = await _db(services.chat_candidate_message)(
                ctx=self.ctx, client_id=client_id, text=text, choices=choices, question_id=question_id
            )
        except services.ChatError:
            await self.send_json(typing_off)
            raise
        # Committed: acknowledge, then the bot's reply, then the bot is idle again.
        await self.send_json(f.frame("ack", id=client_id, message_id=turn.message_id, duplicate=turn.duplicate))
        if turn.duplicate:
            await self.send_json(self._state(turn))
            await self.send_json(typing_off)
            return
        for item in self._turn_frames(turn, include_own=False):
            await self.send_json(item)
        await self.send_json(typing_off)
        if turn.state == services.STATE_PAUSED:
            # A recruiter leads the chat: the candidate's other tabs see the message too.
            others = self._turn_frames(turn, include_own=True)
            await live.send_frames(
                self.channel_layer,
                response_id=self.response_id,
                frames=others,
                staff_only=False,
                origin=self.channel_name,
            )
        elif turn.watchers:  # nobody watching: no channel-layer round trip at all
            await live.send_frames(
                self.channel_layer,
                response_id=self.response_id,
                frames=self._turn_frames(turn, include_own=True),
                staff_only=True,
            )

    def _state(self, turn: services.Turn) -> dict:
        return f.frame(
            "state", state=turn.state, recruiter=_recruiter(turn.recruiter), question=_question(self.ctx, turn.question)
        )

    async def on_typing(self, content, client_id):
        """The candidate is typing (no write, no ack); recruiters see an indicator."""
        await live.send_frames(
            self.channel_layer,
            response_id=self.response_id,
            frames=[f.frame("typing", who="candidate", on=bool(content.get("on", True)))],
            staff_only=True,
        )


class RecruiterChatConsumer(_ChatSocket):
    """``ws/responses/<id>/``: a company member watching a response's chat; owners and recruiters may take over."""

    role = "recruiter"
    handlers = {
        "takeover": "on_takeover",
        "handback": "on_handback",
        "message": "on_message",
        "typing": "on_typing",
        "ping": "ping",
    }

    async def connect(self):
        self.user = self.scope.get("user")
        response_id = int(self.scope["url_route"]["kwargs"]["response_id"])
        response = await _db(selectors.response_get_for_member)(user=self.user, response_id=response_id)
        if response is None:
            await self.close(code=f.CLOSE_FORBIDDEN)
            return
        self.response_id = response.pk
        self.language = translation.get_language() or "en"
        # Join first, then count this socket as a watcher and read the chat: a candidate's turn either sees
        # the count (and fans out to the groups joined) or committed before the read (and is in the snapshot).
        await self._join(response_group(self.response_id), live.staff_group(self.response_id))
        self.ctx, snapshot = await _db(services.chat_snapshot)(response=response, watch=True)
        self.watching = True
        await self.accept()
        await self.send_json(
            f.frame(
                "hello",
                role=self.role,
                response_id=self.response_id,
                state=snapshot.state,
                recruiter=_recruiter(snapshot.recruiter),
                taken_over_by_me=snapshot.recruiter is not None and snapshot.recruiter.pk == self.user.pk,
                can_take_over=self.user.can_edit,
                candidate_online=snapshot.candidate_online,
                messages=[f.message_data(m) for m in snapshot.messages],
                question=_question(self.ctx, snapshot.question),
            )
        )

    @staticmethod
    def _open(user, response_id):
        response = selectors.response_get_for_member(user=user, response_id=response_id)
        if response is None:
            return None
        return services.chat_snapshot(response=response)

    async def _ensure_session(self) -> None:
        if not self.ctx.session_id:  # the candidate had not opened the chat when this page connected
            ctx, _snapshot = await _db(self._open)(self.user, self.response_id)
            if not ctx.session_id:
                raise services.ChatError("no_chat", _("The candidate has not started the chat yet."))
            self.ctx = ctx

    async def _broadcast(self, turn: services.Turn, *, include_own: bool) -> None:
        await live.send_frames(
            self.channel_layer,
            response_id=self.response_id,
            frames=self._turn_frames(turn, include_own=include_own),
            staff_only=False,
            origin=self.channel_name,
        )

    async def on_takeover(self, content, client_id):
        await self._ensure_session()
        turn = await _db(services.chat_takeover)(ctx=self.ctx, user=self.user)
        await self._after(turn, client_id)

    async def on_handback(self, content, client_id):
        await self._ensure_session()
        turn = await _db(services.chat_handback)(ctx=self.ctx, user=self.user)
        await self._after(turn, client_id)

    async def on_message(self, content, client_id):
        text = self._text(content)
        await self._ensure_session()
        turn = await _db(services.chat_recruiter_message)(ctx=self.ctx, user=self.user, client_id=client_id, text=text)
        await self._after(turn, client_id)

    async def _after(self, turn: services.Turn, client_id: str) -> None:
        await self.send_json(f.frame("ack", id=client_id, message_id=turn.message_id, duplicate=turn.duplicate))
        if turn.duplicate:
            return
        for item in self._turn_frames(turn, include_own=True):
            await self.send_json(item)
        await self._broadcast(turn, include_own=True)

    async def on_typing(self, content, client_id):
        if not self.user.can_edit:
            return
        await live.send_frames(
            self.channel_layer,
            response_id=self.response_id,
            frames=[f.frame("typing", who="recruiter", on=bool(content.get("on", True)))],
            staff_only=False,
            origin=self.channel_name,
        )

    async def evaluation_updated(self, event):
        """The AI evaluation of this response changed (sent by the AI work through screening.live)."""
        await self.send_json(f.frame("evaluation.updated", response_id=self.response_id))

    async def disconnect(self, code):
        """A recruiter who leaves while leading the chat hands it back, so the candidate is never stuck."""
        if self.ctx is None or not self.ctx.session_id:
            return
        if getattr(self, "watching", False):
            await _db(services.chat_unwatch)(session_id=self.ctx.session_id)
        if not getattr(self.user, "can_edit", False):
            return
        try:
            turn = await _db(self._leave)()
        except services.ChatError:
            return
        if turn is not None:
            await self._broadcast(turn, include_own=True)

    def _leave(self):
        from .models import ChatSession

        if not ChatSession.objects.filter(pk=self.ctx.session_id, taken_over_by=self.user).exists():
            return None
        return services.chat_handback(ctx=self.ctx, user=self.user)
