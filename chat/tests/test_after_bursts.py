"""Bursts of messages between a recruiter and a candidate: a candidate's replies after the chat are limited per link
and coalesced into one unread notification per member; a recruiter's words in a live chat reach a candidate who has
left by email, once per burst (docs/notifications.md)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chat import services
from chat.tests.test_after import finish
from screening.models import ChatMessage, ChatSession, Notification, SentEmail
from screening.services.notifications import notification_mark_read, notification_unread_count

pytestmark = pytest.mark.django_db


def replies_open(response, recruiter):
    """A finished chat the recruiter wrote after: the candidate may reply."""
    finish(response)
    services.chat_message_after(response=response, user=recruiter, text="Could you come on Tuesday?")


def reply(response, text, client_id):
    return services.chat_candidate_reply(response=response, text=text, client_id=client_id)


def member_emails(user):
    return SentEmail.objects.filter(user=user, template=Notification.Kind.CANDIDATE_MESSAGE).count()


def test_twelve_replies_make_one_unread_notification_and_one_email_per_member(
    response, recruiter, owner, django_capture_on_commit_callbacks
):
    replies_open(response, recruiter)
    for index in range(12):
        with django_capture_on_commit_callbacks(execute=True):
            reply(response, f"Reply number {index + 1}", f"c-{index}")

    for member in (recruiter, owner):
        [row] = Notification.objects.filter(user=member, kind=Notification.Kind.CANDIDATE_MESSAGE)
        assert row.read_at is None and row.params["count"] == 12
        assert row.text == "Anna Petrova replied (new messages: 12). The latest: Reply number 12"
        assert member_emails(member) == 1
        assert (
            notification_unread_count(user_id=member.pk)
            == Notification.objects.filter(user=member, read_at__isnull=True).count()
        )
    assert Notification.objects.filter(kind=Notification.Kind.CANDIDATE_MESSAGE).count() == 2


def test_a_member_who_read_it_gets_a_new_notification_and_email_the_other_keeps_counting(
    response, recruiter, owner, django_capture_on_commit_callbacks
):
    replies_open(response, recruiter)
    for index in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            reply(response, f"Reply number {index + 1}", f"c-{index}")
    notification_mark_read(user=recruiter)

    with django_capture_on_commit_callbacks(execute=True):
        reply(response, "One more thing", "c-9")

    fresh = Notification.objects.get(user=recruiter, read_at__isnull=True)
    assert fresh.params["count"] == 1 and "One more thing" in fresh.text
    assert member_emails(recruiter) == 2
    kept = Notification.objects.get(user=owner, kind=Notification.Kind.CANDIDATE_MESSAGE)
    assert kept.params["count"] == 4 and "One more thing" in kept.text
    assert member_emails(owner) == 1


def test_the_coalesced_row_keeps_its_msgid_to_be_worded_in_each_readers_language(
    response, recruiter, django_capture_on_commit_callbacks
):
    replies_open(response, recruiter)
    for index in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reply(response, "Да, во вторник удобно", f"c-{index}")
    row = Notification.objects.get(user=recruiter, kind=Notification.Kind.CANDIDATE_MESSAGE)
    assert row.message == "%(name)s replied (new messages: %(count)s). The latest: %(text)s"
    assert row.params == {"name": "Anna Petrova", "text": "Да, во вторник удобно", "count": 2}
    assert row.get_text() == "Anna Petrova replied (new messages: 2). The latest: Да, во вторник удобно"


# --- the limit on replies ---------------------------------------------------------------------------------------


def test_a_candidate_over_the_reply_limit_gets_429_with_their_text_kept(response, recruiter, settings):
    settings.CANDIDATE_REPLY_RATE_LIMIT = "2/h"
    replies_open(response, recruiter)
    candidate = Client()
    url = reverse("chat:reply", args=[response.token])
    for index in range(2):
        assert candidate.post(url, {"text": f"Reply {index}", "client_id": f"c-{index}"}).status_code == 302

    page = candidate.post(url, {"text": "My <b>third</b> reply", "client_id": "c-2"})

    assert page.status_code == 429 and 3000 <= int(page["Retry-After"]) <= 3600
    body = page.content.decode()
    assert "You have sent many replies in a short time. You can send this one in 60 minutes." in body
    assert "My &lt;b&gt;third&lt;/b&gt; reply</textarea>" in body and 'value="c-2"' in body
    assert not ChatMessage.objects.filter(text__contains="third").exists()


def test_a_refused_reply_spends_nothing_of_the_limit(response, recruiter, settings):
    settings.CANDIDATE_REPLY_RATE_LIMIT = "1/h"
    finish(response)  # nobody wrote after the finish: the reply is refused
    candidate = Client()
    url = reverse("chat:reply", args=[response.token])
    assert candidate.post(url, {"text": "Hello?", "client_id": "c-0"}).status_code == 302
    services.chat_message_after(response=response, user=recruiter, text="Could you come on Tuesday?")
    assert candidate.post(url, {"text": "Yes", "client_id": "c-1"}).status_code == 302
    assert ChatMessage.objects.filter(text="Yes", sender="candidate").exists()


# --- a recruiter in a live chat ---------------------------------------------------------------------------------


def live_chat(response, recruiter):
    """The candidate is in the chat (one socket) and the recruiter has taken it over."""
    ctx, _snapshot = services.chat_open(response=response, connect=True)
    services.chat_takeover(ctx=ctx, user=recruiter)
    return ctx


def recruiter_messages_emailed(response):
    return list(SentEmail.objects.filter(response=response, template="recruiter_message").order_by("created_at"))


def test_a_present_candidate_gets_no_email_for_a_live_message(response, recruiter):
    ctx = live_chat(response, recruiter)
    for index in range(3):
        services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id=f"r-{index}", text=f"Line {index}")
    assert ChatMessage.objects.filter(sender="recruiter").count() == 3
    assert recruiter_messages_emailed(response) == []


def test_a_candidate_who_left_is_emailed_once_per_burst(response, recruiter):
    ctx = live_chat(response, recruiter)
    services.chat_disconnect(session_id=ctx.session_id)
    assert ChatSession.objects.get(pk=ctx.session_id).candidate_sockets == 0

    for index in range(4):
        services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id=f"r-{index}", text=f"Line {index}")

    [email] = recruiter_messages_emailed(response)
    assert (email.to, email.language) == (response.email, response.vacancy.language)
    assert "Line 0" in email.body_text and response.token in email.body_text

    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id="r-9", text="Are you still there?")
    assert len(recruiter_messages_emailed(response)) == 2
    assert "Are you still there?" in recruiter_messages_emailed(response)[1].body_text


def test_a_candidate_back_in_the_chat_is_not_emailed_and_one_who_left_again_is(response, recruiter, settings):
    settings.LIVE_MESSAGE_EMAIL_MINUTES = 0  # no coalescing: every message to an absent candidate emails
    ctx = live_chat(response, recruiter)
    services.chat_disconnect(session_id=ctx.session_id)
    services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id="r-0", text="Hello?")
    services.chat_open(response=response, connect=True)  # back in the chat
    services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id="r-1", text="Welcome back")
    services.chat_disconnect(session_id=ctx.session_id)
    services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id="r-2", text="Gone again")
    first, second = (email.body_text for email in recruiter_messages_emailed(response))
    assert "Hello?" in first and "Gone again" in second  # "Welcome back" was read in the chat
