"""Reads of the accounts app, always scoped to a company."""

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from .models import Company, Invitation, Role, User

_ROLE_ORDER = Case(
    When(role=Role.OWNER, then=Value(0)),
    When(role=Role.RECRUITER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def team_members(*, company: Company) -> QuerySet[User]:
    """The company's users: owners first, then recruiters, then viewers."""
    return User.objects.filter(company=company).order_by(_ROLE_ORDER, "first_name", "last_name", "email")


def invitations_pending(*, company: Company) -> QuerySet[Invitation]:
    """Invitations not accepted yet, expired ones included (the owner may resend or revoke them)."""
    return Invitation.objects.filter(company=company, accepted_at__isnull=True).select_related("invited_by")


def invitation_pending_for_company(*, company: Company, pk: int) -> Invitation:
    """A pending invitation of ``company``; 404 for anything else (another company's included)."""
    return get_object_or_404(Invitation, company=company, pk=pk, accepted_at__isnull=True)


def invitation_by_token(*, token: str) -> Invitation | None:
    return Invitation.objects.select_related("company").filter(token=token).first()
