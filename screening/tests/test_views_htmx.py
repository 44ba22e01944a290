"""The responses table through htmx: filters, sorting and paging swap one block; without htmx, whole pages."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from screening.models import Response
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("screening:list")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Backend engineer")


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.count("<tr")


def test_a_plain_request_gets_the_whole_page_with_the_block_inside(owner_client, vacancy):
    ResponseFactory(vacancy=vacancy)
    page = owner_client.get(LIST_URL)
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html and "</footer>" in html
    assert html.count('id="responses"') == 1 and _rows(html) == 1
    assert 'hx-target="#responses" hx-swap="outerHTML" hx-push-url="true"' in html
    # The block's own <title> is only for htmx, which moves it to the document's head.
    assert html.count("<title>") == 1
    assert "HX-Request" in page["Vary"]


def test_an_htmx_request_gets_the_block_only_with_the_page_title(owner_client, vacancy):
    ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    ResponseFactory(vacancy=vacancy, status=Response.Status.REJECTED)
    page = owner_client.get(LIST_URL, {"vacancy": vacancy.pk, "status": "passed"}, headers=HTMX)
    html = page.content.decode()
    assert page.status_code == 200 and "HX-Request" in page["Vary"]
    assert "<html" not in html and "</footer>" not in html and "lang-select" not in html
    assert html.lstrip().startswith("<title>Responses · Backend engineer · SmartBot</title>")
    assert html.count('id="responses"') == 1 and _rows(html) == 1


def test_a_history_restore_gets_the_whole_page(owner_client, vacancy):
    html = owner_client.get(LIST_URL, headers={**HTMX, "HX-History-Restore-Request": "true"}).content.decode()
    assert "<html" in html and "</footer>" in html


def test_the_filter_form_works_with_and_without_htmx(owner_client, vacancy):
    html = owner_client.get(LIST_URL).content.decode()
    # The table's filter form (the nav's search box is a search form too, with its own action).
    form = next(f for f in re.findall(r"<form[^>]*role=\"search\"[^>]*>", html) if f'action="{LIST_URL}"' in f)
    assert 'method="get"' in form and f'action="{LIST_URL}"' in form
    assert f'hx-get="{LIST_URL}"' in form and 'hx-trigger="change, submit"' in form
    assert '<button type="submit" class="btn btn--primary">Apply</button>' in html


def test_sort_and_page_links_carry_the_same_address_for_htmx(owner_client, vacancy):
    for _ in range(30):
        ResponseFactory(vacancy=vacancy, score=50)
    html = owner_client.get(LIST_URL, {"status": "", "sort": "-score"}, headers=HTMX).content.decode()
    links = re.findall(r'<a [^>]*?href="([^"]*)" hx-get="([^"]*)"', html)
    assert len(links) == 6  # Reset, three sort headers, next, last
    assert all(href == hx_get for href, hx_get in links)
    next_link = re.search(r'href="([^"]*)" hx-get="[^"]*" rel="next"', html).group(1).replace("&amp;", "&")
    assert "page=2" in next_link and "sort=-score" in next_link
    second = owner_client.get(LIST_URL + next_link, headers=HTMX).content.decode()
    assert _rows(second) == 5 and "Page 2 of 2" in second


def test_an_invalid_filter_through_htmx_shows_the_error_in_the_block(owner_client, vacancy):
    ResponseFactory(vacancy=vacancy)
    page = owner_client.get(LIST_URL, {"min_score": "lots"}, headers=HTMX)
    html = page.content.decode()
    assert page.status_code == 200 and "<html" not in html
    assert "Enter a whole number from 0 to 100." in html and _rows(html) == 0


def test_outsider_gets_nothing_of_company_a_through_htmx(outsider_client, vacancy):
    ResponseFactory(vacancy=vacancy, full_name="Secret Candidate")
    html = outsider_client.get(LIST_URL, headers=HTMX).content.decode()
    assert "Secret Candidate" not in html and _rows(html) == 0
    assert "Unknown vacancy." in outsider_client.get(LIST_URL, {"vacancy": vacancy.pk}, headers=HTMX).content.decode()


@pytest.mark.parametrize("n", [5, 40])
def test_the_block_costs_no_more_queries_than_the_page(owner_client, vacancy, n, django_assert_max_num_queries):
    for _ in range(n):
        ResponseFactory(vacancy=vacancy)
    with django_assert_max_num_queries(12):
        owner_client.get(LIST_URL, headers=HTMX)


def test_the_russian_filter_button_reads_apply_filters_not_apply_for_a_job(owner_client, vacancy):
    # "Apply" has two meanings; the filter's is translated in the context "filter" («Применить»), never as the
    # candidate's «Откликнуться».
    with translation.override("ru"):
        html = owner_client.get(LIST_URL, headers={"Accept-Language": "ru"}).content.decode()
    assert 'lang="ru"' in html
    assert "Откликнуться" not in html
