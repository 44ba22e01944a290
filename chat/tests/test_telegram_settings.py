"""The owner's Telegram bot page: connecting checks the token with getMe and sets the webhook with the bot's
secret (both seen by the fake Bot API); a refused token is a form error; Telegram refusing the address leaves the
bot in polling mode, said on the page; disconnecting deletes the webhook and the row. Only the owner may; the
token is never shown back. The "Continue in Telegram" links appear once a bot is connected."""

import pytest
from django.urls import reverse

from chat.telegram.connect import telegram_bot_disconnect
from chat.tests.telegram_world import USER_ID, make_bot
from fakes.telegram import DEFAULT_TOKEN
from screening.models import SentEmail, TelegramBot, TelegramLink
from screening.services.telegram_links import telegram_deep_link

pytestmark = pytest.mark.django_db

PAGE = "chat:telegram_settings"


def test_the_owner_connects_the_bot_through_getme_and_setwebhook(owner_client, company, fake_telegram):
    assert "No bot is connected." in owner_client.get(reverse(PAGE)).content.decode()
    answer = owner_client.post(reverse(PAGE), {"token": DEFAULT_TOKEN})
    assert answer.status_code == 302 and answer["Location"] == reverse(PAGE)
    bot = TelegramBot.objects.get(company=company)
    assert (bot.username, bot.bot_id, bot.token, bot.status) == (
        "smartbot_demo_bot",
        123456,
        DEFAULT_TOKEN,
        "connected",
    )
    assert len(fake_telegram.calls("getMe")) == 1
    (set_webhook,) = fake_telegram.calls("setWebhook")
    assert set_webhook.params["url"] == bot.webhook_url
    assert bot.webhook_url.endswith(reverse("chat:telegram_webhook", args=[bot.pk]))
    assert set_webhook.params["secret_token"] == bot.secret_token
    page = owner_client.get(reverse(PAGE)).content.decode()
    assert "@smartbot_demo_bot" in page and 'data-bot-mode="webhook"' in page
    assert DEFAULT_TOKEN not in page and bot.secret_token not in page


def test_a_token_telegram_refuses_is_a_form_error(owner_client, company, fake_telegram):
    answer = owner_client.post(reverse(PAGE), {"token": "999999:NOT-A-BOT"})
    assert answer.status_code == 400
    assert "Telegram did not accept this token." in answer.content.decode()
    answer = owner_client.post(reverse(PAGE), {"token": "not a token"})
    assert "This is not a bot token." in answer.content.decode()
    assert not TelegramBot.objects.exists()
    assert "999999:NOT-A-BOT" not in answer.content.decode()  # a password field: never shown back


def test_an_address_telegram_refuses_leaves_the_bot_in_polling_mode(owner_client, company, fake_telegram, settings):
    settings.SITE_URL = "ftp://smartbot.internal"
    owner_client.post(reverse(PAGE), {"token": DEFAULT_TOKEN})
    bot = TelegramBot.objects.get(company=company)
    assert bot.webhook_url == "" and bot.status == "connected"
    assert "polling mode" in bot.last_error
    page = owner_client.get(reverse(PAGE)).content.decode()
    assert 'data-bot-mode="polling"' in page and "manage.py telegram_poll" in page


def test_disconnecting_deletes_the_webhook_and_forgets_the_token(owner_client, company, fake_telegram):
    owner_client.post(reverse(PAGE), {"token": DEFAULT_TOKEN})
    answer = owner_client.post(reverse("chat:telegram_disconnect"))
    assert answer.status_code == 302
    assert len(fake_telegram.calls("deleteWebhook")) == 1
    bot = TelegramBot.objects.get(company=company)
    assert bot.status == TelegramBot.Status.DISCONNECTED and bot.token is None and not bot.webhook_url
    assert "No bot is connected." in owner_client.get(reverse(PAGE)).content.decode()


def test_reconnecting_the_same_bot_resumes_its_threads_and_another_bot_unbinds_them(
    owner_client, company, fake_telegram, response, ivan
):
    """Found on the demo: disconnect and connect again dropped every binding, and the links already sent in
    emails and board invitations stopped working."""
    bot = TelegramBot.objects.get(company=company)
    ivan.start(response)
    telegram_bot_disconnect(bot=bot, user=None)
    assert telegram_deep_link(response=response) == ""  # nothing offered while disconnected

    owner_client.post(reverse(PAGE), {"token": DEFAULT_TOKEN})  # the same bot (getMe: the same id)

    link = TelegramLink.objects.get(response=response)
    assert link.bot_id == bot.pk and link.chat_id == USER_ID
    assert telegram_deep_link(response=response).endswith(link.code)  # the code already sent still works
    fake_telegram.add_bot("654321:OTHER-TOKEN", "other_company_bot")
    owner_client.post(reverse(PAGE), {"token": "654321:OTHER-TOKEN"})
    link.refresh_from_db()
    assert link.chat_id is None and link.bot_id is None and link.user_id == USER_ID  # the person is still known


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_members_who_are_not_the_owner_are_refused(request, persona, company, fake_telegram):
    client = request.getfixturevalue(persona)
    make_bot(company)
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.post(reverse(PAGE), {"token": DEFAULT_TOKEN}).status_code == 403
    assert client.post(reverse("chat:telegram_disconnect")).status_code == 403
    assert TelegramBot.objects.filter(company=company).count() == 1 and not fake_telegram.requests


def test_an_outsider_sees_and_changes_only_their_own_company(outsider_client, company, fake_telegram):
    make_bot(company)
    page = outsider_client.get(reverse(PAGE)).content.decode()
    assert "No bot is connected." in page and "smartbot_demo_bot" not in page
    outsider_client.post(reverse("chat:telegram_disconnect"))
    assert TelegramBot.objects.filter(company=company).exists()


def test_continue_in_telegram_links_appear_with_a_connected_bot(client, company, response, fake_telegram):
    chat_url = reverse("chat:candidate", args=[response.token])
    assert "Continue in Telegram" not in client.get(chat_url).content.decode()
    make_bot(company)
    page = client.get(chat_url).content.decode()
    assert "https://t.me/smartbot_demo_bot?start=" in page and "Continue in Telegram" in page


def test_the_application_received_email_has_the_deep_link(client, company, vacancy, fake_telegram):
    make_bot(company)
    vacancy.status = "open"
    vacancy.save()
    answer = client.post(
        reverse("chat:vacancy", args=[company.slug, vacancy.slug]),
        {"full_name": "Anna Petrova", "email": "anna@example.org", "phone": "+7 900 123-45-67", "city": "Moscow",
         "resume_text": "Python developer, 5 years of Django.", "consent": "on", "website": ""},
    )  # fmt: skip
    assert answer.status_code == 200, answer.content[:2000]
    assert "Prefer Telegram?" in answer.content.decode()  # the confirmation page points to the email's link
    sent = SentEmail.objects.get(template="application_received")
    assert "https://t.me/smartbot_demo_bot?start=" in sent.body_text
    assert 'href="https://t.me/smartbot_demo_bot?start=' in sent.body_html
