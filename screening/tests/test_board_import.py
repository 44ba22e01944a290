"""Importing hh.ru responses into applications (``services.board_sync``) against the fake hh.ru on loopback:
fields, idempotence, overlapping runs, identity, archived vacancies, rate limits, paid refusals, the invitation.
"""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from screening.models import (
    BoardApplication,
    BoardConnection,
    BoardVacancy,
    Candidate,
    Response,
    StatusChange,
    TelegramBot,
)
from screening.services import board_sync, candidate_apply, candidate_erase
from screening.services.board_sync import board_import, board_invite
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


def connect(fake, company) -> BoardConnection:
    """A connection of ``company`` with tokens the fake issued (as the OAuth dance would store them)."""
    tokens = fake.grant_tokens()
    return BoardConnection.objects.create(
        company=company,
        provider="hh",
        account_id=fake.employer_id,
        account_name="Demo Employer",
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        token_expires_at=timezone.now() + dt.timedelta(seconds=tokens["expires_in"]),
        connected_at=timezone.now(),
    )


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Python developer", language="en")


@pytest.fixture
def board(fake_hh, company, vacancy):
    connection = connect(fake_hh, company)
    link = BoardVacancy.objects.create(connection=connection, vacancy=vacancy, external_id=fake_hh.vacancy_ids[0])
    return connection, link


def add(fake, vacancy_index=0, **fields):
    defaults = {"email": "", "phone": "+7 916 123-45-67", "city": "Москва", "title": "Python developer"}
    first, last = fields.pop("first_name", "Ivan"), fields.pop("last_name", "Petrov")
    return fake.add_response(fake.vacancy_ids[vacancy_index], first, last, **{**defaults, **fields})


def test_a_response_becomes_an_application_with_its_fields_and_no_ai_consent(fake_hh, board, vacancy, company):
    nid = add(
        fake_hh,
        email="Ivan.Petrov@Example.org",
        experience=[{"position": "Backend developer", "company": "Acme", "start": "2020-01-01", "end": None}],
        skills=["Django", "PostgreSQL"],
    )

    counts = board_import(connection_id=board[0].pk)

    assert counts["imported"] == 1
    application = BoardApplication.objects.select_related("response__candidate").get(negotiation_id=nid)
    response = application.response
    assert response.vacancy == vacancy and response.source == Response.Source.HH
    assert response.full_name == "Ivan Petrov"
    assert response.email == "Ivan.Petrov@Example.org"
    assert response.candidate.email == "ivan.petrov@example.org"
    assert response.phone and response.phone_e164 == "+79161234567"
    assert response.city == "Москва"
    assert "Backend developer" in response.resume_text and "Django" in response.resume_text
    assert response.consent_version == "hh.ru" and response.consent_at is not None
    assert response.ai_consent_at is None and response.talent_pool_consent_at is None
    assert application.resume_id and application.board_vacancy == board[1]
    assert list(StatusChange.objects.filter(response=response).values_list("to_status", flat=True)) == ["new"]
    connection = BoardConnection.objects.get(pk=board[0].pk)
    assert connection.last_sync_at and connection.last_sync_ok_at and not connection.last_error


def test_a_second_run_imports_nothing_new(fake_hh, board):
    add(fake_hh, email="a@example.org")
    add(fake_hh, first_name="Olga", email="olga@example.org")
    assert board_import(connection_id=board[0].pk)["imported"] == 2
    resumes_opened = len(fake_hh.requests_to("/resumes/"))
    assert resumes_opened == 2

    again = board_import(connection_id=board[0].pk)

    assert again["imported"] == 0
    # Imported responses are passed over before their resumes: hh.ru counts resume views against a daily limit.
    assert len(fake_hh.requests_to("/resumes/")) == resumes_opened
    assert Response.objects.count() == 2 and BoardApplication.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_import_each_response_exactly_once(fake_hh, company):
    vacancy = VacancyFactory(company=company, language="en")
    connection = connect(fake_hh, company)
    BoardVacancy.objects.create(connection=connection, vacancy=vacancy, external_id=fake_hh.vacancy_ids[0])
    nids = [add(fake_hh, first_name=f"Person{i}", email=f"p{i}@example.org") for i in range(6)]
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            results.append(board_import(connection_id=connection.pk))
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            db_connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(BoardApplication.objects.values_list("negotiation_id", flat=True)) == sorted(nids)
    assert Response.objects.filter(vacancy=vacancy).count() == 6
    assert sum(result["imported"] for result in results) == 6
    # Every invitation went once, whichever run imported the response.
    for nid in nids:
        texts = [m["text"] for m in fake_hh.negotiation(nid)["messages"] if m["author"] == "employer"]
        assert len(texts) <= 1
    # With the lock left behind by a killed worker gone, a later run still imports nothing twice.
    assert board_import(connection_id=connection.pk)["imported"] == 0


