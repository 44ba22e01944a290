"""The vacancy editor's forms: every kind/rule combination, valid and invalid, as a recruiter would type it."""

import pytest

from vacancies.forms import QuestionForm, QuestionFormSet, VacancyForm
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db


def question(**fields):
    data = {
        "text": "Question?",
        "kind": "text",
        "options": "",
        "knockout": "",
        "knockout_value": "",
        "allowed_options": "",
        "weight": "1",
        "required": "on",
    }
    data.update(fields)
    return QuestionForm(data=data)


VALID = [
    pytest.param({"kind": "text"}, id="text-no-rule"),
    pytest.param({"kind": "yes_no"}, id="yes_no-no-rule"),
    pytest.param({"kind": "yes_no", "knockout": "must_equal", "knockout_value": "yes"}, id="yes_no-must-yes"),
    pytest.param({"kind": "yes_no", "knockout": "must_equal", "knockout_value": " No "}, id="yes_no-must-no-any-case"),
    pytest.param({"kind": "number"}, id="number-no-rule"),
    pytest.param({"kind": "number", "knockout": "at_least", "knockout_value": "3"}, id="number-at-least"),
    pytest.param({"kind": "number", "knockout": "at_most", "knockout_value": "1,5"}, id="number-at-most-comma"),
    pytest.param({"kind": "single_choice", "options": "Moscow\nKazan"}, id="single-no-rule"),
    pytest.param(
        {"kind": "single_choice", "options": "Moscow\r\nKazan\r\n", "knockout": "one_of", "allowed_options": "Moscow"},
        id="single-one-of",
    ),
    pytest.param({"kind": "multiple_choice", "options": "Django\nFlask\nFastAPI"}, id="multiple-no-rule"),
    pytest.param(
        {
            "kind": "multiple_choice",
            "options": "Django\nFlask\nFastAPI",
            "knockout": "one_of",
            "allowed_options": "django\nFastAPI",
        },
        id="multiple-one-of-any-case",
    ),
]


@pytest.mark.parametrize("fields", VALID)
def test_valid_question_definitions_pass(fields):
    form = question(**fields)
    assert form.is_valid(), form.errors


INVALID = [
    pytest.param({"kind": "text", "knockout": "must_equal", "knockout_value": "yes"}, "knockout", id="text-must"),
    pytest.param({"kind": "text", "knockout": "at_least", "knockout_value": "1"}, "knockout", id="text-at-least"),
    pytest.param({"kind": "text", "knockout": "one_of", "allowed_options": "a"}, "knockout", id="text-one-of"),
    pytest.param({"kind": "text", "options": "a\nb"}, "options", id="text-with-options"),
    pytest.param({"kind": "yes_no", "knockout": "must_equal", "knockout_value": ""}, "knockout_value", id="yn-blank"),
    pytest.param({"kind": "yes_no", "knockout": "must_equal", "knockout_value": "maybe"}, "knockout_value", id="yn-x"),
    pytest.param({"kind": "yes_no", "knockout": "at_least", "knockout_value": "1"}, "knockout", id="yn-at-least"),
    pytest.param({"kind": "yes_no", "knockout": "one_of", "allowed_options": "yes"}, "knockout", id="yn-one-of"),
    pytest.param({"kind": "number", "knockout": "at_least", "knockout_value": "three"}, "knockout_value", id="n-word"),
    pytest.param({"kind": "number", "knockout": "at_most", "knockout_value": ""}, "knockout_value", id="n-blank"),
    pytest.param({"kind": "number", "knockout": "at_least", "knockout_value": "NaN"}, "knockout_value", id="n-nan"),
    pytest.param({"kind": "number", "knockout": "must_equal", "knockout_value": "yes"}, "knockout", id="n-must"),
    pytest.param({"kind": "number", "knockout": "one_of", "allowed_options": "1"}, "knockout", id="n-one-of"),
    pytest.param({"kind": "single_choice", "options": "Moscow"}, "options", id="single-one-option"),
    pytest.param({"kind": "single_choice", "options": "Moscow\nmoscow"}, "options", id="single-duplicate-options"),
    pytest.param({"kind": "single_choice", "options": "a\nb", "knockout": "one_of"}, "allowed_options", id="s-none"),
    pytest.param(
        {"kind": "single_choice", "options": "a\nb", "knockout": "one_of", "allowed_options": "c"},
        "allowed_options",
        id="single-allowed-not-an-option",
    ),
    pytest.param(
        {"kind": "single_choice", "options": "a\nb", "knockout": "", "allowed_options": "a"},
        "allowed_options",
        id="single-allowed-without-rule",
    ),
    pytest.param(
        {"kind": "single_choice", "options": "a\nb", "knockout": "must_equal", "knockout_value": "yes"},
        "knockout",
        id="single-must",
    ),
    pytest.param({"kind": "multiple_choice", "options": ""}, "options", id="multiple-no-options"),
    pytest.param(
        {"kind": "multiple_choice", "options": "a\nb", "knockout": "at_most", "knockout_value": "1"},
        "knockout",
        id="multiple-at-most",
    ),
    pytest.param(
        {"kind": "multiple_choice", "options": "a\nb", "knockout": "one_of", "allowed_options": "a\nz"},
        "allowed_options",
        id="multiple-allowed-not-an-option",
    ),
    pytest.param({"kind": "single_choice", "options": "\n".join(f"o{i}" for i in range(21))}, "options", id="21-opts"),
    pytest.param({"kind": "single_choice", "options": "a\n" + "b" * 101}, "options", id="long-option"),
    pytest.param({"kind": "essay"}, "kind", id="unknown-kind"),
    pytest.param({"knockout": "never"}, "knockout", id="unknown-rule"),
    pytest.param({"text": ""}, "text", id="no-text"),
    pytest.param({"weight": "11"}, "weight", id="weight-above-10"),
    pytest.param({"weight": "-1"}, "weight", id="weight-negative"),
]


