"""REST API routes, under /api/: version 1 under /api/v1/, the OpenAPI schema and its docs."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import team as team_api
from accounts.api import views as accounts_api
from chat.api import handoff as handoff_api
from chat.api import views as public_api
from screening.api import analytics as analytics_api
from screening.api import board as board_api
from screening.api import bulk as bulk_api
from screening.api import exports as exports_api
from screening.api import notifications as notifications_api
from screening.api import scheduling as scheduling_api
from screening.api import search as search_api
from screening.api import views as screening_api
from smartbot.api import not_found
from vacancies.api import views as vacancies_api

app_name = "api"

# Added to the site's Content-Security-Policy on the two API docs pages only.
API_DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}

router = SimpleRouter()
router.register("vacancies", vacancies_api.VacancyViewSet, basename="vacancy")
router.register("responses", screening_api.ResponseViewSet, basename="response")
router.register("webhooks", screening_api.WebhookEndpointViewSet, basename="webhook")
router.register("slots", scheduling_api.SlotViewSet, basename="slot")
router.register("bookings", scheduling_api.BookingViewSet, basename="booking")
router.register("human-requests", handoff_api.HumanRequestViewSet, basename="human-request")
router.register("bulk-actions", bulk_api.BulkActionViewSet, basename="bulk-action")
router.register("tags", bulk_api.TagViewSet, basename="tag")
router.register("saved-filters", bulk_api.SavedFilterViewSet, basename="saved-filter")

v1 = [
    path("auth/token/", accounts_api.TokenObtainView.as_view(), name="token"),
    path("auth/token/refresh/", accounts_api.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/token/verify/", accounts_api.TokenVerifyView.as_view(), name="token-verify"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("audit-log/", team_api.AuditLogView.as_view(), name="audit-log"),
    path("team/members/", team_api.MemberListView.as_view(), name="team-member-list"),
    path("team/members/<int:pk>/role/", team_api.MemberRoleView.as_view(), name="team-member-role"),
    path("team/members/<int:pk>/remove/", team_api.MemberRemoveView.as_view(), name="team-member-remove"),
    path("team/invitations/", team_api.InvitationListView.as_view(), name="team-invitation-list"),
    path("team/invitations/<int:pk>/resend/", team_api.InvitationResendView.as_view(), name="team-invitation-resend"),
    path("team/invitations/<int:pk>/revoke/", team_api.InvitationRevokeView.as_view(), name="team-invitation-revoke"),
    path("search/", search_api.SearchView.as_view(), name="search"),
    path("ai/calibration/", screening_api.CalibrationView.as_view(), name="ai-calibration"),
    path("notifications/", notifications_api.NotificationListView.as_view(), name="notification-list"),
    path("notifications/read/", notifications_api.NotificationReadView.as_view(), name="notification-read"),
    path(
        "notifications/preferences/",
        notifications_api.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path("email-templates/", notifications_api.EmailTemplateListView.as_view(), name="email-template-list"),
    path(
        "email-templates/<str:key>/<str:language>/",
        notifications_api.EmailTemplateDetailView.as_view(),
        name="email-template-detail",
    ),
    path("vacancies/<int:vacancy_id>/questions/", vacancies_api.QuestionListView.as_view(), name="question-list"),
    path(
        "vacancies/<int:vacancy_id>/questions/<int:pk>/",
        vacancies_api.QuestionDetailView.as_view(),
        name="question-detail",
    ),
    path("vacancies/<int:vacancy_id>/slots/", scheduling_api.VacancySlotListView.as_view(), name="slot-list-vacancy"),
    path("analytics/", analytics_api.CompanyAnalyticsView.as_view(), name="analytics"),
    path(
        "vacancies/<int:vacancy_id>/analytics/",
        analytics_api.VacancyAnalyticsView.as_view(),
        name="analytics-vacancy",
    ),
    path(
        "public/companies/<slug:company_slug>/vacancies/",
        public_api.PublicVacancyListView.as_view(),
        name="public-vacancy-list",
    ),
    path(
        "public/companies/<slug:company_slug>/vacancies/<slug:slug>/",
        public_api.PublicVacancyDetailView.as_view(),
        name="public-vacancy-detail",
    ),
    path(
        "public/companies/<slug:company_slug>/vacancies/<slug:slug>/apply/",
        public_api.PublicApplyView.as_view(),
        name="public-apply",
    ),
    path("responses/<int:pk>/messages/", handoff_api.ResponseMessagesView.as_view(), name="response-messages"),
    path("responses/<int:pk>/tags/", bulk_api.ResponseTagsView.as_view(), name="response-tags"),
    path("responses/<int:pk>/tags/<int:tag_id>/", bulk_api.ResponseTagView.as_view(), name="response-tag"),
    path("table-columns/", bulk_api.TableColumnsView.as_view(), name="table-columns"),
    path("vacancies/<int:vacancy_id>/board/", board_api.BoardView.as_view(), name="board"),
    path("responses/<int:pk>/move/", board_api.BoardMoveView.as_view(), name="board-move"),
    # exports (docs/exports.md); before the router, whose responses/<pk>/ would take "export"
    path("responses/export/", exports_api.ResponseExportView.as_view(), name="response-export"),
    path("responses/<int:pk>/record/", exports_api.DecisionRecordView.as_view(), name="response-record"),
    path("responses/<int:pk>/record.html", exports_api.DecisionRecordHTMLView.as_view(), name="response-record-html"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs pages are third-party UIs (templates/drf_spectacular/ keeps their own code out of the pages):
    # Swagger UI and ReDoc set styles from JavaScript, and ReDoc searches in a worker made from a blob.
    path(
        "docs/",
        csp_update(API_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("redoc/", csp_update(API_DOCS_CSP)(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    # [\s\S], not ".": a path with an encoded newline (%0A) is still under /api/ and gets the JSON 404 too.
    re_path(r"^[\s\S]*$", not_found),
]