def test_a_web_applicant_with_the_same_email_gets_the_board_response_attached(fake_hh, board, vacancy):
    web, created = candidate_apply(
        vacancy=vacancy, full_name="Anna Web", email="anna@example.org", consent=True, notify=False
    )
    assert created
    nid = add(fake_hh, first_name="Anna", last_name="Board", email="ANNA@example.org")

    counts = board_import(connection_id=board[0].pk)

    assert counts["attached"] == 1 and counts["imported"] == 0
    assert Response.objects.filter(vacancy=vacancy).count() == 1
    assert BoardApplication.objects.get(negotiation_id=nid).response == web
    assert Response.objects.get(pk=web.pk).source == Response.Source.WEB  # the person's own application stays


def test_a_response_without_email_is_recognised_by_its_resume_id(fake_hh, board, company):
    other = VacancyFactory(company=company, language="en")
    BoardVacancy.objects.create(connection=board[0], vacancy=other, external_id=fake_hh.vacancy_ids[1])
    first = add(fake_hh, email="", resume_id="resume-ivan")
    second = add(fake_hh, vacancy_index=1, email="", resume_id="resume-ivan")

    board_import(connection_id=board[0].pk)

    one = BoardApplication.objects.get(negotiation_id=first).response
    two = BoardApplication.objects.get(negotiation_id=second).response
    assert one.vacancy != two.vacancy
    assert one.candidate_id == two.candidate_id and one.candidate.email == ""
    assert Candidate.objects.filter(company=company).count() == 1


def test_contacts_hidden_by_the_tariff_leave_the_email_blank_and_still_import(fake_hh, board):
    nid = add(fake_hh, email="hidden@example.org", contacts_open=False)

    board_import(connection_id=board[0].pk)

    response = BoardApplication.objects.get(negotiation_id=nid).response
    assert response.email == "" and response.candidate.email == ""
    assert "hidden@example.org" not in response.resume_text


def test_an_unreadable_phone_is_kept_as_given_and_never_refuses_the_import(fake_hh, board):
    nid = add(fake_hh, phone="call me maybe", email="p@example.org")

    board_import(connection_id=board[0].pk)

    response = BoardApplication.objects.get(negotiation_id=nid).response
    assert response.phone_e164 == ""


def test_a_vacancy_archived_on_the_board_stops_its_imports_and_the_page_shows_it(fake_hh, board, owner_client):
    add(fake_hh, email="a@example.org")
    fake_hh.archive_vacancy(fake_hh.vacancy_ids[0])

    counts = board_import(connection_id=board[0].pk)

    assert counts["archived"] == 1 and counts["imported"] == 0
    assert BoardVacancy.objects.get(pk=board[1].pk).archived_at is not None
    calls = len(fake_hh.requests_to("/negotiations"))
    board_import(connection_id=board[0].pk)
    assert len(fake_hh.requests_to("/negotiations")) == calls  # not asked again
    assert "Archived on the board" in owner_client.get(reverse("screening:integrations")).content.decode()


def test_a_rate_limit_holds_every_call_back_until_it_ends(fake_hh, board):
    add(fake_hh, email="a@example.org")
    fake_hh.fail_next("/negotiations", 429, retry_after=120)

    board_import(connection_id=board[0].pk)

    connection = BoardConnection.objects.get(pk=board[0].pk)
    assert connection.error_kind == "rate_limit"
    wait = (connection.rate_limited_until - timezone.now()).total_seconds()
    assert 100 < wait <= 120
    assert connection.status == BoardConnection.Status.CONNECTED
    calls = len(fake_hh.requests)
    assert board_import(connection_id=board[0].pk)["imported"] == 0
    assert len(fake_hh.requests) == calls  # nothing called before the limit ends
    BoardConnection.objects.filter(pk=board[0].pk).update(rate_limited_until=timezone.now() - dt.timedelta(seconds=1))
    assert board_import(connection_id=board[0].pk)["imported"] == 1


def test_a_paid_refusal_marks_the_connection_and_the_owner_sees_why(fake_hh, board, owner_client):
    add(fake_hh, email="a@example.org")
    fake_hh.paid_api = False

    board_import(connection_id=board[0].pk)

    connection = BoardConnection.objects.get(pk=board[0].pk)
    assert connection.status == BoardConnection.Status.ERROR and connection.error_kind == "paid"
    assert "tariff" in connection.last_error
    assert Response.objects.count() == 0
    page = owner_client.get(reverse("screening:integrations")).content.decode()
    assert "Paid method refused" in page and "Needs attention" in page
    assert "Import now" in page  # the token still works: once the method is bought, importing again mends it

    fake_hh.paid_api = True
    assert board_import(connection_id=board[0].pk)["imported"] == 1
    connection.refresh_from_db()
    assert connection.status == BoardConnection.Status.CONNECTED and not connection.last_error


