"""The finished screening's follow-up (``screening.services.followup``): the response's ``followup_pending`` flag
is its outbox, so a lost message is queued again by beat's sweep and a duplicate does nothing
(docs/architecture.md, "After the last answer"). Celery runs eagerly here: a queued follow-up runs in place."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from screening import tasks
from screening.models import Notification, Response, SentEmail
from screening.services.followup import screening_followup

from .factories import ResponseFactory

pytestmark = pytest.mark.django_db


def _finished(ago: timedelta, **fields) -> Response:
    """A screening that passed ``ago``, whose follow-up never ran (its message was lost)."""
    return ResponseFactory(
        status=Response.Status.PASSED, completed_at=timezone.now() - ago, followup_pending=True, **fields
    )


def test_the_sweep_runs_a_lost_follow_up_once(django_capture_on_commit_callbacks):
    response = _finished(timedelta(minutes=3))
    UserFactory(company=response.vacancy.company)  # a recruiter to notify

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stalled_followups() == 1

    assert SentEmail.objects.filter(response=response, template="screening_finished").count() == 1
    assert Notification.objects.filter(response=response, kind=Notification.Kind.CANDIDATE_PASSED).count() == 1
    assert not Response.objects.get(pk=response.pk).followup_pending
    # Done: the next sweep finds nothing, and a duplicate message (a slow queue and the sweep) does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stalled_followups() == 0
        assert screening_followup(response_id=response.pk) is False
    assert SentEmail.objects.filter(response=response, template="screening_finished").count() == 1
    assert Notification.objects.filter(response=response).count() == 1


def test_a_follow_up_published_a_moment_ago_is_left_to_its_message():
    response = _finished(timedelta(seconds=10))

    assert tasks.requeue_stalled_followups() == 0

    assert Response.objects.get(pk=response.pk).followup_pending
    assert not SentEmail.objects.filter(response=response).exists()


def test_a_follow_up_that_kept_failing_for_a_day_is_left(django_capture_on_commit_callbacks):
    stale = _finished(timedelta(days=1, minutes=1))
    due = _finished(timedelta(hours=23))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stalled_followups() == 1

    assert Response.objects.get(pk=stale.pk).followup_pending
    assert not Response.objects.get(pk=due.pk).followup_pending


def test_an_erased_candidates_follow_up_is_neither_swept_nor_sent():
    response = _finished(timedelta(minutes=3), erased_at=timezone.now())

    assert tasks.requeue_stalled_followups() == 0
    assert screening_followup(response_id=response.pk) is False

    assert not Response.objects.get(pk=response.pk).followup_pending
    assert not SentEmail.objects.filter(response=response).exists()
    assert not Notification.objects.filter(response=response).exists()


def test_the_beat_schedule_sweeps_follow_ups_every_minute(settings):
    from smartbot.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stalled-followups"]
    assert entry["schedule"] == 60.0
    assert app.tasks[entry["task"]].name == "screening.tasks.requeue_stalled_followups"
