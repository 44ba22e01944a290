"""Team management (the owner's team page and the API): change a member's role, remove a member, resend or
revoke an invitation, each written to the audit log (docs/audit.md).

The last active owner of a company can be neither demoted nor removed. A removed member is deactivated and
detached from the company (the row stays, so history, notes and audit entries keep their name); their open
work goes to a chosen member or is left unassigned through ``signals.member_removing``, which the apps
holding that work answer (screening connects it in ``ScreeningConfig.ready``).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from . import services, signals
from .audit import Action, audit_record
from .models import Invitation, Role, User

logger = logging.getLogger(__name__)


def _require_owner_of(actor: User, company_id: int | None) -> None:
    if not (actor.is_active and actor.is_owner and actor.company_id is not None and actor.company_id == company_id):
        raise PermissionDenied


def _other_active_owners(member: User):
    # Locked: two owners demoting each other at once cannot leave the company with none.
    return (
        User.objects.select_for_update()
        .filter(company_id=member.company_id, role=Role.OWNER, is_active=True)
        .exclude(pk=member.pk)
    )


def _last_owner_error() -> ValidationError:
    return ValidationError(
        _("This is the company's last owner: make another member an owner first."), code="last_owner"
    )


def member_role_change(*, actor: User, member: User, role: str, request=None) -> User:
    """Give ``member`` the ``role`` (a ``Role`` value) and log it (``role_changed``); returns the member.

    Raises ``PermissionDenied`` unless ``actor`` is an owner of the member's company, ``ValidationError``
    for an unknown role (field ``role``) or for demoting the last active owner (code ``last_owner``).
    The same role again changes nothing and logs nothing.
    """
    _require_owner_of(actor, member.company_id)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=member.pk)
        if locked.company_id != actor.company_id:
            raise PermissionDenied
        previous = locked.role
        if previous == role:
            return locked
        if previous == Role.OWNER and not list(_other_active_owners(locked)):
            raise _last_owner_error()
        locked.role = role
        locked.save(update_fields=["role"])
        audit_record(
            company=locked.company_id,
            actor=actor,
            action=Action.ROLE_CHANGED,
            target=f"user:{locked.pk}",
            summary=f"Role of {locked.email} changed from {previous} to {role}",
            details={"user": locked.pk, "from": previous, "to": role},
            request=request,
        )
    member.role = role
    return locked


def member_remove(*, actor: User, member: User, successor: User | None = None, request=None) -> dict:
    """Remove ``member`` from the company: their open work goes to ``successor`` (or is left unassigned when
    None), then they are deactivated and detached, and every session and API token of theirs ends.

    Returns the counts of the work moved (``{"human_requests": 1, "interview_slots": 2, ...}``, from the
    ``member_removing`` receivers), also kept in the ``member_removed`` audit entry. Raises
    ``PermissionDenied`` unless ``actor`` owns the member's company; ``ValidationError`` for the last active
    owner (code ``last_owner``) or a successor who is not another active member who may edit (field
    ``successor``).
    """
    _require_owner_of(actor, member.company_id)
    company = actor.company
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=member.pk)
        if locked.company_id != company.pk:
            raise PermissionDenied
        if successor is not None and (
            successor.pk == locked.pk
            or successor.company_id != company.pk
            or not successor.is_active
            or not successor.can_edit
        ):
            raise ValidationError(
                {"successor": _("Choose another active owner or recruiter of the company.")}, code="invalid"
            )
        if locked.role == Role.OWNER and not list(_other_active_owners(locked)):
            raise _last_owner_error()
        moved: dict[str, int] = {}
        for _receiver, counts in signals.member_removing.send(
            sender=User, company=company, member=locked, successor=successor
        ):
            for key, value in (counts or {}).items():
                moved[key] = moved.get(key, 0) + int(value)
        # Deactivated: sessions and tokens stop at once (is_active, token_version); the row stays for history.
        User.objects.filter(pk=locked.pk).update(
            is_active=False, company=None, token_version=models.F("token_version") + 1
        )
        audit_record(
            company=company,
            actor=actor,
            action=Action.MEMBER_REMOVED,
            target=f"user:{locked.pk}",
            summary=f"{locked.email} removed from the team",
            details={
                "user": locked.pk,
                "role": locked.role,
                "reassigned_to": successor.pk if successor is not None else None,
                "work": moved,
            },
            request=request,
        )
    logger.info("Member %s removed from company %s by %s", locked.pk, company.pk, actor.pk)
    return moved


def invitation_send(*, actor: User, email: str, role: str, request=None) -> Invitation:
    """``services.invitation_create`` in the actor's company, logged (``invitation_sent``). Raises what it raises."""
    _require_owner_of(actor, actor.company_id)
    with transaction.atomic():
        invitation = services.invitation_create(company=actor.company, invited_by=actor, email=email, role=role)
        audit_record(
            company=actor.company_id,
            actor=actor,
            action=Action.INVITATION_SENT,
            target=f"invitation:{invitation.pk}",
            summary=f"Invitation sent to {invitation.email} as {invitation.role}",
            details={"invitation": invitation.pk, "role": invitation.role},
            request=request,
        )
    return invitation


def invitation_resend(*, actor: User, invitation: Invitation, request=None) -> Invitation:
    """Send a pending invitation again with a fresh expiry (the same link), logged (``invitation_resent``).

    Raises ``PermissionDenied`` unless ``actor`` owns its company, ``ValidationError`` (code ``conflict``)
    when it was accepted meanwhile or its address got an account.
    """
    _require_owner_of(actor, invitation.company_id)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was accepted already."), code="conflict")
    with transaction.atomic():
        try:
            refreshed = services.invitation_create(
                company=invitation.company, invited_by=actor, email=invitation.email, role=invitation.role
            )
        except ValidationError as error:
            raise ValidationError(error.messages, code="conflict") from None
        audit_record(
            company=invitation.company_id,
            actor=actor,
            action=Action.INVITATION_RESENT,
            target=f"invitation:{refreshed.pk}",
            summary=f"Invitation resent to {refreshed.email}",
            details={"invitation": refreshed.pk, "role": refreshed.role},
            request=request,
        )
    return refreshed


def invitation_withdraw(*, actor: User, invitation: Invitation, request=None) -> None:
    """Revoke a pending invitation (``services.invitation_revoke``: its link stops working), logged
    (``invitation_revoked``). Raises ``PermissionDenied`` unless ``actor`` owns its company."""
    _require_owner_of(actor, invitation.company_id)
    pk, email, company_id = invitation.pk, invitation.email, invitation.company_id
    with transaction.atomic():
        services.invitation_revoke(invitation=invitation)
        audit_record(
            company=company_id,
            actor=actor,
            action=Action.INVITATION_REVOKED,
            target=f"invitation:{pk}",
            summary=f"Invitation for {email} revoked",
            details={"invitation": pk},
            request=request,
        )
