"""GET /api/v1/audit-log/: the owner's, the company's entries only, filtered and paginated, read-only."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.audit import audit_record
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-log/"


def api(user) -> APIClient:
    cache.clear()  # throttle counters
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def logged(company, owner, recruiter, outsider):
    audit_record(company=company, actor=recruiter, action="status_changed", target="response:1", summary="moved")
    audit_record(company=company, actor=owner, action="role_changed", target="user:9", summary="role")
    audit_record(company=outsider.company, actor=outsider, action="export", summary="Globex")


@pytest.mark.parametrize("persona", ["recruiter", "viewer"])
def test_recruiters_and_viewers_get_403(request, persona, logged):
    answer = api(request.getfixturevalue(persona)).get(URL)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"


def test_anonymous_callers_get_401(logged):
    assert APIClient().get(URL).status_code == 401


def test_the_owner_lists_the_companys_entries_newest_first(owner, logged):
    body = api(owner).get(URL).json()
    assert body["count"] == 2
    assert [row["summary"] for row in body["results"]] == ["role", "moved"]
    assert set(body["results"][0]) == {
        "id",
        "created_at",
        "actor",
        "actor_name",
        "action",
        "target",
        "summary",
        "details",
        "ip_address",
    }


def test_the_outsider_sees_only_their_company(outsider, logged):
    assert [row["summary"] for row in api(outsider).get(URL).json()["results"]] == ["Globex"]


def test_filters_by_person_action_and_dates(owner, recruiter, logged):
    client = api(owner)
    assert [r["summary"] for r in client.get(URL, {"person": recruiter.pk}).json()["results"]] == ["moved"]
    assert [r["summary"] for r in client.get(URL, {"action": "role_changed"}).json()["results"]] == ["role"]
    assert client.get(URL, {"date_from": "2000-01-01", "date_to": "2000-01-02"}).json()["count"] == 0


def test_bad_filters_are_a_400(owner, logged):
    client = api(owner)
    assert client.get(URL, {"action": "nope"}).status_code == 400
    assert client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"}).status_code == 400


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_log_has_no_write_method(owner, logged, method):
    before = list(AuditEntry.objects.values())
    assert getattr(api(owner), method)(URL, {}, format="json").status_code == 405
    assert list(AuditEntry.objects.values()) == before


def test_pages_cost_a_constant_number_of_queries(owner, company, django_assert_max_num_queries):
    for index in range(40):
        audit_record(company=company, actor=owner, action="export", summary=f"e{index}")
    client = api(owner)
    with django_assert_max_num_queries(6):
        body = client.get(URL, {"page_size": 30}).json()
    assert body["count"] == 40 and len(body["results"]) == 30
