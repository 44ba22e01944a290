"""The menu's queue badge agrees with the queue table: on the queue page every htmx refresh of the table (every
5 s) brings the badge's count out of band; elsewhere the badge refreshes itself every 30 s."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from screening.models import HumanRequest
from screening.services.human import human_request_open
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

OOB = re.compile(r'<span id="queue-badge" hx-swap-oob="innerHTML">(.*?)</span>\s*$', re.S)


def _login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def waiting(company, other_company):
    vacancy = VacancyFactory(company=company)
    for name in ("Anna", "Boris", "Clara"):
        human_request_open(response=ResponseFactory(vacancy=vacancy, full_name=name), reason=HumanRequest.Reason.ASKED)
    stranger = ResponseFactory(vacancy=VacancyFactory(company=other_company))
    human_request_open(response=stranger, reason=HumanRequest.Reason.ASKED)


def test_each_refresh_of_the_table_brings_the_badge_with_the_same_count(waiting, recruiter, company):
    browser = _login(recruiter)
    block = browser.get(reverse("screening:queue"), headers={"HX-Request": "true"}).content.decode()
    assert "data-queue-count>3<" in OOB.search(block).group(1)
    assert block.count("data-queue-row=") == 3

    HumanRequest.objects.filter(company=company, response__full_name="Anna").update(resolved_at="2026-01-01T00:00Z")
    block = browser.get(reverse("screening:queue"), headers={"HX-Request": "true"}).content.decode()
    assert "data-queue-count>2<" in OOB.search(block).group(1)


def test_an_empty_queue_empties_the_badge(recruiter):
    block = _login(recruiter).get(reverse("screening:queue"), headers={"HX-Request": "true"}).content.decode()
    assert OOB.search(block).group(1).strip() == ""


def test_the_refresh_costs_no_extra_query_for_the_badge(waiting, recruiter, django_assert_num_queries):
    browser = _login(recruiter)
    with django_assert_num_queries(4):  # the session, the member, their company, the queue; no count query
        browser.get(reverse("screening:queue"), headers={"HX-Request": "true"})


def test_the_whole_page_has_one_badge_the_menus_which_loads_itself_every_30_s(waiting, recruiter):
    page = _login(recruiter).get(reverse("screening:queue")).content.decode()
    assert page.count('id="queue-badge"') == 1
    assert "hx-swap-oob" not in page
    assert f'<span id="queue-badge" hx-get="{reverse("screening:queue_badge")}" hx-trigger="load, every 30s"' in page
