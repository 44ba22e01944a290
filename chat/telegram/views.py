"""Telegram's doors: the webhook Telegram posts updates to, and the owner's page to connect the company's bot.

Thin: the webhook checks the secret and the size and hands the update to ``telegram_update_handle``; the page's
form validates and ``telegram_bot_connect`` / ``telegram_bot_disconnect`` do the work.
"""

from __future__ import annotations

import hmac
import json
import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import owner_required
from screening.models import TelegramBot

from .services import telegram_bot_connect, telegram_bot_disconnect, telegram_update_handle

logger = logging.getLogger(__name__)

# An update is a few KB; anything much larger is not one of Telegram's.
MAX_UPDATE_BYTES = 256 * 1024
SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"  # noqa: S105 (a header name)


@csrf_exempt
@require_POST
def telegram_webhook(request, bot_id: int):
    """``POST /telegram/<bot>/webhook/``: one update from Telegram. 403 without the bot's secret token; 200 for
    anything handled or ignored (else Telegram sends it again and again); 500 when we failed, so Telegram
    retries, which is safe: the chat's client ids make a repeated update write nothing."""
    bot = (
        TelegramBot.objects.select_related("company")
        .exclude(status=TelegramBot.Status.DISCONNECTED)
        .filter(pk=bot_id, token__isnull=False)
        .first()
    )
    secret = request.META.get(SECRET_HEADER, "")
    if bot is None or not hmac.compare_digest(secret.encode(), bot.secret_token.encode()):
        return HttpResponseForbidden()
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_UPDATE_BYTES:
        return HttpResponse(status=413)
    body = request.read(MAX_UPDATE_BYTES + 1)
    if len(body) > MAX_UPDATE_BYTES:
        return HttpResponse(status=413)
    try:
        update = json.loads(body)
    except (ValueError, RecursionError):
        return HttpResponse(status=200)  # not an update: nothing Telegram could fix by sending it again
    if isinstance(update, dict):
        telegram_update_handle(bot=bot, update=update)
    return HttpResponse(status=200)


class TokenForm(forms.Form):
    """BotFather's token: a password field, never shown back."""

    token = forms.CharField(
        label=gettext_lazy("Bot token"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Create a bot with @BotFather in Telegram (/newbot) and paste the token it gives you."),
    )


@owner_required
def telegram_settings(request):
    """The company's Telegram bot: connect with a token (again, to change it), status and mode, disconnect."""
    bot = (
        TelegramBot.objects.filter(company_id=request.user.company_id)
        .exclude(status=TelegramBot.Status.DISCONNECTED)
        .first()
    )
    form = TokenForm()
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                bot = telegram_bot_connect(
                    company=request.user.company, user=request.user, token=form.cleaned_data["token"]
                )
            except ValidationError as error:
                form.add_error("token", error)
            else:
                if bot.webhook_url:
                    messages.success(request, _("The bot @%(name)s is connected.") % {"name": bot.username})
                else:
                    messages.warning(
                        request, _("The bot @%(name)s is connected in polling mode.") % {"name": bot.username}
                    )
                return redirect("chat:telegram_settings")
    return render(
        request,
        "chat/telegram_settings.html",
        {"bot": bot, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@owner_required
def telegram_disconnect(request):
    bot = (
        TelegramBot.objects.filter(company_id=request.user.company_id)
        .exclude(status=TelegramBot.Status.DISCONNECTED)
        .first()
    )
    if bot is not None:
        telegram_bot_disconnect(bot=bot, user=request.user)
        messages.success(request, _("The Telegram bot is disconnected."))
    return redirect("chat:telegram_settings")
