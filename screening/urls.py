from django.urls import path

from .views import ai, board, bulk, fairness, integrations, notifications, queue, rejudge, responses, scheduling
from .views import analytics as analytics_views
from .views import exports as export_views
from .views import search as search_views

app_name = "screening"

urlpatterns = [
    path("", responses.response_list, name="list"),
    path("search/", search_views.search, name="search"),  # docs/search.md
    path("<int:pk>/", responses.response_detail, name="response"),
    path("<int:pk>/status/", responses.response_status, name="status"),
    path("<int:pk>/notes/", responses.response_note, name="note"),
    path("<int:pk>/resume/", responses.response_resume, name="resume"),
    path("<int:pk>/erase/", responses.response_erase, name="erase"),
    path("erasures/", responses.erasure_list, name="erasures"),
    # exports and decision records (docs/exports.md)
    path("export/", export_views.responses_export, name="export"),
    path("exports/<str:file_name>", export_views.export_download, name="export_download"),
    path("<int:pk>/record/", export_views.decision_record, name="decision_record"),
    path("<int:pk>/record.html", export_views.decision_record_download, name="decision_record_html"),
    path("<int:pk>/evaluate/", ai.response_reevaluate, name="reevaluate"),
    path("<int:pk>/evaluation/", ai.evaluation_fragment, name="evaluation"),
    path("usage/", ai.usage, name="usage"),
    path("suggestions/vacancy/<int:vacancy_pk>/", ai.suggestions_request, name="suggest"),
    path("suggestions/<int:pk>/", ai.suggestion_detail, name="suggestion"),
    path("fairness/vacancy/<int:vacancy_pk>/", fairness.fairness, name="fairness"),
    path("fairness/<int:pk>/acknowledge/", fairness.fairness_acknowledge, name="fairness_acknowledge"),
    path("rejudge/question/<int:pk>/", rejudge.rejudge, name="rejudge"),
    # candidates waiting for a person (docs/notifications.md)
    path("queue/", queue.queue, name="queue"),
    path("queue/badge/", queue.queue_badge, name="queue_badge"),
    path("queue/<int:pk>/done/", queue.queue_resolve, name="queue_resolve"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notification_read, name="notifications_read"),
    path("notifications/bell/", notifications.notification_bell, name="notification_bell"),
    path("notifications/preferences/", notifications.notification_preferences, name="notification_preferences"),
    path("email-templates/", notifications.email_template_list, name="email_templates"),
    path("email-templates/edit/", notifications.email_template_edit, name="email_template"),
    path("email-templates/preview/", notifications.email_template_preview, name="email_template_preview"),
    # interview scheduling (docs/scheduling.md)
    path("slots/vacancy/<int:vacancy_pk>/", scheduling.slots, name="slots"),
    path("slots/<int:pk>/delete/", scheduling.slot_delete, name="slot_delete"),
    path("interviews/<int:pk>/cancel/", scheduling.booking_cancel, name="booking_cancel"),
    path("interviews/<int:pk>/mark/", scheduling.booking_mark, name="booking_mark"),
    path("<int:pk>/invite/", scheduling.response_invite, name="invite"),
    path("<int:pk>/interview/", scheduling.response_interview, name="interview"),
    path("calendar/", scheduling.calendar, name="calendar"),
    path("calendar/<str:token>.ics", scheduling.calendar_feed, name="calendar_feed"),
    # funnel analytics with charts (docs/analytics.md)
    path("analytics/", analytics_views.company_analytics, name="analytics"),
    path("analytics/csv/", analytics_views.company_analytics_csv, name="analytics_csv"),
    path("analytics/vacancy/<int:vacancy_pk>/", analytics_views.vacancy_analytics, name="analytics_vacancy"),
    path(
        "analytics/vacancy/<int:vacancy_pk>/csv/", analytics_views.vacancy_analytics_csv, name="analytics_vacancy_csv"
    ),
    # the pipeline board of a vacancy (docs/pipeline.md)
    path("board/vacancy/<int:vacancy_pk>/", board.board, name="board"),
    path("board/card/<int:pk>/", board.board_card, name="board_card"),
    path("<int:pk>/move/", board.board_move, name="board_move"),
    # bulk actions, tags and saved filters (docs/pipeline.md)
    path("bulk/", bulk.bulk_start, name="bulk"),
    path("bulk/<int:pk>/", bulk.bulk_action_page, name="bulk_action"),
    path("bulk/<int:pk>/download/", bulk.bulk_action_download, name="bulk_download"),
    path("tags/", bulk.tag_list, name="tags"),
    path("tags/<int:pk>/delete/", bulk.tag_delete, name="tag_delete"),
    path("<int:pk>/tags/", bulk.response_tag_add, name="tag_add"),
    path("<int:pk>/tags/remove/", bulk.response_tag_remove, name="tag_remove"),
    path("filters/", bulk.saved_filter_save, name="filter_save"),
    path("filters/delete/", bulk.saved_filter_delete, name="filter_delete"),
    path("columns/", bulk.table_columns, name="columns"),
    # job boards and the Telegram bot (docs/integrations.md)
    path("integrations/", integrations.integrations, name="integrations"),
    path("integrations/connect/", integrations.integrations_connect, name="integrations_connect"),
    path("integrations/callback/", integrations.integrations_callback, name="integrations_callback"),
    path("integrations/disconnect/", integrations.integrations_disconnect, name="integrations_disconnect"),
    path("integrations/import/", integrations.integrations_import, name="integrations_import"),
    path("integrations/link/", integrations.integrations_link, name="integrations_link"),
    path("integrations/links/<int:pk>/unlink/", integrations.integrations_unlink, name="integrations_unlink"),
    path("integrations/messages/", integrations.integrations_messages, name="integrations_messages"),
]
