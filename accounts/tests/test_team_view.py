import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:team")


@pytest.fixture
def team(owner, recruiter, viewer, company):
    return InvitationFactory(company=company, email="pending@acme.test", role=Role.VIEWER)


@pytest.mark.parametrize("persona", ["owner_client", "recruiter_client", "viewer_client"])
def test_every_member_sees_the_team_with_roles_and_pending_invitations(request, team, persona):
    client = request.getfixturevalue(persona)

    response = client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    for email in ("owner@acme.test", "recruiter@acme.test", "viewer@acme.test", "pending@acme.test"):
        assert email in content
    assert "Recruiter" in content
    assert "Viewer" in content


def test_the_owner_sees_the_invite_form_and_revoke_buttons(owner_client, team):
    response = owner_client.get(URL)

    assert response.context["invite_form"] is not None
    assert reverse("accounts:invite").encode() in response.content
    assert reverse("accounts:invitation_revoke", args=[team.pk]).encode() in response.content


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_others_see_neither_the_invite_form_nor_revoke_buttons(request, team, persona):
    response = request.getfixturevalue(persona).get(URL)

    assert response.context["invite_form"] is None
    assert reverse("accounts:invite").encode() not in response.content
    assert reverse("accounts:invitation_revoke", args=[team.pk]).encode() not in response.content


def test_accepted_invitations_are_not_listed_as_pending(owner_client, company):
    InvitationFactory(company=company, email="joined@acme.test", accepted_at="2026-01-01T00:00:00Z")

    response = owner_client.get(URL)

    assert list(response.context["invitations"]) == []


def test_an_outsider_sees_only_their_own_company(outsider_client, team):
    response = outsider_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "owner@globex.test" in content
    assert "acme.test" not in content


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_team_page_query_count_does_not_grow_with_the_team(owner_client, company):
    def queries_for_team_page():
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(URL)
        assert response.status_code == 200
        return len(queries), len(response.context["members"])

    # password=None skips the (slow) hashing: these users never log in.
    UserFactory(company=company, password=None)
    InvitationFactory(company=company, invited_by=None)
    queries_for_team_page()  # the bell's unread count is counted once, then read from the cache
    small, small_team = queries_for_team_page()
    for _ in range(15):
        UserFactory(company=company, password=None)
        InvitationFactory(company=company, invited_by=UserFactory(company=company, password=None))
    large, large_team = queries_for_team_page()

    assert large_team == small_team + 30
    assert large == small
    assert small <= 8


def test_only_the_owner_sees_the_invitation_link_to_copy(owner_client, client, recruiter, team):
    assert team.token.encode() in owner_client.get(URL).content

    client.force_login(recruiter)
    assert team.token.encode() not in client.get(URL).content
