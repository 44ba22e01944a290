"""The API's questions carry their review band, unit and option aliases: written, read back, refused per field."""

import pytest

from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/vacancies/"

SALARY = {
    "text": "Expected salary?",
    "kind": "number",
    "unit": "money_month",
    "knockout": "at_most",
    "knockout_value": "350000",
    "review_value": "400000",
}
CITY = {
    "text": "Which city?",
    "kind": "single_choice",
    "options": ["Moscow", "Saint Petersburg"],
    "aliases": {"saint petersburg": ["SPb", "Питер", "spb"]},
}


def fields_of(answer) -> dict:
    assert answer.status_code == 400, answer.json()
    return answer.json()["error"]["fields"]


def test_a_vacancy_is_created_with_bands_units_and_aliases_and_reads_them_back(owner_api, company):
    answer = owner_api.post(URL, {"title": "Analyst", "questions": [SALARY, CITY]}, format="json")
    assert answer.status_code == 201, answer.json()
    salary, city = answer.json()["questions"]
    assert (salary["unit"], salary["knockout_value"], salary["review_value"]) == ("money_month", "350000", "400000")
    # Aliases are keyed by the option as the question writes it, without duplicates.
    assert city["aliases"] == {"Saint Petersburg": ["SPb", "Питер"]}
    assert city["unit"] == "" and city["review_value"] == ""
    stored = Vacancy.objects.get(pk=answer.json()["id"]).questions.order_by("position")
    assert [(q.unit, q.review_value, q.aliases) for q in stored] == [
        ("money_month", "400000", {}),
        ("", "", {"Saint Petersburg": ["SPb", "Питер"]}),
    ]


def test_the_questions_endpoint_adds_and_changes_the_new_fields(owner_api, company):
    vacancy = VacancyFactory(company=company)
    base = f"{URL}{vacancy.pk}/questions/"
    added = owner_api.post(base, {**SALARY, "review_value": 400000}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json()["review_value"] == "400000"
    qid = added.json()["id"]
    changed = owner_api.patch(f"{base}{qid}/", {"review_value": "450000", "unit": ""}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["review_value"], changed.json()["unit"]) == ("450000", "")
    question = ScreeningQuestion.objects.get(pk=qid)
    assert (question.review_value, question.unit) == ("450000", "")
    assert owner_api.get(f"{base}{qid}/").json()["review_value"] == "450000"


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        (
            {**SALARY, "review_value": "300000"},
            "review_value",
            "With “at most”, the review band ends above the knockout value (e.g. at most 350000, review up to 400000).",
        ),
        ({**SALARY, "review_value": "lots"}, "review_value", "Enter a number."),
        ({**SALARY, "unit": "weeks"}, "unit", '"weeks" is not a valid choice.'),
        ({**CITY, "aliases": {"Moskow": ["Msk"]}}, "aliases", None),
        ({**CITY, "aliases": {"Moscow": ["Saint Petersburg"]}}, "aliases", None),
        ({**CITY, "aliases": {"Moscow": ["Центр"], "Saint Petersburg": ["центр"]}}, "aliases", None),
        ({**CITY, "aliases": {"Moscow": "Msk"}}, "aliases", None),
        ({**CITY, "aliases": ["Moscow", "Msk"]}, "aliases", None),
    ],
)
def test_a_wrong_band_unit_or_alias_is_a_400_naming_the_field(owner_api, company, question, field, message):
    vacancy = VacancyFactory(company=company)
    answer = owner_api.post(f"{URL}{vacancy.pk}/questions/", question, format="json")
    errors = fields_of(answer)
    assert set(errors) == {field}
    if message:
        assert errors[field] == [message]
    assert not vacancy.questions.exists()


def test_alias_errors_name_the_option_or_the_clash(owner_api, company):
    vacancy = VacancyFactory(company=company)
    base = f"{URL}{vacancy.pk}/questions/"
    unknown = fields_of(owner_api.post(base, {**CITY, "aliases": {"Moskow": ["Msk"]}}, format="json"))
    assert unknown == {"aliases": ["“Moskow” is not one of the options; write it as the option is written."]}
    clash = {"Moscow": ["Центр"], "Saint Petersburg": ["центр"]}
    twice = fields_of(owner_api.post(base, {**CITY, "aliases": clash}, format="json"))
    assert twice == {"aliases": ["“центр” is an alias of both “Moscow” and “Saint Petersburg”."]}


def test_a_partial_change_is_judged_with_the_band_already_there(owner_api, company):
    vacancy = VacancyFactory(company=company)
    question = QuestionFactory(
        vacancy=vacancy, kind="number", knockout="at_least", knockout_value="3", review_value="2", unit="years"
    )
    url = f"{URL}{vacancy.pk}/questions/{question.pk}/"
    # Lowering the rule below its band would leave no band: refused until both move.
    errors = fields_of(owner_api.patch(url, {"knockout_value": "1"}, format="json"))
    assert list(errors) == ["review_value"]
    moved = owner_api.patch(url, {"knockout_value": "1", "review_value": "0.5"}, format="json")
    assert moved.status_code == 200, moved.json()
    question.refresh_from_db()
    assert (question.knockout_value, question.review_value) == ("1", "0.5")


def test_a_full_replace_resets_the_band_unit_and_aliases_it_leaves_out(owner_api, company):
    vacancy = VacancyFactory(company=company)
    question = QuestionFactory(
        vacancy=vacancy, kind="number", knockout="at_least", knockout_value="3", review_value="2", unit="years"
    )
    answer = owner_api.put(
        f"{URL}{vacancy.pk}/questions/{question.pk}/",
        {"text": "Years?", "kind": "number", "knockout": "at_least", "knockout_value": "3"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    question.refresh_from_db()
    assert (question.review_value, question.unit, question.aliases) == ("", "", {})


def test_nested_questions_report_the_new_fields_errors_per_question(owner_api):
    questions = [SALARY, {**CITY, "aliases": {"Moscow": ["Saint Petersburg"]}}]
    errors = fields_of(owner_api.post(URL, {"title": "Analyst", "questions": questions}, format="json"))
    assert errors["questions"]["1"] == {"aliases": ["“Saint Petersburg” is the name of another option."]}
    assert not Vacancy.objects.exists()


def test_the_schema_documents_the_new_fields(anon_api):
    schema = anon_api.get("/api/schema/", {"format": "json"}).json()
    properties = schema["components"]["schemas"]["Question"]["properties"]
    assert properties["review_value"]["type"] == "string"
    assert properties["aliases"]["type"] == "object"
    assert properties["aliases"]["additionalProperties"]["type"] == "array"
    assert schema["components"]["schemas"]["UnitEnum"]["enum"] == ["years", "months", "money_month"]
