"""The one client around the Telegram Bot API (python-telegram-bot's ``Bot``), synchronous for our callers.

Our callers are synchronous (Celery tasks, views, management commands), PTB is async: each call builds a
``Bot`` with a one-connection httpx pool, runs the one API method in ``asyncio.run`` and closes the pool, so
nothing outlives the event loop it was made on. Called from a thread that already runs an event loop (a
consumer), the call runs on a fresh loop in a helper thread and blocks the caller until it ends: async code
should call it through ``asgiref.sync.sync_to_async`` instead. Each method makes exactly one HTTP call (no
retries here: Celery retries with backoff, so a retry is visible and bounded).

Every failure becomes ``TelegramError``, whose ``kind`` says what happened and ``retryable`` whether a later
attempt can help; ``retry_after`` is Telegram's flood-control wait, in seconds.

Settings: ``TELEGRAM_API_URL`` (the Bot API server; tests and the demo point it at ``fakes.telegram``) and
``TELEGRAM_TIMEOUT`` (seconds for connecting, sending and reading one call).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import warnings

import telegram
import telegram.error
from django.conf import settings
from django.utils.translation import gettext as _
from telegram.request import HTTPXRequest

# Seconds; a flood wait longer than this is treated as "later", not obeyed literally.
MAX_RETRY_AFTER = 600.0

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback_data); callback_data at most 64 bytes


class TelegramError(Exception):
    """A call to the Telegram Bot API failed.

    ``kind`` is one of:
    - "auth": the bot token is wrong or revoked (401/404): the owner must reconnect the bot;
    - "blocked": the user blocked the bot or the chat does not exist (403, 400 "chat not found"): stop writing;
    - "rate_limit": Telegram's flood control (429); ``retry_after`` seconds to wait;
    - "bad_request": Telegram refused the request as invalid (400, 409), or an update could not be read;
    - "unavailable": network failure, timeout, a 5xx or an unreadable answer.
    ``retryable`` is True for "rate_limit" and "unavailable". ``message`` is a sentence for the owner;
    ``detail`` is Telegram's own description (or the library's), for the log.
    """

    RETRYABLE_KINDS = frozenset({"rate_limit", "unavailable"})

    def __init__(self, kind: str, message: str, *, detail: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.kind in self.RETRYABLE_KINDS

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


def _seconds(value) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


def error_from(exc: Exception) -> TelegramError:
    """The ``TelegramError`` for an exception raised by python-telegram-bot (or by the transport under it)."""
    detail = str(exc)
    lowered = detail.lower()
    # Order matters: BadRequest and TimedOut are NetworkErrors in PTB.
    if isinstance(exc, telegram.error.RetryAfter):
        with warnings.catch_warnings():  # PTB 22 deprecates the int form; both are handled
            warnings.simplefilter("ignore")
            wait = min(_seconds(exc.retry_after), MAX_RETRY_AFTER)
        return TelegramError(
            "rate_limit",
            _("Telegram asked to slow down; SmartBot will try again shortly."),
            detail=detail,
            retry_after=wait,
        )
    if isinstance(exc, telegram.error.InvalidToken):
        return TelegramError(
            "auth", _("Telegram did not accept the bot token: check it or connect the bot again."), detail=detail
        )
    if isinstance(exc, telegram.error.Forbidden) or (
        isinstance(exc, telegram.error.BadRequest) and ("chat not found" in lowered or "user not found" in lowered)
    ):
        return TelegramError(
            "blocked", _("The candidate blocked the bot or has not started a chat with it in Telegram."), detail=detail
        )
    if isinstance(exc, (telegram.error.BadRequest, telegram.error.Conflict, telegram.error.ChatMigrated)):
        return TelegramError("bad_request", _("Telegram refused the request."), detail=detail)
    if isinstance(exc, telegram.error.TimedOut):
        return TelegramError("unavailable", _("Telegram did not answer in time."), detail=detail or "timed out")
    return TelegramError("unavailable", _("Telegram cannot be reached right now."), detail=detail or type(exc).__name__)


def _markup(buttons: Buttons | None) -> telegram.InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return telegram.InlineKeyboardMarkup(
        # str(): labels may be lazy translations, which the JSON encoder would not take
        [[telegram.InlineKeyboardButton(str(label), callback_data=str(data)) for label, data in row] for row in buttons]
    )


def _run(coroutine_factory):
    """Run ``coroutine_factory()`` to completion from synchronous code (see the module's docstring)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_factory())
    outcome: dict = {}

    def in_thread():
        try:
            outcome["value"] = asyncio.run(coroutine_factory())
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=in_thread, name="telegram-call", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class TelegramClient:
    """One bot's client. ``base_url`` is the Bot API server (PTB's ``base_url`` is ``f"{base_url}/bot"``)."""

    def __init__(self, token: str, *, base_url: str | None = None, timeout: float | None = None):
        self.token = token
        self.base_url = (base_url or settings.TELEGRAM_API_URL).rstrip("/")
        self.timeout = float(settings.TELEGRAM_TIMEOUT if timeout is None else timeout)

    def _call(self, method: str, **kwargs):
        """One Bot API call through PTB: its parsed result, or ``TelegramError``."""

        async def call():
            request = HTTPXRequest(
                connection_pool_size=1,
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                write_timeout=self.timeout,
                pool_timeout=self.timeout,
            )
            try:
                bot = telegram.Bot(
                    self.token, base_url=f"{self.base_url}/bot", request=request, get_updates_request=request
                )
                await request.initialize()
                return await getattr(bot, method)(**kwargs)
            finally:
                await request.shutdown()

        try:
            return _run(call)
        except telegram.error.TelegramError as exc:
            raise error_from(exc) from exc
        except (OSError, ValueError) as exc:  # a malformed base URL, a socket error outside httpx's mapping
            raise error_from(exc) from exc

    def get_me(self) -> dict:
        """The bot's account: ``{"id": int, "username": str, "first_name": str}``; "auth" for a bad token."""
        user = self._call("get_me")
        return {"id": user.id, "username": user.username or "", "first_name": user.first_name}

    def set_webhook(self, *, url: str, secret_token: str) -> None:
        """Have Telegram POST updates (messages and button presses only) to ``url``, with ``secret_token`` in the
        ``X-Telegram-Bot-Api-Secret-Token`` header (1-256 of ``A-Z a-z 0-9 _ -``)."""
        self._call("set_webhook", url=url, secret_token=secret_token, allowed_updates=["message", "callback_query"])

    def delete_webhook(self) -> None:
        """Stop webhook delivery (updates wait for ``get_updates`` again); pending updates are kept."""
        self._call("delete_webhook")

    def get_updates(self, *, offset: int, timeout: int = 0) -> list[dict]:
        """Updates from ``offset`` on (confirming those before it), as raw Bot API dicts in ``update_id`` order.

        ``timeout`` seconds of long polling (the read timeout grows by as much). "bad_request" (a Conflict)
        while a webhook is set or another poller runs.
        """
        updates = self._call(
            "get_updates", offset=offset, timeout=timeout, allowed_updates=["message", "callback_query"]
        )
        return [json.loads(update.to_json()) for update in updates]

    def send_message(
        self, *, chat_id: int, text: str, buttons: Buttons | None = None, parse_mode: str | None = None
    ) -> int:
        """Send ``text`` (at most 4096 characters) with inline ``buttons`` under it; returns the ``message_id``."""
        message = self._call(
            "send_message", chat_id=chat_id, text=text, reply_markup=_markup(buttons), parse_mode=parse_mode
        )
        return message.message_id

    def edit_buttons(self, *, chat_id: int, message_id: int, buttons: Buttons | None) -> None:
        """Replace the message's inline buttons (None or [] removes them). Already so: no error."""
        try:
            self._call(
                "edit_message_reply_markup", chat_id=chat_id, message_id=message_id, reply_markup=_markup(buttons)
            )
        except TelegramError as error:
            if not _not_modified(error):
                raise

    def edit_text(self, *, chat_id: int, message_id: int, text: str, buttons: Buttons | None = None) -> None:
        """Replace the message's text; its buttons become ``buttons`` (None removes them, as Telegram does).
        Already so: no error."""
        try:
            self._call(
                "edit_message_text", chat_id=chat_id, message_id=message_id, text=text, reply_markup=_markup(buttons)
            )
        except TelegramError as error:
            if not _not_modified(error):
                raise

    def answer_callback(self, *, callback_query_id: str, text: str = "") -> None:
        """Acknowledge a button press (stops the button's spinner); ``text`` (at most 200 characters) as a toast."""
        self._call("answer_callback_query", callback_query_id=callback_query_id, text=text or None)


def _not_modified(error: TelegramError) -> bool:
    # Repeating an edit (a task retried after Telegram had applied it) must not fail the retry.
    return error.kind == "bad_request" and "message is not modified" in error.detail.lower()


def parse_update(data: dict) -> telegram.Update:
    """A webhook's or ``get_updates``'s raw update as ``telegram.Update``; "bad_request" when it is not one.

    The caller bounds the body's size before decoding it. PTB is lenient about the types of the fields inside
    (a number where a text belongs passes): read what you use defensively. No bot is attached: the update is
    data, not a handle for answering (answers go through ``TelegramClient``).
    """
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise TelegramError("bad_request", _("This is not a Telegram update."), detail="no integer update_id")
    try:
        update = telegram.Update.de_json(data, None)
    except Exception as exc:  # hostile input: whatever breaks the parsing (a 1e308 date overflows), it is not an update
        raise TelegramError("bad_request", _("This is not a Telegram update."), detail=repr(exc)[:200]) from exc
    if update is None:
        raise TelegramError("bad_request", _("This is not a Telegram update."), detail="empty update")
    return update
