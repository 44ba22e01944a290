import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse

from accounts.models import Invitation, Role

pytestmark = pytest.mark.django_db


class BrokenEmailBackend(BaseEmailBackend):
    """The mail server is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


URL = reverse("accounts:invite")


def test_the_owner_invites_a_teammate_who_gets_an_email(owner_client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(URL, {"email": "Dana@Acme.test", "role": "recruiter"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:team")
    invitation = Invitation.objects.get()
    assert (invitation.company, invitation.email, invitation.role) == (owner.company, "dana@acme.test", "recruiter")
    assert invitation.invited_by == owner
    assert len(mail.outbox) == 1
    assert re.search(rf"/accounts/invite/{invitation.token}/", mail.outbox[0].body)


def test_inviting_an_existing_users_email_is_a_form_error(owner_client, recruiter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(URL, {"email": "recruiter@acme.test", "role": "viewer"})

    assert response.status_code == 200
    assert "already has a SmartBot account" in response.context["invite_form"].errors["email"][0]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_invalid_email_or_role_is_a_form_error(owner_client):
    response = owner_client.post(URL, {"email": "not-an-email", "role": "admin"})

    form = response.context["invite_form"]
    assert "email" in form.errors
    assert "role" in form.errors
    assert not Invitation.objects.exists()


def test_inviting_a_pending_email_again_refreshes_instead_of_duplicating(
    owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {"email": "dana@acme.test", "role": "recruiter"})
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {"email": "DANA@acme.test", "role": "viewer"})

    invitation = Invitation.objects.get()
    assert invitation.role == Role.VIEWER
    assert len(mail.outbox) == 2
    assert "as Recruiter" in mail.outbox[0].body
    assert "as Viewer" in mail.outbox[1].body
    link = f"/accounts/invite/{invitation.token}/"
    assert link in mail.outbox[0].body
    assert link in mail.outbox[1].body


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_recruiters_and_viewers_get_403_and_nothing_is_created(request, persona, django_capture_on_commit_callbacks):
    client = request.getfixturevalue(persona)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"email": "dana@acme.test", "role": "owner"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_plain_get_is_not_allowed(owner_client):
    assert owner_client.get(URL).status_code == 405


def test_anonymous_visitors_cannot_invite(client):
    response = client.post(URL, {"email": "dana@acme.test", "role": "owner"})

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"
    assert not Invitation.objects.exists()


@override_settings(EMAIL_BACKEND="accounts.tests.test_invite_view.BrokenEmailBackend")
def test_a_mail_outage_keeps_the_invitation_and_does_not_crash(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(URL, {"email": "dana@acme.test", "role": "recruiter"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:team")
    invitation = Invitation.objects.get()
    # The owner can still hand the link over from the team page.
    assert invitation.token.encode() in owner_client.get(reverse("accounts:team")).content
