"""Members see times in their company's zone, named on the page; candidates and other threads keep UTC."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

# 07:30 UTC on 29 March 2026, the morning Berlin moves its clocks forward (CET +01:00 -> CEST +02:00 at 01:00 UTC).
AFTER_CHANGE = dt.datetime(2026, 3, 29, 7, 30, tzinfo=dt.UTC)
BEFORE_CHANGE = dt.datetime(2026, 3, 28, 7, 30, tzinfo=dt.UTC)


def _response_at(company, when):
    response = ResponseFactory(vacancy=VacancyFactory(company=company))
    type(response).objects.filter(pk=response.pk).update(created_at=when)
    return response


def test_the_responses_table_shows_times_in_the_company_zone_across_a_daylight_saving_change(company, recruiter_client):
    company.time_zone = "Europe/Berlin"
    company.save(update_fields=["time_zone"])
    _response_at(company, BEFORE_CHANGE)
    _response_at(company, AFTER_CHANGE)

    page = recruiter_client.get(reverse("screening:list")).content.decode()

    assert 'datetime="2026-03-28T08:30:00+01:00"' in page  # CET
    assert 'datetime="2026-03-29T09:30:00+02:00"' in page  # CEST: the same 07:30 UTC, an hour later on the wall
    assert "Times are in Europe/Berlin" in page


def test_another_company_sees_its_own_zone(other_company, outsider_client):
    other_company.time_zone = "Asia/Yekaterinburg"
    other_company.save(update_fields=["time_zone"])
    _response_at(other_company, AFTER_CHANGE)

    page = outsider_client.get(reverse("screening:list")).content.decode()

    assert 'datetime="2026-03-29T12:30:00+05:00"' in page
    assert "Times are in Asia/Yekaterinburg (UTC+0500)" in page


def test_the_zone_label_is_translated(company, recruiter_client):
    page = recruiter_client.get(reverse("screening:list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Время указано по часовому поясу компании: Europe/Moscow" in page


def test_a_zone_this_machine_does_not_know_falls_back_to_utc_and_says_so(company, recruiter_client):
    type(company).objects.filter(pk=company.pk).update(time_zone="Mars/Olympus_Mons")  # past the validator
    _response_at(company, AFTER_CHANGE)

    response = recruiter_client.get(reverse("screening:list"))

    assert response.status_code == 200
    assert 'datetime="2026-03-29T07:30:00+00:00"' in response.content.decode()
    assert "Times are in UTC" in response.content.decode()


def test_a_candidate_page_and_the_next_request_keep_utc(company, recruiter_client, client):
    company.time_zone = "Asia/Tokyo"
    company.save(update_fields=["time_zone"])
    recruiter_client.get(reverse("screening:list"))

    assert timezone.get_current_timezone_name() == "UTC"  # nothing left on the thread
    client.logout()
    assert client.get("/").status_code in (200, 302)
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_api_keeps_utc_with_the_offset(company, recruiter):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    company.time_zone = "Asia/Tokyo"
    company.save(update_fields=["time_zone"])
    response = _response_at(company, AFTER_CHANGE)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(recruiter).access_token}")

    body = api.get(reverse("api:response-detail", args=[response.pk])).json()

    assert body["created_at"] in ("2026-03-29T07:30:00Z", "2026-03-29T07:30:00+00:00")


@pytest.mark.parametrize("name", ["Europe/Moscow", "UTC", "Etc/GMT+3", "America/Argentina/Buenos_Aires"])
def test_a_places_zone_is_a_time_zone_name(name):
    from accounts.models import is_time_zone_name

    assert is_time_zone_name(name)


@pytest.mark.parametrize(
    "name",
    ["localtime", "posixrules", "Factory", "right/UTC", "posix/Europe/Moscow", "Mars/Base", "../../etc/passwd", ""],
)
def test_the_servers_own_clock_and_placeholders_are_refused_everywhere(name):
    from django.core.exceptions import ValidationError

    from accounts.models import is_time_zone_name, validate_time_zone
    from screening.services.calendars import zone_name

    assert not is_time_zone_name(name)
    assert zone_name(name) == ""  # the booking page's ?tz= and the chat's book frame ignore it
    with pytest.raises(ValidationError):
        validate_time_zone(name)  # slots, bookings, the company's settings refuse it
