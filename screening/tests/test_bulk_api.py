"""Bulk actions in the API: started on ids or on filters (every matching response), followed on the task status
endpoint, with the same roles and tenancy as the pages."""

import pytest

from accounts.models import AuditEntry
from screening.models import BulkAction, Response, StatusChange
from screening.tests.factories import ResponseFactory
from tests.api.conftest import jwt_client
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/bulk-actions/"


@pytest.fixture
def vacancy(company, owner):
    return VacancyFactory(company=company, created_by=owner)


@pytest.fixture
def pile(vacancy):
    return [ResponseFactory(vacancy=vacancy, status="needs_review") for _ in range(4)]


def test_a_recruiter_declines_every_matching_response_and_follows_the_task(
    recruiter, vacancy, pile, django_capture_on_commit_callbacks
):
    passed = ResponseFactory(vacancy=vacancy, status="passed")
    api = jwt_client(recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            URL,
            {"kind": "status", "status": "declined", "filters": {"vacancy": vacancy.pk, "status": "needs_review"}},
            format="json",
        )
    assert started.status_code == 202, started.json()
    assert started.json()["total"] == 4

    status = api.get(f"{URL}{started.json()['id']}/").json()
    assert (status["state"], status["total"], status["done"], status["failed"], status["failures"]) == (
        "finished",
        4,
        4,
        0,
        [],
    )
    assert StatusChange.objects.filter(to_status="declined").count() == 4
    passed.refresh_from_db()
    assert passed.status == "passed"
    assert AuditEntry.objects.filter(target=f"bulk_action:{status['id']}").count() == 1
    assert [row["id"] for row in api.get(URL).json()["results"]] == [status["id"]]


def test_failures_are_listed_on_the_task_status(recruiter, pile, django_capture_on_commit_callbacks):
    Response.objects.filter(pk=pile[0].pk).update(status="declined")
    api = jwt_client(recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            URL, {"kind": "status", "status": "declined", "response_ids": [r.pk for r in pile]}, format="json"
        )
    status = api.get(f"{URL}{started.json()['id']}/").json()
    assert (status["done"], status["failed"]) == (3, 1)
    assert status["failures"][0]["response"] == pile[0].pk and "already" in status["failures"][0]["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "status", "status": "declined"},  # neither ids nor filters
        {"kind": "status", "status": "declined", "response_ids": [1], "filters": {}},  # both
        {"kind": "status", "status": "passed", "response_ids": [1]},  # not set by hand
        {"kind": "nuke", "response_ids": [1]},
        {"kind": "tag", "response_ids": [1]},  # no tag
        {"kind": "export", "format": "pdf", "response_ids": [1]},
        {"kind": "reevaluate", "filters": {"vacancy": 10**9}},  # not a vacancy of the company
    ],
)
def test_bad_requests_are_400_and_start_nothing(recruiter, pile, body):
    answer = jwt_client(recruiter).post(URL, body, format="json")
    assert answer.status_code == 400, answer.json()
    assert answer.json()["error"]["code"] == "invalid"
    assert not BulkAction.objects.exists()


def test_viewer_gets_403_and_nothing_changes(viewer, pile):
    answer = jwt_client(viewer).post(
        URL, {"kind": "status", "status": "declined", "response_ids": [pile[0].pk]}, format="json"
    )
    assert answer.status_code == 403
    assert not BulkAction.objects.exists()
    pile[0].refresh_from_db()
    assert pile[0].status == "needs_review"


def test_erase_is_the_owners(recruiter, owner, pile, django_capture_on_commit_callbacks):
    refused = jwt_client(recruiter).post(URL, {"kind": "erase", "response_ids": [pile[0].pk]}, format="json")
    assert refused.status_code == 403 and not BulkAction.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = jwt_client(owner).post(URL, {"kind": "erase", "response_ids": [pile[0].pk]}, format="json")
    assert done.status_code == 202
    pile[0].refresh_from_db()
    assert pile[0].is_erased


def test_outsider_gets_404_on_a_bulk_action_and_cannot_act_on_foreign_ids(outsider, recruiter, company, pile):
    action = BulkAction.objects.create(company=company, user=recruiter, kind="export", result={"file": "x.csv"})
    api = jwt_client(outsider)
    assert api.get(f"{URL}{action.pk}/").status_code == 404
    assert api.get(f"{URL}{action.pk}/download/").status_code == 404
    assert api.get(URL).json()["results"] == []
    answer = api.post(URL, {"kind": "status", "status": "declined", "response_ids": [pile[0].pk]}, format="json")
    assert answer.status_code == 400  # none of the ids is theirs: nothing selected
    assert BulkAction.objects.count() == 1
    pile[0].refresh_from_db()
    assert pile[0].status == "needs_review"
