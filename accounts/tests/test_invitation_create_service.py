from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from accounts.models import Invitation, Role
from accounts.services import invitation_create
from accounts.tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


@override_settings(SITE_URL="https://hire.example")
def test_an_invitation_is_saved_and_emailed_after_commit(company, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = invitation_create(company=company, invited_by=owner, email=" Dana@Acme.TEST ", role=Role.VIEWER)
        assert mail.outbox == []  # nothing leaves before the transaction commits

    assert len(callbacks) == 1
    assert invitation.email == "dana@acme.test"
    assert invitation.role == Role.VIEWER
    assert invitation.invited_by == owner
    assert invitation.is_usable
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@acme.test"]
    assert "Acme" in message.subject
    link = f"https://hire.example/accounts/invite/{invitation.token}/"
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert "Viewer" in message.body


def test_an_existing_users_email_is_refused(company, owner, recruiter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        invitation_create(company=company, invited_by=owner, email="RECRUITER@acme.test", role=Role.VIEWER)

    assert "email" in error.value.error_dict
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_user_of_another_company_cannot_be_invited(company, owner, outsider):
    with pytest.raises(ValidationError):
        invitation_create(company=company, invited_by=owner, email=outsider.email, role=Role.RECRUITER)


def test_inviting_a_pending_email_again_refreshes_the_invitation(company, owner, django_capture_on_commit_callbacks):
    old = InvitationFactory(
        company=company, email="dana@acme.test", role=Role.RECRUITER, expires_at=timezone.now() - timedelta(days=1)
    )
    second_owner = UserFactory(company=company, role=Role.OWNER)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(company=company, invited_by=second_owner, email="Dana@acme.test", role="viewer")

    assert Invitation.objects.count() == 1
    assert invitation.pk == old.pk
    invitation.refresh_from_db()
    assert invitation.token == old.token  # the link already sent keeps working
    assert invitation.role == Role.VIEWER
    assert invitation.invited_by == second_owner
    assert invitation.is_usable
    assert len(mail.outbox) == 1


def test_an_accepted_invitation_is_not_reused(company, owner):
    InvitationFactory(company=company, email="dana@acme.test", accepted_at=timezone.now())

    invitation_create(company=company, invited_by=owner, email="dana@acme.test", role=Role.RECRUITER)

    assert Invitation.objects.filter(email="dana@acme.test").count() == 2


def test_the_same_email_may_be_invited_by_two_companies(company, other_company, owner, outsider):
    first = invitation_create(company=company, invited_by=owner, email="dana@acme.test", role=Role.RECRUITER)
    second = invitation_create(company=other_company, invited_by=outsider, email="dana@acme.test", role=Role.VIEWER)

    assert first.pk != second.pk
    assert first.token != second.token


def test_an_unknown_role_is_refused(company, owner):
    with pytest.raises(ValidationError):
        invitation_create(company=company, invited_by=owner, email="dana@acme.test", role="admin")
    assert not Invitation.objects.exists()
