"""Two-factor sign-in (TOTP): the pages, their forms and the middleware that holds a session until it gives a code.

The doors only: the writes are the ``two_factor_*`` services in ``accounts.services``. A user has two-factor
on when they have a confirmed ``TOTPDevice`` (django-otp); their backup codes are one ``StaticDevice``.
After the password, the session is signed in but not *verified* (django-otp's ``OTPMiddleware`` puts the
device that verified it, or None, on ``request.user.otp_device``); ``TwoFactorMiddleware`` sends such a
session to the code page until it gives one. See docs/operations.md, "Two-factor sign-in".
"""

from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login

from smartbot.forms import form_add_service_errors

from . import selectors, services
from .access import owner_required

# --- Forms ------------------------------------------------------------------------------------


def _code_field(**kwargs):
    return forms.CharField(
        label=kwargs.pop("label", gettext_lazy("Code")),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
        **kwargs,
    )


class CodeForm(forms.Form):
    code = _code_field(help_text=gettext_lazy("6 digits from your authenticator app, or one of your backup codes."))


class DisableForm(forms.Form):
    code = _code_field(required=False, help_text=gettext_lazy("A code from your app or a backup code..."))
    password = forms.CharField(
        label=gettext_lazy("...or your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("code") or cleaned.get("password")):
            raise forms.ValidationError(_("Enter a code or your password."), code="required")
        return cleaned


def _show_error(form, error: ValidationError, field: str = "code") -> None:
    # A refusal because of the state (two-factor required, setup not started) is about no one field.
    form_add_service_errors(form, error, field=None if getattr(error, "code", None) == "conflict" else field)


# --- Helpers ----------------------------------------------------------------------------------


def qr_code_svg(data: str) -> str:
    """``data`` as a QR code in an inline ``<svg>`` element (segno; no script, style or outside request).

    Safe to put in a page as is: segno writes only its own elements, and the data is in the path's
    geometry, not in text.
    """
    qr = segno.make(data, error="m")
    return mark_safe(qr.svg_inline(scale=5, dark="#000", light="#fff", svgclass="qr-code", lineclass=None))  # noqa: S308


def _secret_for_typing(device) -> str:
    """The device's key in base32 (what authenticator apps ask for when typed by hand), in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request, device) -> None:
    # A new session key for the raised privilege, as Django does at login.
    request.session.cycle_key()
    otp_login(request, device)


# --- The user's own two-factor page -----------------------------------------------------------


@login_required
def account(request):
    """GET: whether two-factor is on, backup codes left, and the forms to turn it off or renew the codes."""
    enabled = selectors.user_has_two_factor(user=request.user)
    context = {
        "enabled": enabled,
        "required": bool(request.user.company_id and request.user.company.require_two_factor),
        "codes_left": selectors.two_factor_backup_codes_left(user=request.user) if enabled else 0,
        "disable_form": DisableForm(),
        "renew_form": CodeForm(),
    }
    return render(request, "accounts/two_factor_account.html", context)


@login_required
def setup(request):
    """GET: the QR code to scan; POST ``code``: the first code from the app turns two-factor on."""
    try:
        device = services.two_factor_setup_start(user=request.user)
    except ValidationError:
        messages.info(request, _("Two-factor sign-in is on already."))
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_setup_confirm(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            _show_error(form, error)
        else:
            # Turning it on signed the user out everywhere (``User.token_version``); this session stays.
            request.user.refresh_from_db(fields=["token_version"])
            update_session_auth_hash(request, request.user)
            otp_login(request, device)
            return render(request, "accounts/two_factor_backup_codes.html", {"codes": codes, "first_time": True})
    context = {
        "form": form,
        "qr_code": qr_code_svg(device.config_url),
        "secret": _secret_for_typing(device),
        "required": bool(request.user.company_id and request.user.company.require_two_factor),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@require_POST
@login_required
def disable(request):
    """POST ``code`` or ``password``: turn two-factor off."""
    form = DisableForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(
                user=request.user, code=form.cleaned_data["code"], password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:two_factor")
    context = {
        "enabled": True,
        "required": bool(request.user.company_id and request.user.company.require_two_factor),
        "codes_left": selectors.two_factor_backup_codes_left(user=request.user),
        "disable_form": form,
        "renew_form": CodeForm(),
    }
    return render(request, "accounts/two_factor_account.html", context, status=400)


@require_POST
@login_required
def backup_codes_renew(request):
    """POST ``code`` (from the app): new backup codes, shown once; the old ones stop working."""
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = services.two_factor_backup_codes_renew(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            _show_error(form, error)
        else:
            return render(request, "accounts/two_factor_backup_codes.html", {"codes": codes, "first_time": False})
    context = {
        "enabled": True,
        "required": bool(request.user.company_id and request.user.company.require_two_factor),
        "codes_left": selectors.two_factor_backup_codes_left(user=request.user),
        "disable_form": DisableForm(),
        "renew_form": form,
    }
    return render(request, "accounts/two_factor_account.html", context, status=400)


# --- The code page after the password ---------------------------------------------------------


@login_required
def verify(request):
    """GET: the code form; POST ``code`` (and ``next``): a right code verifies the session, then on to ``next``."""
    if request.user.is_verified() or not selectors.user_has_two_factor(user=request.user, fresh=True):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            _show_error(form, error)
        else:
            _mark_verified(request, device)
            return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request), "hide_login": True}
    return render(request, "accounts/two_factor_verify.html", context)


# --- The owner resets a teammate's two-factor -------------------------------------------------


@require_POST
@owner_required
def member_reset(request, pk):
    """POST: remove a teammate's two-factor devices (they lost their phone); 404 outside the company."""
    member = selectors.team_member_for_company(company=request.user.company, pk=pk)
    if member.pk == request.user.pk:
        messages.error(request, _("Turn your own two-factor sign-in off on your two-factor page."))
        return redirect("accounts:team")
    services.two_factor_remove(user=member)
    messages.success(
        request,
        _("Two-factor sign-in of %(email)s was reset. They sign in with their password alone now.")
        % {"email": member.email},
    )
    return redirect("accounts:team")


# --- Middleware -------------------------------------------------------------------------------

# Open to a signed-in session that owes a code: leaving, switching language, and the code page.
_ALWAYS_OPEN = {"accounts:logout", "admin:logout", "set_language", "accounts:two_factor_verify"}
# Also open to a member whose company requires two-factor and who has none yet.
_OPEN_FOR_SETUP = _ALWAYS_OPEN | {"accounts:two_factor_setup"}


class TwoFactorMiddleware:
    """Hold a signed-in session at the code page (or the setup page) until two-factor is satisfied.

    Install right after django-otp's ``OTPMiddleware``. For a signed-in user whose session is not verified:

    - two-factor on (a confirmed TOTP device): everything but logout, language and the code page
      redirects to the code page, ``?next=`` the page asked for;
    - none, and their company requires it (``Company.require_two_factor``): everything but those and
      the setup page redirects to the setup page.

    The Django admin is held the same way. Requests to the API with an ``Authorization`` header are
    left to the API (a token is only given with a code); with the session alone they get a JSON 403
    (``two_factor_required``). Anonymous requests (careers pages, the candidate chat) are untouched.
    Costs one query per request of a signed-in, unverified session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in _ALWAYS_OPEN:
            return None
        if selectors.user_has_two_factor(user=user):
            target = "accounts:two_factor_verify"
            message = _("Enter the code from your authenticator app first.")
        elif user.company_id and user.company.require_two_factor:
            if view_name in _OPEN_FOR_SETUP:
                return None
            target, message = (
                "accounts:two_factor_setup",
                _("Your company requires two-factor sign-in: set it up first."),
            )
        else:
            return None
        if request.resolver_match and request.resolver_match.namespaces[:1] == ["api"]:
            if request.headers.get("Authorization"):
                return None
            from smartbot.api import error_body

            return JsonResponse(error_body(code="two_factor_required", message=message), status=403)
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


def two_factor_pending(*, user, session) -> bool:
    """Whether a signed-in ``user`` must still give a code (or set two-factor up) before using the product.

    For doors that ``TwoFactorMiddleware`` does not guard: the recruiters' chat socket, whose handshake is
    no Django request. ``session`` is the socket's or request's session (dict-like; django-otp keeps the
    verifying device under ``DEVICE_ID_SESSION_KEY``). True when the user has a confirmed device and the
    session was not verified by one of their confirmed devices, or when their company requires two-factor
    and they have none. False for anonymous users. One to three queries.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.middleware import OTPMiddleware
    from django_otp.models import Device

    if user is None or not user.is_authenticated:
        return False
    if selectors.user_has_two_factor(user=user, fresh=True):
        persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
        if not persistent_id:
            return True
        device = Device.from_persistent_id(OTPMiddleware._normalize_persistent_id(persistent_id))
        return device is None or device.user_id != user.pk or not device.confirmed
    return bool(user.company_id and user.company.require_two_factor)
