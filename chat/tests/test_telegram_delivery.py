"""Delivering the chat to Telegram: Telegram's rate limit (429) is waited out and retried without doubles, a
candidate who blocked the bot is marked and skipped until they write again, recruiters' lines reach Telegram
through the nudge and the beat sweep."""

import pytest
from django.urls import reverse

from chat import services
from chat.tasks import telegram_sweep
from chat.telegram.delivery import telegram_links_undelivered
from chat.tests.telegram_world import USER_ID
from fakes.telegram import DEFAULT_TOKEN
from screening.models import ChatMessage, EmailTemplate, SentEmail, TelegramLink

pytestmark = pytest.mark.django_db


def test_a_rate_limited_send_is_retried_by_the_task_and_sent_once(
    response, ivan, fake_telegram, eager_retries, django_capture_on_commit_callbacks
):
    ivan.start(response)
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1, count=2)
    with django_capture_on_commit_callbacks(execute=True):
        ivan.press("Moscow")  # the reply's first send and the task's first attempt get 429
    statuses = [c.status for c in fake_telegram.calls("sendMessage")]
    assert statuses[-3:] == [429, 429, 200]
    assert ivan.texts().count("How many years of Python experience do you have?") == 1
    link = TelegramLink.objects.get(response=response)
    assert telegram_links_undelivered() == [] and link.delivered_message_id > 0


def test_a_candidate_who_blocked_the_bot_is_skipped_until_they_write_again(
    response, ivan, fake_telegram, recruiter, django_capture_on_commit_callbacks
):
    ivan.start(response)
    fake_telegram.block(DEFAULT_TOKEN, USER_ID)
    ctx, _snapshot = services.chat_snapshot(response=response)
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_takeover(ctx=ctx, user=recruiter)
    link = TelegramLink.objects.get(response=response)
    assert link.blocked_at is not None
    assert telegram_links_undelivered() == []  # the sweep leaves it alone
    sent = len(fake_telegram.calls("sendMessage"))
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id="r1", text="Are you there?")
    assert len(fake_telegram.calls("sendMessage")) == sent  # not even tried: the nudge skips a blocked thread
    # Unreachable in Telegram and no chat open: the message goes by email instead.
    assert SentEmail.objects.filter(response=response, template=EmailTemplate.Key.RECRUITER_MESSAGE).count() == 1
    fake_telegram.block(DEFAULT_TOKEN, USER_ID, blocked=False)
    ivan.send("Sorry, I am back")  # to the recruiter, who leads the chat; the thread is unblocked
    link.refresh_from_db()
    assert link.blocked_at is None
    assert ivan.texts()[-2:] == ["— Roman joined the chat —", "Roman: Are you there?"]


def test_recruiter_lines_reach_telegram_and_the_hand_back_asks_again_with_buttons(
    response, ivan, recruiter, django_capture_on_commit_callbacks
):
    ivan.start(response)
    ctx, _snapshot = services.chat_snapshot(response=response)
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_takeover(ctx=ctx, user=recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id="r1", text="Hi! Moscow or nearby?")
    assert ivan.texts()[-2:] == ["— Roman joined the chat —", "Roman: Hi! Moscow or nearby?"]
    assert ivan.labels() == []  # a person leads: no buttons
    # The candidate has no web chat open, but Telegram reached them: no email on top.
    assert not SentEmail.objects.filter(response=response, template=EmailTemplate.Key.RECRUITER_MESSAGE).exists()
    ivan.send("Moscow, yes")  # a message to the recruiter, not an answer
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_handback(ctx=ctx, user=recruiter)
    assert ivan.texts()[-2:] == ["— Roman left the chat —", "Let's continue. Which city do you live in?"]
    assert ivan.labels() == ["Moscow", "Saint Petersburg", "Kazan", "Talk to a person"]


def test_the_sweep_finds_lines_no_nudge_announced(response, ivan, django_capture_on_commit_callbacks):
    ivan.start(response)
    ctx, _snapshot = services.chat_snapshot(response=response)
    assert telegram_links_undelivered() == []
    # Screening-level code writes to the transcript without nudging (here: a bot's note about an interview).
    ChatMessage.objects.create(session_id=ctx.session_id, sender="bot", text="Your interview is booked.")
    assert telegram_links_undelivered() == [response.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert telegram_sweep() == 1
    assert ivan.texts()[-1] == "Your interview is booked."
    assert telegram_links_undelivered() == []


def test_after_the_finish_a_recruiters_message_reaches_telegram_and_the_candidate_replies_there(
    response, ivan, recruiter, client, django_capture_on_commit_callbacks
):
    ivan.start(response)
    send = reverse("chat:fallback", args=[response.token])
    questions = {q.position: q.pk for q in response.vacancy.questions.all()}
    answers = {
        1: {"text": "Moscow"},
        2: {"text": "5"},
        3: {"text": "yes"},
        4: {"choices": ["Django"]},
        5: {"text": "A bot."},
    }
    for position, answer in answers.items():
        client.post(send, {"client_id": f"w{position}", "question": questions[position], **answer})
    response.refresh_from_db()
    assert response.is_screening_finished
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_message_after(response=response, user=recruiter, text="Can you start on Monday?")
    texts = ivan.texts()
    assert texts[-1] == "Roman: Can you start on Monday?"
    assert "You (on the web): Moscow" in texts and "You (on the web): Django" in texts  # the web's turns mirrored
    ivan.send("Yes, Monday works.")
    reply = ChatMessage.objects.filter(session__response=response, sender="candidate").latest("pk")
    assert reply.text == "Yes, Monday works." and reply.question_id is None and reply.client_id.startswith("tg")
    assert ivan.texts()[-1] == "Your reply was sent."
