"""The API's publish applies the fairness pre-flight's gate as the pages do: 400 with code "fairness"."""

import pytest

from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/vacancies/{}/publish/"


def test_publish_without_a_fairness_check_is_a_400_with_its_code(owner_api, company, fake_llm):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    answer = owner_api.post(URL.format(vacancy.pk), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "fairness"
    assert f"/fairness/vacancy/{vacancy.pk}/" in error["message"]
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.DRAFT
