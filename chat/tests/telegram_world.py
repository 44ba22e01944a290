"""Helpers of the Telegram tests: a company bot on the fake Bot API server in polling mode, and a candidate in
Telegram who writes and presses buttons there (``fakes.telegram``); each action is then received as production
receives it in development (``manage.py telegram_poll``'s round: getUpdates, ``telegram_update_handle``)."""

from __future__ import annotations

from chat.management.commands.telegram_poll import telegram_poll_round
from fakes.telegram import DEFAULT_TOKEN, DEFAULT_USERNAME
from screening.models import TelegramBot
from screening.services.telegram_links import telegram_deep_link

USER_ID = 5550001


class Candidate:
    """A candidate in Telegram, talking to the company's bot on the fake server."""

    def __init__(self, fake, *, token: str = DEFAULT_TOKEN, user_id: int = USER_ID, username: str = "ivan_tg"):
        self.fake, self.token, self.user_id, self.username = fake, token, user_id, username

    def send(self, text: str) -> None:
        self.fake.user_sends(self.token, self.user_id, text, username=self.username)
        telegram_poll_round()

    def start(self, response) -> None:
        """Open the application's "Continue in Telegram" link: /start with its code."""
        self.send("/start " + code_of(response))

    def messages(self) -> list[dict]:
        return self.fake.chat(self.token, self.user_id)

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages()]

    def last(self) -> dict:
        return self.messages()[-1]

    def button(self, label: str, message: dict | None = None) -> str:
        """The callback_data of the button showing ``label`` (on ``message``, else the latest with buttons)."""
        message = message or next(m for m in reversed(self.messages()) if m["buttons"])
        return next(b["callback_data"] for row in message["buttons"] for b in row if b["text"] == label)

    def labels(self, message: dict | None = None) -> list[str]:
        message = message or self.last()
        return [b["text"] for row in message["buttons"] for b in row]

    def press(self, label: str, message: dict | None = None) -> None:
        """Press the button showing ``label`` (on ``message``, else on the latest message with buttons)."""
        message = message or next(m for m in reversed(self.messages()) if m["buttons"])
        self.fake.user_presses(self.token, self.user_id, message["message_id"], self.button(label, message))
        telegram_poll_round()


def code_of(response) -> str:
    link = telegram_deep_link(response=response)
    assert link.startswith(f"https://t.me/{DEFAULT_USERNAME}?start="), link
    return link.split("?start=", 1)[1]


def make_bot(company, *, token: str = DEFAULT_TOKEN, username: str = DEFAULT_USERNAME) -> TelegramBot:
    """The company's bot, connected in polling mode (no webhook: updates wait for getUpdates)."""
    return TelegramBot.objects.create(
        company=company, token=token, bot_id=int(token.split(":")[0]), username=username, webhook_url=""
    )