@pytest.mark.parametrize(("fields", "field"), INVALID)
def test_invalid_question_definitions_show_the_error_on_the_right_field(fields, field):
    form = question(**fields)
    assert not form.is_valid()
    assert field in form.errors, form.errors


def test_question_form_normalises_what_the_service_stores():
    form = question(
        kind="multiple_choice",
        options=" Django \n\nFlask\nflask\n",
        knockout="one_of",
        allowed_options="DJANGO",
        knockout_value="ignored",
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["options"] == ["Django", "Flask"]
    assert form.cleaned_data["allowed_options"] == ["Django"]
    assert form.cleaned_data["knockout_value"] == ""

    form = question(kind="number", knockout="at_least", knockout_value=" 2,50 ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["knockout_value"] == "2.5"

    form = question(kind="yes_no", knockout="must_equal", knockout_value="YES")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["knockout_value"] == "yes"


def formset_data(forms, *, initial=0):
    data = {
        "questions-TOTAL_FORMS": str(len(forms)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, fields in enumerate(forms):
        for key, value in fields.items():
            data[f"questions-{index}-{key}"] = value
    return data


def test_formset_orders_questions_and_ignores_blank_and_deleted_forms():
    blank = {"kind": "text", "weight": "1", "required": "on", "ORDER": "1"}  # moved by JS, still blank
    formset = QuestionFormSet(
        formset_data(
            [
                {"text": "Second?", "kind": "text", "weight": "1", "ORDER": "2"},
                {"text": "First?", "kind": "yes_no", "weight": "2", "ORDER": "1", "required": "on"},
                {"text": "Gone?", "kind": "text", "weight": "1", "ORDER": "3", "DELETE": "on"},
                {"text": "", "kind": "essay", "weight": "x", "DELETE": "on"},  # deleted: errors don't count
                blank,
                {"kind": "text", "weight": "1", "required": "on"},
            ]
        ),
        prefix="questions",
    )
    assert formset.is_valid(), (formset.errors, formset.non_form_errors())
    questions = formset.questions()
    assert [q["text"] for q in questions] == ["First?", "Second?"]
    assert questions[0]["kind"] == "yes_no" and questions[0]["weight"] == 2 and questions[0]["required"] is True
    assert questions[1]["required"] is False


def test_formset_half_filled_new_question_is_an_error():
    formset = QuestionFormSet(
        formset_data([{"text": "", "kind": "number", "weight": "1", "required": "on"}]), prefix="questions"
    )
    assert not formset.is_valid()
    assert "text" in formset.errors[0]


def test_formset_refuses_the_same_question_twice():
    formset = QuestionFormSet(
        formset_data(
            [
                {"id": "7", "text": "A?", "kind": "text", "weight": "1"},
                {"id": "7", "text": "B?", "kind": "text", "weight": "1"},
            ],
            initial=2,
        ),
        prefix="questions",
    )
    assert not formset.is_valid()
    assert formset.non_form_errors()


def vacancy_data(**fields):
    data = {
        "title": "Backend developer",
        "slug": "",
        "description": "",
        "requirements": "",
        "location": "",
        "salary_from": "",
        "salary_to": "",
        "salary_currency": "RUB",
        "employment_type": "full_time",
        "pass_threshold": "60",
        "language": "en",
    }
    data.update(fields)
    return data


def test_vacancy_form_accepts_a_blank_slug(company):
    form = VacancyForm(vacancy_data(), company=company)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["slug"] == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"salary_from": "200000", "salary_to": "100000"}, "salary_to"),
        ({"pass_threshold": "101"}, "pass_threshold"),
        ({"pass_threshold": "-1"}, "pass_threshold"),
        ({"slug": "not a slug!"}, "slug"),
        ({"title": ""}, "title"),
        ({"language": "de"}, "language"),
    ],
)
def test_vacancy_form_rejects_bad_values(company, fields, field):
    form = VacancyForm(vacancy_data(**fields), company=company)
    assert not form.is_valid()
    assert field in form.errors
    assert len(form.errors[field]) == 1


def test_vacancy_form_slug_is_unique_per_company_only(company, other_company):
    VacancyFactory(company=company, slug="backend")
    VacancyFactory(company=other_company, slug="python")
    assert "slug" in VacancyForm(vacancy_data(slug="backend"), company=company).errors
    assert VacancyForm(vacancy_data(slug="python"), company=company).is_valid()


def test_vacancy_form_keeps_its_own_slug_when_editing(company):
    vacancy = VacancyFactory(company=company, slug="backend")
    form = VacancyForm(vacancy_data(slug="backend"), instance=vacancy, company=company)
    assert form.is_valid(), form.errors


def test_question_initial_round_trips_through_the_form(company):
    from vacancies.forms import question_initial

    saved = QuestionFactory(
        vacancy=VacancyFactory(company=company),
        kind="single_choice",
        options=["Moscow", "Kazan"],
        knockout="one_of",
        allowed_options=["Kazan"],
    )
    formset = QuestionFormSet(initial=[question_initial(saved)], prefix="questions")
    rendered = str(formset.forms[0]["options"])
    assert "Moscow\nKazan" in rendered
