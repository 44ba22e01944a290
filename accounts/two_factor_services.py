"""Two-factor sign-in services (TOTP from an authenticator app, django-otp); ``accounts.services`` re-exports them."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

# How many single-use backup codes a user gets when they turn two-factor on or ask for new ones.
BACKUP_CODE_COUNT = 10


def two_factor_code_normalise(code: str) -> str:
    """``code`` as typed ("123 456", "ABCD-EFGH") reduced to what the devices store: no spaces or dashes, lower case."""
    return "".join((code or "").split()).replace("-", "").lower()


def _two_factor_check(*, user: User, device, code: str) -> None:
    """Check ``code`` on one device of ``user`` (a used code or backup code does not work twice).

    Raises ``ValidationError`` with code ``throttled`` while the device refuses attempts after wrong codes
    (1, 2, 4, 8... seconds: django-otp's ``ThrottlingMixin``), ``invalid_code`` for a wrong code.
    """
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
        raise ValidationError(
            _("Too many wrong codes. Try again in %(seconds)d seconds."), code="throttled", params={"seconds": seconds}
        )
    # verify_token locks the device row while it checks: two requests cannot both use one code.
    if otp_verify_token(user, device.persistent_id, code) is None:
        raise ValidationError(
            _("This code is not right. Check the time on your phone and try again."), code="invalid_code"
        )


def two_factor_verify(*, user: User, code: str):
    """Check a sign-in code of ``user``: 6 digits from their authenticator app, or one of their backup codes.

    Returns the device that accepted it (a ``TOTPDevice`` or ``StaticDevice``; a backup code is used up).
    Raises ``ValidationError`` with code ``invalid_code`` or ``throttled`` (see ``_two_factor_check``).
    """
    code = two_factor_code_normalise(code)
    # Digits go to the app's device, anything else to the backup codes (8 letters and digits 2-7): a code
    # never counts as a wrong attempt on the other kind of device.
    model = TOTPDevice if code.isdigit() else StaticDevice
    devices = list(model.objects.filter(user=user, confirmed=True).order_by("pk"))
    if not code or not devices:
        raise ValidationError(
            _("This code is not right. Check the time on your phone and try again."), code="invalid_code"
        )
    error = None
    for device in devices:
        try:
            _two_factor_check(user=user, device=device, code=code)
        except ValidationError as refusal:
            error = refusal
        else:
            return device
    raise error


def two_factor_setup_start(*, user: User):
    """The unconfirmed authenticator device ``user`` is setting up (a ``TOTPDevice``), made on the first call.

    Later calls return the same one, so reloading the page shows the same QR code. Raises
    ``ValidationError`` (code ``conflict``) when two-factor is on already.
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Two-factor sign-in is on already."), code="conflict")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _two_factor_backup_codes_replace(*, user: User) -> list[str]:

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _user_tokens_revoke(*, user: User) -> None:
    # Signs the user out everywhere (API tokens, and sessions where their hash carries the version): what was
    # handed out before two-factor went on, or before a reset, was not given with this phone's code.
    User.objects.filter(pk=user.pk).update(token_version=models.F("token_version") + 1)


def two_factor_setup_confirm(*, user: User, code: str) -> tuple[object, list[str]]:
    """Turn two-factor on for ``user`` with the first code their app shows for the device being set up.

    Returns ``(device, backup_codes)``: the confirmed ``TOTPDevice`` and ``BACKUP_CODE_COUNT`` fresh
    single-use codes (8 characters each; shown to the user once). Signs the user out everywhere
    (``User.token_version``; the view keeps the current session).
    Raises ``ValidationError``: ``invalid_code`` / ``throttled`` for the code, ``conflict`` when no
    setup was started.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise ValidationError(_("Start the setup again: scan the new QR code."), code="conflict")
    # Checked outside the transaction below: a wrong attempt must stay counted when this raises.
    _two_factor_check(user=user, device=device, code=two_factor_code_normalise(code))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _two_factor_backup_codes_replace(user=user)
        _user_tokens_revoke(user=user)
    return device, codes


def two_factor_backup_codes_renew(*, user: User, code: str) -> list[str]:
    """New backup codes for ``user`` (the old ones stop working), given a current code from their app.

    Returns ``BACKUP_CODE_COUNT`` codes. Raises ``ValidationError`` as ``two_factor_verify``.
    """
    code = two_factor_code_normalise(code)
    if not code.isdigit():
        raise ValidationError(_("Enter the 6-digit code from your authenticator app."), code="invalid_code")
    two_factor_verify(user=user, code=code)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Two-factor sign-in is off."), code="conflict")
    with transaction.atomic():
        return _two_factor_backup_codes_replace(user=user)


def _two_factor_devices_delete(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def two_factor_remove(*, user: User) -> None:
    """Reset ``user``'s two-factor (an owner or an admin, for someone who lost their phone).

    Removes their devices (app and backup codes) and signs them out everywhere (``User.token_version``):
    whoever holds the phone or a session keeps nothing. They sign in with the password alone next time.
    """
    with transaction.atomic():
        _two_factor_devices_delete(user=user)
        _user_tokens_revoke(user=user)


def two_factor_disable(*, user: User, code: str = "", password: str = "") -> None:
    """Turn two-factor off for ``user``, who proves it is them with a current code or their password.

    Raises ``ValidationError``: code ``conflict`` when their company requires two-factor sign-in,
    ``invalid_code`` / ``throttled`` for a wrong code, ``invalid_password`` for a wrong password.
    """
    if user.company_id and user.company.require_two_factor:
        raise ValidationError(
            _("Your company requires two-factor sign-in. Ask an owner to reset it if you lost your phone."),
            code="conflict",
        )
    if password:
        if not user.check_password(password):
            raise ValidationError({"password": _("This is not your password.")}, code="invalid_password")
    else:
        try:
            two_factor_verify(user=user, code=code)
        except ValidationError as error:
            raise ValidationError({"code": error}) from None
    with transaction.atomic():
        _two_factor_devices_delete(user=user)
