"""Writes and workflows of the accounts app: sign-up, invitations, company settings."""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Company, Invitation, Role, User, _invitation_expiry
from .slugs import slug_unique

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = Company._meta.get_field("slug").max_length


class InvitationUnusable(Exception):
    """The invitation was accepted already or has expired (the page answers 410)."""


def company_unique_slug(*, name: str) -> str:
    """A free company slug made from ``name``: ``acme``, then ``acme-2``, ``acme-3``..."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 6].strip("-") or "company"
    return slug_unique(base=base, taken=Company.objects.all())


def _ensure_email_free(email: str, *, field: str | None = "email") -> None:
    if User.objects.filter(email__iexact=email).exists():
        error = ValidationError(_("An account with this email already exists."), code="email_taken")
        raise ValidationError({field: error}) if field else error


def company_signup(
    *,
    company_name: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    company_slug: str = "",
) -> User:
    """Create a company and its owner in one transaction; return the owner.

    ``company_slug`` is optional: without it one is made from the name.
    Raises ``ValidationError`` when the email or the slug is taken, leaving
    nothing behind.
    """
    email = email.strip().lower()
    try:
        with transaction.atomic():
            _ensure_email_free(email)
            slug = company_slug.strip().lower() or company_unique_slug(name=company_name)
            if Company.objects.filter(slug=slug).exists():
                raise ValidationError({"company_slug": _("This address is already taken.")}, code="slug_taken")
            company = Company.objects.create(name=company_name.strip(), slug=slug)
            return User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                company=company,
                role=Role.OWNER,
            )
    except IntegrityError:
        # A concurrent sign-up took the email or the slug between the check and the insert.
        raise ValidationError(_("This email or company address was just taken. Please try again."))


def company_update(
    *,
    company: Company,
    name: str,
    description: str,
    slug: str,
    ai_enabled: bool,
    ai_monthly_budget: Decimal | None,
    phone_region: str = "RU",
    retention_months: int | None = None,
) -> Company:
    """Save the company's settings (the owner's settings page).

    ``phone_region``: ISO 3166-1 alpha-2 code for phones typed without a country code.
    ``retention_months``: erase candidates' data this many months after their last activity; None keeps it.
    """
    if ai_monthly_budget is not None and ai_monthly_budget < 0:
        raise ValidationError({"ai_monthly_budget": _("The budget cannot be negative.")})
    slug = slug.strip().lower()
    if Company.objects.filter(slug=slug).exclude(pk=company.pk).exists():
        raise ValidationError({"slug": _("This address is already taken by another company.")}, code="slug_taken")
    company.name = name.strip()
    company.description = description.strip()
    company.slug = slug
    company.ai_enabled = ai_enabled
    company.ai_monthly_budget = ai_monthly_budget
    company.phone_region = (phone_region or "RU").upper()
    company.retention_months = retention_months
    company.save(
        update_fields=[
            "name",
            "description",
            "slug",
            "ai_enabled",
            "ai_monthly_budget",
            "phone_region",
            "retention_months",
        ]
    )
    return company


def invitation_accept_url(invitation: Invitation) -> str:
    """The absolute link an invitee opens, built from ``settings.SITE_URL``."""
    return settings.SITE_URL + reverse("accounts:accept_invite", kwargs={"token": invitation.token})


def invitation_send_email(*, invitation: Invitation) -> None:
    """Email the invitee the accept link (subject / text / html templates)."""
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "invited_by": invitation.invited_by,
        "role": invitation.get_role_display(),
        "accept_url": invitation_accept_url(invitation),
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("accounts/email/invitation.html", context), "text/html")
    message.send()


def invitation_create(*, company: Company, invited_by: User | None, email: str, role: str) -> Invitation:
    """Invite ``email`` into ``company`` with ``role`` and email them the link after commit.

    Inviting an address that already has a pending invitation to this company
    refreshes that invitation (role, inviter, expiry; same link) and sends it
    again instead of creating a second one. Raises ``ValidationError`` if the
    address already belongs to a user.
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        _ensure_email_free(email)
        invitation = (
            Invitation.objects.select_for_update()
            .filter(company=company, email__iexact=email, accepted_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if invitation is None:
            invitation = Invitation.objects.create(company=company, email=email, role=role, invited_by=invited_by)
        else:
            invitation.role = role
            invitation.invited_by = invited_by
            invitation.expires_at = _invitation_expiry()
            invitation.save(update_fields=["role", "invited_by", "expires_at"])
        invitation_id = invitation.pk
        # robust: a mail outage must not turn the saved invitation into a 500; the owner
        # can resend it or copy the link from the team page.
        transaction.on_commit(lambda: _send_invitation_after_commit(invitation_id), robust=True)
    return invitation


def _send_invitation_after_commit(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("company", "invited_by").filter(pk=invitation_id).first()
    if invitation is not None:
        invitation_send_email(invitation=invitation)


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw a pending invitation: its link stops working."""
    invitation.delete()


def invitation_accept(*, invitation: Invitation, first_name: str, last_name: str, password: str) -> User:
    """Create the invitee's user in the invitation's company with its role; mark it accepted.

    Raises ``InvitationUnusable`` if it was used or has expired (checked under
    a row lock, so one link makes one user), ``ValidationError`` if the email
    got an account meanwhile.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("company").get(pk=invitation.pk)
        if not invitation.is_usable:
            raise InvitationUnusable
        _ensure_email_free(invitation.email, field=None)
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            company=invitation.company,
            role=invitation.role,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user
