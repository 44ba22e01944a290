"""Writes and workflows of the accounts app: sign-up, passwords and tokens, invitations, company settings."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import tasks
from .audit import audit_record
from .lockout import login_failures_forget
from .models import AuditEntry, Company, Invitation, Role, User
from .slugs import slug_from_text, slug_unique
from .two_factor_services import (  # noqa: F401 - the doors call them here
    BACKUP_CODE_COUNT,
    two_factor_backup_codes_renew,
    two_factor_code_normalise,
    two_factor_disable,
    two_factor_remove,
    two_factor_setup_confirm,
    two_factor_setup_start,
    two_factor_verify,
)

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = Company._meta.get_field("slug").max_length


class InvitationUnusable(Exception):
    """The invitation was accepted already or has expired (the page answers 410)."""


def company_unique_slug(*, name: str) -> str:
    """A free company slug made from ``name``: ``acme``, then ``acme-2``, ``acme-3``..."""
    base = slug_from_text(name, max_length=SLUG_MAX_LENGTH - 6, default="company")
    return slug_unique(base=base, taken=Company.objects.all())


def _ensure_email_free(email: str, *, field: str | None = "email") -> None:
    if User.objects.filter(email__iexact=email).exists():
        error = ValidationError(_("An account with this email already exists."), code="email_taken")
        raise ValidationError({field: error}) if field else error


def _email_send(*, template: str, to: str, context: dict) -> None:
    """Send ``accounts/email/<template>_subject.txt`` / ``.txt`` / ``.html`` to ``to``, rendered with ``context``.

    Queued for the worker (``accounts.tasks.send_email``, retried while the mail server is down) once the
    caller's transaction commits; a broker outage is logged, never raised into the caller.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    # Through the worker, retried while the mail server is down (accounts.tasks.send_email).
    tasks.send_email.delay(
        subject=" ".join(subject.split()),
        body=render_to_string(f"accounts/email/{template}.txt", context),
        html=render_to_string(f"accounts/email/{template}.html", context),
        to=[to],
    )


def _account_links() -> dict:
    return {
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "password_reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
    }


# --- Sign-up: the same answer for every address, an account only after its email is confirmed ------------

SIGNUP_CONFIRMATION_SALT = "accounts.signup-confirmation"


class SignupLinkInvalid(Exception):
    """A sign-up confirmation link that is forged, expired, or for an account no longer waiting for it."""


def signup_is_pending(user: User) -> bool:
    """Whether ``user`` is a sign-up still waiting for its email confirmation.

    An inactive owner who never logged in and is alone in their company; an account deactivated after use
    (it has a ``last_login``) or a member of a company with others never counts.
    """
    return (
        not user.is_active
        and user.last_login is None
        and user.role == Role.OWNER
        and user.company_id is not None
        and not User.objects.filter(company_id=user.company_id).exclude(pk=user.pk).exists()
    )


def signup_confirmation_token(user: User) -> str:
    """A signed token naming ``user`` and their email (``django.core.signing``, timestamped; no secret inside)."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SIGNUP_CONFIRMATION_SALT)


def signup_confirmation_url(user: User) -> str:
    """The absolute link that finishes ``user``'s sign-up, built from ``settings.SITE_URL``."""
    path = reverse("accounts:signup_confirm", kwargs={"token": signup_confirmation_token(user)})
    return settings.SITE_URL + path


