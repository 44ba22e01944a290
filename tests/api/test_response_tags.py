"""Tags in the responses API (docs/api.md, docs/pipeline.md): every response shows its tags' names, ``?tag=``
filters the list by one of the company's tags (anything else is a 400), and tags go on and off a response through
``screening.services.tags`` (the same rules as the response page and bulk actions)."""

import pytest

from screening.models import Response, Tag
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/"


@pytest.fixture
def tagged(company, vacancy):
    """Three responses: Anna tagged "remote" and "English", Boris "remote", Clara nothing."""
    remote = Tag.objects.create(company=company, name="remote")
    english = Tag.objects.create(company=company, name="English")
    anna = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova")
    boris = ResponseFactory(vacancy=vacancy, full_name="Boris Ivanov")
    clara = ResponseFactory(vacancy=vacancy, full_name="Clara Smirnova")
    anna.tags.add(remote, english)
    boris.tags.add(remote)
    return {"remote": remote, "english": english, "anna": anna, "boris": boris, "clara": clara}


def _tags_by_name(answer) -> dict[str, list[str]]:
    return {row["candidate"]["full_name"]: row["tags"] for row in answer.json()["results"]}


def test_the_list_and_the_detail_show_each_responses_tag_names_by_name(viewer_api, tagged):
    assert _tags_by_name(viewer_api.get(URL)) == {
        "Anna Petrova": ["English", "remote"],
        "Boris Ivanov": ["remote"],
        "Clara Smirnova": [],
    }
    assert viewer_api.get(f"{URL}{tagged['anna'].pk}/").json()["tags"] == ["English", "remote"]


def test_the_list_filtered_by_a_tag_has_only_the_responses_with_it(viewer_api, tagged):
    assert set(_tags_by_name(viewer_api.get(URL, {"tag": tagged["remote"].pk}))) == {"Anna Petrova", "Boris Ivanov"}
    assert set(_tags_by_name(viewer_api.get(URL, {"tag": tagged["english"].pk}))) == {"Anna Petrova"}


@pytest.mark.parametrize("value", ["another company's", "no such tag", "abc", "-1", "1.5"])
def test_a_tag_filter_that_is_not_one_of_the_companys_tags_is_a_400(owner_api, tagged, value):
    from accounts.tests.factories import CompanyFactory

    foreign = Tag.objects.create(company=CompanyFactory(), name="remote")
    value = {"another company's": foreign.pk, "no such tag": foreign.pk + 1000}.get(value, value)
    answer = owner_api.get(URL, {"tag": value})
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["code"] == "invalid"
    assert "tag" in answer.json()["error"]["fields"]


def test_an_outsider_filtering_by_the_companys_tag_is_refused_and_sees_nothing(outsider_api, tagged):
    answer = outsider_api.get(URL, {"tag": tagged["remote"].pk})
    assert answer.status_code == 400
    assert "Anna" not in answer.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_with_tags_keeps_a_constant_number_of_queries(
    owner_api, company, vacancy, size, django_assert_max_num_queries
):
    tags = [Tag.objects.create(company=company, name=f"tag {n}") for n in range(3)]
    for response in ResponseFactory.create_batch(size, vacancy=vacancy):
        response.tags.add(*tags)
    with django_assert_max_num_queries(6):
        answer = owner_api.get(URL, {"page_size": 100, "tag": tags[0].pk})
    assert [row["tags"] for row in answer.json()["results"]] == [["tag 0", "tag 1", "tag 2"]] * size


def test_a_recruiter_puts_a_tag_on_by_name_and_takes_it_off(recruiter_api, company, tagged):
    anna = tagged["anna"]
    answer = recruiter_api.post(f"{URL}{anna.pk}/tags/", {"name": "  Call   back "}, format="json")
    assert answer.status_code == 200, answer.content
    assert [tag["name"] for tag in answer.json()] == ["Call back", "English", "remote"]
    assert recruiter_api.get(f"{URL}{anna.pk}/").json()["tags"] == ["Call back", "English", "remote"]
    # The same name in another case is the same tag: nothing new.
    recruiter_api.post(f"{URL}{anna.pk}/tags/", {"name": "REMOTE"}, format="json")
    assert Tag.objects.filter(company=company).count() == 3
    assert recruiter_api.delete(f"{URL}{anna.pk}/tags/{tagged['remote'].pk}/").status_code == 204
    assert sorted(anna.tags.values_list("name", flat=True)) == ["Call back", "English"]


def test_a_tag_cannot_go_on_an_erased_application(owner_api, tagged):
    Response.objects.filter(pk=tagged["clara"].pk).update(erased_at="2026-01-01T00:00:00Z")
    answer = owner_api.post(f"{URL}{tagged['clara'].pk}/tags/", {"name": "remote"}, format="json")
    assert answer.status_code in (400, 409), answer.content
    assert not tagged["clara"].tags.exists()


def test_another_vacancys_responses_are_filtered_by_the_same_company_tag(owner_api, company, tagged):
    other = ResponseFactory(vacancy=VacancyFactory(company=company, title="Designer"), full_name="Dmitry Orlov")
    other.tags.add(tagged["english"])
    assert set(_tags_by_name(owner_api.get(URL, {"tag": tagged["english"].pk}))) == {"Anna Petrova", "Dmitry Orlov"}
