"""A fake Telegram Bot API server on loopback: the bots' side speaks the real API, the candidates' side is scripted.

Bots call ``POST|GET /bot<token>/<method>`` with a JSON or form body, as python-telegram-bot does with
``Bot(token, base_url=f"{fake.base_url}/bot")``, and get ``{"ok": true, "result": ...}`` or Telegram's error
envelope ``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``. Methods: getMe,
setWebhook, deleteWebhook, getWebhookInfo, getUpdates (long poll; 409 while a webhook is set), sendMessage,
editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendChatAction. Input rules and error texts are
in ``fakes.telegram_rules``.

Candidates are played by ``user_sends`` and ``user_presses`` (also ``POST /_fake/send`` and ``/_fake/press``):
the update goes to the bot's webhook (with ``X-Telegram-Bot-Api-Secret-Token``; a non-2xx answer keeps it
pending and a background thread retries with backoff, as Telegram does) or waits for ``getUpdates``. What the
bot said in a chat: ``chat(token, user_id)`` (``GET /_fake/chat``). Failures: ``fail_next`` (429s, 5xx, a
dropped connection), ``block`` (403) and a per-chat flood limit. Every Bot API call is in ``requests``.

One bot exists from the start (``DEFAULT_TOKEN``, ``@smartbot_demo_bot``). Standalone: ``python -m
fakes.telegram --port 8702``. This package imports no app.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from fakes import loopback
from fakes import telegram_rules as rules
from fakes.telegram_rules import ApiError

DEFAULT_TOKEN = "123456:TEST-TOKEN"  # noqa: S105 (the fake's demo bot, public)
DEFAULT_USERNAME = "smartbot_demo_bot"
MAX_BODY = 1024 * 1024
MAX_POLL_TIMEOUT = 50  # seconds; Telegram caps a long poll too


@dataclass
class Call:
    """One Bot API request as received: ``method`` as spelled in the URL, ``params`` decoded, ``status`` answered."""

    token: str
    method: str
    params: dict
    status: int = 200


@dataclass
class _Message:
    message_id: int
    from_bot: bool
    text: str
    date: int
    entities: list = field(default_factory=list)
    markup: dict | None = None
    buttons: list = field(default_factory=list)
    edit_date: int | None = None
    callback_answers: list = field(default_factory=list)


@dataclass
class _Chat:
    user: dict
    messages: list = field(default_factory=list)
    next_message_id: int = 1
    blocked: bool = False
    sent_at: deque = field(default_factory=deque)  # monotonic times of the bot's recent sends, for the flood limit


@dataclass
class _Bot:
    token: str
    username: str
    first_name: str
    webhook_url: str = ""
    secret_token: str = ""
    allowed_updates: list | None = None
    updates: list = field(default_factory=list)  # waiting for getUpdates
    pending: list = field(default_factory=list)  # waiting for the webhook to accept them
    next_update_id: int = 1
    chats: dict = field(default_factory=dict)
    callbacks: dict = field(default_factory=dict)  # callback_query id -> (user_id, message_id, answered)
    poll_generation: int = 0
    last_error_date: int | None = None
    last_error_message: str = ""
    retrying: bool = False
    delivering: threading.Lock = field(default_factory=threading.Lock)

    @property
    def id(self) -> int:
        return int(self.token.split(":", 1)[0])

    def user_json(self) -> dict:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}


class FakeTelegram:
    """The fake server; ``start()`` it, point the client at ``base_url``, ``stop()`` it.

    ``per_chat_per_second``: more bot messages than this to one chat within a second answer 429 (Telegram's
    flood control). ``webhook_retry_delays``: seconds between redeliveries of an update the webhook refused;
    after the last one the update is dropped (Telegram gives up too) and the rest go on.
    """

    def __init__(self, *, per_chat_per_second: int = 30, webhook_retry_delays=(0.2, 0.5, 1.0, 2.0, 4.0)):
        self.per_chat_per_second = per_chat_per_second
        self.webhook_retry_delays = tuple(webhook_retry_delays)
        self.requests: list[Call] = []
        self.dropped_updates: list[dict] = []  # updates the webhook never accepted
        self._bots: dict[str, _Bot] = {}
        self._failures: list[dict] = []
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopped = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add_bot(DEFAULT_TOKEN, DEFAULT_USERNAME)

    # --- set-up ------------------------------------------------------------------------------------------------
    def add_bot(self, token: str, username: str, first_name: str = "SmartBot") -> None:
        if not rules.TOKEN_FORMAT.match(token):
            raise ValueError(f"not a bot token: {token!r} (digits:letters)")
        with self._lock:
            self._bots[token] = _Bot(token=token, username=username.lstrip("@"), first_name=first_name)

    def fail_next(
        self, method: str, status: int = 429, retry_after: int = 1, count: int = 1, description: str | None = None
    ) -> None:
        """The next ``count`` calls of ``method`` (any bot) fail with ``status``; 0 drops the connection unanswered."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else rules.DEFAULT_DESCRIPTIONS.get(status, "Error")
            )
        with self._lock:
            self._failures.append(
                {"method": method.lower(), "status": status, "retry_after": retry_after if status == 429 else None,
                 "count": count, "description": description}
            )  # fmt: skip

    def block(self, token: str, user_id: int, blocked: bool = True) -> None:
        """The user blocks the bot: sendMessage to them answers 403 until ``blocked=False``."""
        with self._lock:
            self._chat(self._bot(token), int(user_id)).blocked = blocked

    # --- the candidate's side ----------------------------------------------------------------------------------
    def user_sends(
        self, token: str, user_id: int, text: str, first_name: str = "Ivan", username: str | None = None
    ) -> int | None:
        """The user writes ``text`` to the bot; returns the webhook's HTTP status (0: unreachable), or None if the
        update waits for getUpdates (or behind earlier updates the webhook has not accepted yet)."""
        with self._lock:
            bot = self._bot(token)
            chat = self._chat(bot, int(user_id), first_name=first_name, username=username)
            message = _Message(chat.next_message_id, False, text, int(time.time()), rules.command_entities(text))
            chat.next_message_id += 1
            chat.messages.append(message)
            update = {"message": self._message_json(bot, chat, message)}
        return self._dispatch(bot, update)

    def user_presses(self, token: str, user_id: int, message_id: int, callback_data: str) -> int | None:
        """The user presses the button with ``callback_data`` under the bot's message; as ``user_sends`` returns."""
        with self._lock:
            bot = self._bot(token)
            chat = bot.chats.get(int(user_id))
            message = next((m for m in chat.messages if m.message_id == int(message_id)), None) if chat else None
            if message is None or not message.from_bot:
                raise ValueError(f"no message {message_id} from the bot in chat {user_id}")
            if not any(b.get("callback_data") == callback_data for row in message.buttons for b in row):
                raise ValueError(f"message {message_id} has no button with callback_data {callback_data!r}")
            query_id = str(random.getrandbits(63))
            bot.callbacks[query_id] = [int(user_id), message.message_id, False]
            update = {
                "callback_query": {
                    "id": query_id,
                    "from": chat.user,
                    "message": self._message_json(bot, chat, message),
                    "chat_instance": str(abs(hash((bot.token, user_id)))),
                    "data": callback_data,
                }
            }
        return self._dispatch(bot, update)

    def chat(self, token: str, user_id: int) -> list[dict]:
        """The bot's messages in the chat, in order: ``{message_id, text, buttons, edited, callback_answers}``."""
        with self._lock:
            chat = self._bot(token).chats.get(int(user_id))
            return [
                {
                    "message_id": m.message_id,
                    "text": m.text,
                    "buttons": [[dict(b) for b in row] for row in m.buttons],
                    "edited": m.edit_date is not None,
                    "callback_answers": list(m.callback_answers),
                }
                for m in (chat.messages if chat else [])
                if m.from_bot
            ]

    def wait_for_messages(self, token: str, user_id: int, count: int, timeout: float = 10.0) -> list[dict]:
        """The chat once the bot has sent at least ``count`` messages; TimeoutError (with what came) otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(messages := self.chat(token, user_id)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(messages)} of {count} messages from the bot in {timeout}s: {messages}")
                self._changed.wait(min(left, 0.1))
            return messages

    def calls(self, method: str) -> list[Call]:
        """The received calls of one Bot API method (case-insensitive, as Telegram is)."""
        return [call for call in list(self.requests) if call.method.lower() == method.lower()]

    def webhook_info(self, token: str) -> dict:
        with self._lock:
            return self._api_getwebhookinfo(self._bot(token), {})

    # --- server ------------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return loopback.base_url(self._server)

    def start(self, port: int = 0) -> FakeTelegram:
        handler = rules.handler_for(self, max_body=MAX_BODY)
        self._server, self._thread = loopback.serve(handler_class=handler, port=port)
        return self

    def stop(self) -> None:
        self._stopped.set()
        with self._changed:
            self._changed.notify_all()  # ends long polls
        loopback.stop(self._server)

    # --- internals ---------------------------------------------------------------------------------------------
    def _bot(self, ref: str | None) -> _Bot:
        """A bot by token or by username (controls accept either; the default bot when None)."""
        ref = ref or DEFAULT_TOKEN
        bot = self._bots.get(ref) or next((b for b in self._bots.values() if b.username == ref.lstrip("@")), None)
        if bot is None:
            raise ValueError(f"no bot {ref!r}")
        return bot

    def _chat(self, bot: _Bot, user_id: int, first_name: str = "Ivan", username: str | None = None) -> _Chat:
        if user_id not in bot.chats:
            user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru"}
            if username:
                user["username"] = username
            bot.chats[user_id] = _Chat(user=user)
        return bot.chats[user_id]

    def _message_json(self, bot: _Bot, chat: _Chat, message: _Message) -> dict:
        user = chat.user
        data = {
            "message_id": message.message_id,
            "from": bot.user_json() if message.from_bot else user,
            "chat": {"id": user["id"], "first_name": user["first_name"], "type": "private"}
            | ({"username": user["username"]} if "username" in user else {}),
            "date": message.date,
            "text": message.text,
        }
        if message.entities:
            data["entities"] = message.entities
        if message.edit_date:
            data["edit_date"] = message.edit_date
        if message.markup:
            data["reply_markup"] = message.markup
        return data

    def _dispatch(self, bot: _Bot, update: dict) -> int | None:
        with self._changed:
            kind = next(iter(update))
            if bot.allowed_updates and kind not in bot.allowed_updates:
                return None  # Telegram does not even keep updates the bot said it does not want
            update = {"update_id": bot.next_update_id, **update}
            bot.next_update_id += 1
            if not bot.webhook_url:
                bot.updates.append(update)
                self._changed.notify_all()
                return None
            bot.pending.append(update)
        return self._deliver(bot)

    def _deliver(self, bot: _Bot) -> int | None:
        """Post the pending updates to the webhook in order; on a refusal keep them and let the retrier go on."""
        status = None
        with bot.delivering:
            while True:
                with self._lock:
                    if not bot.pending or not bot.webhook_url or self._stopped.is_set():
                        return status
                    update, url, secret = bot.pending[0], bot.webhook_url, bot.secret_token
                status, error = rules.post_update(url, secret, update)
                with self._changed:
                    if 200 <= status < 300:
                        if bot.pending and bot.pending[0] is update:
                            bot.pending.pop(0)
                        self._changed.notify_all()
                        continue
                    bot.last_error_date, bot.last_error_message = int(time.time()), error
                    if not bot.retrying:
                        bot.retrying = True
                        threading.Thread(target=self._retry, args=(bot,), daemon=True).start()
                    return status

    def _retry(self, bot: _Bot) -> None:
        try:
            while not self._stopped.is_set():
                for delay in self.webhook_retry_delays:
                    if self._stopped.wait(delay):
                        return
                    with self._lock:
                        if not bot.pending or not bot.webhook_url:
                            return
                        head = bot.pending[0]
                    self._deliver(bot)
                    with self._lock:
                        if not bot.pending or bot.pending[0] is not head:
                            break  # the refused one went through: the next ones get fresh attempts
                else:
                    with self._lock:
                        if bot.pending and bot.pending[0] is head:
                            self.dropped_updates.append(bot.pending.pop(0))
        finally:
            with self._lock:
                bot.retrying = False

    # --- the Bot API -------------------------------------------------------------------------------------------
    def handle_api(self, token: str, method: str, params: dict) -> object:
        """The ``result`` of one Bot API call, or ApiError; records it in ``requests``."""
        call = Call(token, method, params)
        self.requests.append(call)
        try:
            with self._changed:
                bot = self._bots.get(token)
                if bot is None:
                    raise (
                        ApiError(401, "Unauthorized") if rules.TOKEN_FORMAT.match(token) else ApiError(404, "Not Found")
                    )
                handler = getattr(self, f"_api_{method.lower()}", None)
                if handler is None:
                    raise ApiError(404, "Not Found")
                for failure in self._failures:
                    if failure["method"] == method.lower() and failure["count"] > 0:
                        failure["count"] -= 1
                        raise ApiError(failure["status"], failure["description"], failure["retry_after"])
                if method.lower() != "getupdates":
                    result = handler(bot, params)
                    self._changed.notify_all()
                    return result
            return self._api_getupdates(bot, params)  # waits on the condition itself
        except ApiError as error:
            call.status = error.status
            raise

    def _api_getme(self, bot: _Bot, params: dict) -> dict:
        return bot.user_json() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_setwebhook(self, bot: _Bot, params: dict) -> bool:
        bot.webhook_url, bot.secret_token = rules.webhook_url(params), rules.secret_token(params)
        if params.get("allowed_updates") is not None:
            bot.allowed_updates = rules.allowed_updates(params)
        if str(params.get("drop_pending_updates")).lower() == "true":
            bot.updates.clear()
            bot.pending.clear()
        if bot.webhook_url:  # updates that waited for getUpdates now go to the webhook
            bot.pending.extend(bot.updates)
            bot.updates.clear()
            if bot.pending:
                threading.Thread(target=self._deliver, args=(bot,), daemon=True).start()
        bot.poll_generation += 1  # a waiting getUpdates ends with 409
        return True

    def _api_deletewebhook(self, bot: _Bot, params: dict) -> bool:
        bot.webhook_url, bot.secret_token = "", ""
        bot.updates.extend(bot.pending)
        bot.pending.clear()
        if str(params.get("drop_pending_updates")).lower() == "true":
            bot.updates.clear()
        return True

    def _api_getwebhookinfo(self, bot: _Bot, params: dict) -> dict:
        info = {
            "url": bot.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(bot.pending) if bot.webhook_url else len(bot.updates),
        }
        if bot.webhook_url:
            info["max_connections"] = 40
            info["ip_address"] = "127.0.0.1"
            if bot.allowed_updates is not None:
                info["allowed_updates"] = list(bot.allowed_updates)
            if bot.last_error_date:
                info["last_error_date"] = bot.last_error_date
                info["last_error_message"] = bot.last_error_message
        return info

    def _api_getupdates(self, bot: _Bot, params: dict) -> list:
        offset = rules.integer(params, "offset", default=0)
        limit = min(max(rules.integer(params, "limit", default=100), 1), 100)
        timeout = min(max(rules.integer(params, "timeout", default=0), 0), MAX_POLL_TIMEOUT)
        with self._changed:
            if bot.webhook_url:
                raise ApiError(409, rules.GET_UPDATES_CONFLICT)
            if params.get("allowed_updates") is not None:
                bot.allowed_updates = rules.allowed_updates(params)
            bot.poll_generation += 1
            generation = bot.poll_generation
            self._changed.notify_all()  # an older long poll of this bot ends with 409
            if offset > 0:  # confirms everything before it
                bot.updates[:] = [u for u in bot.updates if u["update_id"] >= offset]
            deadline = time.monotonic() + timeout
            while True:
                if bot.poll_generation != generation:
                    raise ApiError(409, rules.POLL_CONFLICT if not bot.webhook_url else rules.GET_UPDATES_CONFLICT)
                batch = bot.updates[offset:] if offset < 0 else bot.updates
                left = deadline - time.monotonic()
                if batch or left <= 0 or self._stopped.is_set():
                    return [json.loads(json.dumps(u)) for u in batch[:limit]]
                self._changed.wait(left)

    def _sendable_chat(self, bot: _Bot, params: dict) -> _Chat:
        chat = bot.chats.get(rules.chat_id(params))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")  # a bot can write only to users who wrote to it
        return chat

    def _api_sendmessage(self, bot: _Bot, params: dict) -> dict:
        chat = self._sendable_chat(bot, params)
        text = rules.message_text(params)
        markup, buttons = rules.reply_markup(params)
        if chat.blocked:
            raise ApiError(403, rules.BLOCKED)
        now = time.monotonic()
        while chat.sent_at and now - chat.sent_at[0] >= 1.0:
            chat.sent_at.popleft()
        if len(chat.sent_at) >= self.per_chat_per_second:
            raise rules.too_many_requests(1)
        chat.sent_at.append(now)
        message = _Message(chat.next_message_id, True, text, int(time.time()), markup=markup, buttons=buttons)
        chat.next_message_id += 1
        chat.messages.append(message)
        return self._message_json(bot, chat, message)

    def _editable(self, bot: _Bot, params: dict) -> tuple[_Chat, _Message]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")  # the fake has no inline mode
        chat = self._sendable_chat(bot, params)
        message_id = rules.integer(params, "message_id", required=True)
        message = next((m for m in chat.messages if m.message_id == message_id), None)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, message

    def _api_editmessagetext(self, bot: _Bot, params: dict) -> dict:
        chat, message = self._editable(bot, params)
        text = rules.message_text(params)
        markup, buttons = rules.reply_markup(params)  # none given removes the inline keyboard, as in Telegram
        if text == message.text and markup == message.markup:
            raise ApiError(400, rules.NOT_MODIFIED)
        message.text, message.markup, message.buttons = text, markup, buttons
        message.edit_date = int(time.time())
        return self._message_json(bot, chat, message)

    def _api_editmessagereplymarkup(self, bot: _Bot, params: dict) -> dict:
        chat, message = self._editable(bot, params)
        markup, buttons = rules.reply_markup(params)
        if markup == message.markup:
            raise ApiError(400, rules.NOT_MODIFIED)
        message.markup, message.buttons = markup, buttons
        message.edit_date = int(time.time())
        return self._message_json(bot, chat, message)

    def _api_answercallbackquery(self, bot: _Bot, params: dict) -> bool:
        query = bot.callbacks.get(str(params.get("callback_query_id") or ""))
        if query is None or query[2]:
            raise ApiError(400, rules.QUERY_TOO_OLD)
        text = str(params.get("text") or "")
        if len(text) > rules.MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query[2] = True
        user_id, message_id = query[0], query[1]
        message = next(m for m in bot.chats[user_id].messages if m.message_id == message_id)
        message.callback_answers.append(text)
        return True

    def _api_sendchataction(self, bot: _Bot, params: dict) -> bool:
        self._sendable_chat(bot, params)
        return True

    # --- the controls over HTTP (/_fake/...) -------------------------------------------------------------------
    def handle_control(self, route: str, data: dict) -> dict:
        bot = data.get("bot") or data.get("token")
        if route == "bots":
            if "username" in data and "token" in data:
                self.add_bot(data["token"], data["username"], data.get("first_name", "SmartBot"))
            with self._lock:
                return {"bots": [{"token": b.token, "username": b.username, "webhook": b.webhook_url}
                                 for b in self._bots.values()]}  # fmt: skip
        if route == "send":
            status = self.user_sends(
                bot, data["user_id"], data["text"], data.get("first_name", "Ivan"), data.get("username")
            )
            return {"status": status}
        if route == "press":
            return {"status": self.user_presses(bot, data["user_id"], data["message_id"], data["callback_data"])}
        if route == "chat":
            return {"messages": self.chat(bot, data["user_id"])}
        if route == "fail_next":
            keys = ("method", "status", "retry_after", "count", "description")
            self.fail_next(**{key: data[key] for key in keys if key in data})
            return {"ok": True}
        if route == "block":
            self.block(bot, data["user_id"], str(data.get("blocked", True)).lower() not in ("false", "0"))
            return {"ok": True}
        if route == "requests":
            return {"requests": [call.__dict__ for call in list(self.requests)]}
        raise KeyError(route)


def main(argv: list[str] | None = None) -> None:
    """Serve the fake Telegram on loopback until interrupted (the demo; docs/integrations.md)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8702)
    parser.add_argument("--per-chat-per-second", type=int, default=30)
    args = parser.parse_args(argv)
    fake = FakeTelegram(per_chat_per_second=args.per_chat_per_second).start(port=args.port)
    print(f"fake Telegram on {fake.base_url}: TELEGRAM_API_URL={fake.base_url}", flush=True)
    print(f"bot token {DEFAULT_TOKEN} (@{DEFAULT_USERNAME}); candidate: python -m fakes.telegram_candidate "
          f"--fake {fake.base_url} --link https://t.me/{DEFAULT_USERNAME}?start=CODE", flush=True)  # fmt: skip
    try:
        fake._thread.join()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