def signup_pending_user(*, token: str) -> User:
    """The pending sign-up a confirmation token names.

    Raises ``SignupLinkInvalid`` when the token is forged or older than ``settings.SIGNUP_CONFIRMATION_HOURS``,
    or its account is gone, confirmed already, or no longer a pending sign-up (``signup_is_pending``).
    """
    try:
        data = signing.loads(
            token, salt=SIGNUP_CONFIRMATION_SALT, max_age=timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS)
        )
        user = User.objects.select_related("company").filter(pk=int(data["u"]), email=str(data["e"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SignupLinkInvalid from None
    if user is None or not signup_is_pending(user):
        raise SignupLinkInvalid
    return user


def company_signup(
    *,
    company_name: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    company_slug: str = "",
) -> User | None:
    """Start a sign-up: a company and its owner, inactive until the email's link is followed; or, for an
    address that has an account, an email to its holder. The caller answers both the same way.

    - A new address: the company and an inactive owner are saved in one transaction; after commit the
      address gets a link (``signup_confirmation_url``) that activates the owner. Returns the owner.
    - An address waiting for its confirmation already (``signup_is_pending``): that sign-up takes the new
      names, password and company name and the address gets a fresh link. Returns the owner.
    - An address with an account: nothing is saved; after commit its holder is told that someone tried to sign
      up with it (links to log in and to reset the password). Returns None.

    The password is hashed in every branch, so the answer takes about as long for every address.
    ``company_slug`` is optional: without it one is made from the name. Raises ``ValidationError`` when the
    slug is taken (slugs are public: careers pages) or a concurrent sign-up took the email or slug.
    """
    email = email.strip().lower()
    company_name, first_name, last_name = company_name.strip(), first_name.strip(), last_name.strip()
    slug = company_slug.strip().lower()
    try:
        with transaction.atomic():
            existing = User.objects.select_for_update().filter(email__iexact=email).first()
            pending = existing if existing is not None and signup_is_pending(existing) else None
            if slug and Company.objects.filter(slug=slug).exclude(pk=getattr(pending, "company_id", None)).exists():
                raise ValidationError({"company_slug": _("This address is already taken.")}, code="slug_taken")
            if existing is not None and pending is None:
                make_password(password)  # the same work as a new account, so timing tells nothing
                _signup_existing_email(existing)  # sent once the transaction commits
                return None
            if pending is not None:
                user, company = pending, pending.company
                company.name = company_name
                company.slug = slug or company.slug
                company.save(update_fields=["name", "slug"])
                user.first_name, user.last_name = first_name, last_name
                user.set_password(password)
                user.save(update_fields=["first_name", "last_name", "password"])
            else:
                company = Company.objects.create(name=company_name, slug=slug or company_unique_slug(name=company_name))
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    company=company,
                    role=Role.OWNER,
                    is_active=False,
                )
            _signup_confirmation_email(user)  # sent once the transaction commits
            return user
    except IntegrityError:
        # A concurrent sign-up took the email or the slug between the check and the insert.
        raise ValidationError(_("This email or company address was just taken. Please try again."))


def _signup_confirmation_email(user: User) -> None:
    _email_send(
        template="signup_confirm",
        to=user.email,
        context={
            "user": user,
            "company": user.company,
            "confirm_url": signup_confirmation_url(user),
            "hours": settings.SIGNUP_CONFIRMATION_HOURS,
        },
    )


def _signup_existing_email(user: User) -> None:
    _email_send(template="signup_existing", to=user.email, context={"user": user, **_account_links()})


def company_signup_confirm(*, user: User) -> User:
    """Activate a pending sign-up's owner (``signup_pending_user`` found it; the caller checked the password).

    Raises ``SignupLinkInvalid`` if it is no longer pending (confirmed meanwhile in another tab).
    """
    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of the join to the company.
        user = User.objects.select_for_update(of=("self",)).select_related("company").get(pk=user.pk)
        if not signup_is_pending(user):
            raise SignupLinkInvalid
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


# --- Passwords, sessions and API tokens ---------------------------------------------------------------


def user_password_change(*, user: User, password: str) -> User:
    """Give ``user`` a new password (validated by the caller's form).

    ``User.save`` raises ``token_version``: every JWT of the user and every session but the caller's (after
    ``update_session_auth_hash``) stop working.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def user_sign_out_everywhere(*, user: User) -> User:
    """Revoke every API token (access and refresh) and every session of ``user``.

    Raises ``user.token_version`` in the database (one UPDATE, so concurrent raises both count) and
    returns ``user`` with the new value. Sessions carry a hash that includes the version
    (``User.get_session_auth_hash``): they all end at their next request, unless the caller keeps its own
    with ``django.contrib.auth.update_session_auth_hash``.
    """
    User.objects.filter(pk=user.pk).update(token_version=models.F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    return user


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
    require_two_factor: bool | None = None,
    embed_origins: str | None = None,
    actor: User | None = None,
    request=None,
) -> Company:
    """Save the company's settings (the owner's settings page); what changed goes to the audit log
    (``settings_changed``, by ``actor``, field names only: ``settings_audit``).

    ``phone_region``: ISO 3166-1 alpha-2 code for phones typed without a country code.
    ``retention_months``: erase candidates' data this many months after their last activity; None keeps it.
    ``require_two_factor``: members must sign in with a one-time code; None leaves the setting as it is.
    ``embed_origins``: the sites allowed to frame the candidate chat, one origin per line, already checked
    (``CompanySettingsForm``); None leaves them as they are.
    """
    if ai_monthly_budget is not None and ai_monthly_budget < 0:
        raise ValidationError({"ai_monthly_budget": _("The budget cannot be negative.")})
    slug = slug.strip().lower()
    if Company.objects.filter(slug=slug).exclude(pk=company.pk).exists():
        raise ValidationError({"slug": _("This address is already taken by another company.")}, code="slug_taken")
    before = _settings_snapshot(company)
    company.name = name.strip()
    company.description = description.strip()
    company.slug = slug
    company.ai_enabled = ai_enabled
    company.ai_monthly_budget = ai_monthly_budget
    company.phone_region = (phone_region or "RU").upper()
    company.retention_months = retention_months
    if require_two_factor is not None:
        company.require_two_factor = require_two_factor
    if embed_origins is not None:
        company.embed_origins = embed_origins
    company.save(
        update_fields=[
            "require_two_factor",
            "embed_origins",
            "name",
            "description",
            "slug",
            "ai_enabled",
            "ai_monthly_budget",
            "phone_region",
            "retention_months",
        ]
    )
    settings_audit(company=company, before=before, actor=actor, request=request)
    return company


def _settings_snapshot(company: Company) -> dict:
    """The company's settings as saved (the instance may carry unsaved values), for ``settings_audit``."""
    names = [f.attname for f in Company._meta.concrete_fields if f.name not in ("id", "created_at")]
    return Company.objects.filter(pk=company.pk).values(*names).first() or {}


def settings_audit(*, company: Company, before: dict, actor: User | None, request=None) -> None:
    """One ``settings_changed`` entry naming the fields of ``company`` that differ from ``before``; none if none."""
    changed = sorted(name for name, value in before.items() if getattr(company, name) != value)
    if changed:
        summary = "Company settings changed: " + ", ".join(changed)
        details = {"fields": changed}
        audit_record(
            company=company,
            actor=actor,
            action=AuditEntry.Action.SETTINGS_CHANGED,
            summary=summary,
            target=f"company:{company.pk}",
            details=details,
            request=request,
        )


def company_after_screening_update(*, company: Company, actor: User | None = None, request=None, **values) -> Company:
    """Save the company's settings for after the screening (docs/notifications.md): ``time_zone``,
    ``working_hours_start``, ``working_hours_end``, ``working_days``, ``human_reply_hours``,
    ``notify_candidates_of_decisions``, ``stall_reminder_hours``. A value None (or "") keeps the current one. Raises
    ``ValidationError`` (by field) for a value the model refuses or an unknown field. Logged as ``company_update``."""
    fields = [name for name, value in values.items() if value is not None and value != ""]
    unknown = set(fields) - set(COMPANY_AFTER_SCREENING_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in unknown})
    for name in fields:
        setattr(company, name, values[name])
    company.full_clean(exclude=[f.name for f in Company._meta.fields if f.name not in fields])
    if company.working_hours_end <= company.working_hours_start:
        raise ValidationError({"working_hours_end": _("The working day must end after it starts.")})
    if fields:
        before = _settings_snapshot(company)
        company.save(update_fields=fields)
        settings_audit(company=company, before=before, actor=actor, request=request)
    return company


