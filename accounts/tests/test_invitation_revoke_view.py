import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from accounts.tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(company):
    return InvitationFactory(company=company, email="dana@acme.test")


def _url(invitation):
    return reverse("accounts:invitation_revoke", args=[invitation.pk])


def test_the_owner_revokes_a_pending_invitation(owner_client, invitation):
    response = owner_client.post(_url(invitation))

    assert response.status_code == 302
    assert response.url == reverse("accounts:team")
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    # The emailed link is dead now.
    assert owner_client.get(reverse("accounts:accept_invite", args=[invitation.token])).status_code == 404


def test_an_outsider_gets_404_and_nothing_changes(outsider_client, invitation):
    response = outsider_client.post(_url(invitation))

    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_recruiters_and_viewers_get_403_and_nothing_changes(request, persona, invitation):
    response = request.getfixturevalue(persona).post(_url(invitation))

    assert response.status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_an_accepted_invitation_cannot_be_revoked(owner_client, company):
    accepted = InvitationFactory(company=company, accepted_at=timezone.now())

    assert owner_client.post(_url(accepted)).status_code == 404
    assert Invitation.objects.filter(pk=accepted.pk).exists()


def test_a_plain_get_is_not_allowed(owner_client, invitation):
    assert owner_client.get(_url(invitation)).status_code == 405
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_anonymous_visitors_cannot_revoke(client, invitation):
    answer = client.post(_url(invitation))
    assert answer.status_code == 302
    assert answer.url == f"{reverse('accounts:login')}?next={_url(invitation)}"
    assert Invitation.objects.filter(pk=invitation.pk).exists()
