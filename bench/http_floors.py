"""The HTTP bench's URLconf (``bench.settings_http``): the project's URLs, and in front of them three floors,
each the least its target can do on the same stack (same middleware, same DRF classes, same limits).

- ``/api/v1/bench-floor/responses/``: a DRF ``ListAPIView`` over a one-row in-memory list with the API's
  default authentication (JWT, session), permission (company member), throttle, pagination and JSON
  renderer: the floor of ``GET /api/v1/responses/``. Under ``/api/`` like it, where the middleware and the
  error handlers treat paths differently.
- ``/responses/bench-floor/``: a member-only view rendering a minimal template (translated title, the
  user's address) with the request's context processors: the floor of the dashboard's responses page.
- ``/careers/bench-floor/upload/``: takes the apply form's multipart POST (CSRF checked, the body parsed by
  Django into ``POST`` and ``FILES`` under the same upload settings and body limit), refuses a resume over
  ``RESUME_MAX_BYTES`` as the form does, and discards it: the floor of applying.

Never in production: only ``bench.settings_http`` names this module.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_POST
from rest_framework import generics, serializers

from accounts.access import company_member_required
from smartbot import urls as project_urls


class FloorRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class FloorListView(generics.ListAPIView):
    """One constant row, paginated and rendered as the real list is; every class from ``REST_FRAMEWORK``."""

    serializer_class = FloorRowSerializer
    ROWS = ({"id": 1, "full_name": "Anna Petrova"},)

    def get_queryset(self):
        return list(self.ROWS)


# Compiled once, as the cached template loader does for files when DEBUG is off.
FLOOR_PAGE = engines["django"].from_string(
    '{% load i18n %}<!doctype html><html lang="{{ LANGUAGE_CODE }}"><head><meta charset="utf-8">'
    '<title>{% translate "Responses" %}</title></head><body><h1>{% translate "Responses" %}</h1>'
    "<p>{{ user.email }}</p></body></html>"
)


@company_member_required
def floor_page(request):
    """The minimal member page: the same middleware, decorator and context processors as the real one."""
    return HttpResponse(FLOOR_PAGE.render({}, request))


@require_POST
def floor_upload(request):
    """Parse the apply form's POST and throw it away; 400 for a resume over ``RESUME_MAX_BYTES``."""
    upload = request.FILES.get("resume_file")
    if upload is not None and upload.size > settings.RESUME_MAX_BYTES:
        return HttpResponseBadRequest("too large", content_type="text/plain")
    received = len(request.POST) + (upload.size if upload is not None else 0)
    return HttpResponse(f"received {received}", content_type="text/plain")


urlpatterns = [
    path("api/v1/bench-floor/responses/", FloorListView.as_view(), name="bench-floor-api"),
    path("responses/bench-floor/", floor_page, name="bench-floor-page"),
    path("careers/bench-floor/upload/", floor_upload, name="bench-floor-upload"),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500
