from datetime import timedelta

import pytest
from django.utils import timezone

from screening import tasks
from screening.evaluation import PROMPT_VERSION
from screening.models import Evaluation, Response
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def _evaluation(status, age_minutes):
    response = ResponseFactory(status=Response.Status.PASSED, score=80)
    evaluation = Evaluation.objects.create(response=response, prompt_version=PROMPT_VERSION, status=status)
    Evaluation.objects.filter(pk=evaluation.pk).update(updated_at=timezone.now() - timedelta(minutes=age_minutes))
    return evaluation


def test_a_long_pending_evaluation_is_run_again_by_the_beat_task():
    stalled = _evaluation(Evaluation.Status.PENDING, age_minutes=30)
    fresh = _evaluation(Evaluation.Status.PENDING, age_minutes=1)
    done = _evaluation(Evaluation.Status.DONE, age_minutes=300)

    assert tasks.requeue_stalled_evaluations() == 1

    # Celery is eager under pytest: the re-queued task ran with the builtin evaluator.
    stalled.refresh_from_db()
    fresh.refresh_from_db()
    done.refresh_from_db()
    assert stalled.status == Evaluation.Status.DONE
    assert stalled.evaluator == Evaluation.Evaluator.BUILTIN
    assert fresh.status == Evaluation.Status.PENDING
    assert done.status == Evaluation.Status.DONE


def test_a_running_evaluation_within_its_lease_is_left_alone(settings):
    settings.CELERY_TASK_TIME_LIMIT = 3600
    _evaluation(Evaluation.Status.RUNNING, age_minutes=30)
    assert tasks.requeue_stalled_evaluations() == 0


def test_a_running_evaluation_past_its_lease_is_requeued(settings):
    settings.CELERY_TASK_TIME_LIMIT = 60
    _evaluation(Evaluation.Status.RUNNING, age_minutes=30)
    assert tasks.requeue_stalled_evaluations() == 1
