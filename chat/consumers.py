"""WebSocket consumers of the screening chat: the candidate's and the recruiters'. Protocol: docs/chat-protocol.md.

Thin doors into ``chat.services``; frames are read and built by ``chat.frames``
(the no-JavaScript views send the same turn frames). Speed matters here (a
thousand chats on two cores), so:

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

import asyncio
import contextlib
import logging
import re
from functools import partial

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.two_factor import two_factor_pending
from screening.live import response_group
from smartbot import metrics
from smartbot.client_ip import client_ip_from_scope, limit_address
from smartbot.logging import log_context_bind, new_request_id

from . import frames as f
from . import live, selectors, services, throttle
from .services import slots as chat_slots

logger = logging.getLogger(__name__)

_db = partial(database_sync_to_async, thread_sensitive=False)

_RESPONSE_ID_RE = re.compile(r"^[0-9]{1,18}$")
# What ``_open`` answers for a link that is read-only or expired (the socket is refused with CLOSE_GONE).
_GONE = "gone"


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Every WebSocket path without a route: refused at the handshake with 4404 (the client sees HTTP 403)."""

    async def connect(self):
        await self.close(code=f.CLOSE_NOT_FOUND)


class _ChatSocket(AsyncJsonWebsocketConsumer):
    """What both consumers share: frame hygiene (limits, size, binary, JSON, version, type, id), errors that never
    end in 1011, and the release of every count a socket holds on every way out.

    Ways out and what runs: a client's close or a dropped connection (``websocket_disconnect``), a failed
    handshake (``websocket_connect``), any exception that escapes a handler (``__call__``), and cancellation
    by the server (daphne cancels an application still running 10 s after its client left). Each runs
    ``_release`` once: the database part first (the counts are the truth the responses table shows), then
    the best-effort group discards, whose failure is only logged. The release runs shielded, so a
    cancellation cannot cut the database part off half way.
    """

    role = ""
    handlers: dict[str, str] = {}
    ctx: services.ChatContext | None = None
    language = "en"
    _closing = False
    _release_task: asyncio.Future | None = None
    _ip: str | None = None
    gate: throttle.FrameGate | None = None
    message_bucket: throttle.TokenBucket | None = None
    _typing_task: asyncio.Task | None = None
    _typing_pending: tuple | None = None
    _typing_sent_at = float("-inf")

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            logger.exception("%s socket failed", self.role or "chat")
            with contextlib.suppress(Exception):  # the connection may be gone already
                await send({"type": "websocket.close", "code": f.CLOSE_INTERNAL})
        finally:
            metrics.socket_closed(self)
            await self._release_shielded()

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:  # an event meant for other kinds of sockets
            logger.debug("%s socket ignores %s", self.role, message.get("type"))
            return
        await handler(message)

    # Connection life ---------------------------------------------------------------------------------------

    async def websocket_connect(self, message):
        limits = throttle.SocketLimits.from_settings()
        self._ip = limit_address(client_ip_from_scope(self.scope))
        self.gate = throttle.FrameGate(
            socket_bucket=throttle.TokenBucket(rate=limits.frames_per_second, burst=limits.frame_burst),
            ip_bucket=throttle.ip_buckets.acquire(self._ip, limits),
            close_after=limits.flood_close_after,
        )
        self.message_bucket = throttle.TokenBucket(rate=limits.messages_per_second, burst=limits.message_burst)
        self.typing_interval = limits.typing_interval
        try:
            await self.connect()
        except Exception:
            logger.exception("%s socket: the handshake failed", self.role)
            await self._release_shielded()
            await self._close(f.CLOSE_INTERNAL)

    async def websocket_disconnect(self, message):
        await self._release_shielded()
        raise StopConsumer()

    async def _release_shielded(self) -> None:
        if self._release_task is None:
            self._release_task = asyncio.ensure_future(self._release())
        await asyncio.shield(self._release_task)

    async def _release(self) -> None:
        """Give back everything this socket holds; runs once, never raises."""
        if self._ip is not None:
            throttle.ip_buckets.release(self._ip)
            self._ip = None
        if self._typing_task is not None:
            self._typing_task.cancel()
        try:
            await self._leave()
        except Exception:
            logger.exception("%s socket: releasing its counts failed", self.role)
        groups, self.groups = list(self.groups or ()), []
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the membership expires by itself (channels-redis group_expiry)
                logger.warning("%s socket: leaving %s failed", self.role, group, exc_info=True)

    async def _leave(self) -> None:
        """Uncount this socket in the database (and tell whom it concerns). Called once, by ``_release``."""

    async def _close(self, code: int) -> None:
        self._closing = True
        await self.close(code=code)

    async def _join(self, *groups: str) -> None:
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)  # discarded by ``_release``

    # Frames ------------------------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self._closing:
            return
        verdict = self.gate.admit() if self.gate is not None else "ok"
        if verdict != "ok":
            if verdict == "warn":
                with translation.override(self.language):
                    await self._error("rate_limited", _("Too many frames at once. Please slow down."))
            elif verdict == "close":
                await self._close(f.CLOSE_FLOODING)
            return
        if text_data is None:
            await self._close(f.CLOSE_UNSUPPORTED_DATA)
            return
        if len(text_data) > f.MAX_FRAME_BYTES or (
            len(text_data) * 4 > f.MAX_FRAME_BYTES
            and len(text_data.encode("utf-8", "surrogatepass")) > f.MAX_FRAME_BYTES
        ):
            await self._close(f.CLOSE_TOO_BIG)
            return
        with translation.override(self.language):
            await self._frame(text_data)

    async def _frame(self, text: str) -> None:
        """Parse, validate and handle one text frame; every refusal or failure becomes an error frame."""
        client_id = frame_type = None
        try:
            content = f.decode(text)
            client_id = f.loose_client_id(content)
            frame_type, client_id = f.envelope(content, self.handlers)
            await getattr(self, self.handlers[frame_type])(content, client_id)
        except (f.FrameError, services.ChatError) as error:
            await self._error(error.code, error.message, client_id)
        except Exception:
            # A bug or an outage in one turn: its transaction was rolled back, the socket stays usable, and
            # sending the frame again (same id) is safe. The response id rides on the record itself too (the
            # log context adds it only at the handlers).
            response_id = getattr(self, "response_id", None)
            logger.exception(
                "%s socket of response %s: a %s frame failed",
                self.role,
                response_id,
                frame_type or "malformed",
                extra={"response_id": response_id},
            )
            await self._error("internal", _("Something went wrong on our side. Please try again."), client_id)

    async def _error(self, code: str, message: str, client_id: str | None = None) -> None:
        await self.send_json(f.error_frame(code, message, client_id=client_id))

    def _spend_message(self) -> None:
        """One write (a message, a takeover, a hand-back) from this socket's budget; FrameError when spent."""
        if self.message_bucket is not None and not self.message_bucket.take():
            raise f.FrameError("rate_limited", _("You are sending messages too fast. Please wait a moment."))

    async def ping(self, content, client_id):
        await self.send_json(f.frame("pong", id=client_id))

    async def chat_frames(self, event):
        """Frames fanned out by another socket or a view (``chat.live``); the sender skips its own."""
        if event.get("origin") == self.channel_name:
            return
        for item in event.get("frames", ()):
            await self.send_json(item)

    async def _typing(self, *, who: str, on: bool, staff_only: bool, origin: str = "") -> None:
        """Fan a typing indicator out, at most once per ``typing_interval``; the latest state wins.

        A burst of typing frames costs one channel-layer send now and at most one more when the interval
        ends, carrying the last state (so "stopped typing" is never lost).
        """
        self._typing_pending = (who, on, staff_only, origin)
        if self._typing_task is not None:
            return  # a send is already scheduled; it will carry this state
        wait = self._typing_sent_at + self.typing_interval - asyncio.get_running_loop().time()
        if wait <= 0:
            await self._send_typing()
        else:
            self._typing_task = asyncio.ensure_future(self._send_typing_later(wait))

    async def _send_typing_later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._typing_task = None
        await self._send_typing()

    async def _send_typing(self) -> None:
        if self._typing_pending is None:
            return
        who, on, staff_only, origin = self._typing_pending
        self._typing_pending = None
        self._typing_sent_at = asyncio.get_running_loop().time()
        await live.send_frames(
            self.channel_layer,
            response_id=self.response_id,
            frames=[f.frame("typing", who=who, on=on)],
            staff_only=staff_only,
            origin=origin,
        )


