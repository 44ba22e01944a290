"""Fixtures of the API tests: JWT clients for the personas, a vacancy with a full script, a finished response."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from screening import services as screening_services
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory, full_script


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache; every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


def jwt_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def owner_api(owner):
    return jwt_client(owner)


@pytest.fixture
def recruiter_api(recruiter):
    return jwt_client(recruiter)


@pytest.fixture
def viewer_api(viewer):
    return jwt_client(viewer)


@pytest.fixture
def outsider_api(outsider):
    return jwt_client(outsider)


@pytest.fixture
def vacancy(company, owner):
    vacancy = VacancyFactory(company=company, created_by=owner, title="Python developer", slug="python-developer")
    full_script(vacancy)
    return vacancy


def answer_all(response, answers: dict[int, object]):
    """Answer the vacancy's questions by position and finish the screening."""
    screening_services.response_start_chat(response=response)
    for question in response.vacancy.questions.all():
        screening_services.response_submit_answer(response=response, question=question, raw=answers[question.position])
    return screening_services.response_finish(response=response)


GOOD_ANSWERS = {1: "Moscow", 2: "5", 3: "yes", 4: ["Django"], 5: "I built a screening bot."}
BAD_ANSWERS = {1: "Kazan", 2: "1", 3: "no", 4: ["Flask"], 5: "Nothing much."}


@pytest.fixture
def finished_response(vacancy, django_capture_on_commit_callbacks):
    response = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        return answer_all(response, GOOD_ANSWERS)
