"""Fixtures of the screening tests: no LLM provider, and a finished response.

``no_llm`` makes sure no provider is configured (the builtin evaluator's world); the fake provider on
loopback, ``fake_llm``, is in the root conftest (the chat's tests use it too).
"""

import pytest
from django.core.cache import cache

from screening.models import Answer, Response
from screening.tests.factories import CandidateFactory, ResponseFactory
from vacancies.tests.factories import VacancyFactory, full_script


@pytest.fixture(autouse=True)
def _clean_cache():
    # Suggestions are cached; a test must not see another test's cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_llm(settings):
    settings.OPENAI_BASE_URL = ""
    settings.OPENAI_API_KEY = ""


CANDIDATE = {
    "full_name": "Ivan Petrovich Sidorov",
    "email": "ivan.sidorov@example.org",
    "phone": "+7 (916) 555-12-34",
}

RESUME = """Ivan Sidorov
Email: ivan.sidorov@example.org · Phone: +7 916 555 12 34 · alt. 8-916-555-1234
Address: ул. Тверская, д. 7, кв. 12, Moscow; previously 221B Baker Street, London
LinkedIn: https://www.linkedin.com/in/ivan-sidorov-42 · GitHub: github.com/isidorov · Telegram @ivsid
Python developer with 5 years of Django and PostgreSQL. Built a billing system (2019-2023).
Sidorov led a team of 4.
"""


def make_finished_response(*, company, resume=RESUME, answers=None, **candidate):
    """A response whose chat finished: the full script answered, score and status set by the rules."""
    vacancy = VacancyFactory(company=company, requirements="Python\nDjango\nPostgreSQL\nKubernetes")
    questions = full_script(vacancy)
    person = {**CANDIDATE, **candidate}
    cand = CandidateFactory(company=company, email=person["email"])
    response = ResponseFactory(
        vacancy=vacancy, candidate=cand, status=Response.Status.PASSED, score=80, resume_text=resume, **person
    )
    defaults = ["Moscow", "5", "yes", "Django", "I built a billing system in Django with PostgreSQL."]
    texts = answers or defaults
    for question, text in zip(questions, texts, strict=False):
        Answer.objects.create(response=response, question=question, raw_text=text, passed=None, points=1)
    return response


@pytest.fixture
def finished_response(company):
    return make_finished_response(company=company)
