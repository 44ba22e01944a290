"""Chats that stall: one reminder email with the link after the company's ``stall_reminder_hours``, never twice,
never for a finished, erased or withdrawn application, none when the company turned it off (frozen clock)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from screening import tasks
from screening.models import ChatSession, Response, SentEmail
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def vacancy(company):
    company.stall_reminder_hours = 24
    company.save()
    return VacancyFactory(company=company, title="Python developer")


def _chat(vacancy, **fields):
    fields.setdefault("status", Response.Status.IN_CHAT)
    with time_machine.travel(START, tick=False):
        response = ResponseFactory(vacancy=vacancy, **fields)
        ChatSession.objects.create(response=response)
    return response


def _run(at, django_capture_on_commit_callbacks):
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.remind_stalled_chats.apply()


def test_one_reminder_after_the_hours_with_the_link_and_never_again(vacancy, django_capture_on_commit_callbacks):
    stalled = _chat(vacancy, full_name="Anna Petrova", email="anna@example.org")
    _run(START + dt.timedelta(hours=23, minutes=59), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    _run(START + dt.timedelta(hours=24, minutes=1), django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert stalled.get_chat_url() in mail.outbox[0].body
    assert mail.outbox[0].subject == "Your screening for Python developer is waiting"
    stalled.refresh_from_db()
    assert stalled.stall_reminded_at == START + dt.timedelta(hours=24, minutes=1)
    _run(START + dt.timedelta(days=3), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert SentEmail.objects.get().template == "chat_reminder"


def test_recent_activity_postpones_the_reminder(vacancy, django_capture_on_commit_callbacks):
    stalled = _chat(vacancy)
    ChatSession.objects.filter(response=stalled).update(last_activity_at=START + dt.timedelta(hours=20))
    _run(START + dt.timedelta(hours=30), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    _run(START + dt.timedelta(hours=44, minutes=1), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_finished_erased_withdrawn_new_and_switched_off_get_nothing(
    company, vacancy, django_capture_on_commit_callbacks
):
    _chat(vacancy, status=Response.Status.PASSED)
    _chat(vacancy, status=Response.Status.WITHDRAWN)
    _chat(vacancy, status=Response.Status.NEW)
    _chat(vacancy, erased_at=START)
    _chat(vacancy, email="")
    off = VacancyFactory(company=VacancyFactory().company)
    off.company.stall_reminder_hours = 0
    off.company.save()
    _chat(off)
    _run(START + dt.timedelta(days=5), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not Response.objects.filter(stall_reminded_at__isnull=False).exists()
