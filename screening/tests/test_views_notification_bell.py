"""The bell's fragment endpoint (screening:notification_bell): the HTML fragment for htmx and plain requests, and
the ``{"unread": n}`` answer that static/js/bell.js polls when no socket push reaches the page. Only the user's
own unread notifications count; one count query on top of the session, the member and their company."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from screening.models import Notification

pytestmark = pytest.mark.django_db

URL = reverse("screening:notification_bell")
KIND = Notification.Kind.CANDIDATE_PASSED


def _notify(user, *, read=False, count=1):
    for _ in range(count):
        Notification.objects.create(
            company=user.company, user=user, kind=KIND, text="Anna passed", read_at=timezone.now() if read else None
        )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_json_answer_counts_only_the_users_own_unread_notifications(owner, recruiter, outsider):
    _notify(owner, count=2)
    _notify(owner, read=True)
    _notify(recruiter, count=5)
    _notify(outsider, count=7)

    answer = _client(owner).get(URL, headers={"accept": "application/json"})

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {"unread": 2}
    assert "Accept" in answer["Vary"]
    assert "no-store" in answer["Cache-Control"]


def test_a_notification_made_after_the_page_shows_in_the_next_poll(recruiter):
    client = _client(recruiter)
    assert client.get(URL, headers={"accept": "application/json"}).json() == {"unread": 0}
    _notify(recruiter)
    assert client.get(URL, headers={"accept": "application/json"}).json() == {"unread": 1}


def test_without_the_json_accept_header_the_html_fragment_is_unchanged(owner, outsider):
    _notify(owner, count=3)
    _notify(outsider, count=4)

    answer = _client(owner).get(URL, headers={"accept": "text/html", "hx-request": "true"})

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    assert "data-bell-count>3</span>" in page
    assert f'data-bell-poll="{URL}"' in page
    assert {"HX-Request", "Accept"} <= {part.strip() for part in answer["Vary"].split(",")}


def test_the_poll_costs_one_count_query_however_many_notifications(owner, django_assert_num_queries):
    _notify(owner, count=25)
    client = _client(owner)
    with django_assert_num_queries(4):  # the session, the member, their company (its time zone), the count
        answer = client.get(URL, headers={"accept": "application/json"})
    assert answer.json() == {"unread": 25}


def test_a_visitor_who_is_not_signed_in_is_sent_to_log_in_and_learns_no_count(owner):
    _notify(owner)
    answer = Client().get(URL, headers={"accept": "application/json"})
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:login"))
