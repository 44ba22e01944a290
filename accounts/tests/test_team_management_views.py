"""The team page's role, removal and invitation doors: owners only, another company's rows are 404."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, Invitation, Role, User
from accounts.tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(company):
    return UserFactory(company=company, role=Role.RECRUITER, email="member@acme.test")


@pytest.fixture
def invitation(company):
    return InvitationFactory(company=company, email="invitee@acme.test")


def _doors(member, invitation):
    return [
        (reverse("accounts:member_role", args=[member.pk]), {"role": "viewer"}),
        (reverse("accounts:member_remove", args=[member.pk]), {"successor": ""}),
        (reverse("accounts:invitation_resend", args=[invitation.pk]), {}),
        (reverse("accounts:invitation_revoke", args=[invitation.pk]), {}),
    ]


def _state():
    return (
        list(User.objects.order_by("pk").values("pk", "role", "is_active", "company_id")),
        list(Invitation.objects.order_by("pk").values()),
        AuditEntry.objects.exclude(action__in=["login", "logout"]).count(),
    )


@pytest.mark.parametrize("door", range(4))
def test_outsider_gets_404_and_nothing_changes(outsider_client, member, invitation, door):
    url, data = _doors(member, invitation)[door]
    before = _state()
    assert outsider_client.post(url, data).status_code == 404
    assert _state() == before


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
@pytest.mark.parametrize("door", range(4))
def test_recruiters_and_viewers_get_403_and_nothing_changes(request, persona, member, invitation, door):
    client = request.getfixturevalue(persona)
    url, data = _doors(member, invitation)[door]
    before = _state()
    assert client.post(url, data).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("door", range(4))
def test_the_doors_take_post_only(owner_client, member, invitation, door):
    url, _data = _doors(member, invitation)[door]
    assert owner_client.get(url).status_code == 405


def test_the_owner_changes_a_role_from_the_team_page(owner_client, member):
    answer = owner_client.post(reverse("accounts:member_role", args=[member.pk]), {"role": "viewer"})
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:team")
    member.refresh_from_db()
    assert member.role == Role.VIEWER
    assert AuditEntry.objects.filter(action="role_changed", target=f"user:{member.pk}").count() == 1


def test_demoting_the_last_owner_says_why_and_changes_nothing(owner_client, owner):
    answer = owner_client.post(reverse("accounts:member_role", args=[owner.pk]), {"role": "viewer"}, follow=True)
    assert "last owner" in answer.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_the_owner_removes_a_member_handing_work_to_another(owner_client, owner, member):
    answer = owner_client.post(reverse("accounts:member_remove", args=[member.pk]), {"successor": owner.pk})
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:team")
    member.refresh_from_db()
    assert not member.is_active and member.company_id is None
    assert AuditEntry.objects.get(action="member_removed").details["reassigned_to"] == owner.pk


def test_a_successor_from_another_company_is_refused(owner_client, member, outsider):
    owner_client.post(reverse("accounts:member_remove", args=[member.pk]), {"successor": outsider.pk})
    member.refresh_from_db()
    assert member.is_active


def test_removing_the_last_owner_says_why(owner_client, owner):
    answer = owner_client.post(reverse("accounts:member_remove", args=[owner.pk]), {"successor": ""}, follow=True)
    assert "last owner" in answer.content.decode()
    owner.refresh_from_db()
    assert owner.is_active


def test_the_owner_resends_and_revokes_invitations(owner_client, invitation):
    owner_client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    owner_client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    assert not Invitation.objects.exists()
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"invitation_resent", "invitation_revoked"}


def test_the_owner_sees_the_manage_forms(owner_client, member):
    page = owner_client.get(reverse("accounts:team")).content.decode()
    assert reverse("accounts:member_remove", args=[member.pk]) in page
    assert reverse("accounts:member_role", args=[member.pk]) in page
    assert reverse("accounts:audit_log") in page


def test_a_recruiter_sees_neither_the_manage_forms_nor_the_audit_log_link(recruiter_client, member):
    other = recruiter_client.get(reverse("accounts:team")).content.decode()
    assert reverse("accounts:member_remove", args=[member.pk]) not in other
    assert reverse("accounts:audit_log") not in other


def test_the_team_page_costs_the_same_queries_for_more_members(owner_client, company, django_assert_max_num_queries):
    owner_client.get(reverse("accounts:team"))
    for index in range(5):
        UserFactory(company=company, role=Role.RECRUITER, email=f"extra{index}@acme.test")
    with django_assert_max_num_queries(14):
        assert owner_client.get(reverse("accounts:team")).status_code == 200
