"""Receive Telegram updates by long polling (``getUpdates``), for development where Telegram cannot reach a
webhook: every connected bot without a webhook, each update through ``telegram_update_handle`` (as the webhook).

    manage.py telegram_poll            # until Ctrl-C
    manage.py telegram_poll --once     # one round without waiting (tests, scripts)
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand

from chat.telegram.client import TelegramClient, TelegramError
from chat.telegram.services import telegram_update_handle
from screening.models import TelegramBot

logger = logging.getLogger(__name__)


def telegram_poll_round(*, timeout: int = 0) -> int:
    """One ``getUpdates`` per connected bot in polling mode, each update handled and then confirmed (the bot's
    ``update_offset`` moves past it once it was handled, so a crash mid-way handles it again: idempotent).
    Returns how many updates were handled. A long poll (``timeout`` seconds) is split among the bots."""
    handled = 0
    bots = list(
        TelegramBot.objects.filter(status=TelegramBot.Status.CONNECTED, webhook_url="").select_related("company")
    )
    for bot in bots:
        try:
            updates = TelegramClient(bot.token).get_updates(
                offset=bot.update_offset, timeout=timeout // max(len(bots), 1)
            )
        except TelegramError as error:
            logger.warning("telegram getUpdates for bot %s failed: %s", bot.pk, error)
            continue
        for update in updates:
            telegram_update_handle(bot=bot, update=update)
            bot.update_offset = int(update["update_id"]) + 1
            TelegramBot.objects.filter(pk=bot.pk).update(update_offset=bot.update_offset)
            handled += 1
    return handled


class Command(BaseCommand):
    help = "Receive Telegram updates by long polling (development: bots without a webhook)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One round without waiting, then exit.")
        parser.add_argument("--timeout", type=int, default=25, help="Seconds of one long poll (default 25).")

    def handle(self, *args, once=False, timeout=25, **options):
        if once:
            handled = telegram_poll_round(timeout=0)
            self.stdout.write(f"{handled} update(s) handled")
            return
        self.stdout.write("Polling Telegram; Ctrl-C to stop.")
        while True:
            if (
                not telegram_poll_round(timeout=timeout)
                and not TelegramBot.objects.filter(status=TelegramBot.Status.CONNECTED, webhook_url="").exists()
            ):
                time.sleep(timeout)  # nothing to poll: no busy loop
