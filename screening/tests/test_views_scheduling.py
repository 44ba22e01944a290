"""The recruiter's scheduling pages: a vacancy's slots and interviews, the response's interview block and
invitation, the calendar feed page and the feed."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from screening.models import Booking, CalendarFeed, EmailTemplate, InterviewSlot, Response, SentEmail
from screening.services import scheduling as svc
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def vacancy(company):
    company.time_zone = "Europe/Berlin"
    company.save(update_fields=["time_zone"])
    return VacancyFactory(company=company, title="Python developer")


@pytest.fixture
def passed(vacancy):
    return ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova")


def _slot(vacancy, days=2, **kwargs):
    return svc.slot_create(vacancy=vacancy, starts_at=datetime(2026, 10, 20 + days, 10, tzinfo=BERLIN), **kwargs)


def test_the_slots_page_lists_slots_in_their_zone_and_who_booked(recruiter_client, vacancy, passed):
    slot = _slot(vacancy, location="Room 3")
    svc.booking_create(response=passed, slot_id=slot.pk)
    _slot(vacancy, days=3)
    page = recruiter_client.get(reverse("screening:slots", args=[vacancy.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "10:00–10:45 (Europe/Berlin)" in html
    assert "Anna Petrova" in html
    assert 'name="one-day"' in html and 'name="series-gap_minutes"' in html


def test_a_recruiter_adds_one_slot_in_the_chosen_zone(recruiter_client, vacancy, recruiter):
    page = recruiter_client.post(
        reverse("screening:slots", args=[vacancy.pk]),
        {
            "action": "one",
            "one-day": "2026-10-26",
            "one-start": "10:00",
            "one-duration_minutes": "30",
            "one-time_zone": "Europe/Berlin",
            "one-interviewers": [recruiter.pk],
            "one-video_url": "https://meet.example.com/abc",
        },
    )
    assert page.status_code == 302 and page["Location"] == reverse("screening:slots", args=[vacancy.pk])
    slot = InterviewSlot.objects.get()
    # 26 October is winter time in Berlin: 10:00 is 09:00 UTC.
    assert slot.starts_at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert (slot.duration_minutes, slot.created_by, list(slot.interviewers.all())) == (30, recruiter, [recruiter])


def test_a_series_is_added_and_a_bad_one_shows_the_error(recruiter_client, vacancy):
    url = reverse("screening:slots", args=[vacancy.pk])
    body = {
        "action": "series",
        "series-day": "2026-10-23",
        "series-start": "10:00",
        "series-end": "12:00",
        "series-duration_minutes": "45",
        "series-gap_minutes": "15",
        "series-time_zone": "Europe/Berlin",
    }
    assert recruiter_client.post(url, body).status_code == 302
    assert InterviewSlot.objects.count() == 2
    page = recruiter_client.post(url, {**body, "series-end": "10:10"})
    assert page.status_code == 400
    assert "No slot fits between these times." in page.content.decode()
    assert InterviewSlot.objects.count() == 2


def test_an_interviewer_of_another_company_is_not_a_choice(recruiter_client, vacancy, outsider):
    page = recruiter_client.post(
        reverse("screening:slots", args=[vacancy.pk]),
        {
            "action": "one",
            "one-day": "2026-10-26",
            "one-start": "10:00",
            "one-duration_minutes": "30",
            "one-time_zone": "Europe/Berlin",
            "one-interviewers": [outsider.pk],
        },
    )
    assert page.status_code == 400
    assert not InterviewSlot.objects.exists()


def test_a_viewer_reads_the_slots_page_without_forms_and_cannot_add(viewer_client, vacancy):
    _slot(vacancy)
    page = viewer_client.get(reverse("screening:slots", args=[vacancy.pk]))
    assert page.status_code == 200
    assert 'name="one-day"' not in page.content.decode()
    refused = viewer_client.post(reverse("screening:slots", args=[vacancy.pk]), {"action": "one"})
    assert refused.status_code == 403


def test_deleting_a_booked_slot_is_refused_and_a_free_one_goes(recruiter_client, vacancy, passed):
    booked, free = _slot(vacancy), _slot(vacancy, days=3)
    svc.booking_create(response=passed, slot_id=booked.pk)
    recruiter_client.post(reverse("screening:slot_delete", args=[booked.pk]))
    recruiter_client.post(reverse("screening:slot_delete", args=[free.pk]))
    assert list(InterviewSlot.objects.all()) == [booked]


def test_cancel_and_mark_from_the_response_page(recruiter_client, vacancy, passed, clock):
    slot = _slot(vacancy)
    booking = svc.booking_create(response=passed, slot_id=slot.pk)
    block = recruiter_client.get(reverse("screening:interview", args=[passed.pk]), headers={"HX-Request": "true"})
    assert "Cancel interview" in block.content.decode() and "<html" not in block.content.decode()
    clock.move_to(slot.starts_at + timedelta(hours=1))
    done = recruiter_client.post(
        reverse("screening:booking_mark", args=[booking.pk]), {"status": "no_show", "next": "response"}
    )
    assert done["Location"] == passed.get_absolute_url() + "#interview"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW


def test_the_recruiter_cancels_and_the_candidate_gets_the_cancellation(
    recruiter_client, vacancy, passed, django_capture_on_commit_callbacks
):
    booking = svc.booking_create(response=passed, slot_id=_slot(vacancy).pk)
    with django_capture_on_commit_callbacks(execute=True):
        answer = recruiter_client.post(reverse("screening:booking_cancel", args=[booking.pk]))
    assert answer["Location"] == reverse("screening:slots", args=[vacancy.pk]) + "#interviews"
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "recruiter")
    assert SentEmail.objects.filter(template=EmailTemplate.Key.BOOKING_CANCELLED, response=passed).exists()


def test_inviting_emails_the_booking_link(recruiter_client, vacancy, passed):
    _slot(vacancy)
    answer = recruiter_client.post(reverse("screening:invite", args=[passed.pk]))
    assert answer["Location"] == passed.get_absolute_url() + "#interview"
    assert SentEmail.objects.filter(template=EmailTemplate.Key.SLOTS_OFFERED, response=passed).exists()


def test_inviting_without_free_slots_says_so(recruiter_client, vacancy, passed):
    answer = recruiter_client.post(reverse("screening:invite", args=[passed.pk]), follow=True)
    assert "add free interview slots" in answer.content.decode()
    assert not SentEmail.objects.filter(template=EmailTemplate.Key.SLOTS_OFFERED).exists()


def test_the_response_page_loads_the_interview_block(recruiter_client, passed):
    html = recruiter_client.get(passed.get_absolute_url()).content.decode()
    assert reverse("screening:interview", args=[passed.pk]) in html


def test_the_vacancy_page_links_to_its_slots(recruiter_client, vacancy):
    html = recruiter_client.get(reverse("vacancies:detail", args=[vacancy.pk])).content.decode()
    assert reverse("screening:slots", args=[vacancy.pk]) in html


def test_the_feed_page_shows_the_address_once_and_the_feed_serves_ics(recruiter, vacancy, passed):
    client = Client()
    client.force_login(recruiter)
    svc.booking_create(response=passed, slot_id=_slot(vacancy, interviewers=[recruiter]).pk)
    made = client.post(reverse("screening:calendar"), {"action": "create"})
    url = made.context["feed_url"]
    assert url in made.content.decode()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarFeed.objects.get(user=recruiter).token_hash != token
    assert url not in client.get(reverse("screening:calendar")).content.decode()  # shown once

    feed = Client().get(reverse("screening:calendar_feed", args=[token]))  # no login
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
    assert "Python developer" in str(event["summary"])

    client.post(reverse("screening:calendar"), {"action": "revoke"})
    assert Client().get(reverse("screening:calendar_feed", args=[token])).status_code == 404
    assert Client().get(reverse("screening:calendar_feed", args=["nope"])).status_code == 404


@pytest.mark.parametrize("n", [1, 8])
def test_the_slots_page_keeps_its_query_count(recruiter_client, vacancy, recruiter, n, django_assert_max_num_queries):
    for day in range(n):
        slot = svc.slot_create(
            vacancy=vacancy,
            starts_at=datetime(2026, 10, 22, 8, tzinfo=UTC) + timedelta(days=day),
            interviewers=[recruiter],
        )
        svc.booking_create(response=ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED), slot_id=slot.pk)
    with django_assert_max_num_queries(14):
        assert recruiter_client.get(reverse("screening:slots", args=[vacancy.pk])).status_code == 200
