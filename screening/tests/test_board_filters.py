"""The pipeline board with the responses table's filters (docs/pipeline.md "Board"): the table's own form (tag,
screening, minimum score) and the member's saved filters narrow the cards and the counts, and a move keeps them."""

import pytest
from django.urls import reverse

from accounts.tests.factories import CompanyFactory
from screening.models import Response, SavedFilter, Tag
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db
S = Response.Status


@pytest.fixture
def vacancy(company, owner):
    return VacancyFactory(company=company, created_by=owner, title="Python developer")


@pytest.fixture
def remote(company):
    return Tag.objects.create(company=company, name="remote")


@pytest.fixture
def people(vacancy, remote):
    """Anna (passed, 90, remote), Boris (passed, 40, remote), Clara (shortlisted, 80, no tag)."""
    anna = ResponseFactory(vacancy=vacancy, status=S.PASSED, score=90, full_name="Anna Petrova")
    boris = ResponseFactory(vacancy=vacancy, status=S.PASSED, score=40, full_name="Boris Ivanov")
    clara = ResponseFactory(vacancy=vacancy, status=S.SHORTLISTED, score=80, full_name="Clara Smirnova")
    anna.tags.add(remote)
    boris.tags.add(remote)
    return {"anna": anna, "boris": boris, "clara": clara}


def _board_url(vacancy) -> str:
    return reverse("screening:board", args=[vacancy.pk])


def _cards(page) -> dict[str, tuple[int, list[str]]]:
    """Column key -> (count, card names), as the page's context holds them."""
    return {
        column.spec.key: (column.count, [card.full_name for card in column.cards])
        for column in page.context["columns"]
        if column.count or column.cards
    }


def test_the_board_shows_the_tables_filter_form_with_the_fields_it_applies(owner_client, vacancy, people, remote):
    html = owner_client.get(_board_url(vacancy)).content.decode()
    for field in ('name="tag"', 'name="screening"', 'name="min_score"', 'role="search"'):
        assert field in html, field
    # The board's columns are the statuses, its order its own: the table's status and sort are not offered.
    assert 'name="sort"' not in html and 'id="id_status"' not in html
    assert f'<option value="{remote.pk}">remote</option>' in html


def test_a_tag_filter_keeps_the_tagged_cards_and_counts_only_them(owner_client, vacancy, people, remote):
    page = owner_client.get(_board_url(vacancy), {"tag": remote.pk})
    assert _cards(page) == {"passed": (2, ["Anna Petrova", "Boris Ivanov"])}
    assert f'data-filters="tag={remote.pk}"' in page.content.decode()


def test_filters_combine_as_on_the_table(owner_client, vacancy, people, remote):
    page = owner_client.get(_board_url(vacancy), {"tag": remote.pk, "min_score": 50})
    assert _cards(page) == {"passed": (1, ["Anna Petrova"])}
    assert _cards(owner_client.get(_board_url(vacancy), {"min_score": 50})) == {
        "passed": (1, ["Anna Petrova"]),
        "shortlisted": (1, ["Clara Smirnova"]),
    }


@pytest.mark.parametrize("bad", [{"tag": "abc"}, {"min_score": "lots"}, {"screening": "maybe"}])
def test_filters_that_are_not_valid_show_their_errors_and_no_cards(owner_client, vacancy, people, bad):
    page = owner_client.get(_board_url(vacancy), bad)
    assert page.status_code == 200
    assert _cards(page) == {}
    assert "Some filters are not valid" in page.content.decode()


def test_another_companys_tag_is_unknown_on_the_board(owner_client, vacancy, people):
    foreign = Tag.objects.create(company=CompanyFactory(), name="remote")
    page = owner_client.get(_board_url(vacancy), {"tag": foreign.pk})
    assert _cards(page) == {} and "Unknown tag." in page.content.decode()


def test_the_members_saved_filters_are_links_to_the_filtered_board(owner_client, owner, recruiter, vacancy, remote):
    SavedFilter.objects.create(user=owner, name="Remote, strong", params={"tag": str(remote.pk), "min_score": "60"})
    SavedFilter.objects.create(user=owner, name="Only a status", params={"status": "passed"})  # nothing to apply
    SavedFilter.objects.create(user=recruiter, name="Not mine", params={"tag": str(remote.pk)})
    html = owner_client.get(_board_url(vacancy)).content.decode()
    assert f'href="{_board_url(vacancy)}?min_score=60&amp;tag={remote.pk}">Remote, strong</a>' in html
    assert "Only a status" not in html and "Not mine" not in html


def test_a_plain_move_comes_back_to_the_board_with_its_filters(owner_client, vacancy, people, remote):
    anna = people["anna"]
    html = owner_client.get(_board_url(vacancy), {"tag": remote.pk}).content.decode()
    assert f'<input type="hidden" name="filters" value="tag={remote.pk}">' in html
    moved = owner_client.post(
        reverse("screening:board_move", args=[anna.pk]), {"status": S.SHORTLISTED, "filters": f"tag={remote.pk}"}
    )
    assert moved.url == f"{_board_url(vacancy)}?tag={remote.pk}#card-{anna.pk}"
    anna.refresh_from_db()
    assert anna.status == S.SHORTLISTED
    page = owner_client.get(moved.url.split("#")[0])
    assert _cards(page) == {"passed": (1, ["Boris Ivanov"]), "shortlisted": (1, ["Anna Petrova"])}


def test_a_move_keeps_only_the_boards_filters_from_what_was_posted(owner_client, vacancy, people):
    anna = people["anna"]
    moved = owner_client.post(
        reverse("screening:board_move", args=[anna.pk]),
        {"status": S.SHORTLISTED, "filters": "status=passed&next=https://evil.example/&min_score=10"},
    )
    assert moved.url == f"{_board_url(vacancy)}?min_score=10#card-{anna.pk}"


def test_the_live_card_fragment_is_empty_for_a_response_outside_the_boards_filters(viewer_client, people, remote):
    url = reverse("screening:board_card", args=[people["clara"].pk])
    assert viewer_client.get(url, {"tag": remote.pk}).status_code == 204
    assert viewer_client.get(url, {"tag": "junk"}).status_code == 204
    matching = viewer_client.get(reverse("screening:board_card", args=[people["anna"].pk]), {"tag": remote.pk})
    assert matching.status_code == 200 and "Anna Petrova" in matching.content.decode()


def test_the_filtered_board_makes_the_same_queries_for_1_or_30_cards(
    owner_client, owner, vacancy, remote, django_assert_max_num_queries
):
    SavedFilter.objects.create(user=owner, name="Remote", params={"tag": str(remote.pk)})

    def count_queries() -> int:
        with django_assert_max_num_queries(14) as captured:
            assert owner_client.get(_board_url(vacancy), {"tag": remote.pk, "min_score": 10}).status_code == 200
        return len(captured)

    ResponseFactory(vacancy=vacancy, status=S.PASSED, score=50).tags.add(remote)
    count_queries()  # the first page of a session also counts the bell's unread notifications
    one = count_queries()
    for status in (S.NEW, S.IN_CHAT, S.NEEDS_REVIEW, S.SHORTLISTED, S.DECLINED):
        for response in ResponseFactory.create_batch(6, vacancy=vacancy, status=status, score=50):
            response.tags.add(remote)
    assert count_queries() == one
