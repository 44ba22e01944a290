"""Requests for a person: the SLA in working hours (weekends, daylight saving), the promise, open/claim/resolve,
the queue's order and timers."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from screening.models import HumanRequest, Notification, WebhookDelivery, WebhookEndpoint
from screening.services.human import (
    human_due_at,
    human_promise_text,
    human_queue,
    human_request_claim,
    human_request_open,
    human_request_resolve,
    human_waiting_count,
)
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_SIX = {"day_start": time(9), "day_end": time(18), "working_days": "12345"}


def due(start, hours=4, zone="Europe/Moscow", **week):
    return human_due_at(start=start, hours=hours, time_zone=zone, **{**NINE_TO_SIX, **week})


# The SLA, pure -------------------------------------------------------------------------------------------------


def test_inside_working_hours_the_hours_simply_add_up():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)  # a Tuesday
    assert due(start) == datetime(2026, 12, 1, 14, 0, tzinfo=MSK)


def test_what_does_not_fit_today_continues_at_the_next_working_day_start():
    start = datetime(2026, 12, 1, 16, 30, tzinfo=MSK)  # 1.5 h left today
    assert due(start) == datetime(2026, 12, 2, 11, 30, tzinfo=MSK)


def test_a_friday_afternoon_request_is_due_on_monday_across_the_weekend():
    start = datetime(2026, 12, 4, 16, 0, tzinfo=MSK)  # Friday 16:00: 2 h on Friday, 2 h on Monday
    assert due(start) == datetime(2026, 12, 7, 11, 0, tzinfo=MSK)
    assert due(start).tzinfo == UTC


def test_a_weekend_or_night_request_starts_counting_at_the_next_opening():
    assert due(datetime(2026, 12, 5, 13, 0, tzinfo=MSK)) == datetime(2026, 12, 7, 13, 0, tzinfo=MSK)  # Saturday
    assert due(datetime(2026, 12, 1, 23, 0, tzinfo=MSK)) == datetime(2026, 12, 2, 13, 0, tzinfo=MSK)  # night
    assert due(datetime(2026, 12, 1, 6, 0, tzinfo=MSK)) == datetime(2026, 12, 1, 13, 0, tzinfo=MSK)  # early


def test_many_hours_span_several_working_days_and_a_weekend():
    start = datetime(2026, 12, 3, 9, 0, tzinfo=MSK)  # Thursday: 9 + 9 + 9 (Mon) + 3 (Tue)
    assert due(start, hours=30) == datetime(2026, 12, 8, 12, 0, tzinfo=MSK)


def test_the_wall_clock_holds_across_the_spring_daylight_saving_change():
    # Berlin moves its clocks forward on Sunday 29 March 2026. Friday 17:00 CET + 4 working hours: one on Friday,
    # three on Monday: 12:00 local, now CEST (UTC+2), so 10:00 UTC, not 11:00.
    start = datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN)
    result = due(start, zone="Europe/Berlin")
    assert result == datetime(2026, 3, 30, 12, 0, tzinfo=BERLIN)
    assert result == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def test_the_autumn_change_too():
    start = datetime(2026, 10, 23, 17, 0, tzinfo=BERLIN)  # clocks go back on Sunday 25 October
    assert due(start, zone="Europe/Berlin") == datetime(2026, 10, 26, 12, 0, tzinfo=BERLIN)
    assert due(start, zone="Europe/Berlin") == datetime(2026, 10, 26, 11, 0, tzinfo=UTC)


def test_a_working_window_spanning_the_change_counts_real_hours():
    # Every day 01:00-05:00; on 29 March 02:00 does not exist, so that window is three real hours long.
    week = {"day_start": time(1), "day_end": time(5), "working_days": "1234567"}
    start = datetime(2026, 3, 28, 4, 0, tzinfo=BERLIN)  # one hour left on Saturday, three on Sunday
    assert due(start, zone="Europe/Berlin", **week) == datetime(2026, 3, 29, 3, 0, tzinfo=UTC)


def test_a_company_without_a_usable_working_day_gets_plain_hours():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert due(start, working_days="") == start + timedelta(hours=4)
    assert due(start, day_start=time(18), day_end=time(9)) == start + timedelta(hours=4)


# The promise ---------------------------------------------------------------------------------------------------


def test_the_promise_names_the_weekday_and_time_in_the_company_time_zone():
    now = datetime(2026, 12, 4, 16, 0, tzinfo=MSK)
    text = human_promise_text(due_at=due(now), time_zone="Europe/Moscow", now=now, language="en")
    assert text == "A person will answer by Monday 11:00 (Europe/Moscow time)."


def test_the_promise_says_today_and_tomorrow_and_speaks_russian():
    now = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)
    today = human_promise_text(due_at=due(now), time_zone="Europe/Moscow", now=now, language="en")
    assert "today at 14:00" in today
    late = datetime(2026, 12, 1, 17, 0, tzinfo=MSK)
    tomorrow = human_promise_text(due_at=due(late), time_zone="Europe/Moscow", now=late, language="en")
    assert "tomorrow at 12:00" in tomorrow
    # The sentence's Russian comes with the lead's compilemessages; the weekday's is Django's own.
    friday = datetime(2026, 12, 4, 16, 0, tzinfo=MSK)
    russian = human_promise_text(due_at=due(friday), time_zone="Europe/Moscow", now=friday, language="ru")
    assert "11:00" in russian and "онедельник" in russian


# Open, claim, resolve -------------------------------------------------------------------------------------------


@pytest.fixture
def waiting(company):
    vacancy = VacancyFactory(company=company)
    return ResponseFactory(vacancy=vacancy, full_name="Anna Petrova")


@pytest.mark.django_db
def test_opening_sets_the_sla_from_the_company_hours_and_keeps_one_open_request(waiting, company):
    company.human_reply_hours = 2
    company.save()
    with time_machine.travel(datetime(2026, 12, 4, 17, 0, tzinfo=MSK), tick=False):
        request = human_request_open(response=waiting, reason=HumanRequest.Reason.ASKED, text="  a human please ")
    assert request.due_at == datetime(2026, 12, 7, 10, 0, tzinfo=MSK)
    assert (request.company, request.text) == (company, "a human please")
    assert human_request_open(response=waiting, reason=HumanRequest.Reason.COMPLAINED) is None
    assert HumanRequest.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_reason_is_refused(waiting):
    with pytest.raises(ValueError):
        human_request_open(response=waiting, reason="bored")


@pytest.mark.django_db(transaction=True)
def test_opening_emits_the_webhook_and_notifies_the_team(waiting, company, receiver, owner, recruiter, viewer):
    WebhookEndpoint.objects.create(company=company, url=receiver.url, events=["human.requested"])
    request = human_request_open(response=waiting, reason=HumanRequest.Reason.STUCK, text="Stuck")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "human.requested"
    assert delivery.payload["data"]["human_request"]["id"] == request.pk
    assert delivery.payload["data"]["human_request"]["reason"] == "stuck"
    assert delivery.payload["data"]["response"]["id"] == waiting.pk
    # The company's owners and recruiters hear of it (the bell, and email by their preference).
    notified = Notification.objects.filter(kind=Notification.Kind.HUMAN_REQUESTED, response=waiting)
    assert {n.user for n in notified} == {owner, recruiter}
    assert notified.first().url == "/responses/queue/"


@pytest.mark.django_db
def test_claim_is_idempotent_for_the_claimer_and_refused_to_another(waiting, recruiter, owner, viewer, outsider):
    request = human_request_open(response=waiting, reason=HumanRequest.Reason.ASKED)
    human_request_claim(request=request, user=recruiter)
    again = human_request_claim(request=request, user=recruiter)
    assert again.claimed_by == recruiter and again.claimed_at is not None
    with pytest.raises(ValidationError) as refused:
        human_request_claim(request=request, user=owner)
    assert refused.value.code == "claimed"
    for nobody in (viewer, outsider):
        with pytest.raises(PermissionError):
            human_request_claim(request=request, user=nobody)
    human_request_resolve(request=request, user=recruiter)
    with pytest.raises(ValidationError):
        human_request_claim(request=request, user=recruiter)


@pytest.mark.django_db
def test_resolving_takes_it_out_of_the_queue_and_a_new_request_may_open(waiting, owner, company):
    request = human_request_open(response=waiting, reason=HumanRequest.Reason.ASKED)
    assert human_waiting_count(company_id=company.pk) == 1
    resolved = human_request_resolve(request=request, user=owner)
    assert resolved.resolved_at is not None and resolved.claimed_by == owner
    assert human_waiting_count(company_id=company.pk) == 0
    assert human_queue(company=company) == []
    assert human_request_open(response=waiting, reason=HumanRequest.Reason.ASKED) is not None


@pytest.mark.django_db
def test_the_queue_is_soonest_due_first_with_waiting_time_and_overdue_flag(company, other_company):
    vacancy = VacancyFactory(company=company)
    first, second, third = (ResponseFactory(vacancy=vacancy) for _ in range(3))
    with time_machine.travel(datetime(2026, 12, 4, 17, 30, tzinfo=MSK), tick=False):  # Friday evening: Monday
        late = human_request_open(response=first, reason=HumanRequest.Reason.ASKED)
    with time_machine.travel(datetime(2026, 12, 4, 10, 0, tzinfo=MSK), tick=False):  # Friday morning: 14:00
        early = human_request_open(response=second, reason=HumanRequest.Reason.STUCK)
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=MSK), tick=False):  # 16:00
        middle = human_request_open(response=third, reason=HumanRequest.Reason.COMPLAINED)
    human_request_open(response=ResponseFactory(vacancy=VacancyFactory(company=other_company)), reason="asked")

    now = datetime(2026, 12, 4, 15, 0, tzinfo=MSK)
    rows = human_queue(company=company, now=now)
    assert [row.request for row in rows] == [early, middle, late]
    assert rows[0].overdue and rows[0].due_in == timedelta(hours=-1) and rows[0].waiting == timedelta(hours=5)
    assert rows[0].due_text == "overdue by 1 h 0 min" and rows[0].waiting_text == "5 h 0 min"
    assert not rows[1].overdue and rows[1].due_text == "due in 1 h 0 min"
    assert rows[2].request.due_at == datetime(2026, 12, 7, 12, 30, tzinfo=MSK)


@pytest.mark.django_db
def test_the_queue_shows_the_candidates_last_words(company, django_assert_max_num_queries):
    from screening.models import ChatMessage, ChatSession

    vacancy = VacancyFactory(company=company)
    responses = [ResponseFactory(vacancy=vacancy) for _ in range(5)]
    for index, response in enumerate(responses):
        session = ChatSession.objects.create(response=response)
        ChatMessage.objects.create(session=session, sender="candidate", text=f"first {index}")
        ChatMessage.objects.create(session=session, sender="candidate", text=f"last {index}")
        ChatMessage.objects.create(session=session, sender="bot", text="a question")
        human_request_open(response=response, reason=HumanRequest.Reason.ASKED)
    with django_assert_max_num_queries(1):
        rows = human_queue(company=company)
    assert sorted(row.last_words for row in rows) == [f"last {i}" for i in range(5)]