def test_an_access_refusal_stops_imports_until_the_owner_reconnects(fake_hh, board):
    add(fake_hh, email="a@example.org")
    BoardConnection.objects.filter(pk=board[0].pk).update(status=BoardConnection.Status.ERROR, error_kind="auth")

    assert board_import(connection_id=board[0].pk)["imported"] == 0
    assert not fake_hh.requests_to("/negotiations")


def test_an_expired_token_is_refreshed_and_the_import_goes_on(fake_hh, board):
    add(fake_hh, email="a@example.org")
    old = board[0].access_token
    fake_hh.expire_tokens()

    assert board_import(connection_id=board[0].pk)["imported"] == 1

    connection = BoardConnection.objects.get(pk=board[0].pk)
    assert connection.access_token and connection.access_token != old
    assert connection.status == BoardConnection.Status.CONNECTED


def test_a_refused_refresh_asks_the_owner_to_reconnect(fake_hh, board):
    fake_hh.expire_tokens()
    BoardConnection.objects.filter(pk=board[0].pk).update(refresh_token="not-a-token")

    board_import(connection_id=board[0].pk)

    connection = BoardConnection.objects.get(pk=board[0].pk)
    assert connection.status == BoardConnection.Status.ERROR and connection.error_kind == "auth"
    assert "reconnect" in connection.last_error.lower()


def test_the_invitation_goes_once_with_the_private_chat_link(fake_hh, board, django_capture_on_commit_callbacks):
    nid = add(fake_hh, email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        board_import(connection_id=board[0].pk)

    application = BoardApplication.objects.select_related("response").get(negotiation_id=nid)
    assert application.invited_at is not None and not application.invite_error
    chat_link = settings.SITE_URL + application.response.get_chat_url()
    sent = [m["text"] for m in fake_hh.negotiation(nid)["messages"] if m["author"] == "employer"]
    assert len(sent) == 1 and chat_link in sent[0] and "Telegram" not in sent[0]
    assert board_invite(board_application_id=application.pk) == "done"
    with django_capture_on_commit_callbacks(execute=True):
        board_import(connection_id=board[0].pk)  # the safety net requeues nothing that went
    sent = [m for m in fake_hh.negotiation(nid)["messages"] if m["author"] == "employer"]
    assert len(sent) == 1


def test_beat_queues_an_import_of_each_connected_board_only(
    fake_hh, board, other_company, django_capture_on_commit_callbacks
):
    BoardConnection.objects.create(company=other_company, provider="hh", status=BoardConnection.Status.DISCONNECTED)
    add(fake_hh, email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        assert board_sync.board_sync_all() == 1
    assert Response.objects.count() == 1  # the queued import ran (eager)


def test_an_erased_person_is_not_imported_back(fake_hh, board):
    nid = add(fake_hh, email="gone@example.org")
    board_import(connection_id=board[0].pk)
    response = BoardApplication.objects.get(negotiation_id=nid).response
    candidate_erase(candidate=response.candidate, reason="candidate")

    again = board_import(connection_id=board[0].pk)

    assert again["imported"] == 0 and again["skipped"] == 1
    assert Response.objects.count() == 1


def test_with_a_telegram_bot_the_invitation_offers_its_deep_link(
    fake_hh, board, company, django_capture_on_commit_callbacks
):
    TelegramBot.objects.create(company=company, token="123:abc", username="acme_bot")
    nid = add(fake_hh, email="tg@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        board_import(connection_id=board[0].pk)

    response = BoardApplication.objects.get(negotiation_id=nid).response
    sent = [m["text"] for m in fake_hh.negotiation(nid)["messages"] if m["author"] == "employer"]
    assert len(sent) == 1
    assert f"https://t.me/acme_bot?start={response.telegram.code}" in sent[0]


def test_an_invitation_refused_as_paid_is_kept_on_the_application_and_imports_go_on(
    fake_hh, board, django_capture_on_commit_callbacks
):
    """A refusal of one application's message (Avito's messenger needs a higher subscription) is that
    application's problem: shown as an invitation not sent, the connection keeps importing."""
    first = add(fake_hh, email="a@example.org")
    fake_hh.fail_next("/negotiations/", 403, method="PUT")  # the board's payment refusal of the state change

    with django_capture_on_commit_callbacks(execute=True):
        board_import(connection_id=board[0].pk)

    application = BoardApplication.objects.get(negotiation_id=first)
    assert application.invited_at is None and "tariff" in application.invite_error
    connection = BoardConnection.objects.get(pk=board[0].pk)
    assert connection.status == BoardConnection.Status.CONNECTED
    second = add(fake_hh, first_name="Olga", email="olga@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert board_import(connection_id=board[0].pk)["imported"] == 1
    assert BoardApplication.objects.get(negotiation_id=second).invited_at is not None
