from django.urls import path

from .views import ai, fairness, rejudge, responses

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
]
