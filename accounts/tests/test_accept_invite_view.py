import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, User
from accounts.tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {"first_name": "Dana", "last_name": "Scully", "password1": "x-files-1993", "password2": "x-files-1993"}


def _url(invitation):
    return reverse("accounts:accept_invite", args=[invitation.token])


@pytest.fixture
def invitation(company, owner):
    return InvitationFactory(company=company, email="dana@acme.test", role=Role.RECRUITER, invited_by=owner)


def test_the_page_shows_the_company_and_the_role(client, invitation):
    response = client.get(_url(invitation))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Acme" in content
    assert "Recruiter" in content
    assert "dana@acme.test" in content


def test_accepting_creates_the_user_with_the_role_and_logs_them_in(client, invitation, company):
    response = client.post(_url(invitation), FORM)

    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
    user = User.objects.get(email="dana@acme.test")
    assert (user.company, user.role, user.first_name, user.last_name) == (company, Role.RECRUITER, "Dana", "Scully")
    assert client.session["_auth_user_id"] == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


@override_settings(SITE_URL="https://hire.example")
def test_invite_email_accept_then_the_new_viewer_is_on_the_team(
    client, owner, company, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invite"), {"email": "vic@acme.test", "role": "viewer"})
    client.post(reverse("accounts:logout"))

    link = re.search(r"https://hire\.example(/accounts/invite/[\w-]+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link, FORM)

    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
    vic = User.objects.get(email="vic@acme.test")
    assert (vic.company, vic.role) == (company, Role.VIEWER)
    team = client.get(reverse("accounts:team"))
    assert team.status_code == 200
    assert team.context["user"] == vic
    assert vic in team.context["members"]
    assert list(team.context["invitations"]) == []
    # A viewer cannot invite anyone.
    assert client.post(reverse("accounts:invite"), {"email": "x@acme.test", "role": "owner"}).status_code == 403


def test_a_used_invitation_shows_a_friendly_410_page(client, invitation):
    client.post(_url(invitation), FORM)
    client.post(reverse("accounts:logout"))

    get = client.get(_url(invitation))
    post = client.post(_url(invitation), {**FORM, "first_name": "Mallory"})

    assert get.status_code == 410
    assert b"already used" in get.content
    assert post.status_code == 410
    assert User.objects.filter(email="dana@acme.test").get().first_name == "Dana"


def test_an_expired_invitation_shows_a_friendly_410_page(client, company):
    expired = InvitationFactory(company=company, expires_at=timezone.now() - timedelta(hours=1))

    get = client.get(_url(expired))
    post = client.post(_url(expired), FORM)

    assert get.status_code == 410
    assert b"expired" in get.content
    assert post.status_code == 410
    assert not User.objects.filter(email=expired.email).exists()


def test_an_unknown_token_shows_a_friendly_404_page(client):
    response = client.get(reverse("accounts:accept_invite", args=["no-such-token"]))

    assert response.status_code == 404
    assert b"Invitation not found" in response.content


def test_a_weak_password_is_refused_and_the_invitation_stays_usable(client, invitation):
    response = client.post(_url(invitation), {**FORM, "password1": "dana", "password2": "dana"})

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(email="dana@acme.test").exists()
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_an_email_that_got_an_account_meanwhile_answers_like_a_used_invitation(client, invitation):
    UserFactory(email="dana@acme.test", first_name="Other")

    response = client.post(_url(invitation), FORM)

    # Nothing tells whoever holds the link that the address has an account (test_signup_neutral.py).
    assert response.status_code == 410
    assert b"This invitation was already used" in response.content
    assert User.objects.get(email="dana@acme.test").first_name == "Other"
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_logged_in_user_accepting_becomes_the_new_account(outsider_client, invitation):
    response = outsider_client.post(_url(invitation), FORM)

    assert response.status_code == 302
    assert response.url == reverse("vacancies:list")
    assert outsider_client.session["_auth_user_id"] == str(User.objects.get(email="dana@acme.test").pk)
