"""Account emails (sign-up, invitations, password reset) go through the worker and survive a mail outage."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services

pytestmark = pytest.mark.django_db


def test_a_sign_up_confirmation_is_retried_until_the_mail_server_takes_it(
    flaky_mail, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        services.company_signup(
            company_name="Initech",
            first_name="Peter",
            last_name="Gibbons",
            email="peter@initech.test",
            password="a-long-Passw0rd",
        )
    assert [message.to for message in mail.outbox] == [["peter@initech.test"]]
    assert mail.outbox[0].alternatives  # the HTML part came through the task too


def test_a_password_reset_email_is_retried_too(flaky_mail, client, owner, django_capture_on_commit_callbacks):
    flaky_mail.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("accounts:password_reset"), {"email": owner.email})
    assert answer.status_code == 302
    assert answer.url == reverse("accounts:password_reset_done")
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "/accounts/" in mail.outbox[0].body
