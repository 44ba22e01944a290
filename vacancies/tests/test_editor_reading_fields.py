"""The vacancy editor's review band, unit and aliases: saved, shown again, refused with clear errors, without JS."""

import pytest
from django.urls import reverse

from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.rules import editor_spec
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db

CITIES = "Moscow\r\nSaint Petersburg\r\nKazan"


def post_data(questions, *, initial=0, **fields):
    """The editor's form as a browser without JavaScript posts it: every field of every question is sent."""
    data = {
        "title": "Data engineer",
        "slug": "",
        "salary_currency": "RUB",
        "employment_type": "full_time",
        "pass_threshold": "55",
        "language": "en",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        **fields,
    }
    blank = {
        "text": "",
        "kind": "text",
        "options": "",
        "aliases": "",
        "allowed_options": "",
        "unit": "",
        "knockout": "",
        "knockout_value": "",
        "review_value": "",
        "weight": "1",
        "required": "on",
    }
    for index, question in enumerate(questions):
        for key, value in (blank | question).items():
            data[f"questions-{index}-{key}"] = value
    return data


def posted_back(page) -> dict:
    """The edit page's own values as the browser sends them back unchanged (what each widget shows)."""
    data = {}
    for form in (page.context["form"], page.context["formset"].management_form, *page.context["formset"].forms):
        for field in form:
            value = field.field.prepare_value(field.value())
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = str(value)
    return data


SALARY = {
    "text": "Expected salary?",
    "kind": "number",
    "unit": "money_month",
    "knockout": "at_most",
    "knockout_value": "350000",
    "review_value": "400000",
}
YEARS = {"text": "Years of SQL?", "kind": "number", "unit": "years", "knockout": "at_least", "knockout_value": "3"}
TWENTY_ONE_ALIASES = "Moscow: " + ", ".join(f"m{n}" for n in range(15)) + "\r\nmoscow: m15, m16, m17, m18, m19, m20"
CITY = {
    "text": "Which city?",
    "kind": "single_choice",
    "options": CITIES,
    "aliases": "saint petersburg: SPb, Питер\r\n\r\nMoscow: Msk, msk",
    "knockout": "one_of",
    "allowed_options": "Moscow",
}


def test_a_number_question_keeps_its_unit_and_review_band(recruiter_client, company):
    data = post_data([SALARY, YEARS | {"review_value": "2,5"}])
    response = recruiter_client.post(reverse("vacancies:create"), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    salary, years = Vacancy.objects.get(company=company).questions.order_by("position")
    assert (salary.unit, salary.knockout_value, salary.review_value) == ("money_month", "350000", "400000")
    assert (years.unit, years.review_value) == ("years", "2.5")
    assert salary.rule_text() == "must be at most 350000; 350000 to 400000 goes to review"


def test_a_choice_question_keeps_its_aliases_spelt_as_its_options(recruiter_client, company):
    response = recruiter_client.post(reverse("vacancies:create"), post_data([CITY]))
    assert response.status_code == 302
    question = Vacancy.objects.get(company=company).questions.get()
    assert question.aliases == {"Saint Petersburg": ["SPb", "Питер"], "Moscow": ["Msk"]}


def test_without_javascript_fields_the_kind_does_not_use_are_dropped_not_refused(recruiter_client, company):
    # Without the script every field is shown and sent; a leftover value in a field the kind or rule does not
    # use is dropped, as a knockout value left under "no rule" is.
    leftovers = {"unit": "years", "review_value": "2", "aliases": "Yes: sure"}
    data = post_data([{"text": "Tell us about yourself.", "kind": "text"} | leftovers, YEARS | {"review_value": ""}])
    response = recruiter_client.post(reverse("vacancies:create"), data)
    assert response.status_code == 302
    text, years = Vacancy.objects.get(company=company).questions.order_by("position")
    assert (text.unit, text.review_value, text.aliases) == ("", "", {})
    assert (years.unit, years.review_value) == ("years", "")


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        (
            YEARS | {"review_value": "4"},
            "review_value",
            "With “at least”, the review band starts below the knockout value (e.g. at least 3, review from 2).",
        ),
        (
            SALARY | {"review_value": "300000"},
            "review_value",
            "With “at most”, the review band ends above the knockout value (e.g. at most 350000, review up to 400000).",
        ),
        (YEARS | {"review_value": "two"}, "review_value", "Enter a number."),
        (YEARS | {"unit": "weeks"}, "unit", "Select a valid choice. weeks is not one of the available choices."),
        (
            CITY | {"aliases": "Saint Petersburg SPb"},
            "aliases",
            "Line 1: write an option, a colon and its aliases: “Saint Petersburg: SPb, Piter”.",
        ),
        (
            CITY | {"aliases": "Moscow: Msk\r\n: SPb"},
            "aliases",
            "Line 2: write an option, a colon and its aliases: “Saint Petersburg: SPb, Piter”.",
        ),
        (
            CITY | {"aliases": "Piter: SPb"},
            "aliases",
            "“Piter” is not one of the options; write it as the option is written.",
        ),
        (CITY | {"aliases": "Moscow: Kazan"}, "aliases", "“Kazan” is the name of another option."),
        (
            # Two lines for one option add up; 21 names are refused, not cut to 20 unseen.
            CITY | {"aliases": TWENTY_ONE_ALIASES},
            "aliases",
            "At most 20 aliases per option.",
        ),
        (
            CITY | {"aliases": "Moscow: Центр\r\nKazan: центр"},
            "aliases",
            "“центр” is an alias of both “Moscow” and “Kazan”.",
        ),
    ],
)
def test_a_wrong_band_unit_or_alias_is_shown_on_its_field_and_nothing_is_saved(
    recruiter_client, question, field, message
):
    response = recruiter_client.post(reverse("vacancies:create"), post_data([question]))
    assert response.status_code == 200
    assert response.context["formset"].errors[0] == {field: [message]}
    html = response.content.decode()
    assert 'class="field field--error" data-field="' + field + '"' in html
    assert "Nothing has been saved yet." in html
    assert not Vacancy.objects.exists() and not ScreeningQuestion.objects.exists()


