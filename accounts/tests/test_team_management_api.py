"""The team endpoints: the owner changes roles, removes members and manages invitations; others 403, outsiders 404."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import AuditEntry, Invitation, Role, User
from accounts.tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    cache.clear()  # throttle counters
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def member(company):
    return UserFactory(company=company, role=Role.RECRUITER, email="member@acme.test")


@pytest.fixture
def invitation(company):
    return InvitationFactory(company=company, email="invitee@acme.test")


WRITES = [
    ("/api/v1/team/members/{m}/role/", {"role": "viewer"}),
    ("/api/v1/team/members/{m}/remove/", {"successor": None}),
    ("/api/v1/team/invitations/{i}/resend/", None),
    ("/api/v1/team/invitations/{i}/revoke/", None),
]


def _state():
    return (
        list(User.objects.order_by("pk").values("pk", "role", "is_active", "company_id")),
        list(Invitation.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(("template", "body"), WRITES, ids=[t for t, _b in WRITES])
def test_outsider_gets_404_and_nothing_changes(outsider, member, invitation, template, body):
    before = _state()
    answer = api(outsider).post(template.format(m=member.pk, i=invitation.pk), body, format="json")
    assert answer.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("persona", ["recruiter", "viewer"])
@pytest.mark.parametrize(("template", "body"), WRITES, ids=[t for t, _b in WRITES])
def test_recruiters_and_viewers_get_403_and_nothing_changes(request, persona, member, invitation, template, body):
    client = api(request.getfixturevalue(persona))
    before = _state()
    answer = client.post(template.format(m=member.pk, i=invitation.pk), body, format="json")
    assert answer.status_code == 403
    assert _state() == before


@pytest.mark.parametrize("persona", ["recruiter", "viewer"])
def test_only_the_owner_lists_and_sends_invitations(request, persona, invitation):
    client = api(request.getfixturevalue(persona))
    assert client.get("/api/v1/team/invitations/").status_code == 403
    assert client.post("/api/v1/team/invitations/", {"email": "x@acme.test", "role": "viewer"}).status_code == 403
    assert Invitation.objects.count() == 1


def test_every_member_reads_the_member_list_of_their_company_only(viewer, owner, outsider):
    emails = [row["email"] for row in api(viewer).get("/api/v1/team/members/").json()["results"]]
    assert set(emails) == {viewer.email, owner.email}
    outsider_emails = [row["email"] for row in api(outsider).get("/api/v1/team/members/").json()["results"]]
    assert outsider_emails == [outsider.email]


def test_the_owner_changes_a_role(owner, member):
    answer = api(owner).post(f"/api/v1/team/members/{member.pk}/role/", {"role": "owner"}, format="json")
    assert answer.status_code == 200 and answer.json()["role"] == "owner"
    member.refresh_from_db()
    assert member.role == Role.OWNER


def test_demoting_or_removing_the_last_owner_is_a_409_last_owner(owner):
    client = api(owner)
    answer = client.post(f"/api/v1/team/members/{owner.pk}/role/", {"role": "viewer"}, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "last_owner"
    answer = client.post(f"/api/v1/team/members/{owner.pk}/remove/", {}, format="json")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "last_owner"
    owner.refresh_from_db()
    assert owner.is_active and owner.role == Role.OWNER


def test_the_owner_removes_a_member_with_a_successor(owner, member):
    answer = api(owner).post(f"/api/v1/team/members/{member.pk}/remove/", {"successor": owner.pk}, format="json")
    assert answer.status_code == 200
    assert answer.json()["work"] == {"human_requests": 0, "interview_slots": 0, "takeovers": 0}
    member.refresh_from_db()
    assert not member.is_active


def test_a_successor_of_another_company_is_a_400(owner, member, outsider):
    answer = api(owner).post(f"/api/v1/team/members/{member.pk}/remove/", {"successor": outsider.pk}, format="json")
    assert answer.status_code == 400
    member.refresh_from_db()
    assert member.is_active


def test_the_owner_invites_resends_and_revokes(owner):
    client = api(owner)
    created = client.post("/api/v1/team/invitations/", {"email": "new@acme.test", "role": "viewer"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert client.get("/api/v1/team/invitations/").json()["count"] == 1
    assert client.post(f"/api/v1/team/invitations/{pk}/resend/").status_code == 200
    assert client.post(f"/api/v1/team/invitations/{pk}/revoke/").status_code == 204
    assert not Invitation.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["invitation_sent", "invitation_resent", "invitation_revoked"]
