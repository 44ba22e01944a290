from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="vacancies:list", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("vacancies/", include("vacancies.urls")),
    path("responses/", include("screening.urls")),
    path("api/", include("smartbot.api_urls")),
    path("", include("chat.urls")),
]
