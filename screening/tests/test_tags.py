"""Tags on applications: unique per company whatever the case, added and removed on the response page and in
the API, shown on the table's rows, filtered by; viewers change nothing, outsiders get 404."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import CompanyFactory
from screening.models import Response, Tag
from screening.services import tags
from screening.tests.factories import ResponseFactory
from tests.api.conftest import jwt_client
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("screening:list")


@pytest.fixture
def vacancy(company, owner):
    return VacancyFactory(company=company, created_by=owner)


@pytest.fixture
def response(vacancy):
    return ResponseFactory(vacancy=vacancy, full_name="Tagged Person")


def _tags(response):
    return sorted(response.tags.values_list("name", flat=True))


def test_tag_names_are_unique_per_company_whatever_the_case(company):
    tags.tag_create(company=company, name="  Strong   English ")
    with pytest.raises(ValidationError, match="already a tag"):
        tags.tag_create(company=company, name="strong english")
    assert list(Tag.objects.values_list("name", flat=True)) == ["Strong English"]
    tags.tag_create(company=CompanyFactory(), name="Strong English")  # another company's is its own
    assert tags.tag_get_or_create(company=company, name="STRONG ENGLISH").name == "Strong English"


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
def test_an_empty_or_too_long_name_is_refused(company, name):
    with pytest.raises(ValidationError):
        tags.tag_create(company=company, name=name)
    assert not Tag.objects.exists()


def test_adding_a_tag_twice_keeps_one_and_a_foreign_tag_is_refused(company, response):
    tag = tags.tag_create(company=company, name="Remote")
    assert tags.response_tag_add(response=response, tag=tag) is True
    assert tags.response_tag_add(response=response, tag=tag) is False
    assert _tags(response) == ["Remote"]
    with pytest.raises(ValidationError):
        tags.response_tag_add(response=response, tag=tags.tag_create(company=CompanyFactory(), name="Spy"))
    assert _tags(response) == ["Remote"]


def test_recruiter_adds_and_removes_a_tag_on_the_response_page(recruiter_client, company, response):
    answer = recruiter_client.post(reverse("screening:tag_add", args=[response.pk]), {"name": "Call back in May"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{response.pk}/#tags")
    tag = Tag.objects.get(company=company)
    page = recruiter_client.get(reverse("screening:response", args=[response.pk])).content.decode()
    assert "Call back in May" in page and f'name="tag" value="{tag.pk}"' in page

    recruiter_client.post(reverse("screening:tag_remove", args=[response.pk]), {"tag": tag.pk})
    assert _tags(response) == []
    assert Tag.objects.filter(pk=tag.pk).exists()  # the tag stays for the company


def test_viewer_sees_the_tags_but_cannot_add_or_remove(viewer_client, company, response):
    tag = tags.tag_create(company=company, name="Keep")
    tags.response_tag_add(response=response, tag=tag)
    page = viewer_client.get(reverse("screening:response", args=[response.pk])).content.decode()
    assert "Keep" in page and reverse("screening:tag_add", args=[response.pk]) not in page
    assert viewer_client.post(reverse("screening:tag_add", args=[response.pk]), {"name": "x"}).status_code == 403
    assert viewer_client.post(reverse("screening:tag_remove", args=[response.pk]), {"tag": tag.pk}).status_code == 403
    assert viewer_client.post(reverse("screening:tag_delete", args=[tag.pk])).status_code == 403
    assert viewer_client.post(reverse("screening:tags"), {"name": "New"}).status_code == 403
    assert _tags(response) == ["Keep"] and Tag.objects.count() == 1


def test_outsider_gets_404_and_nothing_changes(outsider_client, company, response):
    tag = tags.tag_create(company=company, name="Keep")
    tags.response_tag_add(response=response, tag=tag)
    for url, data in [
        (reverse("screening:tag_add", args=[response.pk]), {"name": "x"}),
        (reverse("screening:tag_remove", args=[response.pk]), {"tag": tag.pk}),
        (reverse("screening:tag_delete", args=[tag.pk]), {}),
    ]:
        assert outsider_client.post(url, data).status_code == 404
    assert _tags(response) == ["Keep"] and Tag.objects.count() == 1
    assert "Keep" not in outsider_client.get(reverse("screening:tags")).content.decode()


def test_the_tags_page_creates_and_deletes_tags(owner_client, company, response):
    answer = owner_client.post(reverse("screening:tags"), {"name": "Senior"})
    assert answer.status_code == 302
    tag = Tag.objects.get(company=company, name="Senior")
    tags.response_tag_add(response=response, tag=tag)
    duplicate = owner_client.post(reverse("screening:tags"), {"name": "SENIOR"})
    assert duplicate.status_code == 400 and "already a tag" in duplicate.content.decode()
    owner_client.post(reverse("screening:tag_delete", args=[tag.pk]))
    assert not Tag.objects.exists() and Response.objects.filter(pk=response.pk).exists()


def test_the_table_shows_row_tags_and_filters_by_a_tag(owner_client, company, vacancy):
    tagged = ResponseFactory(vacancy=vacancy, full_name="Has Tag")
    untagged = ResponseFactory(vacancy=vacancy, full_name="Has None")
    tag = tags.tag_create(company=company, name="Shortlist later")
    tags.response_tag_add(response=tagged, tag=tag)

    page = owner_client.get(LIST_URL).content.decode()
    assert "Shortlist later" in page and untagged.full_name in page
    filtered = owner_client.get(LIST_URL, {"tag": tag.pk}).content.decode()
    assert tagged.full_name in filtered and untagged.full_name not in filtered


def test_filtering_by_another_companys_tag_is_an_error_not_its_rows(owner_client, vacancy):
    ResponseFactory(vacancy=vacancy, full_name="Mine")
    foreign = tags.tag_create(company=CompanyFactory(), name="Theirs")
    page = owner_client.get(LIST_URL, {"tag": foreign.pk}).content.decode()
    assert "Unknown tag." in page and "Mine" not in page


# The API


def test_api_tags_crud_and_on_a_response(recruiter, company, response):
    api = jwt_client(recruiter)
    created = api.post("/api/v1/tags/", {"name": "Remote"}, format="json")
    assert created.status_code == 201
    tag_id = created.json()["id"]
    assert api.post("/api/v1/tags/", {"name": "remote"}, format="json").status_code == 400
    assert [t["name"] for t in api.get("/api/v1/tags/").json()] == ["Remote"]

    added = api.post(f"/api/v1/responses/{response.pk}/tags/", {"name": "Remote"}, format="json")
    assert added.status_code == 200 and [t["id"] for t in added.json()] == [tag_id]
    assert api.delete(f"/api/v1/responses/{response.pk}/tags/{tag_id}/").status_code == 204
    assert _tags(response) == []
    assert api.delete(f"/api/v1/tags/{tag_id}/").status_code == 204
    assert not Tag.objects.exists()


def test_api_viewer_gets_403_and_outsider_404_on_tag_writes(viewer, outsider, company, response):
    tag = tags.tag_create(company=company, name="Keep")
    tags.response_tag_add(response=response, tag=tag)
    viewer_api, outsider_api = jwt_client(viewer), jwt_client(outsider)
    assert viewer_api.get("/api/v1/tags/").status_code == 200
    assert viewer_api.post("/api/v1/tags/", {"name": "x"}, format="json").status_code == 403
    assert viewer_api.delete(f"/api/v1/tags/{tag.pk}/").status_code == 403
    assert viewer_api.post(f"/api/v1/responses/{response.pk}/tags/", {"name": "x"}, format="json").status_code == 403
    assert outsider_api.get(f"/api/v1/tags/{tag.pk}/").status_code == 404
    assert outsider_api.delete(f"/api/v1/tags/{tag.pk}/").status_code == 404
    assert outsider_api.post(f"/api/v1/responses/{response.pk}/tags/", {"name": "x"}, format="json").status_code == 404
    assert outsider_api.delete(f"/api/v1/responses/{response.pk}/tags/{tag.pk}/").status_code == 404
    assert outsider_api.get("/api/v1/tags/").json() == []
    assert _tags(response) == ["Keep"] and Tag.objects.count() == 1
