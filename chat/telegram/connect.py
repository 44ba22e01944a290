"""Connecting a company's Telegram bot (the owner's settings page) and disconnecting it.

Webhook mode when Telegram accepts our address (``settings.SITE_URL``: Telegram demands HTTPS), polling mode
otherwise (``manage.py telegram_poll``, for development): the bot stays connected either way and the page says
which (``TelegramBot.webhook_url`` empty = polling, ``last_error`` why).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry
from screening.models import TelegramBot, TelegramLink
from screening.models.integrations import webhook_secret

from .client import TelegramClient, TelegramError

logger = logging.getLogger(__name__)

# BotFather's tokens: "<bot id>:<35 or so letters, digits, _ and ->".
TOKEN_RE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")


def telegram_webhook_url(*, bot: TelegramBot) -> str:
    """The absolute address Telegram posts the bot's updates to."""
    return settings.SITE_URL + reverse("chat:telegram_webhook", args=[bot.pk])


def telegram_bot_connect(*, company, user, token: str) -> TelegramBot:
    """Connect (or reconnect with a new token) the company's bot: ``getMe`` checks the token, then the token
    (encrypted), the bot's id and username are stored and ``setWebhook`` points Telegram at us with the bot's
    secret token. Telegram refusing the address keeps the bot connected in polling mode, the reason in
    ``last_error``. Raises ``ValidationError`` (for the form) for a malformed or refused token, or Telegram out
    of reach. A new secret is made on every connect."""
    token = (token or "").strip()
    if not TOKEN_RE.match(token):
        raise ValidationError(
            _("This is not a bot token. Copy the whole token BotFather gave you (digits, a colon, letters).")
        )
    client = TelegramClient(token)
    try:
        me = client.get_me()
    except TelegramError as error:
        if error.kind == "auth":
            raise ValidationError(_("Telegram did not accept this token. Check it in BotFather (/token).")) from error
        raise ValidationError(
            _("Telegram could not be reached: %(error)s Try again.") % {"error": error.message}
        ) from error
    with transaction.atomic():
        bot = TelegramBot.objects.select_for_update().filter(company=company).first() or TelegramBot(company=company)
        previous = bot.token if bot.pk else None
        if bot.pk and bot.bot_id and bot.bot_id != me["id"]:
            # Another bot: the candidates never started it, so the old one's chats are gone. The Telegram user ids
            # stay (one person, one account: possible duplicates), the deep links stay valid for the new bot.
            TelegramLink.objects.filter(bot=bot).update(bot=None, chat_id=None, bound_at=None, delivered_message_id=0)
        bot.token, bot.bot_id, bot.username = token, me["id"], (me.get("username") or "")[:64]
        bot.status, bot.last_error, bot.last_error_at, bot.webhook_url = TelegramBot.Status.CONNECTED, "", None, ""
        if bot.pk:
            bot.secret_token = webhook_secret()
        bot.save()
        audit_record(
            company=company,
            actor=user,
            action=AuditEntry.Action.SETTINGS_CHANGED,
            target=f"telegram_bot:{bot.pk}",
            summary=f"Telegram bot @{bot.username} connected",
            details={"bot_id": bot.bot_id, "username": bot.username},
        )
    if previous and previous != token:
        _forget_webhook(previous)  # the old bot must stop posting to us
    url = telegram_webhook_url(bot=bot)
    try:
        client.set_webhook(url=url, secret_token=bot.secret_token)
    except TelegramError as error:
        bot.last_error = _(
            "Telegram refused the webhook address %(url)s (%(error)s), so the bot works in polling mode: run "
            "“manage.py telegram_poll”. Telegram needs a public HTTPS address for webhooks."
        ) % {"url": url, "error": error.detail or error.message}
        bot.last_error_at = timezone.now()
    else:
        bot.webhook_url = url
    bot.save(update_fields=["webhook_url", "last_error", "last_error_at", "updated_at"])
    return bot


def telegram_bot_disconnect(*, bot: TelegramBot, user) -> None:
    """Disconnect the bot: ``deleteWebhook`` (best effort: a revoked token cannot), then its token is forgotten.
    Nothing is sent or received while it is disconnected (candidates continue on the web; no deep link is
    offered); its threads stay bound, so connecting the same bot again resumes them and the links already sent
    (emails, board invitations) keep working."""
    if bot.token:
        _forget_webhook(bot.token)
    audit_record(
        company=bot.company_id,
        actor=user,
        action=AuditEntry.Action.SETTINGS_CHANGED,
        target=f"telegram_bot:{bot.pk}",
        summary=f"Telegram bot @{bot.username} disconnected",
        details={"bot_id": bot.bot_id, "username": bot.username},
    )
    bot.token, bot.status, bot.webhook_url = None, TelegramBot.Status.DISCONNECTED, ""
    bot.save(update_fields=["token", "status", "webhook_url", "updated_at"])


def _forget_webhook(token: str) -> None:
    try:
        TelegramClient(token).delete_webhook()
    except TelegramError as error:
        logger.info("telegram deleteWebhook failed: %s", error)