class CandidateChatConsumer(_ChatSocket):
    """``ws/chat/<token>/``: the candidate's screening chat. The token is the only credential.

    Refused at the handshake: a malformed or unknown token (4404), and a finished chat's link once it is
    read-only or expired (4410: the page shows the transcript, or says the link expired).
    """

    role = "candidate"
    handlers = {
        "message": "on_message",
        "human": "on_human",
        "book": "on_book",
        "typing": "on_typing",
        "ping": "ping",
    }
    _counted = False  # this socket is counted in ChatSession.candidate_sockets

    async def connect(self):
        token = self.scope["url_route"]["kwargs"]["token"]
        opened = await _db(self._open)(token)
        if opened is None:
            await self._close(f.CLOSE_NOT_FOUND)
            return
        if opened == _GONE:
            await self._close(f.CLOSE_GONE)
            return
        self.ctx, snapshot = opened
        self._counted = True  # from here on, every way out uncounts it (``_leave``)
        self.language = self.ctx.language
        self.response_id = self.ctx.response_id
        log_context_bind(
            request_id=new_request_id(), company_id=self.ctx.vacancy.company_id, response_id=self.response_id
        )
        await self._join(response_group(self.response_id))
        await self.accept()
        metrics.socket_opened(self)
        await self.send_json(f.hello_frame(self.ctx, snapshot, role=self.role, response_id=self.response_id))
        if snapshot.watchers:
            await live.send_frames(
                self.channel_layer,
                response_id=self.response_id,
                frames=[f.frame("presence", candidate_online=True)],
                staff_only=True,
            )

    @staticmethod
    def _open(token):
        if not isinstance(token, str) or not selectors.TOKEN_RE.match(token):
            return None
        response = selectors.response_get_by_token(token=token, page=False)
        if response is None:
            return None
        if not selectors.chat_link_status(response=response).is_open:
            return _GONE
        return services.chat_open(response=response, connect=True)

    async def _leave(self) -> None:
        if not self._counted:
            return
        self._counted = False
        remaining, watchers = await _db(services.chat_disconnect)(session_id=self.ctx.session_id)
        if remaining == 0 and watchers:
            await live.send_frames(
                self.channel_layer,
                response_id=self.response_id,
                frames=[f.frame("presence", candidate_online=False)],
                staff_only=True,
            )

    async def on_message(self, content, client_id):
        choices = f.choices_field(content)
        text = f.text_field(content, required=choices is None)
        question_id = f.question_field(content)
        self._spend_message()
        started = metrics.clock()
        typing_off = f.frame("typing", who="bot", on=False)
        await self.send_json(f.frame("typing", who="bot", on=True))
        try:
            turn = await _db(services.chat_candidate_message)(
                ctx=self.ctx, client_id=client_id, text=text, choices=choices, question_id=question_id
            )
        except Exception:
            metrics.chat_turn(outcome="refused")
            await self.send_json(typing_off)  # the bot is not writing after all; the error frame follows
            raise
        if turn.error is not None:
            # Refused (the script changed under the answer), yet the question now awaited is asked.
            metrics.chat_turn(outcome="refused")
            await self.send_json(f.error_frame(turn.error.code, turn.error.message, client_id=client_id))
        else:
            # Committed: acknowledge, then the bot's reply, then the bot is idle again.
            await self.send_json(f.frame("ack", id=client_id, message_id=turn.message_id, duplicate=turn.duplicate))
        if turn.duplicate:
            metrics.chat_turn(outcome="duplicate")
            await self.send_json(f.state_frame(self.ctx, turn))
            await self.send_json(typing_off)
            return
        for item in f.turn_frames(self.ctx, turn, include_own=False):
            await self.send_json(item)
        if turn.error is None:
            metrics.bot_replied(started=started, state=turn.state)
        await self.send_json(typing_off)
        if turn.state == services.STATE_PAUSED:
            # A recruiter leads the chat: the candidate's other tabs see the message too.
            others = f.turn_frames(self.ctx, turn, include_own=True)
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
                frames=f.turn_frames(self.ctx, turn, include_own=True),
                staff_only=True,
            )

    async def on_human(self, content, client_id):
        """The "Talk to a person" button: the candidate's line, the bot's acknowledgement with when a person will
        answer, and the awaited question again, like a turn (docs/chat-protocol.md, ``human``)."""
        self._spend_message()
        turn = await _db(services.chat_human_request)(ctx=self.ctx, client_id=client_id)
        await self.send_json(f.frame("ack", id=client_id, message_id=turn.message_id, duplicate=turn.duplicate))
        if turn.duplicate:
            await self.send_json(f.state_frame(self.ctx, turn))
            return
        for item in f.turn_frames(self.ctx, turn, include_own=True):
            await self.send_json(item)
        if turn.watchers:
            await live.send_frames(
                self.channel_layer,
                response_id=self.response_id,
                frames=f.turn_frames(self.ctx, turn, include_own=True),
                staff_only=True,
            )

    async def on_book(self, content, client_id):
        """A click on an offered interview time (docs/chat-protocol.md, ``book``): the ack, then the bot's
        confirmation, or the remaining times when someone else booked it a moment ago."""
        slot_id = content.get("slot")
        if not isinstance(slot_id, int) or isinstance(slot_id, bool) or not 0 < slot_id < 2**63:
            raise f.FrameError("invalid_field", _("“slot” must be an interview slot id."))
        time_zone = content.get("time_zone", "")
        if not isinstance(time_zone, str) or len(time_zone) > 64:
            raise f.FrameError("invalid_field", _("“time_zone” must be a time zone name."))
        self._spend_message()
        result = await _db(chat_slots.chat_book)(
            ctx=self.ctx, slot_id=slot_id, time_zone=time_zone, client_id=client_id
        )
        await self.send_json(f.frame("ack", id=client_id, message_id=result.message.pk, duplicate=result.duplicate))
        if result.duplicate:  # the reply went out the first time (and is in the transcript a reconnect loads)
            return
        await self.send_json(f.message_frame(result.message))
        await live.send_frames(
            self.channel_layer,
            response_id=self.response_id,
            frames=[f.message_frame(result.message)],
            staff_only=False,
            origin=self.channel_name,
        )

    async def on_typing(self, content, client_id):
        """The candidate is typing (no write, no ack); recruiters see an indicator (coalesced, see ``_typing``)."""
        await self._typing(who="candidate", on=f.on_field(content), staff_only=True)