def test_the_edit_page_shows_the_band_unit_and_aliases_and_sending_it_back_changes_nothing(recruiter_client, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    salary = QuestionFactory(
        vacancy=vacancy,
        position=1,
        kind="number",
        unit="money_month",
        knockout="at_most",
        knockout_value="350000",
        review_value="400000",
    )
    city = QuestionFactory(
        vacancy=vacancy,
        position=2,
        kind="single_choice",
        options=["Moscow", "Saint Petersburg"],
        aliases={"Saint Petersburg": ["SPb", "Piter"]},
    )
    before = list(ScreeningQuestion.objects.order_by("pk").values())
    page = recruiter_client.get(reverse("vacancies:edit", args=[vacancy.pk]))
    html = page.content.decode()
    assert 'name="questions-0-review_value" value="400000"' in html
    assert '<option value="money_month" selected>' in html
    assert "Saint Petersburg: SPb, Piter</textarea>" in html
    assert page.context["question_rules"] == editor_spec()

    response = recruiter_client.post(reverse("vacancies:edit", args=[vacancy.pk]), posted_back(page))
    assert response.status_code == 302
    assert list(ScreeningQuestion.objects.order_by("pk").values()) == before
    assert {salary.pk, city.pk} == set(vacancy.questions.values_list("pk", flat=True))


def test_the_edit_page_changes_a_band_and_an_alias(recruiter_client, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    question = QuestionFactory(
        vacancy=vacancy, kind="number", knockout="at_least", knockout_value="3", review_value="2", unit="years"
    )
    page = recruiter_client.get(reverse("vacancies:edit", args=[vacancy.pk]))
    data = posted_back(page) | {"questions-0-review_value": "1", "questions-0-unit": "months"}
    assert recruiter_client.post(reverse("vacancies:edit", args=[vacancy.pk]), data).status_code == 302
    question.refresh_from_db()
    assert (question.review_value, question.unit) == ("1", "months")


def test_every_new_field_is_on_the_page_for_a_browser_without_javascript(recruiter_client):
    html = recruiter_client.get(reverse("vacancies:create")).content.decode()
    for index in (0, 1):  # the two blank questions
        for name in ("review_value", "unit", "aliases"):
            assert f'name="questions-{index}-{name}"' in html
    # The script shows each field only for the kinds and rules that use it, from the same table.
    assert '"review_rules": ["at_least", "at_most"]' in html and '"unit_kinds": ["number"]' in html
    assert 'data-field="review_value"' in html and 'data-field="aliases"' in html and 'data-field="unit"' in html


def test_a_blank_extra_question_stays_blank_with_the_new_fields(recruiter_client, company):
    data = post_data([YEARS, {}])  # the second is an untouched blank form
    response = recruiter_client.post(reverse("vacancies:create"), data)
    assert response.status_code == 302
    assert Vacancy.objects.get(company=company).questions.count() == 1
