"""Bulk actions as a service and a task: each kind's effect, idempotency when retried or resumed after a crash,
failures recorded per response, one audit entry per action, and who may start what."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import post_save

from accounts.models import AuditEntry
from accounts.tests.factories import CompanyFactory
from screening import tasks
from screening.models import BulkAction, BulkActionItem, Erasure, Evaluation, Response, SentEmail, StatusChange, Tag
from screening.services import bulk
from screening.services.tags import tag_create
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy(company, owner):
    return VacancyFactory(company=company, created_by=owner, title="Backend engineer")


@pytest.fixture
def pile(vacancy):
    """Six responses the screening sent to review."""
    return [ResponseFactory(vacancy=vacancy, status=Response.Status.NEEDS_REVIEW, score=50) for _ in range(6)]


def _start(user, kind, responses, capture, **params):
    """Start the action and run its task (eager) once the start commits."""
    ids = [r.pk for r in responses]
    with capture(execute=True):
        action = bulk.bulk_action_start(
            user=user, kind=kind, responses=Response.objects.filter(pk__in=ids), params=params
        )
    action.refresh_from_db()
    return action


def _audit(action):
    return AuditEntry.objects.filter(target=f"bulk_action:{action.pk}")


def test_status_change_declines_every_selected_response_once_with_history_and_one_audit_entry(
    recruiter, pile, django_capture_on_commit_callbacks
):
    action = _start(recruiter, "status", pile, django_capture_on_commit_callbacks, status="declined", comment="Bulk")

    assert (action.state, action.total, action.done, action.failed) == ("finished", 6, 6, 0)
    assert set(Response.objects.filter(pk__in=[r.pk for r in pile]).values_list("status", flat=True)) == {"declined"}
    for response in pile:
        history = StatusChange.objects.filter(response=response, to_status="declined")
        assert list(history.values_list("actor_id", "comment")) == [(recruiter.pk, "Bulk")]
    entry = AuditEntry.objects.get()  # one for the action, none per response
    assert entry.target == f"bulk_action:{action.pk}"
    assert (entry.action, entry.actor_id, entry.company_id) == ("bulk_action", recruiter.pk, recruiter.company_id)
    assert entry.details["done"] == 6 and sorted(entry.details["response_ids"]) == sorted(r.pk for r in pile)


def test_status_change_with_email_sends_the_template_to_each_candidate_even_when_the_company_default_is_off(
    recruiter, company, pile, django_capture_on_commit_callbacks
):
    company.notify_candidates_of_decisions = False
    company.save()
    with django_capture_on_commit_callbacks(execute=True):
        _start(recruiter, "status", pile, django_capture_on_commit_callbacks, status="declined", email=True)
    sent = SentEmail.objects.filter(response__in=pile, template="decision_declined")
    assert sent.count() == 6
    assert sorted(message.to[0] for message in mail.outbox) == sorted(r.email for r in pile)


def test_status_change_without_email_sends_nothing_even_when_the_company_default_is_on(
    recruiter, company, pile, django_capture_on_commit_callbacks
):
    company.notify_candidates_of_decisions = True
    company.save()
    _start(recruiter, "status", pile, django_capture_on_commit_callbacks, status="declined", email=False)
    assert not SentEmail.objects.filter(response__in=pile).exists()


def test_running_the_task_again_changes_nothing_and_writes_no_second_audit_entry(
    recruiter, pile, django_capture_on_commit_callbacks
):
    action = _start(recruiter, "status", pile, django_capture_on_commit_callbacks, status="shortlisted")
    tasks.run_bulk_action.apply(args=[action.pk])
    tasks.run_bulk_action.apply(args=[action.pk])

    assert StatusChange.objects.filter(response__in=pile, to_status="shortlisted").count() == 6
    assert _audit(action).count() == 1
    action.refresh_from_db()
    assert (action.done, action.failed) == (6, 0)


class WorkerKilled(BaseException):
    """What a worker's death looks like to the task: not an error it may catch."""


def test_a_task_killed_midway_resumes_where_it_stopped_and_changes_each_response_once(
    recruiter, pile, django_capture_on_commit_callbacks
):
    seen = []

    def die_on_the_fourth(sender, instance, created, **kwargs):
        if created and instance.to_status == "declined":
            seen.append(instance.response_id)
            if len(seen) == 4:
                raise WorkerKilled

    post_save.connect(die_on_the_fourth, sender=StatusChange)
    try:
        with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
            action = bulk.bulk_action_start(
                user=recruiter,
                kind="status",
                responses=Response.objects.filter(pk__in=[r.pk for r in pile]),
                params={"status": "declined"},
            )
    finally:
        post_save.disconnect(die_on_the_fourth, sender=StatusChange)
    action = BulkAction.objects.get()
    assert (action.state, action.done, action.failed) == ("running", 3, 0)
    assert not _audit(action).exists()

    tasks.run_bulk_action.apply(args=[action.pk])  # redelivered

    action.refresh_from_db()
    assert (action.state, action.done, action.failed) == ("finished", 6, 0)
    for response in pile:
        assert StatusChange.objects.filter(response=response, to_status="declined").count() == 1
    assert _audit(action).count() == 1


def test_a_response_that_cannot_change_is_recorded_as_failed_and_the_others_go_on(
    recruiter, pile, django_capture_on_commit_callbacks
):
    Response.objects.filter(pk=pile[0].pk).update(status="declined")
    action = _start(recruiter, "status", pile, django_capture_on_commit_callbacks, status="declined")

    assert (action.state, action.done, action.failed) == ("finished", 5, 1)
    failure = BulkActionItem.objects.get(bulk_action=action, response=pile[0])
    assert "already has this status" in failure.error
    assert [item.response_id for item in bulk.bulk_action_failures(bulk_action=action)] == [pile[0].pk]
    assert not StatusChange.objects.filter(response=pile[0]).exists()


