"""The Telegram client against the fake Bot API server (real HTTP through python-telegram-bot), and the
candidate script against the fake with a stand-in bot."""

import json
import threading
import urllib.request

import pytest

from chat.telegram.client import TelegramClient, TelegramError, parse_update
from fakes import telegram_candidate
from fakes.telegram import DEFAULT_TOKEN, FakeTelegram

USER = 5550001


@pytest.fixture
def client(fake_telegram):
    return TelegramClient(DEFAULT_TOKEN)


@pytest.fixture
def chat_with_user(fake_telegram):
    """A user who has written to the bot (a bot can only write to those)."""
    fake_telegram.user_sends(DEFAULT_TOKEN, USER, "/start abc123")
    return USER


def test_get_me_names_the_bot(client):
    assert client.get_me() == {"id": 123456, "username": "smartbot_demo_bot", "first_name": "SmartBot"}


def test_a_start_link_arrives_as_an_update_with_its_command(client, fake_telegram, chat_with_user):
    updates = client.get_updates(offset=0)

    assert len(updates) == 1
    message = updates[0]["message"]
    assert (message["text"], message["from"]["id"], message["chat"]["type"]) == ("/start abc123", USER, "private")
    assert message["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert client.get_updates(offset=updates[0]["update_id"] + 1) == []  # the offset confirmed it


def test_a_question_with_buttons_is_answered_by_a_press(client, fake_telegram, chat_with_user):
    client.get_updates(offset=0)
    message_id = client.send_message(chat_id=USER, text="On-call duty?", buttons=[[("Yes", "q1:yes"), ("No", "q1:no")]])

    assert fake_telegram.chat(DEFAULT_TOKEN, USER) == [
        {
            "message_id": message_id,
            "text": "On-call duty?",
            "buttons": [[{"text": "Yes", "callback_data": "q1:yes"}, {"text": "No", "callback_data": "q1:no"}]],
            "edited": False,
            "callback_answers": [],
        }
    ]
    fake_telegram.user_presses(DEFAULT_TOKEN, USER, message_id, "q1:yes")
    (update,) = client.get_updates(offset=2)
    query = update["callback_query"]
    assert (query["data"], query["message"]["message_id"], query["from"]["id"]) == ("q1:yes", message_id, USER)

    client.answer_callback(callback_query_id=query["id"], text="Saved")
    assert fake_telegram.chat(DEFAULT_TOKEN, USER)[0]["callback_answers"] == ["Saved"]
    with pytest.raises(TelegramError) as error:  # a query is answered once
        client.answer_callback(callback_query_id=query["id"])
    assert error.value.kind == "bad_request"


def test_edits_change_the_message_and_repeating_one_is_not_an_error(client, fake_telegram, chat_with_user):
    message_id = client.send_message(chat_id=USER, text="Pick one", buttons=[[("A", "a"), ("B", "b")]])

    client.edit_buttons(chat_id=USER, message_id=message_id, buttons=[[("✅ A", "a")], [("Done", "done")]])
    client.edit_text(chat_id=USER, message_id=message_id, text="Pick one: A")
    client.edit_text(chat_id=USER, message_id=message_id, text="Pick one: A")  # a retried task

    (message,) = fake_telegram.chat(DEFAULT_TOKEN, USER)
    assert (message["text"], message["buttons"], message["edited"]) == ("Pick one: A", [], True)
    assert [call.status for call in fake_telegram.calls("editMessageText")] == [200, 400]


def test_a_webhook_gets_the_updates_with_the_secret_header(client, fake_telegram, receiver):
    client.set_webhook(url=receiver.url, secret_token="s3cret-token_1")

    assert fake_telegram.user_sends(DEFAULT_TOKEN, USER, "/start abc123", username="ivan") == 200
    (request,) = receiver.requests
    assert request["headers"]["X-Telegram-Bot-Api-Secret-Token"] == "s3cret-token_1"
    update = parse_update(json.loads(request["body"]))
    assert (update.message.text, update.message.from_user.username) == ("/start abc123", "ivan")
    assert fake_telegram.webhook_info(DEFAULT_TOKEN)["url"] == receiver.url


def test_get_updates_conflicts_while_a_webhook_is_set_and_works_once_it_is_deleted(client, fake_telegram, receiver):
    client.set_webhook(url=receiver.url, secret_token="s3cret")

    with pytest.raises(TelegramError) as error:
        client.get_updates(offset=0)
    assert (error.value.kind, error.value.retryable) == ("bad_request", False)
    assert "webhook is active" in error.value.detail

    client.delete_webhook()
    fake_telegram.user_sends(DEFAULT_TOKEN, USER, "hello")
    assert [u["message"]["text"] for u in client.get_updates(offset=0)] == ["hello"]
    assert receiver.requests == []


def test_an_update_the_webhook_refused_is_delivered_again(client, fake_telegram, receiver):
    receiver.statuses = [500]
    client.set_webhook(url=receiver.url, secret_token="s3cret")

    assert fake_telegram.user_sends(DEFAULT_TOKEN, USER, "/start abc123") == 500
    assert fake_telegram.webhook_info(DEFAULT_TOKEN)["last_error_message"] == (
        "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert _eventually(lambda: len(receiver.requests) == 2)
    first, second = (json.loads(r["body"]) for r in receiver.requests)
    assert first == second
    assert _eventually(lambda: fake_telegram.webhook_info(DEFAULT_TOKEN)["pending_update_count"] == 0)


def test_flood_control_is_a_retryable_rate_limit_with_its_wait(client, fake_telegram, chat_with_user):
    fake_telegram.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(TelegramError) as error:
        client.send_message(chat_id=USER, text="Hello")
    assert (error.value.kind, error.value.retry_after, error.value.retryable) == ("rate_limit", 7, True)
    client.send_message(chat_id=USER, text="Hello")  # the next one goes through
    assert [m["text"] for m in fake_telegram.chat(DEFAULT_TOKEN, USER)] == ["Hello"]


def test_too_many_messages_to_one_chat_hit_the_flood_limit(settings):
    fake = FakeTelegram(per_chat_per_second=0).start()  # every message is one too many
    try:
        fake.user_sends(DEFAULT_TOKEN, USER, "/start")
        with pytest.raises(TelegramError) as error:
            TelegramClient(DEFAULT_TOKEN, base_url=fake.base_url).send_message(chat_id=USER, text="Hi")
        assert (error.value.kind, error.value.retry_after) == ("rate_limit", 1)
    finally:
        fake.stop()


def test_a_user_who_blocked_the_bot_or_never_wrote_is_blocked(client, fake_telegram, chat_with_user):
    fake_telegram.block(DEFAULT_TOKEN, USER)

    for chat_id in (USER, 777):
        with pytest.raises(TelegramError) as error:
            client.send_message(chat_id=chat_id, text="Hello")
        assert (error.value.kind, error.value.retryable) == ("blocked", False)
    assert [call.status for call in fake_telegram.calls("sendMessage")] == [403, 400]


@pytest.mark.parametrize("token", ["123456:WRONG-TOKEN", "not-a-token"])
def test_a_wrong_token_is_an_auth_error(fake_telegram, token):
    with pytest.raises(TelegramError) as error:
        TelegramClient(token).get_me()
    assert (error.value.kind, error.value.retryable) == ("auth", False)
    assert error.value.message


def test_a_server_that_is_gone_or_drops_the_call_is_unavailable(client, fake_telegram):
    fake_telegram.fail_next("getMe", status=0)
    with pytest.raises(TelegramError) as dropped:
        client.get_me()
    fake_telegram.fail_next("getMe", status=502)
    with pytest.raises(TelegramError) as bad_gateway:
        client.get_me()
    fake_telegram.stop()
    with pytest.raises(TelegramError) as gone:
        client.get_me()

    assert [(e.value.kind, e.value.retryable) for e in (dropped, bad_gateway, gone)] == [("unavailable", True)] * 3


def test_what_telegram_refuses_is_a_bad_request(client, fake_telegram, chat_with_user):
    for kwargs in (
        {"text": "x" * 4097},
        {"text": "ok", "buttons": [[("Long", "d" * 65)]]},
    ):
        with pytest.raises(TelegramError) as error:
            client.send_message(chat_id=USER, **kwargs)
        assert (error.value.kind, error.value.retryable) == ("bad_request", False)
    assert client.send_message(chat_id=USER, text="я" * 4096, buttons=[[("Ok", "d" * 64)]])
    assert [c.status for c in fake_telegram.calls("sendMessage")] == [400, 400, 200]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"update_id": "1"},
        {"update_id": 1, "message": {"text": "no chat, no date"}},
        {"update_id": 1, "message": {"message_id": 1, "date": 1e308, "chat": {"id": 1, "type": "private"}}},
    ],
)
def test_parse_update_refuses_what_is_not_an_update(body):
    with pytest.raises(TelegramError) as error:
        parse_update(body)
    assert error.value.kind == "bad_request"


