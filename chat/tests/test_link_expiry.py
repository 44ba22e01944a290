"""A finished chat's link turns read-only after the company's period, then expires (410) with a way to get a
new link by email; recruiters are unaffected."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chat import selectors
from chat.tests.conftest import db as _db
from screening.models import ChatMessage, ChatSession, Response
from screening.tests.factories import ResponseFactory

from .factories import ChatMessageFactory, ChatSessionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
TRANSCRIPT = "Which city do you live in?"


@pytest.mark.parametrize(
    ("age", "read_only_days", "expiry_days", "phase"),
    [
        (None, 30, 90, selectors.LINK_OPEN),  # not finished
        (timedelta(days=29, hours=23), 30, 90, selectors.LINK_OPEN),
        (timedelta(days=30), 30, 90, selectors.LINK_READ_ONLY),
        (timedelta(days=89), 30, 90, selectors.LINK_READ_ONLY),
        (timedelta(days=90), 30, 90, selectors.LINK_EXPIRED),
        (timedelta(days=0), 0, 90, selectors.LINK_READ_ONLY),
        (timedelta(days=10), 30, 5, selectors.LINK_EXPIRED),  # expiry first: expired
    ],
)
def test_link_phase(age, read_only_days, expiry_days, phase):
    finished_at = NOW - age if age is not None else None
    assert (
        selectors.link_phase(finished_at=finished_at, read_only_days=read_only_days, expiry_days=expiry_days, now=NOW)
        == phase
    )


def _finished(vacancy, *, days_ago: float, completed=True):
    finished_at = timezone.now() - timedelta(days=days_ago)
    response = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova", status=Response.Status.PASSED)
    Response.objects.filter(pk=response.pk).update(completed_at=finished_at if completed else None)
    session = ChatSessionFactory(response=response, state=ChatSession.State.FINISHED)
    ChatSession.objects.filter(pk=session.pk).update(finished_at=finished_at)
    ChatMessageFactory(session=session, text=TRANSCRIPT)
    ChatMessageFactory(session=session, sender=ChatMessage.Sender.CANDIDATE, text="Kazan")
    response.refresh_from_db()
    return response


def _session_row(response):
    return ChatSession.objects.filter(response=response).values("candidate_sockets", "last_activity_at").get()


def test_within_the_first_period_the_finished_chat_shows_as_before(client, vacancy):
    response = _finished(vacancy, days_ago=29)
    page = client.get(response.get_chat_url())
    assert page.status_code == 200
    assert TRANSCRIPT in page.content.decode()
    assert "data-read-only" not in page.content.decode()


def test_after_the_first_period_the_page_is_read_only_and_writes_nothing(client, vacancy):
    response = _finished(vacancy, days_ago=31)
    before = _session_row(response)
    page = client.get(response.get_chat_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert TRANSCRIPT in html and "Kazan" in html
    assert "data-read-only" in html and 'id="chat-form"' not in html
    sent = client.post(reverse("chat:fallback", args=[response.token]), {"client_id": "x1", "text": "hello"})
    assert sent.status_code == 302 and sent["Location"] == response.get_chat_url()
    assert ChatMessage.objects.filter(session__response=response).count() == 2
    assert _session_row(response) == before


def test_after_the_second_period_the_link_is_gone_with_a_way_to_get_a_new_one(
    client, vacancy, django_capture_on_commit_callbacks
):
    response = _finished(vacancy, days_ago=91)
    page = client.get(response.get_chat_url())
    html = page.content.decode()
    assert page.status_code == 410
    assert "This link has expired" in html and TRANSCRIPT not in html
    request_url = reverse("chat:link_request", args=[vacancy.company.slug, vacancy.slug])
    assert f'action="{request_url}"' in html
    sent = client.post(reverse("chat:fallback", args=[response.token]), {"client_id": "x1", "text": "hello"})
    assert sent.status_code == 410
    assert ChatMessage.objects.filter(session__response=response).count() == 2
    # The form on the page emails the application's link (the privacy work's "get the link again").
    with django_capture_on_commit_callbacks(execute=True):
        client.post(request_url, {"link-email": response.email})
    assert len(mail.outbox) == 1
    assert reverse("chat:application", args=[response.token]) in mail.outbox[0].body


def test_the_application_page_stays_but_no_longer_links_an_expired_chat(client, vacancy):
    response = _finished(vacancy, days_ago=91)
    page = client.get(reverse("chat:application", args=[response.token]))
    assert page.status_code == 200
    assert response.get_chat_url() + '"' not in page.content.decode()


def test_the_periods_are_the_companys(client, vacancy, company):
    company.chat_link_read_only_days, company.chat_link_expiry_days = 1, 2
    company.save()
    assert client.get(_finished(vacancy, days_ago=0.5).get_chat_url()).status_code == 200
    assert "data-read-only" in client.get(_finished(vacancy, days_ago=1.5).get_chat_url()).content.decode()
    assert client.get(_finished(vacancy, days_ago=2.5).get_chat_url()).status_code == 410


def test_a_screening_finished_by_a_decision_counts_from_the_chats_finish(client, vacancy):
    response = _finished(vacancy, days_ago=91, completed=False)
    assert client.get(response.get_chat_url()).status_code == 410


def test_a_running_screening_is_never_read_only(client, vacancy):
    response = ResponseFactory(vacancy=vacancy, status=Response.Status.IN_CHAT)
    Response.objects.filter(pk=response.pk).update(updated_at=timezone.now() - timedelta(days=400))
    assert selectors.chat_link_status(response=response).is_open


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("days_ago", [31, 91])
async def test_the_candidates_socket_is_refused_with_4410_once_read_only(vacancy, candidate_socket, days_ago):
    response = await _db(_finished, vacancy, days_ago=days_ago)
    before = await _db(_session_row, response)
    socket = candidate_socket(response)
    connected, code = await socket.connect()
    assert (connected, code) == (False, 4410)
    assert await _db(_session_row, response) == before


@pytest.mark.django_db(transaction=True)
async def test_a_recruiter_still_watches_an_expired_chat(vacancy, recruiter_socket, recruiter):
    response = await _db(_finished, vacancy, days_ago=400)
    socket = await recruiter_socket(response, recruiter)
    connected, code = await socket.connect()
    assert connected, code
    hello = await socket.recv()
    assert hello["state"] == "finished"
    assert [m["text"] for m in hello["messages"]] == [TRANSCRIPT, "Kazan"]
    await socket.close()
