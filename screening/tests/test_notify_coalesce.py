"""``notify(coalesce=True)``: a member's unread notification of a kind about one response is updated (count,
latest line, time) instead of doubled; no second email until they read it; the bell's number stays."""

import datetime as dt

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone
from django.utils.translation import gettext_noop

from screening.live import notification_group
from screening.models import Notification, SentEmail
from screening.services.notifications import (
    notification_digest_send,
    notification_mark_read,
    notification_unread_cached,
    notify,
    preferences_set,
)
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

KIND = Notification.Kind.CANDIDATE_MESSAGE
FIRST = gettext_noop("%(name)s replied: %(text)s")
AGAIN = gettext_noop("%(name)s replied (new messages: %(count)s). The latest: %(text)s")


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Python developer")


def replied(response, text, users=None):
    return notify(
        company=response.vacancy.company,
        kind=KIND,
        text=FIRST,
        params={"name": response.full_name, "text": text},
        response=response,
        users=users,
        coalesce=True,
        repeated_text=AGAIN,
    )


def test_a_second_reply_updates_the_unread_row_and_the_bell_count_stays(
    company, owner, vacancy, memory_layer, django_capture_on_commit_callbacks
):
    anna = ResponseFactory(vacancy=vacancy, full_name="Anna")
    channel = async_to_sync(memory_layer.new_channel)()
    async_to_sync(memory_layer.group_add)(notification_group(owner.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        (first,) = replied(anna, "Hello")
    assert async_to_sync(memory_layer.receive)(channel)["unread"] == 1

    later = timezone.now() + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        (again,) = replied(anna, "Are you there?")

    assert again.pk == first.pk
    row = Notification.objects.get()
    assert row.params == {"name": "Anna", "text": "Are you there?", "count": 2}
    assert row.text == "Anna replied (new messages: 2). The latest: Are you there?"
    assert abs(row.created_at - later) < dt.timedelta(seconds=1)
    pushed = async_to_sync(memory_layer.receive)(channel)
    assert (pushed["id"], pushed["message"], pushed["unread"]) == (row.pk, AGAIN, 1)
    assert notification_unread_cached(user_id=owner.pk) == 1
    assert SentEmail.objects.filter(user=owner).count() == 1  # the first reply's only


def test_another_response_or_a_read_row_is_not_coalesced(company, owner, vacancy, django_capture_on_commit_callbacks):
    anna = ResponseFactory(vacancy=vacancy, full_name="Anna")
    boris = ResponseFactory(vacancy=vacancy, full_name="Boris")
    with django_capture_on_commit_callbacks(execute=True):
        replied(anna, "Hello")
        replied(boris, "Hi")
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    notification_mark_read(user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        (fresh,) = replied(anna, "Me again")
    assert fresh.params["count"] == 1 and fresh.text == "Anna replied: Me again"
    assert Notification.objects.count() == 3
    assert SentEmail.objects.filter(user=owner).count() == 3  # read, then written to again: emailed again


def test_a_digest_reader_gets_the_latest_line_once(company, recruiter, vacancy, django_capture_on_commit_callbacks):
    preferences_set(user=recruiter, choices={KIND: "digest"})
    anna = ResponseFactory(vacancy=vacancy, full_name="Anna")
    with django_capture_on_commit_callbacks(execute=True):
        for text in ("One", "Two", "Three"):
            replied(anna, text, users=[recruiter])
    assert SentEmail.objects.filter(user=recruiter).count() == 0
    digest = notification_digest_send(user=recruiter)
    assert "Anna replied (new messages: 3). The latest: Three" in digest.body_text
    assert "Anna replied: One" not in digest.body_text


def test_a_literal_line_is_coalesced_too(company, owner, vacancy, django_capture_on_commit_callbacks):
    anna = ResponseFactory(vacancy=vacancy, full_name="Anna")
    for text in ("Anna wrote", "Anna wrote again"):
        with django_capture_on_commit_callbacks(execute=True):
            notify(company=company, kind=KIND, text=text, response=anna, coalesce=True)
    row = Notification.objects.get()
    assert (row.text, row.message, row.params, row.get_text()) == ("Anna wrote again", "", {"count": 2}, row.text)
