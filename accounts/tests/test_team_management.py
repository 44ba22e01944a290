"""accounts.team: role changes, removal with the open work moved on, invitations; the last owner protected."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import team
from accounts.models import AuditEntry, Invitation, Role, User
from accounts.tests.factories import InvitationFactory, UserFactory
from screening.models import CalendarFeed, ChatSession, HumanRequest, InterviewSlot, StatusChange
from screening.services import response_change_status
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


# --- Roles ---------------------------------------------------------------------------------------------------


def test_the_owner_changes_a_role_and_it_is_logged(owner, recruiter):
    team.member_role_change(actor=owner, member=recruiter, role=Role.VIEWER)
    recruiter.refresh_from_db()
    assert recruiter.role == Role.VIEWER
    [entry] = AuditEntry.objects.filter(action="role_changed")
    assert entry.details == {"user": recruiter.pk, "from": "recruiter", "to": "viewer"}
    assert entry.actor_id == owner.pk


def test_the_same_role_again_changes_and_logs_nothing(owner, recruiter):
    team.member_role_change(actor=owner, member=recruiter, role=Role.RECRUITER)
    assert not AuditEntry.objects.filter(action="role_changed").exists()


def test_the_last_owner_cannot_be_demoted(owner):
    with pytest.raises(ValidationError) as refused:
        team.member_role_change(actor=owner, member=owner, role=Role.RECRUITER)
    assert refused.value.code == "last_owner"
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert not AuditEntry.objects.filter(action="role_changed").exists()


def test_an_owner_may_step_down_when_another_owner_remains(owner, company):
    second = UserFactory(company=company, role=Role.OWNER)
    team.member_role_change(actor=owner, member=owner, role=Role.RECRUITER)
    owner.refresh_from_db()
    assert owner.role == Role.RECRUITER
    with pytest.raises(ValidationError):
        team.member_role_change(actor=second, member=second, role=Role.VIEWER)


def test_an_inactive_owner_does_not_count_as_another_owner(owner, company):
    UserFactory(company=company, role=Role.OWNER, is_active=False)
    with pytest.raises(ValidationError):
        team.member_role_change(actor=owner, member=owner, role=Role.VIEWER)


@pytest.mark.parametrize("actor_name", ["recruiter", "viewer", "outsider"])
def test_only_an_owner_of_the_company_changes_roles(request, actor_name, recruiter):
    actor = request.getfixturevalue(actor_name)
    with pytest.raises(PermissionDenied):
        team.member_role_change(actor=actor, member=recruiter, role=Role.OWNER)
    recruiter.refresh_from_db()
    assert recruiter.role == Role.RECRUITER


def test_an_unknown_role_is_refused(owner, recruiter):
    with pytest.raises(ValidationError):
        team.member_role_change(actor=owner, member=recruiter, role="admin")


# --- Removal ---------------------------------------------------------------------------------------------------


@pytest.fixture
def work(company, recruiter):
    """The recruiter's open work: a claimed request for a person, a future slot, a chat taken over; and history."""
    vacancy = VacancyFactory(company=company)
    response = ResponseFactory(vacancy=vacancy, status="passed")
    waiting = HumanRequest.objects.create(
        company=company,
        response=response,
        reason=HumanRequest.Reason.ASKED,
        due_at=timezone.now() + timedelta(hours=4),
        claimed_by=recruiter,
        claimed_at=timezone.now(),
    )
    future = InterviewSlot.objects.create(
        company=company, vacancy=vacancy, starts_at=timezone.now() + timedelta(days=2), time_zone="UTC"
    )
    past = InterviewSlot.objects.create(
        company=company, vacancy=vacancy, starts_at=timezone.now() - timedelta(days=2), time_zone="UTC"
    )
    future.interviewers.add(recruiter)
    past.interviewers.add(recruiter)
    live = ResponseFactory(vacancy=vacancy, status="in_chat")
    session = ChatSession.objects.create(response=live, taken_over_by=recruiter)
    response_change_status(response=response, to_status="shortlisted", actor=recruiter)
    CalendarFeed.objects.create(user=recruiter, token_hash="x" * 64)
    return {"request": waiting, "future": future, "past": past, "session": session, "response": response}


def test_removing_a_member_hands_their_open_work_to_the_chosen_member(owner, recruiter, work):
    moved = team.member_remove(actor=owner, member=recruiter, successor=owner)
    assert moved == {"human_requests": 1, "interview_slots": 1, "takeovers": 1}
    work["request"].refresh_from_db()
    work["session"].refresh_from_db()
    assert work["request"].claimed_by_id == owner.pk
    assert list(work["future"].interviewers.all()) == [owner]
    assert list(work["past"].interviewers.all()) == [recruiter]  # history keeps who interviewed
    assert work["session"].taken_over_by_id == owner.pk
    assert not CalendarFeed.objects.filter(user=recruiter).exists()


