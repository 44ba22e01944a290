"""The audit log page and its CSV: owners only, the company's entries only, filters and pages."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:audit_log")
CSV = reverse("accounts:audit_log_csv")


@pytest.fixture
def logged(company, owner, recruiter, outsider):
    """Entries of both companies (the personas' sign-ins in the tests add theirs)."""
    audit_record(
        company=company, actor=recruiter, action="status_changed", summary="Response 1 moved", target="response:1"
    )
    audit_record(company=company, actor=owner, action="role_changed", summary="Role of x changed", target="user:9")
    audit_record(company=outsider.company, actor=outsider, action="export", summary="Globex secret export")


@pytest.mark.parametrize("url", [PAGE, CSV])
@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_recruiters_and_viewers_get_403(request, persona, url, logged):
    assert request.getfixturevalue(persona).get(url).status_code == 403


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_anonymous_visitors_go_to_the_login_page(client, url):
    answer = client.get(url)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:login"))


def test_the_owner_reads_the_companys_entries_and_nothing_of_another(owner_client, logged):
    page = owner_client.get(PAGE).content.decode()
    assert "Response 1 moved" in page and "Role of x changed" in page
    assert "Globex secret export" not in page


def test_the_outsider_sees_only_their_own_company(outsider_client, logged):
    page = outsider_client.get(PAGE).content.decode()
    assert "Globex secret export" in page and "Response 1 moved" not in page
    rows = list(csv.reader(io.StringIO(b"".join(outsider_client.get(CSV).streaming_content).decode())))
    assert all("Response 1 moved" not in row for row in rows)


def test_filters_by_person_and_action(owner_client, recruiter, logged):
    page = owner_client.get(PAGE, {"person": recruiter.pk}).content.decode()
    assert "Response 1 moved" in page and "Role of x changed" not in page
    page = owner_client.get(PAGE, {"action": "role_changed"}).content.decode()
    assert "Role of x changed" in page and "Response 1 moved" not in page


def test_a_bad_filter_shows_the_form_error_not_a_crash(owner_client, logged):
    answer = owner_client.get(PAGE, {"date_from": "2026-05-02", "date_to": "2026-05-01", "person": "x"})
    assert answer.status_code == 200


def test_pages_of_fifty_with_a_constant_query_count(owner_client, owner, company, django_assert_max_num_queries):
    for index in range(60):
        audit_record(company=company, actor=owner, action="export", summary=f"Export {index}")
    with django_assert_max_num_queries(12):
        first = owner_client.get(PAGE).content.decode()
    assert "Export 59" in first and "Export 9<" not in first
    second = owner_client.get(PAGE, {"page": 2}).content.decode()
    assert "Export 0" in second


def test_the_csv_export_is_filtered_and_logged(owner_client, owner, logged):
    answer = owner_client.get(CSV, {"action": "status_changed"})
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert [row[4] for row in rows[1:]] == ["Response 1 moved"]
    [export] = AuditEntry.objects.filter(action="export", company=owner.company)
    assert export.actor_id == owner.pk and export.details == {"filters": {"action": "status_changed"}}


def test_the_nav_links_the_audit_log_for_owners_only(owner_client):
    assert f'href="{PAGE}"' in owner_client.get(reverse("accounts:team")).content.decode()


def test_the_nav_hides_the_audit_log_from_viewers(viewer_client):
    assert f'href="{PAGE}"' not in viewer_client.get(reverse("accounts:team")).content.decode()