def test_a_long_poll_returns_as_soon_as_the_user_writes(client, fake_telegram):
    got = []
    poll = threading.Thread(target=lambda: got.extend(client.get_updates(offset=0, timeout=30)))
    poll.start()
    assert _eventually(lambda: fake_telegram.calls("getUpdates"))  # the poll is waiting

    fake_telegram.user_sends(DEFAULT_TOKEN, USER, "hello")
    poll.join(timeout=20)
    assert [u["message"]["text"] for u in got] == ["hello"]


def test_html_is_parsed_as_telegram_does(client, fake_telegram, chat_with_user):
    client.send_message(chat_id=USER, text="<b>Python</b> &amp; Django", parse_mode="HTML")
    with pytest.raises(TelegramError) as error:
        client.send_message(chat_id=USER, text="<script>x</script>", parse_mode="HTML")

    assert error.value.kind == "bad_request"
    assert [m["text"] for m in fake_telegram.chat(DEFAULT_TOKEN, USER)] == ["Python & Django"]


async def test_the_client_works_when_called_inside_an_event_loop(client):
    assert client.get_me()["username"] == "smartbot_demo_bot"


def _eventually(condition, timeout: float = 10.0) -> bool:
    """A condition that another thread makes true, polled with a deadline (no fixed sleeps)."""
    done = threading.Event()
    deadline = threading.Timer(timeout, done.set)
    deadline.start()
    try:
        while not done.is_set():
            if condition():
                return True
            done.wait(0.02)
        return condition()
    finally:
        deadline.cancel()


