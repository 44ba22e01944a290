"""Dates on the dashboard name the month ("1 Dec 2026", "1 декабря 2026"), so that "12/01/2026" can never be read
as 12 January by one reader and 1 December by another (smartbot/formats/, FORMAT_MODULE_PATH)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, translation

from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory

MOMENT = dt.datetime(2026, 12, 1, 11, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime"),
    [("en", "1 Dec 2026", "1 Dec 2026, 11:05"), ("ru", "1 декабря 2026", "1 декабря 2026, 11:05")],
)
def test_short_formats_spell_the_month_out(language, short_date, short_datetime):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime


def test_english_long_dates_are_day_first_too():
    with translation.override("en"):
        assert formats.date_format(MOMENT, "DATE_FORMAT") == "1 Dec 2026"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown"), [("en", "1 Dec 2026"), ("ru", "1 декабря 2026")])
def test_the_vacancy_list_shows_the_unambiguous_date(owner_client, company, language, shown):
    vacancy = VacancyFactory(company=company)
    Vacancy.objects.filter(pk=vacancy.pk).update(created_at=MOMENT)
    page = owner_client.get(reverse("vacancies:list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown in page
    assert "12/01/2026" not in page and "01.12.2026" not in page
