from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("careers/<slug:company_slug>/", views.careers, name="careers"),
    path("careers/<slug:company_slug>/<slug:slug>/", views.vacancy_apply, name="vacancy"),
    path("chat/<str:token>/", views.candidate_chat, name="candidate"),
]
