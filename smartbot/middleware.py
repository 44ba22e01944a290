"""Small security middleware and helpers: bad characters in addresses, Permissions-Policy, per-page framing.

The Content-Security-Policy itself comes from django-csp (``csp.middleware.CSPMiddleware``, configured by
``CONTENT_SECURITY_POLICY`` in settings); ``csp_allow_framing`` relaxes its ``frame-ancestors`` for one
response (the candidate chat a company embeds on its own site).
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse, QueryDict
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError

from smartbot.api import error_body
from smartbot.parsers import DECODED_JSON_ATTRIBUTE, json_loads_strict, text_error


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def percent_encoding_error(text: str) -> str | None:
    """Why a query string or form body ``text`` cannot be accepted: its %-escapes (and bytes) are not UTF-8.

    Django decodes such input with replacement characters (U+FFFD) and goes on; a search or a login would
    then run on text nobody typed. RFC 3986 §2.5: new URI schemes percent-encode UTF-8. None when fine.
    """
    try:
        urllib.parse.unquote_to_bytes(text.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        return _("The request contains bytes that are not valid UTF-8.")
    return None


class ForbiddenCharactersMiddleware:
    """Refuse, with a 400, a request whose path or query string holds a NUL, a lone surrogate or %-escapes
    that are not UTF-8, and under
    ``/api/`` a JSON body that ``smartbot.parsers.json_loads_strict`` refuses or a form body with a NUL.

    Under ``/api/`` the answer is JSON in the API's error shape (code ``parse_error``); elsewhere Django's
    400 page (``BadRequest``). Without this, ``?q=%00`` reaches a database filter and PostgreSQL refuses
    it ("A string literal cannot contain NUL"), a 500. API JSON and form bodies are checked here for every
    endpoint, also those that never read their body (a decoded JSON body is handed to the parser, not
    decoded twice); multipart bodies are checked by the API's parsers when a view reads them (parsing
    uploads here would fix the upload handlers before the view runs). HTML pages' forms refuse NUL
    themselves (``ProhibitNullCharactersValidator`` on every CharField).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        texts = [request.path_info, *(text for key, values in request.GET.lists() for text in (key, *values))]
        error = next(filter(None, map(text_error, texts)), None) or percent_encoding_error(
            request.META.get("QUERY_STRING", "")
        )
        if error is None and _is_api(request):
            error = self._body_error(request)
        if error:
            if _is_api(request):
                return JsonResponse(error_body(code="parse_error", message=error), status=400)
            raise BadRequest(error)
        return self.get_response(request)

    @staticmethod
    def _body_error(request) -> str | None:
        if request.content_type not in ("application/json", "application/x-www-form-urlencoded"):
            return None
        try:
            raw = request.body
        except RequestDataTooBig:
            return None  # over DATA_UPLOAD_MAX_MEMORY_SIZE: the parser checks it while it streams it
        if not raw:
            return None
        encoding = request.encoding or settings.DEFAULT_CHARSET
        if request.content_type == "application/x-www-form-urlencoded":
            try:
                fields = QueryDict(raw, encoding=encoding)
            except SuspiciousOperation:  # more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields
                return _("The request could not be read.")
            texts = (text for key, values in fields.lists() for text in (key, *values))
            return next(filter(None, map(text_error, texts)), None) or percent_encoding_error(raw.decode("latin-1"))
        try:
            data = json_loads_strict(raw, encoding=encoding)
        except ParseError as exc:
            return str(exc.detail)
        setattr(request, DECODED_JSON_ATTRIBUTE, data)
        return None


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy: settings.PERMISSIONS_POLICY`` on every response that has none yet.

    The header (W3C Permissions Policy, https://www.w3.org/TR/permissions-policy/) switches off browser
    features no SmartBot page uses (camera, microphone, geolocation, payment...), for our pages and any
    frame inside them. Empty setting: no header.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.value and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.value
        return response


# A host in an origin: a DNS name (letters, digits, dots, hyphens) or an IP address. No wildcard, quote,
# semicolon or space, which would add sources or directives to the header.
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_normalise(value: str) -> str | None:
    """``value`` as a web origin ``scheme://host[:port]``, or None when it is not one.

    Lower case, default port dropped, a trailing slash accepted; paths, queries, user info, wildcards and
    schemes other than http/https are refused. Internationalised host names become their ASCII (IDNA)
    form, which is what browsers compare (RFC 6454 §4).
    """
    value = (value or "").strip().removesuffix("/")
    if not value or any(char.isspace() or char in "'\";," for char in value):
        return None
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path or parts.query or parts.fragment:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    host = parts.hostname
    try:
        host = str(ipaddress.ip_address(host))
        if ":" in host:
            host = f"[{host}]"
    except ValueError:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
        if not _HOST.match(host):
            return None
    if port == 0:
        return None
    if port is not None and port == _DEFAULT_PORTS[parts.scheme]:
        port = None
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def origins_parse(text: str) -> tuple[list[str], list[str]]:
    """Split ``text`` (one origin per line, blank lines ignored) into (normalised origins, refused lines)."""
    origins, refused = [], []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        origin = origin_normalise(line)
        if origin is None:
            refused.append(line.strip())
        elif origin not in origins:
            origins.append(origin)
    return origins, refused


def csp_allow_form_targets(response, *, origins: list[str]):
    """Let ``response``'s forms lead to ``origins`` too (CSP ``form-action 'self' <origins>``), e.g. a "Connect"
    form whose answer redirects to a job board's OAuth page: browsers apply form-action to the redirects after a
    submission. Entries that are not plain origins are dropped. Returns ``response``."""
    allowed, _refused = origins_parse("\n".join(origins))
    response._csp_replace = {**(getattr(response, "_csp_replace", None) or {}), "form-action": ["'self'", *allowed]}
    return response


def csp_allow_framing(response, *, origins: str | list[str]):
    """Let our own pages and ``origins`` frame ``response`` (CSP ``frame-ancestors 'self' <origins>``).

    ``origins``: a company's ``embed_origins`` text (one per line) or a list; entries that are not plain
    origins are dropped, so a stored value can never add other directives to the header. Returns
    ``response``. The view must also be ``xframe_options_exempt``: X-Frame-Options cannot list sites,
    and browsers that know CSP ignore it when ``frame-ancestors`` is present.
    """
    allowed, _refused = origins_parse("\n".join(origins) if isinstance(origins, list) else origins)
    response._csp_replace = {**(getattr(response, "_csp_replace", None) or {}), "frame-ancestors": ["'self'", *allowed]}
    return response
