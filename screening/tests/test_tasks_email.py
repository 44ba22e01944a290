"""The application email task: sent in the vacancy's language, retried while the mail server fails."""

import pytest
from django.core import mail

from screening import tasks
from screening.models import SentEmail
from screening.services import EMAIL_LINK, EMAIL_RECEIVED
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def test_a_received_email_queued_before_the_templates_goes_the_one_recorded_way(
    flaky_mail, django_capture_on_commit_callbacks
):
    response = ResponseFactory(email="anna@example.org", full_name="Anna Petrova")
    flaky_mail.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_application_email.apply(args=(response.pk, EMAIL_RECEIVED))
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert mail.outbox[0].subject.startswith("Your application:")
    assert response.get_chat_url() in mail.outbox[0].body
    # The same email as candidate_email_send's, recorded and retried like it.
    row = SentEmail.objects.get(response=response)
    assert (row.template, row.status, row.attempts) == ("application_received", "sent", 3)
    assert (row.subject, row.body_text) == (mail.outbox[0].subject, mail.outbox[0].body)


def test_a_link_email_is_retried_until_it_goes(flaky_mail):
    response = ResponseFactory(email="anna@example.org", full_name="Anna Petrova")
    flaky_mail.failures = 2
    tasks.send_application_email.apply(args=(response.pk, EMAIL_LINK))
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert response.get_chat_url() in mail.outbox[0].body
    assert not SentEmail.objects.exists()


def test_an_erased_application_sends_nothing(flaky_mail):
    response = ResponseFactory(email="")
    tasks.send_application_email.apply(args=(response.pk, EMAIL_LINK))
    assert mail.outbox == []
