from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import InvitationUnusable, invitation_accept
from accounts.tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

NAMES = {"first_name": " Dana ", "last_name": "Scully", "password": "x-files-1993"}


def test_accepting_creates_the_user_in_the_company_with_the_role(company):
    invitation = InvitationFactory(company=company, email="dana@acme.test", role=Role.VIEWER)

    user = invitation_accept(invitation=invitation, **NAMES)

    assert user.company == company
    assert user.role == Role.VIEWER
    assert user.email == "dana@acme.test"
    assert user.first_name == "Dana"
    assert user.check_password("x-files-1993")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_an_invitation_works_only_once(company):
    invitation = InvitationFactory(company=company, email="dana@acme.test")
    invitation_accept(invitation=invitation, **NAMES)

    # The caller may hold a stale copy that still looks unused: the service re-reads it.
    invitation.accepted_at = None
    with pytest.raises(InvitationUnusable):
        invitation_accept(invitation=invitation, **NAMES)
    assert User.objects.filter(email="dana@acme.test").count() == 1


def test_an_expired_invitation_is_refused(company):
    invitation = InvitationFactory(company=company, expires_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(InvitationUnusable):
        invitation_accept(invitation=invitation, **NAMES)
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_email_that_got_an_account_meanwhile_is_refused_like_a_used_invitation(company):
    invitation = InvitationFactory(company=company, email="dana@acme.test")
    UserFactory(email="dana@acme.test")

    with pytest.raises(InvitationUnusable):
        invitation_accept(invitation=invitation, **NAMES)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert User.objects.filter(email="dana@acme.test").count() == 1
