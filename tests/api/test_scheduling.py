"""The scheduling API: a vacancy's slots, the company's bookings, cancel and mark."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from screening.models import Booking, InterviewSlot, Response
from screening.services import scheduling as svc
from screening.tests.factories import ResponseFactory
from tests.api.conftest import jwt_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def passed(vacancy):
    return ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)


def test_a_recruiter_adds_a_slot_and_lists_them(recruiter_api, vacancy, recruiter):
    body = {
        "starts_at": "2026-10-26T10:00:00+01:00",
        "duration_minutes": 30,
        "time_zone": "Europe/Berlin",
        "interviewers": [recruiter.pk],
        "video_url": "https://meet.example.com/x",
    }
    made = recruiter_api.post(f"/api/v1/vacancies/{vacancy.pk}/slots/", body, format="json")
    assert made.status_code == 201, made.content
    slot = InterviewSlot.objects.get()
    assert slot.starts_at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert made.json()["interviewers"] == [recruiter.pk]
    listed = recruiter_api.get(f"/api/v1/vacancies/{vacancy.pk}/slots/").json()
    assert [row["id"] for row in listed["results"]] == [slot.pk]
    assert listed["results"][0]["booked"] is False


def test_a_slot_in_the_past_or_with_a_foreign_interviewer_is_a_400(recruiter_api, vacancy, outsider):
    url = f"/api/v1/vacancies/{vacancy.pk}/slots/"
    past = recruiter_api.post(url, {"starts_at": "2026-10-19T10:00:00Z"}, format="json")
    foreign = recruiter_api.post(
        url, {"starts_at": "2026-10-26T10:00:00Z", "interviewers": [outsider.pk]}, format="json"
    )
    assert (past.status_code, foreign.status_code) == (400, 400)
    assert not InterviewSlot.objects.exists()


def test_bookings_list_filter_cancel_and_mark(recruiter_api, recruiter, vacancy, passed, clock):
    slot = svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(days=1))
    booking = svc.booking_create(response=passed, slot_id=slot.pk)
    rows = recruiter_api.get("/api/v1/bookings/", {"vacancy": vacancy.pk, "status": "booked"}).json()["results"]
    assert [(row["id"], row["status"], row["response"]) for row in rows] == [(booking.pk, "booked", passed.pk)]
    early = recruiter_api.post(f"/api/v1/bookings/{booking.pk}/mark/", {"status": "no_show"}, format="json")
    assert early.status_code == 400
    clock.move_to(slot.starts_at + timedelta(minutes=10))
    recruiter_api = jwt_client(recruiter)  # a fresh token: the clock moved a day
    marked = recruiter_api.post(f"/api/v1/bookings/{booking.pk}/mark/", {"status": "no_show"}, format="json")
    assert marked.status_code == 200 and marked.json()["status"] == "no_show"
    assert recruiter_api.post(f"/api/v1/bookings/{booking.pk}/cancel/").status_code == 400


def test_cancel_frees_the_slot(recruiter_api, vacancy, passed):
    slot = svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(days=1))
    booking = svc.booking_create(response=passed, slot_id=slot.pk)
    answer = recruiter_api.post(f"/api/v1/bookings/{booking.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["cancelled_by"] == "recruiter"
    assert Booking.objects.get().status == "cancelled"
    assert recruiter_api.delete(f"/api/v1/slots/{slot.pk}/").status_code == 204
    assert not InterviewSlot.objects.exists()


def test_a_booked_slot_cannot_be_deleted(recruiter_api, vacancy, passed):
    slot = svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(days=1))
    svc.booking_create(response=passed, slot_id=slot.pk)
    assert recruiter_api.delete(f"/api/v1/slots/{slot.pk}/").status_code == 400
    assert InterviewSlot.objects.exists()


def test_the_bookings_list_keeps_its_query_count(viewer_api, vacancy, django_assert_max_num_queries):
    for day in range(1, 6):
        slot = svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(days=day))
        svc.booking_create(response=ResponseFactory(vacancy=vacancy, status="passed"), slot_id=slot.pk)
    with django_assert_max_num_queries(6):
        assert viewer_api.get("/api/v1/bookings/").json()["count"] == 5


def test_a_viewer_as_interviewer_is_a_400_with_the_reason(recruiter_api, vacancy, recruiter, viewer):
    body = {"starts_at": "2026-10-26T10:00:00Z", "interviewers": [recruiter.pk, viewer.pk]}
    refused = recruiter_api.post(f"/api/v1/vacancies/{vacancy.pk}/slots/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["interviewers"] == [
        "Interviewers must be owners or recruiters of your company."
    ]
    assert not InterviewSlot.objects.exists()
