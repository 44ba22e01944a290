"""Shared pieces of the REST API: one error shape, permissions, pagination, throttles, schema.

Every error the API returns has the same body::

    {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}

``fields`` maps a field name (or ``non_field_errors``) to a list of messages;
nested serializers keep their nesting (``{"questions": [{}, {"text": [...]}]}``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination, permissions, serializers, status, throttling
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from smartbot.client_ip import client_ip, limit_address


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (a duplicate, a locked object)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the resource.")
    default_code = "conflict"


def _first_code(detail) -> str | None:
    if isinstance(detail, list):
        for item in detail:
            code = _first_code(item)
            if code:
                return code
    elif isinstance(detail, dict):
        for item in detail.values():
            code = _first_code(item)
            if code:
                return code
    elif isinstance(detail, exceptions.ErrorDetail):
        return detail.code
    return None


def error_body(*, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    """DRF's handler, reshaped into the one error body; Django's ValidationError becomes a 400."""
    if isinstance(exc, DjangoValidationError):
        codes = {error.code for error in getattr(exc, "error_list", [])}
        if codes == {"conflict"}:
            # Services mark refusals caused by the current state (publish an open vacancy, remove an
            # answered question...) with code="conflict": the request was fine, the state forbids it.
            exc = Conflict(" ".join(exc.messages))
        else:
            exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        fields = {key: value if isinstance(value, list | dict) else [value] for key, value in fields.items()}
        code = "invalid"
        message = _("The request is invalid: see the fields.")
    else:
        fields = {}
        code = _first_code(detail) or exc.default_code
        message = detail if isinstance(detail, str) else exc.default_detail
    response.data = error_body(code=code, message=message, fields=fields)
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """The catch-all of /api/: an unknown address gets the same JSON 404 as a missing object."""
    return JsonResponse(error_body(code="not_found", message=_("Not found.")), status=404)


@csrf_exempt
def server_error(request, *args, **kwargs):
    """``handler500``: an unhandled exception under /api/ answers a JSON 500 in the error shape; elsewhere
    Django's HTML page (``templates/500.html`` if there is one). Only used with DEBUG off."""
    if request.path_info.startswith("/api/"):
        message = _("Something went wrong on our side. Try again later.")
        return JsonResponse(error_body(code="server_error", message=message), status=500)
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request, *args, **kwargs)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.JSONField(), help_text=gettext_lazy("Field -> messages."))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- Permissions ---------------------------------------------------------------


class IsCompanyMember(permissions.BasePermission):
    """Authenticated and member of a company. Writes need an editor (owner or recruiter)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.company_id is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return user.can_edit


# --- Pagination ----------------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


# --- Throttles -----------------------------------------------------------------


class TooManyRequests(exceptions.APIException):
    """429 with a message and ``Retry-After: wait`` (whole seconds); code ``throttled`` unless given.

    For the limits that are not DRF throttles (the apply limit, the login lockout): the message is
    theirs, without DRF's "Expected available in N seconds." appended.
    """

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = gettext_lazy("Too many requests: see the Retry-After header.")
    default_code = "throttled"

    def __init__(self, detail=None, *, wait: int, code: str | None = None):
        super().__init__(detail, code)
        self.wait = wait


class _ClientAddress:
    """Anonymous callers are counted per client address by the trusted-proxy rule (``smartbot.client_ip``),
    never by a client-sent ``X-Forwarded-For``; an IPv6 caller by its /64."""

    def get_ident(self, request):
        return limit_address(client_ip(request))


class UserThrottle(_ClientAddress, throttling.UserRateThrottle):
    """Per user (per client address for anonymous callers of a private endpoint)."""


class PublicThrottle(_ClientAddress, throttling.AnonRateThrottle):
    """Per client address, whoever calls: the public endpoints do not look at credentials."""

    scope = "anon"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- Schema --------------------------------------------------------------------


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


def accepted(message: str) -> Response:
    return Response({"detail": str(message)}, status=status.HTTP_202_ACCEPTED)


def _schema_class():
    # DRF's settings import this module while rest_framework.views is still loading (for the default
    # permission and throttle classes); drf-spectacular imports rest_framework.views, so the schema
    # class is built on first use instead (``__getattr__`` below).
    from drf_spectacular.openapi import AutoSchema
    from drf_spectacular.utils import OpenApiResponse

    def _error_response(description: str):
        return OpenApiResponse(response=ErrorSerializer, description=description)

    class _SchemaWithErrors(AutoSchema):
        """Documents the error responses every operation can give, with the one error shape."""

        def _get_response_bodies(self, direction="response"):
            responses = super()._get_response_bodies(direction=direction)
            # Public views (no credentials looked at) set ``api_public = True``: no 401/403 there.
            public = getattr(self.view, "api_public", False)
            has_body = self.method in ("POST", "PUT", "PATCH")
            # Query parameters declared with ``extend_schema(parameters=...)`` are validated too.
            has_query = (
                bool(self._get_filter_parameters()) or self._is_list_view() or bool(self.get_override_parameters())
            )
            codes = {}
            if has_body or has_query or self.method == "POST":
                codes["400"] = _("Invalid request: see error.fields.")
            if not public:
                codes["401"] = _("Missing, invalid or expired credentials.")
                codes["403"] = _("Not allowed: viewers cannot write, users without a company see nothing.")
            codes["404"] = _("Not found (or not in your company).")
            codes["405"] = _("Method not allowed.")
            if self.method in ("POST", "PUT", "PATCH", "DELETE"):
                codes["409"] = _("Conflicts with the current state.")
            if has_body:
                codes["415"] = _("Unsupported media type.")
            codes["429"] = _("Too many requests: see the Retry-After header.")
            for code, description in codes.items():
                if code not in responses:
                    responses[code] = self._get_response_for_code(
                        _error_response(description), code, direction=direction
                    )
            return responses

    return _SchemaWithErrors


def __getattr__(name):
    if name == "SchemaWithErrors":
        global SchemaWithErrors
        SchemaWithErrors = _schema_class()
        return SchemaWithErrors
    raise AttributeError(name)
