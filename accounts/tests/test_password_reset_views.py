import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

SITE = "https://smartbot.example"
NEW_PASSWORD = "brand-new-secret-42"


def _reset_link(message) -> str:
    match = re.search(re.escape(SITE) + r"(/accounts/password-reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@override_settings(SITE_URL=SITE)
def test_the_reset_flow_works_end_to_end(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the email is queued on commit
        response = client.post(reverse("accounts:password_reset"), {"email": "Owner@ACME.test"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert client.get(response.url).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@acme.test"]
    assert message.subject == "Reset your SmartBot password"
    html = message.alternatives[0][0]
    link = _reset_link(message)
    assert SITE + link in html

    # Django swaps the token for a session key, then shows the form.
    response = client.get(link)
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 200
    assert response.context["validlink"]

    response = client.post(response.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    assert client.get(response.url).status_code == 200

    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert not owner.check_password(PASSWORD)
    login = client.post(reverse("accounts:login"), {"username": "owner@acme.test", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert login.url == reverse("vacancies:list")


@override_settings(SITE_URL=SITE)
def test_a_used_link_shows_a_friendly_page(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "owner@acme.test"})
    link = _reset_link(mail.outbox[0])
    response = client.get(client.get(link).url)
    client.post(response.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.get(link)

    assert response.status_code == 200
    assert not response.context["validlink"]
    assert b"This link no longer works" in response.content


def test_an_unknown_email_sends_nothing_and_reveals_nothing(client, owner):
    response = client.post(reverse("accounts:password_reset"), {"email": "stranger@acme.test"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_weak_new_password_is_refused(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "owner@acme.test"})
    link = re.search(r"(/accounts/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(client.get(link).url)

    response = client.post(response.wsgi_request.path, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
