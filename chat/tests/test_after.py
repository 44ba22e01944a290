"""Messages after the chat: a recruiter writes to the candidate of a finished chat (transcript, email, webhook,
live frame), the candidate replies through their link (never an answer), within a window that restarts."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chat import selectors, services
from screening.models import (
    Answer,
    ChatMessage,
    HumanRequest,
    Notification,
    SentEmail,
    WebhookDelivery,
    WebhookEndpoint,
)

pytestmark = pytest.mark.django_db

ANSWERS = ["Moscow", "5", "yes", ["Django"], "I built a screening bot."]


def finish(response):
    """Run the whole chat through the services, as the socket would; returns the context."""
    ctx, _snapshot = services.chat_open(response=response)
    for index, answer in enumerate(ANSWERS):
        question = ctx.questions[index]
        kwargs = {"choices": answer} if isinstance(answer, list) else {"text": answer}
        services.chat_candidate_message(ctx=ctx, client_id=f"a{index}", question_id=question.pk, **kwargs)
    response.refresh_from_db()
    assert response.is_screening_finished
    return ctx


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def write(browser, response, text="Could you come on Tuesday?", client_id="m-1"):
    return browser.post(reverse("chat:message_after", args=[response.pk]), {"text": text, "client_id": client_id})


def test_a_recruiter_writes_after_the_chat_and_the_candidate_gets_an_email(
    response, recruiter, company, django_capture_on_commit_callbacks, mailoutbox, receiver
):
    finish(response)
    HumanRequest.objects.create(
        company=company, response=response, reason="asked", due_at=timezone.now() + timedelta(hours=4)
    )
    WebhookEndpoint.objects.create(company=company, url=receiver.url, events=["message.created"])
    with django_capture_on_commit_callbacks(execute=True):
        page = write(login(recruiter), response)
    assert page.status_code == 302 and page["Location"] == f"{response.get_absolute_url()}#transcript"
    message = ChatMessage.objects.filter(sender="recruiter").get()
    assert (message.text, message.author, message.question_id) == ("Could you come on Tuesday?", recruiter, None)
    assert HumanRequest.objects.get().resolved_at is not None  # the person answered
    delivery = WebhookDelivery.objects.get(event="message.created")
    assert delivery.payload["data"]["message"]["text"] == "Could you come on Tuesday?"
    assert delivery.payload["data"]["message"]["sender"] == "recruiter"
    recorded = SentEmail.objects.get(response=response, template="recruiter_message")
    assert "Could you come on Tuesday?" in recorded.body_text
    [mail] = [mail for mail in mailoutbox if "Tuesday" in mail.body]
    assert mail.to == [response.email] and response.token in mail.body
    # A resend of the same form writes nothing more.
    write(login(recruiter), response)
    assert ChatMessage.objects.filter(sender="recruiter").count() == 1


def test_a_running_chat_is_taken_over_not_written_after(response, recruiter):
    services.chat_open(response=response)
    page = write(login(recruiter), response)
    assert page.status_code == 302
    assert not ChatMessage.objects.filter(sender="recruiter").exists()


def test_a_viewer_cannot_write(response, viewer):
    finish(response)
    assert write(login(viewer), response).status_code == 403
    assert not ChatMessage.objects.filter(sender="recruiter").exists()


def test_the_reply_box_appears_only_after_a_recruiter_wrote_and_a_reply_is_never_an_answer(
    response, recruiter, owner, django_capture_on_commit_callbacks
):
    finish(response)
    candidate = Client()
    page = candidate.get(response.get_chat_url()).content.decode()
    assert 'id="reply"' not in page
    refused = candidate.post(reverse("chat:reply", args=[response.token]), {"text": "Hello?", "client_id": "c-0"})
    assert refused.status_code == 302 and not ChatMessage.objects.filter(text="Hello?").exists()

    write(login(recruiter), response)
    page = candidate.get(response.get_chat_url()).content.decode()
    assert 'id="reply"' in page and "Could you come on Tuesday?" in page
    answers = Answer.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        sent = candidate.post(reverse("chat:reply", args=[response.token]), {"text": "Yes, 10:00", "client_id": "c-1"})
    assert sent.status_code == 302 and sent["Location"] == f"{response.get_chat_url()}#reply"
    reply = ChatMessage.objects.get(text="Yes, 10:00")
    assert (reply.sender, reply.question_id) == ("candidate", None)
    assert Answer.objects.count() == answers
    notified = Notification.objects.filter(kind=Notification.Kind.CANDIDATE_MESSAGE, response=response)
    assert {n.user for n in notified} == {recruiter, owner}
    assert "Yes, 10:00" in notified.first().text
    # The recruiter's page shows the reply in the transcript.
    assert "Yes, 10:00" in login(recruiter).get(response.get_absolute_url()).content.decode()


def test_a_message_after_restarts_the_links_windows(response, recruiter, company):
    finish(response)
    company.chat_link_read_only_days, company.chat_link_expiry_days = 7, 30
    company.save()
    later = timezone.now() + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        assert selectors.chat_link_status(response=response).phase == selectors.LINK_READ_ONLY
        write(login(recruiter), response)
        status = selectors.chat_link_status(response=response)
        assert status.phase == selectors.LINK_OPEN
        assert abs(status.expires_at - (later + timedelta(days=30))) < timedelta(seconds=5)
        sent = Client().post(reverse("chat:reply", args=[response.token]), {"text": "Thanks!", "client_id": "c-1"})
        assert sent.status_code == 302
    assert ChatMessage.objects.filter(text="Thanks!", sender="candidate").exists()
    with time_machine.travel(later + timedelta(days=8), tick=False):
        assert selectors.chat_link_status(response=response).phase == selectors.LINK_READ_ONLY


def test_service_refusals(response, recruiter, viewer):
    with pytest.raises(services.ChatError) as no_chat:
        services.chat_message_after(response=response, user=recruiter, text="Hi")
    assert no_chat.value.code == "no_chat"
    finish(response)
    with pytest.raises(services.ChatError) as forbidden:
        services.chat_message_after(response=response, user=viewer, text="Hi")
    assert forbidden.value.code == "forbidden"
    with pytest.raises(services.ChatError) as empty:
        services.chat_message_after(response=response, user=recruiter, text="   ")
    assert empty.value.code == "empty"
    with pytest.raises(services.ChatError) as too_long:
        services.chat_message_after(response=response, user=recruiter, text="x" * 4001)
    assert too_long.value.code == "too_long"
    with pytest.raises(services.ChatError) as closed:
        services.chat_candidate_reply(response=response, text="Hi")
    assert closed.value.code == "finished"