def test_tag_and_untag_put_a_tag_on_and_take_it_off_every_selected_response(
    recruiter, company, pile, django_capture_on_commit_callbacks
):
    action = _start(recruiter, "tag", pile[:4], django_capture_on_commit_callbacks, tag="Strong English")
    tag = Tag.objects.get(company=company)
    assert tag.name == "Strong English" and action.done == 4
    assert set(tag.responses.values_list("pk", flat=True)) == {r.pk for r in pile[:4]}

    _start(recruiter, "untag", pile[:2], django_capture_on_commit_callbacks, tag="strong english")
    assert set(tag.responses.values_list("pk", flat=True)) == {r.pk for r in pile[2:4]}


def test_untag_with_an_unknown_tag_is_refused_before_anything_starts(recruiter, pile):
    with pytest.raises(ValidationError):
        bulk.bulk_action_start(
            user=recruiter, kind="untag", responses=Response.objects.filter(pk=pile[0].pk), params={"tag": "Nope"}
        )
    assert not BulkAction.objects.exists()


def test_reevaluate_queues_an_evaluation_of_each_finished_response_and_fails_the_unfinished(
    recruiter, vacancy, django_capture_on_commit_callbacks, no_llm
):
    finished = [ResponseFactory(vacancy=vacancy, status="passed", score=80) for _ in range(2)]
    unfinished = ResponseFactory(vacancy=vacancy, status="in_chat")
    from django.utils import timezone

    Response.objects.filter(pk__in=[r.pk for r in finished]).update(completed_at=timezone.now())
    action = _start(recruiter, "reevaluate", [*finished, unfinished], django_capture_on_commit_callbacks)

    assert (action.done, action.failed) == (2, 1)
    assert set(Evaluation.objects.values_list("response_id", flat=True)) == {r.pk for r in finished}
    assert "not finished" in BulkActionItem.objects.get(response=unfinished).error


def test_erase_is_the_owners_and_erases_each_candidate_once(owner, recruiter, pile, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        bulk.bulk_action_start(user=recruiter, kind="erase", responses=Response.objects.all())
    assert not BulkAction.objects.exists()

    action = _start(owner, "erase", pile[:3], django_capture_on_commit_callbacks)

    assert (action.state, action.done) == ("finished", 3)
    assert Erasure.objects.count() == 3
    assert all(r.is_erased for r in Response.objects.filter(pk__in=[r.pk for r in pile[:3]]))
    assert not any(r.is_erased for r in Response.objects.filter(pk__in=[r.pk for r in pile[3:]]))
    assert _audit(action).get().action == "bulk_action"


def test_viewer_may_start_nothing(viewer, pile):
    with pytest.raises(PermissionDenied):
        bulk.bulk_action_start(user=viewer, kind="tag", responses=Response.objects.all(), params={"tag": "x"})
    assert not BulkAction.objects.exists() and not Tag.objects.exists()


def test_another_companys_responses_are_left_out_of_the_selection(recruiter, pile, django_capture_on_commit_callbacks):
    foreign = ResponseFactory(vacancy=VacancyFactory(company=CompanyFactory()), status="needs_review")
    action = _start(recruiter, "status", [pile[0], foreign], django_capture_on_commit_callbacks, status="declined")
    assert action.total == 1
    foreign.refresh_from_db()
    assert foreign.status == "needs_review"


def test_an_empty_or_oversized_selection_is_refused(recruiter, pile, monkeypatch):
    with pytest.raises(ValidationError, match="at least one"):
        bulk.bulk_action_start(user=recruiter, kind="reevaluate", responses=Response.objects.none())
    monkeypatch.setattr(bulk, "BULK_MAX_RESPONSES", 5)
    with pytest.raises(ValidationError, match="at most 5"):
        bulk.bulk_action_start(user=recruiter, kind="reevaluate", responses=Response.objects.all())
    assert not BulkAction.objects.exists()


def test_a_status_not_set_by_hand_is_refused(recruiter, pile):
    with pytest.raises(ValidationError):
        bulk.bulk_action_start(
            user=recruiter, kind="status", responses=Response.objects.all(), params={"status": "passed"}
        )


def test_too_many_running_actions_of_a_company_are_refused(recruiter, company, pile):
    for _ in range(bulk.BULK_ACTIVE_MAX):
        BulkAction.objects.create(company=company, kind="reevaluate", state="running")
    with pytest.raises(ValidationError) as refused:
        bulk.bulk_action_start(user=recruiter, kind="reevaluate", responses=Response.objects.all())
    assert refused.value.code == "conflict"


def test_tags_deleted_before_the_task_runs_fail_each_response_clearly(
    recruiter, company, pile, django_capture_on_commit_callbacks
):
    tag = tag_create(company=company, name="Later")
    with django_capture_on_commit_callbacks(execute=False):
        action = bulk.bulk_action_start(
            user=recruiter, kind="tag", responses=Response.objects.filter(pk=pile[0].pk), params={"tag": "Later"}
        )
    tag.delete()
    tasks.run_bulk_action.apply(args=[action.pk])
    action.refresh_from_db()
    assert (action.done, action.failed) == (0, 1)
    assert "deleted" in action.items.get().error
