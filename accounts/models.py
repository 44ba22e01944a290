import secrets
import zoneinfo
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

# Names in the tz database that are no place's clock: the server's own setting ("localtime", "posixrules"),
# a placeholder ("Factory"), and the "posix/" and "right/" copies (leap seconds). A time that depends on how
# the server is set up is no time to give a candidate.
_NOT_A_PLACE = {"localtime", "posixrules", "Factory"}


def is_time_zone_name(value) -> bool:
    """True when ``value`` is an IANA zone name of a place (or UTC) that ``zoneinfo`` knows on this machine:
    "Europe/Moscow", "UTC", "Etc/GMT+3"; False for "localtime", "Factory", "posix/…", "right/…" and
    anything else."""
    if not isinstance(value, str) or not value or len(value) > 64 or value in _NOT_A_PLACE:
        return False
    if value.startswith(("posix/", "right/")):
        return False
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def validate_time_zone(value: str) -> None:
    """Raise ``ValidationError`` unless ``is_time_zone_name(value)``."""
    if not is_time_zone_name(value):
        raise ValidationError(_("“%(value)s” is not a time zone name such as Europe/Moscow."), params={"value": value})


def validate_working_days(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is distinct ISO weekday digits 1-7 (``"12345"``)."""
    if not value or any(ch not in "1234567" for ch in value) or len(set(value)) != len(value):
        raise ValidationError(_("Working days are ISO weekday digits, Monday 1 to Sunday 7, e.g. 12345."))


class Company(models.Model):
    """The tenant. Every recruiter-owned row belongs to exactly one company."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Address of the public careers page."))
    description = models.TextField(_("short description"), blank=True, max_length=2000)
    ai_enabled = models.BooleanField(
        _("AI evaluation enabled"),
        default=True,
        help_text=_("When off, nothing about this company's candidates is sent to an LLM."),
    )
    ai_monthly_budget = models.DecimalField(
        _("monthly AI budget (USD)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty means no limit. Once spent, the builtin evaluator is used until next month."),
    )
    phone_region = models.CharField(
        _("default phone region"),
        max_length=2,
        default="RU",
        help_text=_("ISO 3166 country code for phone numbers typed without a country code, e.g. RU."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep candidates' data for (months)"),
        null=True,
        blank=True,
        help_text=_(
            "Erase a candidate's data this many months after the last activity on their applications. "
            "Empty keeps it until erased by hand."
        ),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_("When on, every member must sign in with a one-time code from an authenticator app."),
    )
    chat_link_read_only_days = models.PositiveSmallIntegerField(
        _("finished chat links turn read-only after (days)"),
        default=30,
        help_text=_("After a screening finishes, its private link shows the transcript read-only for this long."),
    )
    chat_link_expiry_days = models.PositiveSmallIntegerField(
        _("finished chat links expire after (days)"),
        default=90,
        help_text=_(
            "After a screening finishes, its private link stops working after this many days; the candidate "
            "can ask for a new link by email."
        ),
    )
    embed_origins = models.TextField(
        _("sites allowed to embed the chat"),
        blank=True,
        help_text=_("One origin per line, e.g. https://jobs.example.com. Empty allows no other site to frame it."),
    )
    # After the screening (issue 14): the company's clock, when a person answers, what candidates hear.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Moscow",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/Moscow. Working hours, interview slots and digests use it."),
    )
    working_hours_start = models.TimeField(_("working day starts at"), default=time(9, 0))
    working_hours_end = models.TimeField(_("working day ends at"), default=time(18, 0))
    working_days = models.CharField(
        _("working days"),
        max_length=7,
        default="12345",
        validators=[validate_working_days],
        help_text=_("ISO weekday numbers, Monday 1 to Sunday 7: 12345 is Monday to Friday."),
    )
    human_reply_hours = models.PositiveSmallIntegerField(
        _("a person answers within (working hours)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
        help_text=_("What a candidate who asks for a person is promised, and the queue's SLA."),
    )
    notify_candidates_of_decisions = models.BooleanField(
        _("email candidates about decisions"),
        default=False,
        help_text=_("Shortlisted, interview, offer, hired and declined each send the candidate an email."),
    )
    stall_reminder_hours = models.PositiveSmallIntegerField(
        _("remind a candidate who stopped mid-chat after (hours)"),
        default=24,
        validators=[MaxValueValidator(720)],
        help_text=_("One reminder email with the link; 0 sends none."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    RECRUITER = "recruiter", _("Recruiter")
    VIEWER = "viewer", _("Viewer")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("The email must be set")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A recruiter-side user. Logs in with email; belongs to one company with a role."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="members", null=True, blank=True, verbose_name=_("company")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RECRUITER)
    # Carried in every JWT this user gets; raising it (password change, "sign out everywhere") revokes them all.
    token_version = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        # A new password (set_password, then save) revokes every JWT and every other session of the user
        # (accounts.tokens). The hash upgrade at login clears _password before its save: it revokes nothing.
        # F(): versions only go up, even when two changes race.
        revoke = self._password is not None and not self._state.adding
        if revoke:
            self.token_version = models.F("token_version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "token_version"}
        super().save(*args, **kwargs)
        if revoke:
            self.refresh_from_db(fields=["token_version"])

    def get_session_auth_hash(self):
        """Django's HMAC of the password hash, plus ``token_version`` once raised: raising it ends sessions too."""
        return self._versioned_session_auth_hash(secret=None)

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._versioned_session_auth_hash(secret=secret)

    def _versioned_session_auth_hash(self, *, secret):
        # Version 0 gives Django's own value, so existing sessions survived the upgrade that added the version.
        value = f"{self.password}:v{self.token_version}" if self.token_version else self.password
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def display_name(self) -> str:
        return self.first_name or self.email.split("@")[0]

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def can_edit(self) -> bool:
        """Owners and recruiters write; viewers only read."""
        return self.company_id is not None and self.role in (Role.OWNER, Role.RECRUITER)


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=7)


class Invitation(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RECRUITER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One action of a company's member, kept for the owners to read: append-only (no edit or delete path,
    the admin included; ``save`` of an existing row and ``delete`` raise ``PermissionError``).

    ``actor_name`` keeps who did it after the member is removed; ``target`` is ``"<type>:<id>"`` (such as
    ``"response:12"``, ``"user:3"``); ``details`` a small JSON object of what changed (never a candidate's
    words or contacts: the log outlives an erasure). ``summary`` is one English line. Written by
    ``accounts.audit.audit_record`` (docs/audit.md)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in refused")
        LOGOUT = "logout", _("Signed out")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_RESENT = "invitation_resent", _("Invitation resent")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
        SETTINGS_CHANGED = "settings_changed", _("Settings changed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        BULK_ACTION = "bulk_action", _("Bulk action")
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Erasure")
        TAKEOVER = "takeover", _("Chat taken over")
        RULES_CHANGED = "rules_changed", _("Screening rules changed")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("who"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target = models.CharField(_("target"), max_length=80, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="audit_company_time"),
            models.Index(fields=["company", "action", "-created_at"], name="audit_company_action_time"),
        ]

    def __str__(self):
        return f"{self.action} by {self.actor_name or '-'}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
