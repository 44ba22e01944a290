"""Beat's sweep (every minute): evaluations nobody holds are queued again; held ones are left alone.

Celery is eager here: a task the sweep queues runs once the test's transaction "commits" (the ``sweep``
fixture), as it would run on a worker once beat's sweep committed.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from screening import tasks
from screening.ai import PROMPT_VERSION
from screening.models import Evaluation, Response
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def _evaluation(status, age_minutes, **fields):
    response = ResponseFactory(status=Response.Status.PASSED, score=80)
    evaluation = Evaluation.objects.create(response=response, prompt_version=PROMPT_VERSION, status=status, **fields)
    Evaluation.objects.filter(pk=evaluation.pk).update(updated_at=timezone.now() - timedelta(minutes=age_minutes))
    return evaluation


def _statuses(*evaluations):
    return [Evaluation.objects.get(pk=e.pk).status for e in evaluations]


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run beat's sweep and then what it queued; returns how many it queued."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.requeue_stalled_evaluations()

    return run


def test_the_beat_schedule_sweeps_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stalled-evaluations"]
    assert entry["task"] == "screening.tasks.requeue_stalled_evaluations"
    assert entry["schedule"] <= 60


def test_a_pending_evaluation_older_than_a_minute_is_run_again_by_the_sweep(no_llm, sweep):
    stalled = _evaluation(Evaluation.Status.PENDING, age_minutes=2)
    fresh = _evaluation(Evaluation.Status.PENDING, age_minutes=0)
    done = _evaluation(Evaluation.Status.DONE, age_minutes=300)

    assert sweep() == 1

    # Celery is eager under pytest: the re-queued task ran with the builtin evaluator.
    assert _statuses(stalled, fresh, done) == ["done", "pending", "done"]
    assert Evaluation.objects.get(pk=stalled.pk).evaluator == Evaluation.Evaluator.BUILTIN


def test_a_pending_evaluation_waiting_for_its_scheduled_retry_is_left_alone(sweep):
    waiting = _evaluation(
        Evaluation.Status.PENDING,
        age_minutes=5,
        task_id="the-retrying-task",
        lease_expires_at=timezone.now() + timedelta(minutes=2),
    )
    assert sweep() == 0
    assert _statuses(waiting) == ["pending"]


def test_a_pending_evaluation_whose_retry_never_came_is_run_again(no_llm, sweep):
    overdue = _evaluation(
        Evaluation.Status.PENDING,
        age_minutes=5,
        task_id="a-task-lost-with-its-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert sweep() == 1
    assert _statuses(overdue) == ["done"]


def test_a_running_evaluation_within_its_lease_is_left_alone(sweep):
    _evaluation(
        Evaluation.Status.RUNNING,
        age_minutes=30,
        task_id="a-live-task",
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )
    assert sweep() == 0


def test_a_running_evaluation_past_its_lease_is_taken_over_and_finished(no_llm, sweep):
    abandoned = _evaluation(
        Evaluation.Status.RUNNING,
        age_minutes=7,
        attempts=1,
        task_id="a-task-of-a-killed-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert sweep() == 1
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.attempts) == ("done", 2)


def test_a_running_evaluation_from_before_leases_is_swept_once_older_than_the_task_time_limit(settings, no_llm, sweep):
    settings.CELERY_TASK_TIME_LIMIT = 360
    young = _evaluation(Evaluation.Status.RUNNING, age_minutes=5)
    old = _evaluation(Evaluation.Status.RUNNING, age_minutes=7)
    assert sweep() == 1
    assert _statuses(young, old) == ["running", "done"]


def test_duplicates_queued_by_the_sweep_are_harmless(no_llm, sweep):
    stalled = _evaluation(Evaluation.Status.PENDING, age_minutes=2)
    sweep()
    # The same evaluation queued again (a sweep raced the original message): nothing is evaluated twice.
    tasks.evaluate_response.apply(args=(stalled.response_id,))
    tasks.evaluate_response.apply(args=(stalled.response_id,))
    stalled.refresh_from_db()
    assert (stalled.status, stalled.attempts) == ("done", 1)
    assert Evaluation.objects.filter(response_id=stalled.response_id).count() == 1