def test_removing_a_member_can_leave_their_work_unassigned(owner, recruiter, work):
    team.member_remove(actor=owner, member=recruiter, successor=None)
    work["request"].refresh_from_db()
    work["session"].refresh_from_db()
    assert (work["request"].claimed_by_id, work["request"].claimed_at) == (None, None)
    assert list(work["future"].interviewers.all()) == []
    assert work["session"].taken_over_by_id is None


def test_a_removed_member_is_deactivated_detached_and_signed_out_but_history_keeps_their_name(owner, recruiter, work):
    version = recruiter.token_version
    team.member_remove(actor=owner, member=recruiter)
    recruiter.refresh_from_db()
    assert (recruiter.is_active, recruiter.company_id) == (False, None)
    assert recruiter.token_version == version + 1
    change = StatusChange.objects.get(response=work["response"], to_status="shortlisted")
    assert change.actor_id == recruiter.pk and str(change.actor) == recruiter.get_full_name()
    status_entry = AuditEntry.objects.get(action="status_changed")
    assert status_entry.actor_name == recruiter.get_full_name()
    [entry] = AuditEntry.objects.filter(action="member_removed")
    assert entry.details["user"] == recruiter.pk and entry.details["reassigned_to"] is None
    assert entry.company_id == owner.company_id


def test_a_removed_member_can_no_longer_sign_in_and_their_session_ends(client, owner, recruiter):
    client.force_login(recruiter)
    team.member_remove(actor=owner, member=recruiter)
    assert client.get(reverse("accounts:team")).status_code == 302  # to the login page: the session is gone
    answer = client.post(reverse("accounts:login"), {"username": recruiter.email, "password": "pass-w0rd-123"})
    assert answer.status_code == 200  # the form again, with its error
    assert client.get(reverse("accounts:team")).status_code == 302


def test_the_last_owner_cannot_be_removed(owner):
    with pytest.raises(ValidationError) as refused:
        team.member_remove(actor=owner, member=owner)
    assert refused.value.code == "last_owner"
    owner.refresh_from_db()
    assert owner.is_active and owner.company_id is not None


def test_the_successor_must_be_another_active_editor_of_the_company(owner, recruiter, viewer, outsider):
    for successor in (recruiter, viewer, outsider):
        with pytest.raises(ValidationError):
            team.member_remove(actor=owner, member=recruiter, successor=successor)
    recruiter.refresh_from_db()
    assert recruiter.is_active


@pytest.mark.parametrize("actor_name", ["recruiter", "viewer", "outsider"])
def test_only_an_owner_of_the_company_removes_members(request, actor_name, owner):
    actor = request.getfixturevalue(actor_name)
    member = UserFactory(company=owner.company, role=Role.RECRUITER)
    with pytest.raises(PermissionDenied):
        team.member_remove(actor=actor, member=member)
    member.refresh_from_db()
    assert member.is_active and member.company_id == owner.company_id


# --- Invitations -----------------------------------------------------------------------------------------------


def test_resending_refreshes_the_expiry_sends_again_and_logs(owner, company, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(company=company, expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        team.invitation_resend(actor=owner, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.is_usable
    assert [m.to for m in mail.outbox] == [[invitation.email]]
    assert Invitation.objects.filter(company=company).count() == 1
    [entry] = AuditEntry.objects.filter(action="invitation_resent")
    assert entry.target == f"invitation:{invitation.pk}"


def test_revoking_deletes_the_invitation_and_logs(owner, company):
    invitation = InvitationFactory(company=company)
    pk = invitation.pk
    team.invitation_withdraw(actor=owner, invitation=invitation)
    assert not Invitation.objects.exists()
    [entry] = AuditEntry.objects.filter(action="invitation_revoked")
    assert entry.details == {"invitation": pk}


def test_inviting_logs_one_entry(owner):
    invitation = team.invitation_send(actor=owner, email="new@acme.test", role=Role.VIEWER)
    [entry] = AuditEntry.objects.filter(action="invitation_sent")
    assert entry.details == {"invitation": invitation.pk, "role": "viewer"}


def test_a_recruiter_cannot_resend_or_revoke(recruiter, company):
    invitation = InvitationFactory(company=company)
    with pytest.raises(PermissionDenied):
        team.invitation_resend(actor=recruiter, invitation=invitation)
    with pytest.raises(PermissionDenied):
        team.invitation_withdraw(actor=recruiter, invitation=invitation)
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert not User.objects.filter(email=invitation.email).exists()
