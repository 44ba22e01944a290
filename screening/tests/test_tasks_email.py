"""The application email task: sent in the vacancy's language, retried while the mail server fails."""

import pytest
from django.core import mail

from screening import tasks
from screening.services import EMAIL_LINK, EMAIL_RECEIVED
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def test_a_refused_connection_is_retried_until_the_email_goes(flaky_mail):
    response = ResponseFactory(email="anna@example.org", full_name="Anna Petrova")
    flaky_mail.failures = 2
    tasks.send_application_email.apply(args=(response.pk, EMAIL_RECEIVED))
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert mail.outbox[0].subject.startswith("Your application:")
    assert response.get_chat_url() in mail.outbox[0].body


def test_an_erased_application_sends_nothing(flaky_mail):
    response = ResponseFactory(email="")
    tasks.send_application_email.apply(args=(response.pk, EMAIL_LINK))
    assert mail.outbox == []
