"""The candidate's private application page (status, withdraw, download, erase) and asking for the link again."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from screening.models import Candidate, Erasure, Response
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def application(vacancy):
    return ResponseFactory(
        vacancy=vacancy,
        candidate__email="anna@example.org",
        full_name="Anna Petrova",
        email="anna@example.org",
        phone="+7 900 123-45-67",
    )


def _page(client, response, name="chat:application"):
    return client.get(reverse(name, args=[response.token]))


def test_the_page_shows_the_stage_what_happens_next_and_the_data(client, application):
    page = _page(client, application)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Application received" in body and "Start the screening chat" in body
    assert "Anna Petrova" in body and "anna@example.org" in body
    assert "a person at the company makes the decision" in body
    assert reverse("chat:application_export", args=[application.token]) in body


def test_a_finished_screening_without_shown_outcome_says_a_person_reviews(client, application):
    Response.objects.filter(pk=application.pk).update(status=Response.Status.REJECTED)
    application.vacancy.show_outcome = False
    application.vacancy.save()
    body = _page(client, application).content.decode()
    assert "Screening finished" in body and "A recruiter reviews your answers" in body
    assert "did not meet" not in body


def test_an_unknown_token_is_404(client):
    assert client.get(reverse("chat:application", args=["x" * 43])).status_code == 404


def test_the_candidate_withdraws_and_the_page_says_so(client, application):
    answer = client.post(reverse("chat:application_withdraw", args=[application.token]))
    assert answer.status_code == 302 and answer.url == reverse("chat:application", args=[application.token])
    application.refresh_from_db()
    assert application.status == Response.Status.WITHDRAWN
    body = client.get(answer.url).content.decode()
    assert "Withdrawn" in body and "Withdraw my application" not in body


def test_withdraw_needs_post(client, application):
    assert client.get(reverse("chat:application_withdraw", args=[application.token])).status_code == 405
    application.refresh_from_db()
    assert application.status == Response.Status.NEW


def test_the_download_is_a_json_file_of_the_persons_data(client, application):
    answer = _page(client, application, "chat:application_export")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["Cache-Control"] == "no-store"
    data = json.loads(answer.content)
    assert data["applications"][0]["submitted"]["full_name"] == "Anna Petrova"


def test_erasing_needs_the_confirmation_and_loses_nothing_without_it(client, application):
    answer = client.post(reverse("chat:application_erase", args=[application.token]))
    assert answer.status_code == 400
    assert "cannot be restored" in answer.content.decode()
    application.refresh_from_db()
    assert application.full_name == "Anna Petrova"


def test_the_candidate_erases_their_data_and_the_link_stops_working(client, ask, application):
    answer = client.post(reverse("chat:application_erase", args=[application.token]), {"confirm": "on"})
    assert answer.status_code == 200
    assert "Your data was erased" in answer.content.decode()
    application.refresh_from_db()
    assert application.is_erased and application.full_name == "" and application.email == ""
    assert Erasure.objects.get().reason == Erasure.Reason.CANDIDATE
    assert _page(client, application).status_code == 404
    assert client.get(application.get_chat_url()).status_code == 404


# Asking for the link again ---------------------------------------------------------------------------


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """POST the link request and run what it queued after commit (the email task, eager in tests)."""

    def ask(vacancy, email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("chat:link_request", args=[vacancy.company.slug, vacancy.slug]), {"link-email": email}
            )

    return ask


def test_asking_for_the_link_mails_it_to_the_address_that_applied(client, ask, application, mailoutbox):
    page = ask(application.vacancy, "ANNA@example.org")
    assert page.status_code == 200 and "Check your inbox" in page.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["anna@example.org"]
    assert mail.subject.startswith("The link to your application")
    assert application.get_chat_url() in mail.body
    html = mail.alternatives[0][0]
    assert application.get_chat_url() in html


def test_asking_with_an_unknown_email_answers_the_same_and_sends_nothing(client, ask, application, mailoutbox):
    known = ask(application.vacancy, "anna@example.org").content.decode()
    unknown = ask(application.vacancy, "nobody@example.org").content.decode()

    def strip_csrf(body):
        return "\n".join(line for line in body.splitlines() if "csrf" not in line)

    assert strip_csrf(known) == strip_csrf(unknown)
    assert [m.to for m in mailoutbox] == [["anna@example.org"]]


def test_a_bad_email_gets_a_field_error(client, ask, application, mailoutbox):
    page = ask(application.vacancy, "not an email")
    assert page.status_code == 400
    assert page.context["link_form"].errors["email"]
    body = page.content.decode()
    assert '<details class="link-request" id="link-request" open>' in body  # the error is in view
    assert 'id="id_link-email"' in body and 'id="id_email"' in body  # two forms, two distinct fields
    assert mailoutbox == []


def test_asking_for_links_is_rate_limited_per_ip(client, ask, application, settings, mailoutbox):
    settings.LINK_REQUEST_RATE_LIMIT = "2/h"
    for _n in range(2):
        assert ask(application.vacancy, "anna@example.org").status_code == 200
    assert ask(application.vacancy, "anna@example.org").status_code == 429
    assert len(mailoutbox) == 2


def test_the_mail_is_in_the_vacancys_language(client, ask, application, mailoutbox):
    application.vacancy.language = "ru"
    application.vacancy.save()
    ask(application.vacancy, "anna@example.org")
    assert mailoutbox[0].subject.startswith("Ссылка на ваш отклик")
    assert "Если это были не вы" in mailoutbox[0].body


def test_an_erased_application_gets_no_link(client, ask, application, mailoutbox):
    client.post(reverse("chat:application_erase", args=[application.token]), {"confirm": "on"})
    assert ask(application.vacancy, "anna@example.org").status_code == 200
    assert mailoutbox == []
    assert Candidate.objects.get().erased_at is not None


def test_one_inbox_gets_at_most_a_few_links_an_hour_whoever_asks(client, ask, application, settings, mailoutbox):
    settings.LINK_REQUEST_RATE_LIMIT = "100/h"
    settings.APPLICATION_LINK_EMAILS_PER_HOUR = 3
    pages = {ask(application.vacancy, "anna@example.org").content for _n in range(6)}
    assert len(mailoutbox) == 3
    assert all(b"Check your inbox" in page for page in pages)
