"""The admin's question inline takes the review band, unit and aliases as the editor does, with the same errors."""

import pytest

from vacancies.models import Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory
from vacancies.tests.test_admin import admin_url, saved_question, vacancy_data

pytestmark = pytest.mark.django_db


def test_a_recruiter_adds_a_question_with_a_band_a_unit_and_aliases(recruiter_client, company):
    questions = [
        {"position": 1, "text": "Years of Python?", "kind": "number", "knockout": "at_least", "knockout_value": "3"}
        | {"review_value": "2", "unit": "years"},
        {"position": 2, "text": "City?", "kind": "single_choice", "options": "Moscow\nSaint Petersburg"}
        | {"aliases": "saint petersburg: SPb, Piter"},
    ]
    page = recruiter_client.post(admin_url(Vacancy, "add"), vacancy_data(company=company.pk, questions=questions))
    assert page.status_code == 302, page.context and page.context["inline_admin_formsets"][0].formset.errors
    years, city = Vacancy.objects.get().questions.order_by("position")
    assert (years.review_value, years.unit) == ("2", "years")
    assert city.aliases == {"Saint Petersburg": ["SPb", "Piter"]}


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        (
            {"kind": "number", "knockout": "at_least", "knockout_value": "3", "review_value": "5"},
            "review_value",
            "With “at least”, the review band starts below the knockout value (e.g. at least 3, review from 2).",
        ),
        (
            {"kind": "single_choice", "options": "Moscow\nKazan", "aliases": "Moscow: Kazan"},
            "aliases",
            "“Kazan” is the name of another option.",
        ),
        (
            {"kind": "single_choice", "options": "Moscow\nKazan", "aliases": "Moscow Msk"},
            "aliases",
            "Line 1: write an option, a colon and its aliases: “Saint Petersburg: SPb, Piter”.",
        ),
    ],
)
def test_a_wrong_band_or_alias_gets_the_editors_words_and_nothing_is_saved(
    recruiter_client, company, question, field, message
):
    data = vacancy_data(company=company.pk, questions=[{"position": 1, "text": "Q?"} | question])
    page = recruiter_client.post(admin_url(Vacancy, "add"), data)
    assert page.status_code == 200
    assert page.context["inline_admin_formsets"][0].formset.errors[0] == {field: [message]}
    assert not Vacancy.objects.exists()


def test_the_inline_shows_the_aliases_as_lines_and_an_unchanged_page_changes_nothing(recruiter_client, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    question = QuestionFactory(
        vacancy=vacancy,
        position=1,
        kind="single_choice",
        options=["Moscow", "Saint Petersburg"],
        aliases={"Saint Petersburg": ["SPb", "Piter"]},
    )
    page = recruiter_client.get(admin_url(Vacancy, "change", vacancy.pk))
    assert "Saint Petersburg: SPb, Piter</textarea>" in page.content.decode()
    row = saved_question(question, aliases="Saint Petersburg: SPb, Piter")
    answer = recruiter_client.post(admin_url(Vacancy, "change", vacancy.pk), vacancy_data(vacancy, questions=[row]))
    assert answer.status_code == 302
    question.refresh_from_db()
    assert question.aliases == {"Saint Petersburg": ["SPb", "Piter"]}
