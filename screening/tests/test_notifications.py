"""Recruiters' notifications: who gets them, emails by preference (instant, digest, off), the daily digest, the
live push to the bell over the channel layer, marking read, and the pages and API doors."""

import datetime as dt

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tests.factories import UserFactory
from screening.live import notification_group
from screening.models import Notification, NotificationPreference, SentEmail
from screening.services.notifications import (
    notification_digests_send,
    notification_mark_read,
    notify,
    preferences_set,
)
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

KIND = Notification.Kind.CANDIDATE_PASSED


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture
def anna(company):
    return ResponseFactory(vacancy=VacancyFactory(company=company, title="Python developer"), full_name="Anna")


def test_owners_and_recruiters_are_notified_not_viewers_nor_other_companies(
    company, owner, recruiter, viewer, outsider, anna, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(company=company, kind=KIND, text="Anna passed", response=anna)
    assert {row.user for row in rows} == {owner, recruiter}
    assert all(row.url == anna.get_absolute_url() for row in rows)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, recruiter.email])
    assert mail.outbox[0].subject == "Anna passed"
    assert "http://" in mail.outbox[0].body and anna.get_absolute_url() in mail.outbox[0].body


def test_users_given_from_another_company_are_dropped(company, owner, outsider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(company=company, kind=KIND, text="x", users=[owner, outsider])
    assert [row.user for row in rows] == [owner]


def test_preferences_off_instant_digest(company, owner, recruiter, viewer, anna, django_capture_on_commit_callbacks):
    preferences_set(user=owner, choices={KIND: NotificationPreference.Email.OFF})
    preferences_set(user=recruiter, choices={KIND: NotificationPreference.Email.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(company=company, kind=KIND, text="Anna passed", response=anna)
    assert len(rows) == 2  # the bell shows it either way
    assert mail.outbox == []
    assert all(row.emailed_at is None for row in Notification.objects.all())


def test_the_daily_digest_lists_the_days_notifications_once(
    company, recruiter, anna, django_capture_on_commit_callbacks
):
    company.time_zone = "Europe/Moscow"
    company.save()
    preferences_set(user=recruiter, choices=dict.fromkeys(Notification.Kind.values, "digest"))
    with time_machine.travel(dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC), tick=False):  # 06:00 in Moscow
        with django_capture_on_commit_callbacks(execute=True):
            notify(company=company, kind=KIND, text="Anna passed", response=anna, users=[recruiter])
            notify(company=company, kind=Notification.Kind.HUMAN_REQUESTED, text="Boris asks", users=[recruiter])
            assert notification_digests_send() == 0  # before 08:00 company time
        assert mail.outbox == []
    at_0830 = dt.datetime(2026, 3, 2, 5, 30, tzinfo=dt.UTC)  # 08:30 in Moscow
    with time_machine.travel(at_0830, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert notification_digests_send() == 1
        assert notification_digests_send() == 0  # one a day
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [recruiter.email]
    assert "Anna passed" in digest.body and "Boris asks" in digest.body
    assert SentEmail.objects.get().template == "digest"
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_bell_gets_a_live_push_after_the_commit(
    company, owner, anna, memory_layer, django_capture_on_commit_callbacks
):
    channel = async_to_sync(memory_layer.new_channel)()
    async_to_sync(memory_layer.group_add)(notification_group(owner.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify(company=company, kind=KIND, text="Anna passed", response=anna, users=[owner])
    event = async_to_sync(memory_layer.receive)(channel)
    assert event == {
        "type": "notification.created",
        "id": row.pk,
        "kind": KIND,
        "text": "Anna passed",
        "message": "",  # a literal line: nothing to word again per reader (test_notification_language.py)
        "params": {},
        "url": anna.get_absolute_url(),
        "unread": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_mark_read(user=owner) == 1
    assert async_to_sync(memory_layer.receive)(channel) == {"type": "notification.read", "unread": 0}


def test_marking_read_touches_only_the_users_own(company, owner, recruiter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(company=company, kind=KIND, text="x")
    mine = next(row for row in rows if row.user == owner)
    theirs = next(row for row in rows if row.user == recruiter)
    assert notification_mark_read(user=owner, ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- pages -----------------------------------------------------------------------------------------------


def test_the_page_lists_and_marks_read_and_the_bell_counts(
    company, owner, recruiter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(company=company, kind=KIND, text="Anna passed")
        notify(company=company, kind=KIND, text="Boris passed")
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("screening:notifications")).content.decode()
    assert "Anna passed" in page and "Boris passed" in page
    assert "data-bell-count>2<" in page.replace(" ", "").replace("\n", "") or "data-bell-count>2</span>" in page
    one = Notification.objects.filter(user=owner).first()
    answer = client.post(reverse("screening:notifications_read"), {"id": [str(one.pk)]})
    assert answer.status_code == 302 and answer["Location"] == reverse("screening:notifications")
    assert Notification.objects.filter(user=owner, read_at__isnull=True).count() == 1
    htmx = client.post(reverse("screening:notifications_read"), {"all": "1"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "notification-list" in htmx.content.decode()
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=recruiter, read_at__isnull=True).count() == 2


def test_the_preferences_page_saves_each_kind(owner):
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("screening:notification_preferences")).status_code == 200
    data = dict.fromkeys(Notification.Kind.values, "instant")
    data[KIND] = "digest"
    answer = client.post(reverse("screening:notification_preferences"), data)
    assert answer.status_code == 302
    assert NotificationPreference.objects.get(user=owner, kind=KIND).email == "digest"
    assert client.post(reverse("screening:notification_preferences"), {KIND: "loud"}).status_code == 400


def test_email_templates_are_the_owners(owner, recruiter, viewer):
    url = reverse("screening:email_template") + "?key=decision_offer&language=en"
    for user in (recruiter, viewer):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("screening:email_templates")).status_code == 403
        assert client.get(url).status_code == 403
        assert client.post(url, {"subject": "x", "body": "y"}).status_code == 403
    client = Client()
    client.force_login(owner)
    listing = client.get(reverse("screening:email_templates")).content.decode()
    assert "Decision: offer" in listing and "Default" in listing
    assert client.get(reverse("screening:email_template") + "?key=nope&language=en").status_code == 404
    bad = client.post(url, {"subject": "Offer", "body": "Dear {frist_name}"})
    assert bad.status_code == 400 and "unknown placeholder {frist_name}" in bad.content.decode()
    good = client.post(url, {"subject": "Offer for {first_name}", "body": "Details: {link}"})
    assert good.status_code == 302
    assert "Customised" in client.get(reverse("screening:email_templates")).content.decode()
    preview = client.post(
        reverse("screening:email_template_preview") + "?key=decision_offer&language=en",
        {"subject": "Hi {first_name}", "body": "B {link}"},
        headers={"HX-Request": "true"},
    )
    assert "Hi Anna" in preview.content.decode()
    no_link = client.post(url, {"subject": "Offer", "body": "We will call you."})
    assert no_link.status_code == 400
    assert "The body must contain {link}: it is the candidate&#x27;s private link." in no_link.content.decode()
    assert client.post(url, {"reset": "1"}).status_code == 302
    assert "Customised" not in client.get(reverse("screening:email_templates")).content.decode()


# --- API -------------------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_notifications_and_preferences_are_each_users_own(
    company, owner, viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(company=company, kind=KIND, text="Anna passed")
    listing = _api(owner).get("/api/v1/notifications/").json()
    assert listing["count"] == 1 and listing["results"][0]["text"] == "Anna passed"
    assert _api(viewer).get("/api/v1/notifications/").json()["count"] == 0
    assert _api(viewer).post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 0, "unread": 0}
    assert _api(owner).post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1, "unread": 0}
    prefs = _api(owner).put("/api/v1/notifications/preferences/", [{"kind": KIND, "email": "off"}], format="json")
    assert prefs.status_code == 200
    assert {"kind": KIND, "email": "off"} in prefs.json()
    assert (
        _api(owner).put("/api/v1/notifications/preferences/", [{"kind": KIND, "email": "x"}], format="json").status_code
        == 400
    )


def test_api_email_templates_owner_writes_members_read(company, owner, recruiter, viewer):
    url = "/api/v1/email-templates/decision_offer/ru/"
    assert len(_api(viewer).get("/api/v1/email-templates/").json()) == 2 * 13
    assert _api(viewer).get(url).json()["customised"] is False
    assert _api(viewer).put(url, {"subject": "a", "body": "b"}, format="json").status_code == 403
    assert _api(recruiter).put(url, {"subject": "a", "body": "b"}, format="json").status_code == 403
    bad = _api(owner).put(url, {"subject": "a", "body": "{first_name.__class__}"}, format="json")
    assert bad.status_code == 400
    no_link = _api(owner).put(url, {"subject": "Оффер", "body": "Здравствуйте, {first_name}"}, format="json")
    assert no_link.status_code == 400 and "{link}" in str(no_link.json())
    ok = _api(owner).put(url, {"subject": "Оффер", "body": "Здравствуйте, {first_name}: {link}"}, format="json")
    assert ok.status_code == 200 and ok.json()["customised"] is True
    assert _api(owner).delete(url).json()["customised"] is False
    assert _api(owner).get("/api/v1/email-templates/nope/en/").status_code == 404


# --- the bell's socket -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_bell_socket_gets_the_count_and_live_notifications(company, owner, memory_layer, client):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from smartbot.asgi import application

    def cookie():
        client.force_login(owner)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver"), (b"cookie", await sync_to_async(cookie)())]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _code = await socket.connect()
    assert connected
    assert await socket.receive_json_from() == {"type": "hello", "unread": 0}
    await sync_to_async(notify)(company=company, kind=KIND, text="Anna passed", users=[owner])
    frame = await socket.receive_json_from(timeout=3)
    assert (frame["type"], frame["text"], frame["unread"]) == ("notification", "Anna passed", 1)
    await socket.disconnect()

    anonymous = WebsocketCommunicator(application, "/ws/notifications/", headers=headers[:2])
    connected, code = await anonymous.connect()
    assert not connected and code == 4403


def test_a_new_member_defaults_to_instant_emails(company):
    member = UserFactory(company=company, role=Role.RECRUITER)
    from screening.services.notifications import preferences_get

    assert set(preferences_get(user=member).values()) == {"instant"}


def test_the_owner_sets_the_after_screening_settings_on_the_settings_page(company, owner):
    client = Client()
    client.force_login(owner)
    data = {
        "name": company.name,
        "slug": company.slug,
        "description": "",
        "ai_enabled": "on",
        "phone_region": "RU",
        "time_zone": "Asia/Yekaterinburg",
        "working_hours_start": "10:00",
        "working_hours_end": "19:00",
        "working_days": "123456",
        "human_reply_hours": "2",
        "notify_candidates_of_decisions": "on",
        "stall_reminder_hours": "0",
    }
    assert client.post(reverse("accounts:settings"), data).status_code == 302
    company.refresh_from_db()
    assert (company.time_zone, company.working_days, company.human_reply_hours) == ("Asia/Yekaterinburg", "123456", 2)
    assert company.notify_candidates_of_decisions is True and company.stall_reminder_hours == 0
    refused = client.post(
        reverse("accounts:settings"), {**data, "time_zone": "Mars/Olympus", "working_hours_end": "09:00"}
    )
    assert refused.status_code == 200
    assert set(refused.context["form"].errors) == {"time_zone", "working_hours_end"}
