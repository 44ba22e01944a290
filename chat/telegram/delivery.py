"""Delivering a response's chat to its Telegram thread: every transcript line after the thread's cursor
(``TelegramLink.delivered_message_id``), in order, the awaited question's buttons under the last one.

Who calls it: the Telegram door right after a candidate's turn (``chat.telegram.services``), the task
``chat.tasks.telegram_deliver`` (queued by ``telegram_nudge`` when a recruiter writes, takes over or hands back,
and when a send must be retried), and beat's sweep (``telegram_links_undelivered``: lines written by code that
does not nudge, such as interview notes or a candidate's turn on the web, and sends that failed for good).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from screening.models import ChatMessage, Response, TelegramBot, TelegramLink

from .. import frames as f
from .. import services, tasks
from . import render
from .client import TelegramClient, TelegramError

logger = logging.getLogger(__name__)

# Threads the sweep queues per run (the next run takes the rest).
SWEEP_LIMIT = 500


def awaited_keyboard(*, response: Response) -> render.Keyboard:
    """The buttons of what the chat awaits now: the question's (or its read-back's) and "Talk to a person" while
    the bot leads; none while a recruiter leads or once the screening is over."""
    ctx, snapshot = services.chat_snapshot(response=response)
    if snapshot.state != services.STATE_ACTIVE or snapshot.question is None:
        return []
    question = f.question_in(ctx, snapshot.question, snapshot.confirm)
    return render.question_keyboard(question) + render.human_keyboard()


def _line(message: ChatMessage) -> str | None:
    return render.line_text(
        sender=message.sender,
        text=message.text,
        author_name=f.author_name(message.author) if message.author_id else None,
        from_telegram=message.client_id.startswith("tg"),
    )


def bot_error_record(*, bot: TelegramBot, error: TelegramError) -> None:
    """Keep a failure of the bot's token on the bot (the settings page shows it): "needs attention"."""
    TelegramBot.objects.filter(pk=bot.pk).update(
        status=TelegramBot.Status.ERROR, last_error=str(error)[:2000], last_error_at=timezone.now()
    )


def telegram_deliver(*, response_id: int) -> int:
    """Send the response's chat lines newer than its Telegram thread's cursor; returns how many were sent.

    Bot, recruiter ("Roman: ...") and system lines are sent; the candidate's own lines typed in Telegram are
    not (they are there already), those typed on the web are shown as "You (on the web): ..." (``render``).
    Each line is one transaction holding the thread's row lock while it is sent: two deliveries of one thread
    never send a line twice, and the cursor moves past a line only once Telegram took it.

    Stops quietly when there is no bound thread, it is blocked, or the bot is not connected. Telegram's answers:
    "blocked" marks the thread (``blocked_at``) and stops; "auth" marks the bot (needs attention) and stops;
    "bad_request" skips the line (logged: it would be refused again); "rate_limit" and "unavailable" raise the
    ``TelegramError`` (``retryable``, ``retry_after``): the caller queues a retry, nothing was written.
    """
    sent = 0
    keyboard: render.Keyboard | None = None  # the awaited buttons, read once per delivery
    shared: bool | None = None  # the chat holds other applications of the person: lines name their vacancy
    while True:
        with transaction.atomic():
            link = (
                TelegramLink.objects.select_for_update(of=("self",))
                .select_related("bot", "response__vacancy__company")
                .filter(response_id=response_id, chat_id__isnull=False)
                .first()
            )
            if link is None or link.blocked_at is not None or link.bot is None:
                return sent
            if link.bot.status != TelegramBot.Status.CONNECTED or link.response.erased_at is not None:
                return sent
            batch = list(
                ChatMessage.objects.filter(session__response_id=response_id, pk__gt=link.delivered_message_id)
                .select_related("author")
                .order_by("pk")[:2]
            )
            if not batch:
                return sent
            message, is_last = batch[0], len(batch) == 1
            with translation.override(link.response.vacancy.language):
                text = _line(message)
                buttons = render.slots_keyboard(message.payload) if text else []
                if text and is_last:
                    if keyboard is None:
                        keyboard = awaited_keyboard(response=link.response)
                    buttons = buttons + keyboard
            if text and shared is None:
                shared = TelegramLink.objects.filter(bot=link.bot, chat_id=link.chat_id).exclude(pk=link.pk).exists()
            if text and shared:
                text = render.clip(f"[{link.response.vacancy.title}] {text}")
            if text:
                try:
                    TelegramClient(link.bot.token).send_message(chat_id=link.chat_id, text=text, buttons=buttons)
                except TelegramError as error:
                    if error.retryable:
                        raise
                    if error.kind == "blocked":
                        TelegramLink.objects.filter(pk=link.pk).update(blocked_at=timezone.now())
                        return sent
                    if error.kind == "auth":
                        bot_error_record(bot=link.bot, error=error)
                        return sent
                    logger.warning("telegram refused chat message %s: %s", message.pk, error)
                else:
                    sent += 1
            moved = {"delivered_message_id": message.pk}
            if text and shared:
                moved["bound_at"] = timezone.now()  # what the person answers next is about what they just read
            TelegramLink.objects.filter(pk=link.pk).update(**moved)


def telegram_links_undelivered(*, limit: int = SWEEP_LIMIT) -> list[int]:
    """Response ids whose bound, unblocked thread of a connected bot has chat lines after its cursor (beat's
    sweep queues their delivery). The candidate's own Telegram lines count too: a delivery moves past them."""
    newer = ChatMessage.objects.filter(
        session__response_id=OuterRef("response_id"), pk__gt=OuterRef("delivered_message_id")
    )
    return list(
        TelegramLink.objects.filter(
            chat_id__isnull=False,
            blocked_at__isnull=True,
            bot__status=TelegramBot.Status.CONNECTED,
            response__erased_at__isnull=True,
        )
        .filter(Exists(newer))
        .order_by("pk")
        .values_list("response_id", flat=True)[:limit]
    )


def telegram_sweep() -> int:
    """Beat, every minute: queue delivery for every thread with undelivered lines; returns how many."""
    ids = telegram_links_undelivered()
    for response_id in ids:
        tasks.telegram_deliver.delay(response_id)
    return len(ids)
