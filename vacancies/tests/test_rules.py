"""A screening question's definition: which kinds, options and knockout rules go together."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from vacancies.rules import KINDS, RULES_BY_KIND, clean_options, parse_decimal, rule_errors
from vacancies.tests.factories import QuestionFactory, VacancyFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


OPTS = ["Moscow", "Kazan", "Sochi"]


def errors(kind, options=(), knockout="", knockout_value="", allowed_options=()):
    return rule_errors(
        kind=kind,
        options=list(options),
        knockout=knockout,
        knockout_value=knockout_value,
        allowed_options=list(allowed_options),
    )


# --- valid definitions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "knockout", "value", "allowed"),
    [
        ("text", (), "", "", ()),
        ("yes_no", (), "", "", ()),
        ("yes_no", (), "must_equal", "yes", ()),
        ("yes_no", (), "must_equal", "no", ()),
        ("yes_no", (), "must_equal", " YES ", ()),
        ("number", (), "", "", ()),
        ("number", (), "at_least", "3", ()),
        ("number", (), "at_least", "2,5", ()),
        ("number", (), "at_most", "200000", ()),
        ("number", (), "at_most", "-1.5", ()),
        ("single_choice", OPTS, "", "", ()),
        ("single_choice", OPTS, "one_of", "", ["Moscow"]),
        ("single_choice", OPTS, "one_of", "", OPTS),
        ("multiple_choice", OPTS, "", "", ()),
        ("multiple_choice", OPTS, "one_of", "", ["Kazan", "Sochi"]),
        ("single_choice", ["a", "b"], "", "", ()),
        ("single_choice", [f"o{i}" for i in range(20)], "", "", ()),
        ("single_choice", ["x" * 100, "y"], "", "", ()),
    ],
)
def test_valid_definitions_have_no_errors(kind, options, knockout, value, allowed):
    assert errors(kind, options, knockout, value, allowed) == {}


def test_every_kind_accepts_no_rule():
    for kind in KINDS:
        options = OPTS if kind in ("single_choice", "multiple_choice") else ()
        assert errors(kind, options) == {}, kind


# --- invalid definitions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "knockout", "value", "allowed", "field", "message"),
    [
        ("essay", (), "", "", (), "kind", "Unknown answer kind."),
        ("single_choice", (), "", "", (), "options", "A choice question needs at least two options."),
        ("multiple_choice", ["only"], "", "", (), "options", "A choice question needs at least two options."),
        ("single_choice", [f"o{i}" for i in range(21)], "", "", (), "options", "At most 20 options."),
        ("single_choice", ["x" * 101, "y"], "", "", (), "options", "An option is at most 100 characters."),
        ("text", ["a", "b"], "", "", (), "options", "Only choice questions have options."),
        ("yes_no", ["a", "b"], "", "", (), "options", "Only choice questions have options."),
        ("number", ["1", "2"], "", "", (), "options", "Only choice questions have options."),
        ("yes_no", (), "must_equal", "maybe", (), "knockout_value", "Enter 'yes' or 'no'."),
        ("yes_no", (), "must_equal", "", (), "knockout_value", "Enter 'yes' or 'no'."),
        ("yes_no", (), "must_equal", "может быть", (), "knockout_value", "Enter 'yes' or 'no'."),
        ("number", (), "at_least", "", (), "knockout_value", "Enter a number."),
        ("number", (), "at_least", "three", (), "knockout_value", "Enter a number."),
        ("number", (), "at_most", "NaN", (), "knockout_value", "Enter a number."),
        ("number", (), "at_most", "Infinity", (), "knockout_value", "Enter a number."),
        ("single_choice", OPTS, "one_of", "", (), "allowed_options", "Choose at least one allowed option."),
        (
            "multiple_choice",
            OPTS,
            "one_of",
            "",
            ["Paris"],
            "allowed_options",
            "Allowed options must be among the question's options.",
        ),
        (
            "single_choice",
            OPTS,
            "",
            "",
            ["Moscow"],
            "allowed_options",
            "Allowed options only go with the 'choice within allowed options' rule.",
        ),
        ("single_choice", ["a", 1], "", "", (), "options", "Options must be a list of texts."),
        (
            "single_choice",
            OPTS,
            "one_of",
            "",
            [["Moscow"]],
            "allowed_options",
            "Allowed options must be a list of texts.",
        ),
    ],
)
def test_invalid_definitions_say_what_is_wrong(kind, options, knockout, value, allowed, field, message):
    assert errors(kind, options, knockout, value, allowed).get(field) == message


def test_options_given_as_a_string_are_refused_not_split_into_letters():
    assert rule_errors(kind="single_choice", options="Moscow", knockout="", knockout_value="", allowed_options=[]) == {
        "options": "Options must be a list of texts."
    }


def test_none_options_count_as_empty():
    assert rule_errors(kind="text", options=None, knockout="", knockout_value="", allowed_options=None) == {}


ALL_RULES = ["", "must_equal", "at_least", "at_most", "one_of"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("knockout", ALL_RULES)
def test_a_rule_applies_only_to_its_kinds(kind, knockout):
    options = OPTS if kind in ("single_choice", "multiple_choice") else ()
    result = errors(kind, options, knockout, "yes", ["Moscow"] if knockout == "one_of" else ())
    if knockout in RULES_BY_KIND[kind]:
        assert "knockout" not in result
    else:
        assert result["knockout"] == "This rule does not apply to this kind of answer."


def test_several_errors_are_reported_together():
    result = errors("single_choice", ["only"], "one_of", "", [])
    assert set(result) == {"options", "allowed_options"}


# --- helpers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Moscow", " Kazan ", "", "moscow", "KAZAN", "Sochi"], ["Moscow", "Kazan", "Sochi"]),
        ("Moscow\n\nKazan\n  Sochi  \n", ["Moscow", "Kazan", "Sochi"]),
        ([], []),
        (None, []),
        ("", []),
        ([1, 2, "2"], ["1", "2"]),
    ],
)
def test_clean_options_strips_drops_empties_and_duplicates_keeping_order(raw, expected):
    assert clean_options(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", Decimal("3")),
        ("2,5", Decimal("2.5")),
        (" 2.5 ", Decimal("2.5")),
        ("-1", Decimal("-1")),
        (7, Decimal("7")),
        ("abc", None),
        ("", None),
        ("NaN", None),
        ("Infinity", None),
        ("1,2,3", None),
    ],
)
def test_parse_decimal(raw, expected):
    assert parse_decimal(raw) == expected


# --- the model uses the same rules -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_question_clean_raises_the_rule_errors_by_field():
    question = QuestionFactory.build(
        vacancy=VacancyFactory(), kind="number", knockout="one_of", knockout_value="", allowed_options=[]
    )
    with pytest.raises(ValidationError) as info:
        question.clean()
    assert info.value.message_dict == {"knockout": ["This rule does not apply to this kind of answer."]}


@pytest.mark.django_db
def test_question_clean_accepts_a_valid_rule():
    question = QuestionFactory.build(
        vacancy=VacancyFactory(), kind="single_choice", options=OPTS, knockout="one_of", allowed_options=["Moscow"]
    )
    question.clean()


@pytest.mark.parametrize(("typed", "stored"), [("yes", "yes"), ("Да", "yes"), (" нет ", "no"), ("NO", "no")])
def test_a_yes_no_rule_value_may_be_typed_in_russian_and_is_stored_in_english(typed, stored):
    from vacancies.rules import question_normalise

    assert rule_errors(kind="yes_no", options=[], knockout="must_equal", knockout_value=typed, allowed_options=[]) == {}
    item = {"text": "Q?", "kind": "yes_no", "knockout": "must_equal", "knockout_value": typed}
    assert question_normalise(item)["knockout_value"] == stored


# --- the rule in words, and the one table of kinds and rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "knockout", "value", "allowed", "words"),
    [
        ("yes_no", "must_equal", "yes", [], "must be “yes”"),
        ("yes_no", "must_equal", "нет", [], "must be “no”"),
        ("number", "at_least", "3", [], "must be at least 3"),
        ("number", "at_least", "2,50", [], "must be at least 2.5"),
        ("number", "at_most", "200000", [], "must be at most 200000"),
        ("single_choice", "one_of", "", ["Moscow", "Kazan"], "must be one of: Moscow, Kazan"),
        ("multiple_choice", "one_of", "", ["Django", "FastAPI"], "must include one of: Django, FastAPI"),
        ("text", "", "", [], ""),
    ],
)
def test_a_rule_in_words(kind, knockout, value, allowed, words):
    from vacancies.rules import rule_text

    assert rule_text(kind=kind, knockout=knockout, knockout_value=value, allowed_options=allowed) == words


def test_the_rule_in_words_follows_the_active_language():
    from vacancies.rules import rule_text

    with translation.override("ru"):
        assert rule_text(kind="number", knockout="at_least", knockout_value="3", allowed_options=[]) == (
            "требуется не меньше 3"
        )


@pytest.mark.django_db
def test_the_question_page_and_the_rejection_reason_say_the_rule_the_same_way():
    from screening import scoring

    vacancy = VacancyFactory()
    question = QuestionFactory(
        vacancy=vacancy, kind="number", knockout="at_least", knockout_value="3", text="Years of Python?"
    )
    checked = scoring.check(scoring.QuestionSpec.from_question(question), 1.0)
    assert question.rule_text() == "must be at least 3"
    assert checked.reason == f"Years of Python: answered “1”, {question.rule_text()}."


def test_the_model_choices_and_the_editor_script_come_from_the_rules_module():
    from vacancies.models import ScreeningQuestion
    from vacancies.rules import CHOICE_KINDS, KNOCKOUTS, editor_spec

    assert [value for value, _label in ScreeningQuestion._meta.get_field("kind").choices] == list(KINDS)
    assert [value for value, _label in ScreeningQuestion._meta.get_field("knockout").choices] == list(KNOCKOUTS)
    spec = editor_spec()
    assert spec["rules_by_kind"] == {kind: sorted(rules) for kind, rules in RULES_BY_KIND.items()}
    assert spec["choice_kinds"] == list(CHOICE_KINDS)
    # Every rule but "none" uses either a value or allowed options, and has a placeholder when it uses a value.
    rules = set().union(*RULES_BY_KIND.values()) - {""}
    assert rules == set(spec["value_rules"]) | set(spec["options_rules"])
    assert set(spec["value_hints"]) == set(spec["value_rules"])
