"""The login lockout (django-axes): who is counted, what a locked-out person sees, and lifting a lockout.

Settings (``smartbot/settings.py``, "Login lockout") point axes at the callables here:

- ``login_client_ip``: the client address by the trusted-proxy rule (``smartbot.client_ip``), an IPv6
  client by its /64, so the lockout and every other limit agree on who the client is;
- ``login_username``: the email typed, trimmed and lower-cased, whichever door it came through (the
  login form and the admin say ``username``, the token endpoint ``email``), so ``Owner@Acme.test``
  and ``owner@acme.test`` share one count;
- ``lockout_response``: the page (429) a locked-out person gets from the login form or the admin.

The token endpoint answers its own 429 in the API's error shape (``accounts.api.views``), with
``LoginLockedOut`` below. Axes' own records live in ``axes.models.AccessAttempt``.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from smartbot.api import TooManyRequests, error_body
from smartbot.client_ip import UNKNOWN, client_ip, limit_address


def login_client_ip(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address a login attempt is counted under, None when unknown."""
    ip = client_ip(request)
    return None if ip == UNKNOWN else limit_address(ip)


def login_username(request, credentials: dict | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the email of a login attempt, normalised; None when there is none."""
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    else:
        data = getattr(request, "data", None)
        if data is None or not hasattr(data, "get"):
            data = request.POST
        value = data.get("email") or data.get("username")
    if not isinstance(value, str):
        return None
    return value.strip().lower()[:255] or None


def login_username_of(user) -> str:
    """The name a user's failed logins are counted under (``login_username`` of their email)."""
    return user.email.strip().lower()


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_seconds_left(request) -> int:
    """Whole seconds (>= 1) until the lockout of this request's (email, address) pair ends.

    It ends ``AXES_COOLOFF_TIME`` after the last counted failure (attempts during a lockout are not
    counted, ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``).
    """
    from axes.models import AccessAttempt

    cool_off = settings.AXES_COOLOFF_TIME
    username = login_username(request, getattr(request, "axes_credentials", None))
    last = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return int(cool_off.total_seconds())
    return max(1, math.ceil((last + cool_off - timezone.now()).total_seconds()))


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    wait = ngettext("in %(minutes)d minute", "in %(minutes)d minutes", minutes) % {"minutes": minutes}
    return _(
        "Too many failed logins with this email from your address. Logging in is paused: try again %(wait)s, "
        "reset your password, or ask your company's owner to unlock your account on the team page."
    ) % {"wait": wait}


class LoginLockedOut(TooManyRequests):
    """429 ``locked_out`` from the token endpoint, with Retry-After."""

    default_detail = gettext_lazy("Too many failed logins: try again later.")
    default_code = "locked_out"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the lockout page (429, Retry-After) of the login form and the admin.

    Under /api/ (should a view there ever let axes answer) the API's JSON error shape instead.
    """
    seconds = lockout_seconds_left(request)
    message = lockout_message(seconds)
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(code="locked_out", message=message), status=429)
    else:
        admin = request.path.startswith("/admin/")
        context = {"message": message, "minutes": max(1, math.ceil(seconds / 60)), "admin": admin, "hide_login": True}
        response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def locked_out_usernames(usernames) -> set[str]:
    """Which of ``usernames`` (as ``login_username`` gives them) are locked out from some address now."""
    from axes.models import AccessAttempt

    names = {name.strip().lower() for name in usernames}
    if not names:
        return set()
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username__in=names, attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    return set(rows)


def login_failures_forget(*, user) -> int:
    """Forget every failed login of ``user`` from every address (lifting any lockout); the rows removed."""
    from axes.utils import reset

    return reset(username=login_username_of(user))
