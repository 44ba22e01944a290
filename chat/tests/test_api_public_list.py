"""One public list of a company's open vacancies: the careers page and the public API show the same ones in the
same order (newest published first, never published last, then by title)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from vacancies.models import Vacancy
from vacancies.selectors import vacancy_public_list
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # the public API's throttle counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def vacancies(company):
    now = timezone.now()
    made = [
        ("older", "Backend developer", now - timedelta(days=3)),
        ("never-published", "Analyst", None),
        ("newest-b", "Zoologist", now),
        ("newest-a", "Architect", now),
        ("middle", "Designer", now - timedelta(days=1)),
    ]
    for slug, title, published_at in made:
        VacancyFactory(company=company, slug=slug, title=title, published_at=published_at)
    VacancyFactory(company=company, slug="closed", status=Vacancy.Status.CLOSED, published_at=now)
    VacancyFactory(slug="elsewhere", published_at=now)  # another company's
    return ["newest-a", "newest-b", "middle", "older", "never-published"]


def test_the_selector_orders_newest_published_first_then_by_title(company, vacancies):
    assert [v.slug for v in vacancy_public_list(company=company)] == vacancies


def test_the_careers_page_and_the_public_api_list_the_same_vacancies_in_the_same_order(client, company, vacancies):
    page = client.get(reverse("chat:careers", args=[company.slug])).content.decode()
    on_page = re.findall(rf'<h2><a href="/careers/{company.slug}/([^/"]+)/">', page)
    in_api = [
        v["slug"] for v in APIClient().get(f"/api/v1/public/companies/{company.slug}/vacancies/").json()["results"]
    ]
    assert on_page == in_api == vacancies


def test_the_closed_page_lists_them_in_the_same_order(client, company, vacancies):
    page = client.get(reverse("chat:vacancy", args=[company.slug, "closed"]))
    assert page.status_code == 404
    assert re.findall(rf'<h3><a href="/careers/{company.slug}/([^/"]+)/">', page.content.decode()) == vacancies
