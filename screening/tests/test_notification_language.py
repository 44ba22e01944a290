"""A notification is worded in each reader's language (page, API, bell), not the language of whoever caused it;
interview times in it keep their zone, across a clock change."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from screening.models import InterviewSlot, Notification, SentEmail
from screening.services.notifications import candidate_param, notify
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

PASSED = "%(name)s passed the screening for %(vacancy)s"
BOOKED = "%(name)s booked an interview for %(vacancy)s: %(slot)s"


@pytest.fixture
def anna(company):
    return ResponseFactory(vacancy=VacancyFactory(company=company, title="Python developer"), full_name="Anna")


def _passed(company, response, **kwargs):
    return notify(
        company=company,
        kind=Notification.Kind.CANDIDATE_PASSED,
        text=PASSED,
        params={"name": candidate_param(response), "vacancy": response.vacancy.title},
        response=response,
        **kwargs,
    )


def test_the_stored_line_and_the_email_are_english_and_each_reader_gets_their_language(company, owner, anna):
    with translation.override("ru"):  # caused by a request in Russian
        (row,) = _passed(company, anna, users=[owner])

    assert row.text == "Anna passed the screening for Python developer"
    assert SentEmail.objects.get(template=Notification.Kind.CANDIDATE_PASSED).subject == row.text
    with translation.override("ru"):
        assert row.get_text() == "Anna прошёл(а) скрининг на вакансию «Python developer»"
    with translation.override("en"):
        assert row.get_text() == row.text


def test_the_notifications_page_and_the_api_follow_the_readers_language(company, owner, owner_client, anna):
    _passed(company, anna, users=[owner])
    with translation.override("ru"):
        russian = Notification.objects.get().get_text()

    page_ru = owner_client.get(reverse("screening:notifications"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    page_en = owner_client.get(reverse("screening:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner).access_token}")

    assert russian in page_ru and "Anna passed the screening" not in page_ru
    assert "Anna passed the screening for Python developer" in page_en
    assert api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="ru").json()["results"][0]["text"] == russian


def test_a_nameless_candidate_is_a_candidate_in_each_language(company, owner):
    nameless = ResponseFactory(vacancy=VacancyFactory(company=company, title="QA"), full_name="")
    (row,) = _passed(company, nameless, users=[owner])

    assert row.text.startswith("A candidate passed")
    with translation.override("ru"):
        assert row.get_text().startswith("Кандидат")


def test_an_interview_time_is_worded_in_the_readers_language_and_the_slots_zone_across_a_clock_change(
    company, owner, anna
):
    # 09:00 UTC on 29 March 2026 is 11:00 in Berlin: summer time began at 01:00 UTC that morning.
    slot = InterviewSlot.objects.create(
        company=company,
        vacancy=anna.vacancy,
        starts_at=dt.datetime(2026, 3, 29, 9, 0, tzinfo=dt.UTC),
        duration_minutes=45,
        time_zone="Europe/Berlin",
    )
    (row,) = notify(
        company=company,
        kind=Notification.Kind.INTERVIEW_BOOKED,
        text=BOOKED,
        params={"name": "Anna", "vacancy": "Python developer", "slot": slot},
        users=[owner],
    )

    assert row.text == (
        "Anna booked an interview for Python developer: Sunday, 29 March 2026, 11:00–11:45 (Europe/Berlin)"
    )
    with translation.override("ru"):
        assert "29 марта 2026, 11:00–11:45 (Europe/Berlin)" in row.get_text()
        assert "воскресенье" in row.get_text().lower()


def test_params_that_do_not_fit_the_message_are_refused_at_once(company, owner, anna):
    with pytest.raises(ValueError):
        notify(
            company=company, kind=Notification.Kind.CANDIDATE_PASSED, text=PASSED, params={"name": "x"}, users=[owner]
        )
    assert not Notification.objects.exists()


def test_a_literal_line_stays_as_written(company, owner):
    (row,) = notify(company=company, kind=Notification.Kind.CANDIDATE_PASSED, text="Anna passed", users=[owner])

    with translation.override("ru"):
        assert row.get_text() == "Anna passed"


@pytest.mark.django_db(transaction=True)
async def test_the_bell_words_a_live_notification_in_the_language_the_reader_chose(
    company, owner, anna, settings, client
):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from smartbot.asgi import application

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    def cookie():
        client.force_login(owner)
        return f"sessionid={client.cookies['sessionid'].value}; {settings.LANGUAGE_COOKIE_NAME}=ru".encode()

    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver"), (b"cookie", await sync_to_async(cookie)())]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _code = await socket.connect()
    assert connected
    await socket.receive_json_from()  # hello
    await sync_to_async(_passed)(company, anna, users=[owner])
    frame = await socket.receive_json_from(timeout=3)
    await socket.disconnect()

    with translation.override("ru"):
        russian = (await sync_to_async(Notification.objects.get)()).get_text()
    assert frame["text"] == russian != "Anna passed the screening for Python developer"
