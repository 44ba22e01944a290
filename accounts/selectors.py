"""Reads of the accounts app, always scoped to a company."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Company, Invitation, Role, User

_ROLE_ORDER = Case(
    When(role=Role.OWNER, then=Value(0)),
    When(role=Role.RECRUITER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def team_members(*, company: Company) -> QuerySet[User]:
    """The company's users: owners first, then recruiters, then viewers; ``has_two_factor`` on each."""
    return (
        User.objects.filter(company=company)
        .annotate(has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .order_by(_ROLE_ORDER, "first_name", "last_name", "email")
    )


def team_editors(*, company: Company) -> QuerySet[User]:
    """The company's active owners and recruiters, by email: who may change things and interview (no viewer)."""
    return User.objects.filter(company=company, is_active=True, role__in=(Role.OWNER, Role.RECRUITER)).order_by("email")


def team_member_for_company(*, company: Company, pk: int) -> User:
    """A user of ``company``; 404 for anyone else (another company's included)."""
    return get_object_or_404(User, company=company, pk=pk)


# Every signed-in request asks whether its user has two-factor on (accounts.two_factor.TwoFactorMiddleware);
# the answer is cached so that users without it pay no query. Saving or deleting a device drops the entry
# (``two_factor_cache_forget``, connected in ``AccountsConfig.ready``); the lifetime bounds anything missed.
TWO_FACTOR_CACHE_SECONDS = 300


def _two_factor_cache_key(user: User) -> str:
    # The join date makes a key that a later user with a reused id (a test database) never sees.
    joined = user.date_joined.timestamp() if user.date_joined else 0
    return f"accounts:two_factor:{user.pk}:{joined}"


def user_has_two_factor(*, user: User, fresh: bool = False) -> bool:
    """Whether ``user`` signs in with a code: they have a confirmed authenticator device.

    Cached for up to ``TWO_FACTOR_CACHE_SECONDS`` (dropped on any device change); ``fresh=True`` asks the
    database (one query) and refreshes the cache.
    """
    key = _two_factor_cache_key(user)
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return bool(cached)
    enabled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    cache.set(key, int(enabled), TWO_FACTOR_CACHE_SECONDS)
    return enabled


def two_factor_cache_warm(sender=None, user=None, **kwargs) -> None:
    """A ``user_logged_in`` receiver: ask once at sign-in, so the requests that follow pay no query."""
    if user is not None and user.pk is not None:
        user_has_two_factor(user=user, fresh=True)


def two_factor_cache_forget(sender=None, instance=None, **kwargs) -> None:
    """Drop the cached answer of ``user_has_two_factor`` for the user of a saved or deleted device.

    A ``post_save`` / ``post_delete`` receiver for ``TOTPDevice``; dropped now and again after the commit,
    so a request running meanwhile cannot keep the old answer.
    """
    user = User.objects.filter(pk=instance.user_id).only("pk", "date_joined").first()
    if user is None:
        return
    key = _two_factor_cache_key(user)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def two_factor_backup_codes_left(*, user: User) -> int:
    """How many unused backup codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def invitations_pending(*, company: Company) -> QuerySet[Invitation]:
    """Invitations not accepted yet, expired ones included (the owner may resend or revoke them)."""
    return Invitation.objects.filter(company=company, accepted_at__isnull=True).select_related("invited_by")


def invitation_pending_for_company(*, company: Company, pk: int) -> Invitation:
    """A pending invitation of ``company``; 404 for anything else (another company's included)."""
    return get_object_or_404(Invitation, company=company, pk=pk, accepted_at__isnull=True)


def invitation_by_token(*, token: str) -> Invitation | None:
    return Invitation.objects.select_related("company").filter(token=token).first()
