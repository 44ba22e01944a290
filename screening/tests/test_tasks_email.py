"""The application email task: sent in the vacancy's language, retried while the mail server fails."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from screening import tasks
from screening.services import EMAIL_LINK, EMAIL_RECEIVED
from screening.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """The mail server refuses the first ``failures`` connections, then delivers (into ``mail.outbox``)."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings, eager_retries):
    settings.EMAIL_BACKEND = "screening.tests.test_tasks_email.FlakyBackend"
    mail.outbox = []
    yield FlakyBackend
    FlakyBackend.failures = 0


def test_a_refused_connection_is_retried_until_the_email_goes(flaky_mail):
    response = ResponseFactory(email="anna@example.org", full_name="Anna Petrova")
    flaky_mail.failures = 2
    tasks.send_application_email.delay(response.pk, EMAIL_RECEIVED)
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert mail.outbox[0].subject.startswith("Your application:")
    assert response.get_chat_url() in mail.outbox[0].body


def test_an_erased_application_sends_nothing(flaky_mail):
    response = ResponseFactory(email="")
    tasks.send_application_email.delay(response.pk, EMAIL_LINK)
    assert mail.outbox == []