# --- the candidate script ---------------------------------------------------------------------------------------
class StandInBot:
    """A tiny bot on the Bot API (plain HTTP, long polling): a typed question, a yes/no, a multi-choice, the end."""

    def __init__(self, base_url: str):
        self.url = f"{base_url}/bot{DEFAULT_TOKEN}/"
        self.answers: list[str] = []
        self.stop = threading.Event()
        self.picked: set[str] = set()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def api(self, method: str, **params):
        request = urllib.request.Request(
            self.url + method, data=json.dumps(params).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["result"]

    def multi_buttons(self) -> list:
        options = [
            {"text": ("✅ " if o in self.picked else "") + o, "callback_data": f"pick:{o}"} for o in ("PG", "Redis")
        ]
        return [options, [{"text": "Done", "callback_data": "done"}]]

    def run(self):
        offset = 0
        while not self.stop.is_set():
            for update in self.api("getUpdates", offset=offset, timeout=1):
                offset = update["update_id"] + 1
                self.handle(update)

    def handle(self, update):
        if "message" in update:
            text = update["message"]["text"]
            if text.startswith("/start"):
                self.answers.append(text)
                self.api("sendMessage", chat_id=USER, text="Hello! Two questions.")
                self.api("sendMessage", chat_id=USER, text="Which city do you live in?")
            else:
                self.answers.append(text)
                buttons = [[{"text": "Yes", "callback_data": "yes"}, {"text": "No", "callback_data": "no"}]]
                markup = {"inline_keyboard": buttons}
                self.api("sendMessage", chat_id=USER, text="Ready for on-call duty?", reply_markup=markup)
            return
        query = update["callback_query"]
        self.api("answerCallbackQuery", callback_query_id=query["id"])
        data, message_id = query["data"], query["message"]["message_id"]
        self.answers.append(data)
        if data in ("yes", "no"):
            self.api("editMessageReplyMarkup", chat_id=USER, message_id=message_id)
            self.api("sendMessage", chat_id=USER, text="Which do you know?", reply_markup={
                "inline_keyboard": self.multi_buttons()
            })  # fmt: skip
        elif data.startswith("pick:"):
            self.picked.add(data.removeprefix("pick:"))
            markup = {"inline_keyboard": self.multi_buttons()}
            self.api("editMessageReplyMarkup", chat_id=USER, message_id=message_id, reply_markup=markup)
        else:
            self.api(
                "sendMessage",
                chat_id=USER,
                text="Thank you, Ivan! Your answers have been sent to the recruiter. We will get back to you.",
            )


def test_the_candidate_script_plays_a_whole_screening(capsys):
    fake = FakeTelegram().start()
    bot = StandInBot(fake.base_url)
    bot.thread.start()
    try:
        status = telegram_candidate.main([
            "--fake", fake.base_url,
            "--link", "https://t.me/smartbot_demo_bot?start=abc123",
            "--user", str(USER),
            "--answers", "Moscow;yes;PG,Redis",
            "--settle", "0.2",
        ])  # fmt: skip
    finally:
        bot.stop.set()
        bot.thread.join(timeout=10)
        fake.stop()

    assert status == 0
    assert bot.answers == ["/start abc123", "Moscow", "yes", "pick:PG", "pick:Redis", "done"]
    printed = capsys.readouterr().out
    for line in (
        "you: /start abc123",
        "bot: Which city do you live in?",
        "you: Moscow",
        "[Yes] [No]",
        "you: [Yes]",
        "you: [Redis]",
        "[✅ PG] [✅ Redis] [Done]",
        "you: [Done]",
        "(the screening is finished)",
    ):
        assert line in printed
