from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("careers/<slug:company_slug>/", views.careers, name="careers"),
    path("careers/<slug:company_slug>/<slug:slug>/", views.vacancy_apply, name="vacancy"),
    path("chat/<str:token>/", views.candidate_chat, name="candidate"),
    path("chat/<str:token>/send/", views.candidate_chat_send, name="fallback"),
    path("chat/responses/<int:pk>/takeover/", views.chat_takeover, name="takeover"),
    path("chat/responses/<int:pk>/handback/", views.chat_handback, name="handback"),
    path("chat/responses/<int:pk>/send/", views.chat_recruiter_send, name="recruiter_send"),
]
