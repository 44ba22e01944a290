from django.urls import path

from . import views
from .telegram import views as telegram_views

app_name = "chat"

urlpatterns = [
    path("careers/<slug:company_slug>/", views.careers, name="careers"),
    path("careers/<slug:company_slug>/<slug:slug>/", views.vacancy_apply, name="vacancy"),
    path("careers/<slug:company_slug>/<slug:slug>/link/", views.vacancy_link_request, name="link_request"),
    path("chat/<str:token>/", views.candidate_chat, name="candidate"),
    path("chat/<str:token>/application/", views.candidate_application, name="application"),
    path("chat/<str:token>/application/withdraw/", views.candidate_application_withdraw, name="application_withdraw"),
    path("chat/<str:token>/application/export.json", views.candidate_application_export, name="application_export"),
    path("chat/<str:token>/application/erase/", views.candidate_application_erase, name="application_erase"),
    path("chat/<str:token>/send/", views.candidate_chat_send, name="fallback"),
    path("chat/<str:token>/interview/", views.candidate_interview, name="interview"),
    path("chat/responses/<int:pk>/takeover/", views.chat_takeover, name="takeover"),
    path("chat/responses/<int:pk>/handback/", views.chat_handback, name="handback"),
    path("chat/responses/<int:pk>/send/", views.chat_recruiter_send, name="recruiter_send"),
    path("chat/<str:token>/human/", views.candidate_chat_human, name="human"),
    path("chat/<str:token>/reply/", views.candidate_chat_reply, name="reply"),
    path("chat/responses/<int:pk>/message/", views.chat_message_after_send, name="message_after"),
    path("chat/queue/<int:pk>/claim/", views.human_claim, name="human_claim"),
    path("telegram/<int:bot_id>/webhook/", telegram_views.telegram_webhook, name="telegram_webhook"),
    path("settings/telegram/", telegram_views.telegram_settings, name="telegram_settings"),
    path("settings/telegram/disconnect/", telegram_views.telegram_disconnect, name="telegram_disconnect"),
]
