"""The "continue in Telegram" deep link of an application (issue 16, docs/integrations.md).

The link is ``https://t.me/<bot username>?start=<code>`` (Bot API, "Deep linking"): opening it in Telegram
sends the company's bot ``/start <code>``, which binds the application to that Telegram account
(``chat.telegram``). The code is the application's ``TelegramLink.code``, made on first use; it is not the
private link's token, so Telegram never sees the key to the candidate's data.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import Response, TelegramBot, TelegramLink

TELEGRAM_LINK_BASE = "https://t.me/"


def telegram_bot_for(*, company_id: int) -> TelegramBot | None:
    """The company's connected bot, or None (no bot, or it needs attention)."""
    return (
        TelegramBot.objects.filter(company_id=company_id, status=TelegramBot.Status.CONNECTED)
        .exclude(username="")
        .first()
    )


def telegram_deep_link(*, response: Response, bot: TelegramBot | None = None) -> str:
    """The deep link continuing ``response``'s screening in the company's Telegram bot, or "" when the company
    has no connected bot or the application is erased or withdrawn. Creates the ``TelegramLink`` on first use
    (idempotent; safe under concurrent calls)."""
    if response.erased_at is not None or response.status == Response.Status.WITHDRAWN:
        return ""
    bot = bot or telegram_bot_for(company_id=response.vacancy.company_id)
    if bot is None:
        return ""
    try:
        with transaction.atomic():  # a savepoint: a lost race must not break the caller's transaction
            link, _created = TelegramLink.objects.get_or_create(response=response)
    except IntegrityError:  # a concurrent first use made it
        link = TelegramLink.objects.get(response=response)
    return f"{TELEGRAM_LINK_BASE}{bot.username}?start={link.code}"
