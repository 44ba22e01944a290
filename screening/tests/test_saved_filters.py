"""Saved filters and the column chooser of the responses table: each member's own, applied by a link, never
another member's; the chosen columns remembered."""

import html
import re

import pytest
from django.urls import reverse

from screening.models import SavedFilter
from screening.services import saved_filters
from screening.tests.factories import ResponseFactory
from tests.api.conftest import jwt_client
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("screening:list")


@pytest.fixture
def vacancy(company, owner):
    return VacancyFactory(company=company, created_by=owner, title="Backend engineer")


def _header_cells(html: str) -> str:
    return html.split("<thead>", 1)[1].split("</thead>", 1)[0]


def test_a_member_saves_the_current_filters_and_applies_them_by_a_link(viewer_client, viewer, vacancy):
    query = f"vacancy={vacancy.pk}&status=needs_review&page=3&junk=1"
    answer = viewer_client.post(reverse("screening:filter_save"), {"name": "To review", "filters": query})
    assert answer.status_code == 302
    saved = SavedFilter.objects.get(user=viewer)
    assert (saved.name, saved.params) == ("To review", {"vacancy": str(vacancy.pk), "status": "needs_review"})

    page = viewer_client.get(LIST_URL).content.decode()
    link = re.search(r'<a href="([^"]+)"[^>]*>To review</a>', page)
    assert link, "no link to the saved filter"
    applied = viewer_client.get(html.unescape(link.group(1)))
    assert applied.context["form"].cleaned_data["vacancy"] == vacancy
    assert applied.context["form"].cleaned_data["status"] == "needs_review"


def test_saving_again_under_the_same_name_replaces_the_filter(owner, vacancy):
    saved_filters.saved_filter_save(user=owner, name="Mine", params={"status": "passed"})
    saved_filters.saved_filter_save(user=owner, name="Mine", params={"status": "rejected"})
    assert list(SavedFilter.objects.values_list("params", flat=True)) == [{"status": "rejected"}]


def test_a_member_deletes_their_filter_but_gets_404_for_a_teammates(client, owner, recruiter):
    mine = saved_filters.saved_filter_save(user=recruiter, name="Mine", params={})
    theirs = saved_filters.saved_filter_save(user=owner, name="Theirs", params={})
    client.force_login(recruiter)
    assert client.post(reverse("screening:filter_delete"), {"filter": theirs.pk}).status_code == 404
    assert client.post(reverse("screening:filter_delete"), {"filter": "x"}).status_code == 404
    assert "Theirs" not in client.get(LIST_URL).content.decode()
    client.post(reverse("screening:filter_delete"), {"filter": mine.pk})
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["Theirs"]


def test_an_unnamed_filter_is_refused(owner_client, owner):
    answer = owner_client.post(
        reverse("screening:filter_save"), {"name": "  ", "filters": "status=passed"}, follow=True
    )
    assert "Name the filter." in answer.content.decode()
    assert not SavedFilter.objects.exists()


def test_the_column_chooser_hides_columns_and_is_remembered_per_member(owner_client, owner, recruiter, vacancy):
    ResponseFactory(vacancy=vacancy, score=77)
    assert "AI score" in _header_cells(owner_client.get(LIST_URL).content.decode())

    owner_client.post(reverse("screening:columns"), {"columns": ["status", "score", "tags", "bogus"]})

    head = _header_cells(owner_client.get(LIST_URL).content.decode())
    assert "Score" in head and "Tags" in head and "AI score" not in head and "Reasons" not in head
    assert saved_filters.table_preferences(user=owner)[1] == ["status", "score", "tags"]
    assert saved_filters.table_preferences(user=recruiter)[1] == list(saved_filters.COLUMN_KEYS)
    # The columns are not a saved filter of their own.
    assert saved_filters.table_preferences(user=owner)[0] == []


def test_api_saved_filters_are_each_members_own(owner, recruiter, viewer, vacancy):
    viewer_api, owner_api = jwt_client(viewer), jwt_client(owner)
    created = viewer_api.post(
        "/api/v1/saved-filters/", {"name": "Mine", "params": {"status": "passed", "nope": "x"}}, format="json"
    )
    assert created.status_code == 201 and created.json()["params"] == {"status": "passed"}
    pk = created.json()["id"]
    assert [f["name"] for f in viewer_api.get("/api/v1/saved-filters/").json()] == ["Mine"]
    assert owner_api.get("/api/v1/saved-filters/").json() == []
    assert owner_api.get(f"/api/v1/saved-filters/{pk}/").status_code == 404
    assert owner_api.delete(f"/api/v1/saved-filters/{pk}/").status_code == 404
    assert viewer_api.delete(f"/api/v1/saved-filters/{pk}/").status_code == 204
    assert not SavedFilter.objects.exists()


def test_api_columns_are_read_and_chosen(recruiter):
    api = jwt_client(recruiter)
    assert api.get("/api/v1/table-columns/").json()["columns"] == list(saved_filters.COLUMN_KEYS)
    assert api.put("/api/v1/table-columns/", {"columns": ["date", "status"]}, format="json").json() == {
        "columns": ["status", "date"]
    }
    assert api.put("/api/v1/table-columns/", {"columns": ["bogus"]}, format="json").status_code == 400
