"""An interviewer cannot be in two interviews at once: a slot that overlaps another slot of one of its
interviewers is refused (``scheduling.slot_clash_check``) in the service, so the page's form and the API say why."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from screening.models import InterviewSlot
from screening.services import scheduling as svc
from tests.api.conftest import jwt_client
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
# Thursday 22 October 2026, 10:00 in Berlin (summer time): 08:00 UTC, 17:00 in Tokyo.
TEN = datetime(2026, 10, 22, 10, 0, tzinfo=BERLIN)


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
def colleague(company):
    return UserFactory(company=company, role=Role.RECRUITER, email="colleague@acme.test", first_name="Kira")


def _slot(vacancy, starts_at=TEN, minutes=45, interviewers=(), **kwargs):
    return svc.slot_create(
        vacancy=vacancy, starts_at=starts_at, duration_minutes=minutes, interviewers=interviewers, **kwargs
    )


def test_an_overlapping_slot_of_the_same_interviewer_is_refused_naming_the_clash(vacancy, recruiter):
    _slot(vacancy, interviewers=[recruiter])
    with pytest.raises(ValidationError) as refused:
        _slot(vacancy, starts_at=TEN + timedelta(minutes=30), interviewers=[recruiter], time_zone="Asia/Tokyo")
    (message,) = refused.value.messages
    # The other slot's time, in the zone the new slot is set in, and whose time it is.
    assert "Thursday, 22 October 2026, 17:00–17:45 (Asia/Tokyo)" in message
    assert "Roman" in message
    assert InterviewSlot.objects.count() == 1


def test_a_slot_inside_or_around_another_clashes_too(vacancy, recruiter, colleague):
    _slot(vacancy, minutes=120, interviewers=[recruiter])
    for starts_at, minutes in ((TEN + timedelta(minutes=30), 15), (TEN - timedelta(minutes=30), 240)):
        with pytest.raises(ValidationError):
            _slot(vacancy, starts_at=starts_at, minutes=minutes, interviewers=[colleague, recruiter])
    assert InterviewSlot.objects.count() == 1


def test_back_to_back_slots_and_slots_without_a_common_interviewer_do_not_clash(vacancy, recruiter, colleague):
    _slot(vacancy, interviewers=[recruiter])
    _slot(vacancy, starts_at=TEN + timedelta(minutes=45), interviewers=[recruiter])  # starts as the other ends
    _slot(vacancy, starts_at=TEN - timedelta(minutes=45), interviewers=[recruiter])  # ends as the other starts
    _slot(vacancy, interviewers=[colleague])
    _slot(vacancy)  # the team's slots, naming nobody, never clash
    _slot(vacancy)
    assert InterviewSlot.objects.count() == 6


def test_an_interviewer_clashes_across_vacancies(company, vacancy, recruiter):
    _slot(VacancyFactory(company=company, title="Designer"), interviewers=[recruiter])
    with pytest.raises(ValidationError):
        _slot(vacancy, interviewers=[recruiter])
    assert not InterviewSlot.objects.filter(vacancy=vacancy).exists()


def test_a_deleted_slot_no_longer_clashes(vacancy, recruiter):
    svc.slot_delete(slot=_slot(vacancy, interviewers=[recruiter]))
    assert _slot(vacancy, interviewers=[recruiter]).pk


def test_a_series_running_into_a_slot_of_its_interviewer_adds_nothing(vacancy, recruiter):
    _slot(vacancy, starts_at=datetime(2026, 10, 22, 11, 0, tzinfo=BERLIN), interviewers=[recruiter])
    with pytest.raises(ValidationError) as refused:
        svc.slot_series_create(
            vacancy=vacancy, day=date(2026, 10, 22), start=time(9), end=time(13), interviewers=[recruiter]
        )
    assert "11:00–11:45 (Europe/Berlin)" in refused.value.messages[0]
    assert InterviewSlot.objects.count() == 1


def test_the_slot_form_shows_the_clash_and_adds_nothing(recruiter_client, vacancy, recruiter):
    _slot(vacancy, interviewers=[recruiter])
    page = recruiter_client.post(
        reverse("screening:slots", args=[vacancy.pk]),
        {
            "action": "one",
            "one-day": "2026-10-22",
            "one-start": "10:15",
            "one-duration_minutes": "30",
            "one-time_zone": "Europe/Berlin",
            "one-interviewers": [recruiter.pk],
        },
    )
    assert page.status_code == 400
    assert "already has an interview slot at Thursday, 22 October 2026, 10:00–10:45 (Europe/Berlin)" in (
        page.content.decode()
    )
    assert InterviewSlot.objects.count() == 1


def test_the_api_answers_a_clash_with_400_and_the_message(vacancy, recruiter):
    _slot(vacancy, interviewers=[recruiter])
    answer = jwt_client(recruiter).post(
        f"/api/v1/vacancies/{vacancy.pk}/slots/",
        {"starts_at": "2026-10-22T08:30:00Z", "time_zone": "Europe/Berlin", "interviewers": [recruiter.pk]},
        format="json",
    )
    assert answer.status_code == 400
    assert "10:00–10:45 (Europe/Berlin)" in str(answer.json())
    assert InterviewSlot.objects.count() == 1
