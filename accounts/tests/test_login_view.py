import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = reverse("accounts:login")


def test_the_login_page_asks_for_an_email(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert b'type="email"' in response.content
    assert response.context["form"].fields["username"].label == "Email"


@pytest.mark.parametrize("typed", ["owner@acme.test", "Owner@Acme.TEST", "  OWNER@acme.test  "])
def test_an_owner_logs_in_with_the_email_in_any_case(client, owner, typed):
    response = client.post(URL, {"username": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_user_stored_with_a_mixed_case_email_still_logs_in(client, company):
    # e.g. created through a form that did not lower-case the address
    user = UserFactory(company=company, email="placeholder@acme.test")
    User.objects.filter(pk=user.pk).update(email="Mixed.Case@Acme.test")

    response = client.post(URL, {"username": "mixed.case@acme.TEST", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(URL, {"username": "owner@acme.test", "password": "wrong-password"})

    assert response.status_code == 200
    assert "Please enter a correct" in str(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session


def test_an_unknown_email_is_refused(client):
    response = client.post(URL, {"username": "nobody@acme.test", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_next_page_is_honoured(client, owner):
    response = client.post(URL, {"username": "owner@acme.test", "password": PASSWORD, "next": "/accounts/team/"})

    assert response.url == "/accounts/team/"


def test_a_next_page_on_another_site_is_ignored(client, owner):
    response = client.post(URL, {"username": "owner@acme.test", "password": PASSWORD, "next": "https://evil.test/"})

    assert response.url == reverse("vacancies:list")


def test_a_logged_in_user_is_sent_on(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
