"""Who can interview: a slot's interviewers are the company's owners and recruiters. A viewer has read-only
access, so the slot forms do not offer one and the service refuses one posted anyway (the API: tests/api)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening.models import InterviewSlot
from screening.services import scheduling as svc
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
ERROR = "Interviewers must be owners or recruiters of your company."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company)


def _one_slot_body(interviewers) -> dict:
    return {
        "action": "one",
        "one-day": "2026-10-26",
        "one-start": "10:00",
        "one-duration_minutes": "30",
        "one-time_zone": "Europe/Berlin",
        "one-interviewers": [user.pk for user in interviewers],
    }


def test_the_slot_forms_offer_owners_and_recruiters_but_not_viewers(
    recruiter_client, vacancy, owner, recruiter, viewer
):
    page = recruiter_client.get(reverse("screening:slots", args=[vacancy.pk]))
    for form in (page.context["slot_form"], page.context["series_form"]):
        assert set(form.fields["interviewers"].queryset) == {owner, recruiter}


def test_a_viewer_posted_as_interviewer_is_refused_with_the_reason(recruiter_client, vacancy, recruiter, viewer):
    page = recruiter_client.post(reverse("screening:slots", args=[vacancy.pk]), _one_slot_body([recruiter, viewer]))
    assert page.status_code == 400
    assert page.context["slot_form"].errors["interviewers"] == [ERROR]
    assert ERROR in page.content.decode()
    assert not InterviewSlot.objects.exists()


def test_the_service_refuses_a_viewer_as_interviewer(vacancy, viewer):
    with pytest.raises(ValidationError) as refused:
        svc.slot_create(vacancy=vacancy, starts_at=datetime(2026, 10, 26, 9, tzinfo=UTC), interviewers=[viewer])
    assert refused.value.message_dict == {"interviewers": [ERROR]}
    assert not InterviewSlot.objects.exists()


def test_the_service_takes_an_owner_and_a_recruiter(vacancy, owner, recruiter):
    slot = svc.slot_create(
        vacancy=vacancy, starts_at=datetime(2026, 10, 26, 9, tzinfo=UTC), interviewers=[owner, recruiter]
    )
    assert set(slot.interviewers.all()) == {owner, recruiter}
