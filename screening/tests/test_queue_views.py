"""The queue page: who waits, why, for how long (red when overdue), live by htmx; viewers read only; "Done"."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from screening.models import ChatMessage, ChatSession, HumanRequest
from screening.services.human import human_request_open
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def queue(company, other_company):
    vacancy = VacancyFactory(company=company, title="Python developer")
    anna = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova")
    boris = ResponseFactory(vacancy=vacancy, full_name="Boris Ivanov")
    session = ChatSession.objects.create(response=anna)
    ChatMessage.objects.create(session=session, sender="candidate", text="Can I talk to a human?")
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=MSK), tick=False):
        late = human_request_open(response=anna, reason=HumanRequest.Reason.ASKED)  # due 14:00
    with time_machine.travel(datetime(2026, 12, 1, 13, 0, tzinfo=MSK), tick=False):
        fresh = human_request_open(response=boris, reason=HumanRequest.Reason.STUCK, text="Stuck on salary")
    stranger = ResponseFactory(vacancy=VacancyFactory(company=other_company), full_name="Somebody Else")
    human_request_open(response=stranger, reason=HumanRequest.Reason.ASKED)
    return late, fresh


def test_recruiters_see_who_waits_why_and_for_how_long_overdue_in_red(queue, recruiter, django_assert_max_num_queries):
    browser = login(recruiter)
    with (
        time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=MSK), tick=False),
        django_assert_max_num_queries(8),
    ):
        page = browser.get(reverse("screening:queue"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Anna Petrova") < html.index("Boris Ivanov")  # soonest due first
    assert "Somebody Else" not in html
    assert "overdue by 1 h 0 min" in html and "data-overdue" in html and "badge--failed" in html
    assert "due in 2 h 0 min" in html
    assert "“Can I talk to a human?”" in html and "“Stuck on salary”" in html
    assert "Asked for a person" in html and "Stuck on a question" in html
    assert html.count(">Claim<") == 2 and html.count(">Done<") == 2
    assert 'hx-trigger="every 5s"' in html


def test_htmx_polling_gets_the_table_only(queue, recruiter):
    block = login(recruiter).get(reverse("screening:queue"), headers={"HX-Request": "true"})
    html = block.content.decode()
    assert 'id="queue"' in html and "Anna Petrova" in html
    assert "<html" not in html


def test_viewers_read_without_buttons(queue, viewer):
    html = login(viewer).get(reverse("screening:queue")).content.decode()
    assert "Anna Petrova" in html and ">Claim<" not in html and ">Done<" not in html


def test_done_takes_a_request_out_of_the_queue(queue, recruiter):
    late, _fresh = queue
    browser = login(recruiter)
    page = browser.post(reverse("screening:queue_resolve", args=[late.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("screening:queue")
    late.refresh_from_db()
    assert late.resolved_at is not None and late.claimed_by == recruiter
    assert "Anna Petrova" not in browser.get(reverse("screening:queue")).content.decode()


def test_the_menu_badge_counts_the_company_waiting(queue, recruiter, company):
    browser = login(recruiter)
    badge = browser.get(reverse("screening:queue_badge")).content.decode()
    assert ">2<" in badge
    HumanRequest.objects.filter(company=company).update(resolved_at=datetime.now(MSK) - timedelta(minutes=1))
    assert "badge" not in browser.get(reverse("screening:queue_badge")).content.decode()
    assert reverse("screening:queue_badge") in browser.get(reverse("screening:queue")).content.decode()


def test_outsiders_and_anonymous_are_kept_out(queue, outsider):
    late, _fresh = queue
    assert login(outsider).post(reverse("screening:queue_resolve", args=[late.pk])).status_code == 404
    assert "Anna Petrova" not in login(outsider).get(reverse("screening:queue")).content.decode()
    assert Client().get(reverse("screening:queue")).status_code == 302
