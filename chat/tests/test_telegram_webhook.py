"""The webhook Telegram posts updates to: the secret token is required, an update sent twice (Telegram retries
until it gets a 2xx) writes once, and what we cannot use is acknowledged with 200 so it is not sent forever.
The polling command (development) handles the same updates."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from chat.telegram.client import TelegramClient
from chat.tests.telegram_world import USER_ID, code_of
from fakes.telegram import DEFAULT_TOKEN
from screening.models import Answer, ChatMessage, TelegramBot

pytestmark = pytest.mark.django_db


def _post(client, bot, body, *, secret=None):
    headers = {} if secret is False else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret or bot.secret_token}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        reverse("chat:telegram_webhook", args=[bot.pk]), data=data, content_type="application/json", **headers
    )


def _pending_update(bot):
    """The update the fake holds for the bot (no webhook set: it waits for getUpdates), as Telegram posts it."""
    bot.refresh_from_db()
    (update,) = TelegramClient(bot.token).get_updates(offset=bot.update_offset)
    return update


def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_handled(
    client, tg_bot, response, ivan, fake_telegram, other_company
):
    ivan.start(response)
    fake_telegram.user_sends(DEFAULT_TOKEN, USER_ID, "Moscow")
    update = _pending_update(tg_bot)
    count = ChatMessage.objects.count()
    assert _post(client, tg_bot, update, secret="wrong-secret").status_code == 403
    assert _post(client, tg_bot, update, secret=False).status_code == 403
    other = TelegramBot.objects.create(company=other_company, token="654321:OTHER", username="other_bot")
    assert _post(client, other, update, secret=tg_bot.secret_token).status_code == 403  # another bot's secret
    assert ChatMessage.objects.count() == count


def test_the_same_update_twice_writes_once_and_replies_once(client, tg_bot, response, ivan, fake_telegram):
    ivan.start(response)
    fake_telegram.user_sends(DEFAULT_TOKEN, USER_ID, "Moscow")
    update = _pending_update(tg_bot)
    assert _post(client, tg_bot, update).status_code == 200
    assert _post(client, tg_bot, update).status_code == 200  # Telegram's retry
    (line,) = ChatMessage.objects.filter(session__response=response, sender="candidate")
    assert line.text == "Moscow" and line.client_id == f"tg{USER_ID}:{update['message']['message_id']}"
    assert Answer.objects.filter(response=response).count() == 1
    assert ivan.texts().count("How many years of Python experience do you have?") == 1


def test_a_button_press_sent_twice_writes_once(client, tg_bot, response, ivan, fake_telegram):
    ivan.start(response)
    question = ivan.last()
    fake_telegram.user_presses(DEFAULT_TOKEN, USER_ID, question["message_id"], ivan.button("Kazan", question))
    update = _pending_update(tg_bot)
    assert _post(client, tg_bot, update).status_code == 200
    assert _post(client, tg_bot, update).status_code == 200
    assert ChatMessage.objects.filter(session__response=response, sender="candidate").count() == 1


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"update_id": "x"}', '{"update_id": 5, "edited_message": {}}'])
def test_what_we_cannot_use_is_acknowledged_and_ignored(client, tg_bot, body):
    assert _post(client, tg_bot, body).status_code == 200
    assert not ChatMessage.objects.exists()


def test_an_oversized_body_is_refused(client, tg_bot):
    assert _post(client, tg_bot, '{"update_id": 1, "x": "' + "a" * 300_000 + '"}').status_code == 413


def test_the_poll_command_handles_each_update_once(tg_bot, response, ivan, fake_telegram):
    fake_telegram.user_sends(DEFAULT_TOKEN, USER_ID, f"/start {code_of(response)}")
    call_command("telegram_poll", "--once")
    tg_bot.refresh_from_db()
    assert tg_bot.update_offset > 0
    assert len(ivan.messages()) == 2  # the welcome and the first question
    call_command("telegram_poll", "--once")  # nothing new: nothing handled again
    assert len(ivan.messages()) == 2


@pytest.mark.django_db(transaction=True)
def test_webhook_mode_end_to_end(live_server, settings, company, owner, response, fake_telegram):
    """The owner connects the bot; Telegram (the fake) posts the candidate's updates to our webhook with the
    secret, and the replies come back: the production path, no polling."""
    from chat.telegram.connect import telegram_bot_connect
    from chat.tests.telegram_world import Candidate

    settings.SITE_URL = live_server.url
    bot = telegram_bot_connect(company=company, user=owner, token=DEFAULT_TOKEN)
    assert bot.webhook_url == f"{live_server.url}/telegram/{bot.pk}/webhook/"
    assert fake_telegram.webhook_info(DEFAULT_TOKEN)["url"] == bot.webhook_url
    ivan = Candidate(fake_telegram)
    ivan.start(response)
    assert ivan.last()["text"] == "Question 1 of 5: Which city do you live in?"
    ivan.press("Moscow")
    assert ivan.last()["text"] == "How many years of Python experience do you have?"
    assert Answer.objects.get(response=response).value == "Moscow"
    assert not fake_telegram.dropped_updates and fake_telegram.webhook_info(DEFAULT_TOKEN)["pending_update_count"] == 0
