from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from smartbot import health, metrics

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="vacancies:list", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("vacancies/", include("vacancies.urls")),
    path("responses/", include("screening.urls")),
    path("api/", include("smartbot.api_urls")),
    # Also answered earlier by smartbot.health.ProbeMiddleware (before the host and HTTPS checks); named here
    # for reverse() and `manage.py health_check health_ready`.
    path("health/live", health.liveness_view, name="health_live"),
    path("health/ready", health.readiness_view, name="health_ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("", include("chat.urls")),
]

# Under /api/ an unhandled exception answers JSON in the API's error shape, not the HTML page.
handler500 = "smartbot.api.server_error"
