from django.urls import path

from . import views

app_name = "vacancies"

urlpatterns = [
    path("", views.vacancy_list_view, name="list"),
    path("new/", views.vacancy_create, name="create"),
    path("<int:pk>/", views.vacancy_detail, name="detail"),
    path("<int:pk>/edit/", views.vacancy_edit, name="edit"),
    path("<int:pk>/publish/", views.vacancy_publish, name="publish"),
    path("<int:pk>/close/", views.vacancy_close, name="close"),
    path("<int:pk>/delete/", views.vacancy_delete, name="delete"),
    path("answers/", views.company_answer_list, name="answers"),
    path("answers/<int:pk>/edit/", views.company_answer_edit, name="answer_edit"),
    path("answers/<int:pk>/delete/", views.company_answer_delete, name="answer_delete"),
]
