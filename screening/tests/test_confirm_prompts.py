"""One-click destructive actions ask first: the form carries ``data-confirm`` (static/js/app.js asks with the
browser's confirm dialog; without JavaScript the plain form posts as before). Cancelling an interview (recruiter
and candidate), "Done" in the queue, and making a new or revoking the calendar feed's address."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from screening.models import CalendarFeed, HumanRequest, Response
from screening.services import scheduling
from screening.services.human import human_request_open
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _form_of(html: str, marker: str) -> str:
    """The ``<form ...>`` opening tag of the form that contains ``marker``."""
    end = html.index(marker)
    start = html.rindex("<form", 0, end)
    return html[start : html.index(">", start) + 1]


@pytest.fixture
def booking(company):
    with time_machine.travel(datetime(2026, 10, 20, 8, 0, tzinfo=UTC), tick=False):
        vacancy = VacancyFactory(company=company)
        passed = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova")
        slot = scheduling.slot_create(vacancy=vacancy, starts_at=datetime(2030, 10, 22, 10, tzinfo=BERLIN))
        return scheduling.booking_create(response=passed, slot_id=slot.pk)


def test_the_recruiters_cancel_interview_asks_first(recruiter_client, booking):
    block = recruiter_client.get(reverse("screening:interview", args=[booking.response_id]))
    form = _form_of(block.content.decode(), "Cancel interview")
    assert reverse("screening:booking_cancel", args=[booking.pk]) in form
    assert 'data-confirm="Cancel this interview? The candidate is told by email' in form


def test_the_candidates_cancel_asks_first(client, booking):
    page = client.get(reverse("chat:interview", args=[booking.response.token]))
    form = _form_of(page.content.decode(), 'value="cancel"')
    assert 'data-confirm="Cancel your interview?' in form


def test_done_in_the_queue_asks_first(recruiter_client, company):
    vacancy = VacancyFactory(company=company)
    human_request_open(response=ResponseFactory(vacancy=vacancy), reason=HumanRequest.Reason.ASKED)
    page = recruiter_client.get(reverse("screening:queue")).content.decode()
    assert 'data-confirm="Mark this candidate as answered? They leave the queue."' in _form_of(page, ">Done<")


def test_the_first_feed_address_is_made_at_once_a_new_one_and_revoking_ask_first(recruiter_client, recruiter):
    url = reverse("screening:calendar")
    first = recruiter_client.get(url).content.decode()
    assert "data-confirm" not in _form_of(first, 'value="create"')

    recruiter_client.post(url, {"action": "create"})
    assert CalendarFeed.objects.filter(user=recruiter).exists()
    page = recruiter_client.get(url).content.decode()
    assert 'data-confirm="Make a new address? The old one stops working' in _form_of(page, 'value="create"')
    assert 'data-confirm="Revoke the address?' in _form_of(page, 'value="revoke"')


def test_without_javascript_done_still_posts_and_resolves(recruiter_client, company):
    vacancy = VacancyFactory(company=company)
    request = human_request_open(response=ResponseFactory(vacancy=vacancy), reason=HumanRequest.Reason.ASKED)
    answer = recruiter_client.post(reverse("screening:queue_resolve", args=[request.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("screening:queue")
    request.refresh_from_db()
    assert request.resolved_at is not None
