"""A recruiter's decision written back to the hh.ru response (``services.boards.board_writeback``), against the
fake hh.ru: the message goes with it, a 503 is retried, a changed decision is written again, the same one once.
"""

import datetime as dt

import pytest

from screening.models import BoardApplication, BoardVacancy
from screening.services import response_change_status
from screening.services.board_sync import board_import
from screening.services.boards import WRITEBACK_MAX_ATTEMPTS, board_writebacks_due
from screening.tests.test_board_import import add, connect
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(fake_hh, company):
    """An hh.ru response imported into an application (its invitation not sent: the state is "response")."""
    vacancy = VacancyFactory(company=company, title="Python developer", language="en")
    connection = connect(fake_hh, company)
    BoardVacancy.objects.create(connection=connection, vacancy=vacancy, external_id=fake_hh.vacancy_ids[0])
    nid = add(fake_hh, first_name="Ivan", email="ivan@example.org")
    board_import(connection_id=connection.pk)
    return BoardApplication.objects.select_related("response__vacancy").get(negotiation_id=nid)


def decide(application, status, actor, capture):
    with capture(execute=True):
        response_change_status(response=application.response, to_status=status, actor=actor, notify=False)
    application.refresh_from_db()
    application.response.refresh_from_db()


def employer_messages(fake, nid) -> list[str]:
    return [m["text"] for m in fake.negotiation(nid)["messages"] if m["author"] == "employer"]


def test_a_rejection_is_written_with_the_discard_message(
    fake_hh, imported, recruiter, django_capture_on_commit_callbacks
):
    decide(imported, "declined", recruiter, django_capture_on_commit_callbacks)

    record = fake_hh.negotiation(imported.negotiation_id)
    assert record["employer_state"].startswith("discard") and record["state"] == "discard"
    texts = employer_messages(fake_hh, imported.negotiation_id)
    assert len(texts) == 1 and "Hello, Ivan!" in texts[0] and "not to continue" in texts[0]
    assert imported.written_decision == "discard" and imported.written_at is not None
    assert imported.writeback_due_at is None and not imported.writeback_error


def test_a_positive_decision_is_written_as_an_invitation_with_the_company_wording(
    fake_hh, imported, recruiter, django_capture_on_commit_callbacks
):
    imported.connection.accept_message = "{first_name}, {company} would like to talk about {vacancy}."
    imported.connection.save()

    decide(imported, "shortlisted", recruiter, django_capture_on_commit_callbacks)

    record = fake_hh.negotiation(imported.negotiation_id)
    assert record["state"] == "invitation"
    assert employer_messages(fake_hh, imported.negotiation_id) == [
        "Ivan, Acme would like to talk about Python developer."
    ]
    assert imported.written_decision == "invite"


def test_a_503_is_retried_and_the_decision_is_written_once(
    fake_hh, imported, recruiter, eager_retries, django_capture_on_commit_callbacks
):
    fake_hh.fail_next("/negotiations/", 503, method="PUT")

    decide(imported, "declined", recruiter, django_capture_on_commit_callbacks)

    assert len(fake_hh.requests_to("/negotiations/", "PUT")) == 2  # the refused one, then the written one
    assert fake_hh.negotiation(imported.negotiation_id)["state"] == "discard"
    assert len(employer_messages(fake_hh, imported.negotiation_id)) == 1
    assert imported.written_decision == "discard" and imported.writeback_attempts == 0


def test_a_board_down_for_good_gives_up_after_the_last_attempt_and_says_why(
    fake_hh, imported, recruiter, eager_retries, django_capture_on_commit_callbacks
):
    fake_hh.fail_next("/negotiations/", 503, method="PUT", count=100)

    decide(imported, "declined", recruiter, django_capture_on_commit_callbacks)

    assert len(fake_hh.requests_to("/negotiations/", "PUT")) == WRITEBACK_MAX_ATTEMPTS
    assert imported.written_decision == "" and imported.writeback_error
    assert imported.writeback_due_at is None  # no more attempts; the integrations page lists it


def test_a_decision_changed_later_is_written_again(fake_hh, imported, recruiter, django_capture_on_commit_callbacks):
    decide(imported, "declined", recruiter, django_capture_on_commit_callbacks)
    decide(imported, "shortlisted", recruiter, django_capture_on_commit_callbacks)

    record = fake_hh.negotiation(imported.negotiation_id)
    assert record["state"] == "invitation"
    assert [a["to"].startswith("discard") for a in record["actions"]] == [True, False]
    assert imported.written_decision == "invite"


def test_the_same_decision_again_is_not_written_twice(fake_hh, imported, recruiter, django_capture_on_commit_callbacks):
    decide(imported, "shortlisted", recruiter, django_capture_on_commit_callbacks)
    puts = len(fake_hh.requests_to("/negotiations/", "PUT"))

    decide(imported, "interview", recruiter, django_capture_on_commit_callbacks)  # still an invitation

    assert len(fake_hh.requests_to("/negotiations/", "PUT")) == puts
    assert imported.written_decision == "invite" and imported.writeback_due_at is None


def test_a_status_without_a_decision_writes_nothing(fake_hh, imported, recruiter, django_capture_on_commit_callbacks):
    decide(imported, "withdrawn", recruiter, django_capture_on_commit_callbacks)

    assert fake_hh.requests_to("/negotiations/", "PUT") == []
    assert imported.writeback_due_at is None


def test_the_sweep_queues_a_write_back_whose_task_was_lost(
    fake_hh, imported, recruiter, django_capture_on_commit_callbacks
):
    # The task is never published (its on-commit publish is dropped, as a broker down at commit time would).
    with django_capture_on_commit_callbacks(execute=False):
        response_change_status(response=imported.response, to_status="declined", actor=recruiter, notify=False)
    imported.refresh_from_db()
    assert imported.writeback_due_at is not None and imported.written_decision == ""
    assert board_writebacks_due(now=imported.writeback_due_at) == 0  # its own retry may still come

    with django_capture_on_commit_callbacks(execute=True):
        assert board_writebacks_due(now=imported.writeback_due_at + dt.timedelta(minutes=3)) == 1

    imported.refresh_from_db()
    assert imported.written_decision == "discard"
    assert fake_hh.negotiation(imported.negotiation_id)["state"] == "discard"


def test_a_decision_taken_while_disconnected_is_written_as_soon_as_the_owner_reconnects(
    fake_hh, imported, recruiter, owner, company, django_capture_on_commit_callbacks
):
    from urllib.parse import parse_qs, urlsplit

    from screening.services.boards import board_connect_finish, board_connect_start, board_disconnect

    board_disconnect(connection=imported.connection, user=owner)
    decide(imported, "declined", recruiter, django_capture_on_commit_callbacks)
    assert imported.written_decision == "" and fake_hh.negotiation(imported.negotiation_id)["state"] == "response"

    redirect_uri = "http://testserver/responses/integrations/callback/"
    url, _state = board_connect_start(company=company, provider_name="hh", redirect_uri=redirect_uri)
    code = parse_qs(urlsplit(fake_hh.approve_url(url)).query)["code"][0]
    with django_capture_on_commit_callbacks(execute=True):
        board_connect_finish(company=company, user=owner, provider_name="hh", code=code, redirect_uri=redirect_uri)

    imported.refresh_from_db()
    assert imported.written_decision == "discard" and not imported.writeback_error
    assert fake_hh.negotiation(imported.negotiation_id)["state"] == "discard"
