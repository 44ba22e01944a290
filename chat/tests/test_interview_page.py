"""The candidate's interview booking page behind their private link: book, see it in their own zone, move,
cancel, and the clear answer when someone else took the time a moment ago."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from screening.models import Booking, EmailTemplate, Response, SentEmail
from screening.services import scheduling as svc
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def vacancy(company):
    company.time_zone = "Europe/Berlin"
    company.save(update_fields=["time_zone"])
    return VacancyFactory(company=company, title="Python developer")


@pytest.fixture
def passed(vacancy):
    return ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova")


@pytest.fixture
def slots(vacancy):
    return [svc.slot_create(vacancy=vacancy, starts_at=datetime(2026, 10, day, 8, tzinfo=UTC)) for day in (22, 23, 27)]


def _url(response, **query):
    url = reverse("chat:interview", args=[response.token])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_page_shows_free_times_in_the_companys_zone_and_names_it(passed, slots):
    html = Client().get(_url(passed)).content.decode()
    assert "Times are shown in the time zone Europe/Berlin." in html
    # 22 October 08:00 UTC is 10:00 summer time in Berlin; 27 October 08:00 UTC is 09:00 winter time.
    assert "10:00–10:45 (Europe/Berlin)" in html
    assert "09:00–09:45 (Europe/Berlin)" in html
    assert html.count('name="slot"') == 3
    assert "js/interview.js" in html


def test_the_browser_zone_shows_the_times_in_it(passed, slots):
    html = Client().get(_url(passed, tz="Asia/Tokyo")).content.decode()
    assert "Times are shown in the time zone Asia/Tokyo." in html
    assert "17:00–17:45 (Asia/Tokyo)" in html


def test_an_unknown_zone_is_ignored(passed, slots):
    html = Client().get(_url(passed, tz="Mars/Olympus")).content.decode()
    assert "Times are shown in the time zone Europe/Berlin." in html
    assert "(Mars/Olympus)" not in html


def test_booking_moving_and_cancelling(passed, slots, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(_url(passed), {"slot": slots[0].pk, "time_zone": "Asia/Tokyo"})
    assert booked.status_code == 302 and booked["Location"] == _url(passed, tz="Asia%2FTokyo")
    booking = Booking.objects.get()
    assert (booking.slot, booking.candidate_time_zone) == (slots[0], "Asia/Tokyo")
    page = client.get(booked["Location"]).content.decode()
    assert "Your interview is booked." in page and "Your interview" in page
    assert page.count('name="slot"') == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(passed), {"slot": slots[1].pk, "time_zone": "Asia/Tokyo"})
    booking.refresh_from_db()
    assert (booking.slot, booking.sequence) == (slots[1], 1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(passed), {"action": "cancel"})
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "candidate")
    sent = list(SentEmail.objects.filter(response=passed).values_list("template", flat=True).order_by("pk"))
    assert sent == [
        EmailTemplate.Key.BOOKING_CONFIRMED,
        EmailTemplate.Key.BOOKING_CONFIRMED,
        EmailTemplate.Key.BOOKING_CANCELLED,
    ]


@pytest.mark.parametrize("action", ["delete", "BOOK", "cancel "])
def test_an_unknown_action_says_so_and_changes_nothing(passed, slots, action):
    client = Client()
    client.post(_url(passed), {"slot": slots[0].pk})
    booking = Booking.objects.get()
    answer = client.post(_url(passed), {"action": action, "slot": slots[1].pk}, follow=True)
    assert "Unknown action: choose a time to book, or cancel your interview." in answer.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.slot, booking.sequence) == ("booked", slots[0], 0)
    assert Booking.objects.count() == 1


def test_an_explicit_book_action_books(passed, slots):
    Client().post(_url(passed), {"action": "book", "slot": slots[0].pk})
    assert Booking.objects.get().slot == slots[0]


def test_a_time_taken_a_moment_ago_says_so_and_offers_the_rest(vacancy, passed, slots):
    rival = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    svc.booking_create(response=rival, slot_id=slots[0].pk)  # the rival clicked first, after our page loaded
    page = Client().post(_url(passed), {"slot": slots[0].pk})
    assert page.status_code == 409
    html = page.content.decode()
    assert "Someone booked that time a moment ago" in html
    assert html.count('name="slot"') == 2
    assert not Booking.objects.filter(response=passed).exists()


def test_a_slot_of_another_vacancy_or_garbage_books_nothing(company, passed):
    foreign = svc.slot_create(vacancy=VacancyFactory(company=company), starts_at=datetime(2026, 10, 22, 8, tzinfo=UTC))
    Client().post(_url(passed), {"slot": foreign.pk})
    Client().post(_url(passed), {"slot": "1; drop table"})
    assert not Booking.objects.exists()


def test_a_rejected_candidate_sees_no_times(vacancy, slots):
    rejected = ResponseFactory(vacancy=vacancy, status=Response.Status.REJECTED)
    html = Client().get(_url(rejected)).content.decode()
    assert 'name="slot"' not in html
    Client().post(_url(rejected), {"slot": slots[0].pk})
    assert not Booking.objects.exists()


def test_an_unknown_token_is_404():
    assert Client().get(reverse("chat:interview", args=["nope"])).status_code == 404
