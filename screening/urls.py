from django.urls import path

from .views import ai, fairness, notifications, queue, rejudge, responses, scheduling

app_name = "screening"

urlpatterns = [
    path("", responses.response_list, name="list"),
    path("<int:pk>/", responses.response_detail, name="response"),
    path("<int:pk>/status/", responses.response_status, name="status"),
    path("<int:pk>/notes/", responses.response_note, name="note"),
    path("<int:pk>/resume/", responses.response_resume, name="resume"),
    path("<int:pk>/erase/", responses.response_erase, name="erase"),
    path("erasures/", responses.erasure_list, name="erasures"),
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
]