class RecruiterChatConsumer(_ChatSocket):
    """``ws/responses/<id>/``: a company member watching a response's chat; owners and recruiters may take over.

    Refused at the handshake: a malformed id (4404), and an anonymous user or a response outside the user's
    company (4403). A finished chat's link expiring does not concern recruiters.
    """

    role = "recruiter"
    handlers = {
        "takeover": "on_takeover",
        "handback": "on_handback",
        "message": "on_message",
        "typing": "on_typing",
        "ping": "ping",
    }
    user = None
    watching = False  # this socket is counted in ChatSession.watchers
    # This socket knows its recruiter leads: it took the chat over, or it opened while they led and its page has
    # spoken since the hello said so (``lead_at_hello``: the page pings once it has read it). Only such a socket
    # hands the chat back when it closes. A page that posted a form over HTTP before its script had read the
    # hello (a takeover, a message) reloads, and the old page's socket closing must not undo the lead the reload
    # shows (both happened under load: the browser tests caught them).
    knows_lead = False
    lead_at_hello = False

    async def connect(self):
        self.user = self.scope.get("user")
        raw_id = self.scope["url_route"]["kwargs"]["response_id"]
        if not isinstance(raw_id, str) or not _RESPONSE_ID_RE.match(raw_id):
            await self._close(f.CLOSE_NOT_FOUND)
            return
        response = await _db(selectors.response_get_for_member)(user=self.user, response_id=int(raw_id))
        if response is None or await _db(two_factor_pending)(user=self.user, session=self.scope.get("session")):
            # A session that gave the password but not yet the code sees no chat (as no page or API call).
            await self._close(f.CLOSE_FORBIDDEN)
            return
        self.response_id = response.pk
        log_context_bind(request_id=new_request_id(), company_id=self.user.company_id, response_id=self.response_id)
        self.language = translation.get_language() or "en"
        # Join first, then count this socket as a watcher and read the chat: a candidate's turn either sees
        # the count (and fans out to the groups joined) or committed before the read (and is in the snapshot).
        await self._join(response_group(self.response_id), live.staff_group(self.response_id))
        self.ctx, snapshot = await _db(services.chat_snapshot)(response=response, watch=True)
        self.watching = True  # from here on, every way out uncounts it (``_leave``)
        self.lead_at_hello = snapshot.recruiter is not None and snapshot.recruiter.pk == self.user.pk
        await self.accept()
        metrics.socket_opened(self)
        await self.send_json(
            f.hello_frame(
                self.ctx,
                snapshot,
                role=self.role,
                response_id=self.response_id,
                taken_over_by_me=self.lead_at_hello,
                can_take_over=self.user.can_edit,
                candidate_online=snapshot.candidate_online,
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
            frames=f.turn_frames(self.ctx, turn, include_own=include_own),
            staff_only=False,
            origin=self.channel_name,
            leader_id=f.leader_id(turn),
        )

    async def _frame(self, text: str) -> None:
        if self.lead_at_hello:  # the page speaks after its hello: it knows its recruiter leads
            self.knows_lead, self.lead_at_hello = True, False
        await super()._frame(text)

    async def chat_frames(self, event):
        """Frames fanned out by another socket or a view; a state frame says whether this recruiter leads."""
        if event.get("origin") == self.channel_name:
            return
        leader = event.get("leader_id")
        for item in event.get("frames", ()):
            if item.get("type") == "state" and leader is not None and leader != self.user.pk:
                # Handed back or taken by someone else: this socket has nothing to hand back.
                self.knows_lead = self.lead_at_hello = False
            await self.send_json(f.for_recruiter(item, user_id=self.user.pk, leader=leader))

    async def on_takeover(self, content, client_id):
        await self._ensure_session()
        self._spend_message()
        turn = await _db(services.chat_takeover)(ctx=self.ctx, user=self.user)
        self.knows_lead = True
        await self._after(turn, client_id)

    async def on_handback(self, content, client_id):
        await self._ensure_session()
        self._spend_message()
        turn = await _db(services.chat_handback)(ctx=self.ctx, user=self.user)
        self.knows_lead = False
        await self._after(turn, client_id)

    async def on_message(self, content, client_id):
        text = f.text_field(content)
        await self._ensure_session()
        self._spend_message()
        turn = await _db(services.chat_recruiter_message)(ctx=self.ctx, user=self.user, client_id=client_id, text=text)
        await self._after(turn, client_id)

    async def _after(self, turn: services.Turn, client_id: str) -> None:
        await self.send_json(f.frame("ack", id=client_id, message_id=turn.message_id, duplicate=turn.duplicate))
        if turn.duplicate:
            return
        for item in f.turn_frames(self.ctx, turn, include_own=True):
            await self.send_json(f.for_recruiter(item, user_id=self.user.pk, leader=f.leader_id(turn)))
        await self._broadcast(turn, include_own=True)

    async def on_typing(self, content, client_id):
        on = f.on_field(content)
        if not self.user.can_edit:
            return
        await self._typing(who="recruiter", on=on, staff_only=False, origin=self.channel_name)

    async def evaluation_updated(self, event):
        """The AI evaluation of this response changed (sent by the AI work through screening.live)."""
        await self.send_json(f.frame("evaluation.updated", response_id=self.response_id))

    async def _leave(self) -> None:
        """Uncount the watcher; a recruiter who leaves while leading the chat hands it back (never a stuck bot).

        Only a socket that knew of the lead hands back (``knows_lead``): another tab, or the page a takeover posted
        over HTTP is replacing, closing leaves the lead with the socket that has it.
        """
        if not self.watching:
            return
        self.watching = False
        await _db(services.chat_unwatch)(session_id=self.ctx.session_id)
        if not getattr(self.user, "can_edit", False) or not self.knows_lead:
            return
        try:
            turn = await _db(self._hand_back_if_leading)()
        except services.ChatError:
            return
        if turn is not None:
            await self._broadcast(turn, include_own=True)

    def _hand_back_if_leading(self):
        from screening.models import ChatSession

        if not ChatSession.objects.filter(pk=self.ctx.session_id, taken_over_by=self.user).exists():
            return None
        return services.chat_handback(ctx=self.ctx, user=self.user)
