import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Company, Role, User
from accounts.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:signup")


def _data(**overrides):
    data = {
        "company_name": "Initech",
        "company_slug": "",
        "first_name": "Peter",
        "last_name": "Gibbons",
        "email": "Peter@Initech.test",
        "password1": "tps-reports-2026",
        "password2": "tps-reports-2026",
    }
    data.update(overrides)
    return data


def test_the_signup_page_shows_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert b'name="company_name"' in response.content
    assert b'name="password2"' in response.content


def test_signup_creates_company_and_inactive_owner_and_emails_the_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _data())

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_sent")
    user = User.objects.get(email="peter@initech.test")
    assert user.role == Role.OWNER
    assert not user.is_active
    assert user.company.name == "Initech"
    assert user.company.slug == "initech"
    assert "_auth_user_id" not in client.session
    (email,) = mail.outbox
    assert email.to == ["peter@initech.test"]
    assert "/accounts/signup/confirm/" in email.body


def test_the_link_and_the_password_activate_the_owner_who_opens_vacancies(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _data())
    link = re.search(r"https?://\S+(/accounts/signup/confirm/\S+/)", mail.outbox[0].body).group(1)

    assert client.get(link).status_code == 200
    response = client.post(link, {"password": "tps-reports-2026"})

    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
    user = User.objects.get(email="peter@initech.test")
    assert user.is_active
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_generated_slug_does_not_collide_with_an_existing_company(client):
    CompanyFactory(slug="initech")

    client.post(URL, _data())

    assert User.objects.get(email="peter@initech.test").company.slug == "initech-2"


def test_the_owner_may_choose_the_careers_address(client):
    client.post(URL, _data(company_slug="Initech-Careers"))

    assert User.objects.get(email="peter@initech.test").company.slug == "initech-careers"


def test_a_taken_careers_address_is_a_form_error(client):
    CompanyFactory(slug="initech")

    response = client.post(URL, _data(company_slug="initech"))

    assert response.status_code == 200
    assert "company_slug" in response.context["form"].errors
    assert not User.objects.filter(email="peter@initech.test").exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("8734562910", "entirely numeric"),
        ("peter-gibbons", None),
    ],
)
def test_a_weak_password_is_refused_and_nothing_is_saved(client, password, reason):
    response = client.post(URL, _data(password1=password, password2=password))

    assert response.status_code == 200
    errors = response.context["form"].errors["password2"]
    assert errors
    if reason:
        assert any(reason in error for error in errors)
    assert not Company.objects.filter(name="Initech").exists()
    assert not User.objects.filter(email="peter@initech.test").exists()


def test_passwords_that_differ_are_refused(client):
    response = client.post(URL, _data(password2="tps-reports-2027"))

    assert response.context["form"].errors["password2"] == ["The two passwords don't match."]
    assert not Company.objects.filter(name="Initech").exists()


def test_missing_fields_are_refused(client):
    response = client.post(URL, _data(company_name="  ", first_name=""))

    errors = response.context["form"].errors
    assert "company_name" in errors
    assert "first_name" in errors
    assert not User.objects.filter(email="peter@initech.test").exists()


def test_a_logged_in_user_is_sent_to_the_vacancies(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
