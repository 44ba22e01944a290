"""How often recruiters' decisions agree with the AI's recommendations: the selector, the usage page, the API."""

import pytest
from django.urls import reverse

from screening.selectors import ai_calibration
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

# (AI recommendation, the response's status): agreements, both disagreements, a hold, and rows that do not count.
DECISIONS = [
    ("advance", "shortlisted"),
    ("advance", "hired"),
    ("reject", "declined"),
    ("advance", "declined"),
    ("reject", "interview"),
    ("hold", "declined"),
    ("advance", "passed"),  # no recruiter decision yet
    ("", "declined"),  # no AI advice
    ("reject", "withdrawn"),  # the candidate's choice, not a decision on the advice
]


@pytest.fixture
def vacancies(company, other_company):
    python = VacancyFactory(company=company, title="Python developer")
    sales = VacancyFactory(company=company, title="Sales manager")
    VacancyFactory(company=company, title="Nothing decided")
    for recommendation, status in DECISIONS:
        ResponseFactory(vacancy=python, ai_recommendation=recommendation, status=status)
    ResponseFactory(vacancy=sales, ai_recommendation="advance", status="offer")
    other = VacancyFactory(company=other_company, title="Elsewhere")  # never counted for the company
    ResponseFactory(vacancy=other, ai_recommendation="advance", status="declined")
    return python, sales


def test_each_vacancy_and_the_total_count_agreements_and_both_disagreements(
    company, vacancies, django_assert_num_queries
):
    python, sales = vacancies
    with django_assert_num_queries(1):
        rows = ai_calibration(company=company)
    by = {row.vacancy: row for row in rows}
    assert [row.vacancy for row in rows] == [python, sales, None]
    first = by[python]
    assert (first.decided, first.agreed, first.advance_declined, first.reject_moved_on, first.held) == (6, 3, 1, 1, 1)
    assert first.agreement == 60  # 3 of the 5 the AI took a side on
    total = by[None]
    assert (total.decided, total.agreed, total.agreement) == (7, 4, 67)


def test_the_usage_page_shows_the_figures(owner_client, vacancies):
    html = owner_client.get(reverse("screening:usage")).content.decode()
    assert 'data-calibration="total"' in html and "(60 %)" in html and "(67 %)" in html


def test_the_api_gives_the_same_rows_and_only_the_companys(owner_api, outsider_api, vacancies):
    url = reverse("api:ai-calibration")
    rows = owner_api.get(url).json()
    assert [row["title"] for row in rows] == ["Python developer", "Sales manager", None]
    assert rows[0] | {"vacancy": None} == {
        "vacancy": None,
        "title": "Python developer",
        "decided": 6,
        "agreed": 3,
        "agreement": 60,
        "advance_declined": 1,
        "reject_moved_on": 1,
        "held": 1,
    }
    theirs = outsider_api.get(url).json()
    assert [(row["title"], row["decided"], row["advance_declined"]) for row in theirs] == [
        ("Elsewhere", 1, 1),
        (None, 1, 1),
    ]


def test_without_decisions_the_page_says_so(owner_client):
    assert (
        "No decisions on responses the AI advised on yet."
        in owner_client.get(reverse("screening:usage")).content.decode()
    )