COMPANY_AFTER_SCREENING_FIELDS = (
    "time_zone",
    "working_hours_start",
    "working_hours_end",
    "working_days",
    "human_reply_hours",
    "notify_candidates_of_decisions",
    "stall_reminder_hours",
)


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
    }
    _email_send(template="invitation", to=invitation.email, context=context)


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
            invitation.expires_at = Invitation._meta.get_field("expires_at").get_default()  # as a new one's
            invitation.save(update_fields=["role", "invited_by", "expires_at"])
        # Sent once the transaction commits. A mail outage is retried by the task and a broker outage only
        # logged, so neither turns the saved invitation into a 500; the owner can resend it or copy the link.
        invitation_send_email(invitation=invitation)
    return invitation


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw a pending invitation: its link stops working."""
    invitation.delete()


def invitation_accept(*, invitation: Invitation, first_name: str, last_name: str, password: str) -> User:
    """Create the invitee's user in the invitation's company with its role; mark it accepted.

    Raises ``InvitationUnusable`` if it was used or has expired (checked under
    a row lock, so one link makes one user), and also when the email got an account meanwhile: the page
    then says what it says for a used invitation (log in or reset the password), and the account's holder
    is emailed that someone tried to join ``invitation.company`` with their address. Whoever holds the link
    learns nothing a used invitation would not tell them; the password is hashed either way.
    """
    existing = None
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("company").get(pk=invitation.pk)
        if not invitation.is_usable:
            raise InvitationUnusable
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is None:
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
    # Outside the transaction, which nothing wrote to: the notice is sent, then the refusal raised.
    make_password(password)  # the same work as a new account, so timing tells nothing
    context = {"user": existing, "company_name": invitation.company.name, **_account_links()}
    _email_send(template="invitation_existing", to=existing.email, context=context)
    raise InvitationUnusable


# --- Login lockout ------------------------------------------------------------------------------


def user_unlock(*, actor: User, user: User) -> int:
    """Lift ``user``'s login lockout from every address (``accounts.lockout``); the records removed.

    Only an owner of ``user``'s company may (``PermissionDenied`` otherwise): the team page's "Unlock".
    """
    if not (actor.is_owner and actor.company_id is not None and actor.company_id == user.company_id):
        raise PermissionDenied
    removed = login_failures_forget(user=user)
    logger.info("Login lockout lifted: user %s by owner %s (%s records)", user.pk, actor.pk, removed)
    return removed
