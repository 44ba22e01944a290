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


# --- review bands, units and aliases ---------------------------------------------------------------------------


CITIES = ["Moscow", "Saint Petersburg", "Kazan"]


def reading_errors(kind="number", *, options=(), knockout="", value="", allowed=(), review="", unit="", aliases=None):
    return rule_errors(
        kind=kind,
        options=list(options),
        knockout=knockout,
        knockout_value=value,
        allowed_options=list(allowed),
        review_value=review,
        unit=unit,
        aliases=aliases,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"knockout": "at_least", "value": "3", "review": "2"},
        {"knockout": "at_least", "value": "3", "review": "2,5"},
        {"knockout": "at_least", "value": "3", "review": "-1"},
        {"knockout": "at_least", "value": "3", "review": 2},
        {"knockout": "at_most", "value": "350000", "review": "400000"},
        {"knockout": "at_most", "value": "1.5", "review": "1.75"},
        {"knockout": "at_least", "value": "3", "review": ""},
        {"knockout": "at_least", "value": "3", "review": "   "},
        {"knockout": "at_least", "value": "3", "review": None},
        {"knockout": "", "review": ""},
        {"unit": "years"},
        {"unit": "months", "knockout": "at_least", "value": "6", "review": "4"},
        {"unit": "money_month", "knockout": "at_most", "value": "350000", "review": "400000"},
        {"unit": ""},
        {"unit": None},
        {"kind": "single_choice", "options": CITIES, "aliases": {"Saint Petersburg": ["SPb", "Piter"]}},
        {"kind": "multiple_choice", "options": CITIES, "aliases": {"Moscow": ["Msk"], "Kazan": ["Казань"]}},
        {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["Msk", "MSK"]}},  # its own twice
        {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["moscow"]}},  # its own name
        {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": []}},
        {"kind": "single_choice", "options": CITIES, "aliases": {}},
        {"kind": "single_choice", "options": CITIES, "aliases": None},
        {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": [f"m{i}" for i in range(20)]}},
        {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["x" * 100]}},
        {"kind": "text", "aliases": {}},
    ],
)
def test_valid_review_bands_units_and_aliases_have_no_errors(fields):
    assert reading_errors(**fields) == {}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"knockout": "at_least", "value": "3", "review": "3"},
            "review_value",
            "With “at least”, the review band starts below the knockout value (e.g. at least 3, review from 2).",
        ),
        (
            {"knockout": "at_least", "value": "3", "review": "4"},
            "review_value",
            "With “at least”, the review band starts below the knockout value (e.g. at least 3, review from 2).",
        ),
        (
            {"knockout": "at_least", "value": "3", "review": "3.0"},
            "review_value",
            "With “at least”, the review band starts below the knockout value (e.g. at least 3, review from 2).",
        ),
        (
            {"knockout": "at_most", "value": "350000", "review": "350000"},
            "review_value",
            "With “at most”, the review band ends above the knockout value (e.g. at most 350000, review up to 400000).",
        ),
        (
            {"knockout": "at_most", "value": "350000", "review": "300000"},
            "review_value",
            "With “at most”, the review band ends above the knockout value (e.g. at most 350000, review up to 400000).",
        ),
        ({"knockout": "at_least", "value": "3", "review": "two"}, "review_value", "Enter a number."),
        ({"knockout": "at_least", "value": "3", "review": "NaN"}, "review_value", "Enter a number."),
        ({"knockout": "at_least", "value": "3", "review": True}, "review_value", "Enter a number."),
        ({"knockout": "at_least", "value": "3", "review": ["2"]}, "review_value", "Enter a number."),
        (
            {"knockout": "", "review": "2"},
            "review_value",
            "A review band only goes with the “at least” and “at most” rules.",
        ),
        (
            {"kind": "yes_no", "knockout": "must_equal", "value": "yes", "review": "no"},
            "review_value",
            "A review band only goes with the “at least” and “at most” rules.",
        ),
        ({"unit": "weeks"}, "unit", "Unknown unit."),
        ({"kind": "text", "unit": "years"}, "unit", "Only number questions have a unit."),
        ({"kind": "yes_no", "unit": "months"}, "unit", "Only number questions have a unit."),
        ({"kind": "single_choice", "options": CITIES, "unit": "years"}, "unit", "Only number questions have a unit."),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moskow": ["Msk"]}},
            "aliases",
            "“Moskow” is not one of the options; write it as the option is written.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["Kazan"]}},
            "aliases",
            "“Kazan” is the name of another option.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": [" KAZAN "]}},
            "aliases",
            "“ KAZAN ” is the name of another option.",
        ),
        (
            {"kind": "multiple_choice", "options": CITIES, "aliases": {"Moscow": ["Столица"], "Kazan": ["столица"]}},
            "aliases",
            "“столица” is an alias of both “Moscow” and “Kazan”.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["x" * 101]}},
            "aliases",
            "An alias is at most 100 characters.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": [f"m{i}" for i in range(21)]}},
            "aliases",
            "At most 20 aliases per option.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["Moscow, Russia"]}},
            "aliases",
            "An alias cannot contain a comma: “Moscow, Russia”.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["2"]}},
            "aliases",
            "An alias cannot be a number (“2”): numbers choose options by position.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": "Msk"}},
            "aliases",
            "Aliases must give each option a list of names.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": {"Moscow": ["Msk", 7]}},
            "aliases",
            "Aliases must give each option a list of names.",
        ),
        (
            {"kind": "single_choice", "options": CITIES, "aliases": [["Moscow", "Msk"]]},
            "aliases",
            "Aliases must give each option a list of names.",
        ),
        ({"kind": "number", "aliases": {"Moscow": ["Msk"]}}, "aliases", "Only choice questions have aliases."),
        ({"kind": "text", "aliases": {"x": ["y"]}}, "aliases", "Only choice questions have aliases."),
    ],
)
def test_invalid_review_bands_units_and_aliases_say_what_is_wrong(fields, field, message):
    assert reading_errors(**fields).get(field) == message


def test_a_review_band_on_a_rule_without_a_number_waits_for_the_rule_to_be_fixed():
    result = reading_errors(knockout="at_least", value="many", review="2")
    assert result == {"knockout_value": "Enter a number."}


def test_the_kind_errors_and_the_reading_fields_are_reported_together():
    result = reading_errors("text", knockout="at_least", unit="years", aliases={"a": ["b"]})
    assert set(result) == {"knockout", "unit", "aliases"}


def test_callers_that_judge_only_a_rule_may_leave_the_reading_fields_out():
    assert rule_errors(kind="number", options=[], knockout="at_least", knockout_value="3", allowed_options=[]) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Saint Petersburg: SPb, Piter\nMoscow: Msk", {"Saint Petersburg": ["SPb", "Piter"], "Moscow": ["Msk"]}),
        ({"saint petersburg": [" SPb ", "spb", ""]}, {"Saint Petersburg": ["SPb"]}),
        ({"Moscow": ["Moscow", "MOSCOW", "Msk"]}, {"Moscow": ["Msk"]}),
        ({"Moscow": []}, {}),
        # A misspelt option is kept as written, so that rule_errors names it instead of dropping its aliases.
        ({"Moskow": ["Msk"]}, {"Moskow": ["Msk"]}),
        (None, {}),
        ("", {}),
    ],
)
def test_clean_aliases_spells_options_as_the_question_does(raw, expected):
    from vacancies.rules import clean_aliases

    assert clean_aliases(raw, CITIES) == expected


def test_a_misspelt_option_in_the_aliases_is_refused_not_dropped():
    from vacancies.rules import question_normalise

    item = {"text": "City?", "kind": "single_choice", "options": CITIES, "aliases": {"Moskow": ["Msk"]}}
    data = question_normalise(item)
    assert reading_errors("single_choice", options=data["options"], aliases=data["aliases"]) == {
        "aliases": "“Moskow” is not one of the options; write it as the option is written."
    }


@pytest.mark.parametrize(
    ("knockout", "value", "review", "words"),
    [
        ("at_least", "3", "2", "must be at least 3; 2 to 3 goes to review"),
        ("at_least", "3", "2,50", "must be at least 3; 2.5 to 3 goes to review"),
        ("at_most", "350000", "400000", "must be at most 350000; 350000 to 400000 goes to review"),
        ("at_least", "3", "", "must be at least 3"),
        ("at_most", "350000", "lots", "must be at most 350000"),
    ],
)
def test_a_rule_with_a_review_band_in_words(knockout, value, review, words):
    from vacancies.rules import rule_text

    rule = {"kind": "number", "knockout": knockout, "knockout_value": value, "allowed_options": []}
    assert rule_text(**rule, review_value=review) == words


def test_a_yes_no_or_choice_rule_never_mentions_a_review_band():
    from vacancies.rules import rule_text

    rule = {"kind": "yes_no", "knockout": "must_equal", "knockout_value": "yes", "allowed_options": []}
    assert rule_text(**rule, review_value="2") == "must be “yes”"


def test_the_review_band_in_words_follows_the_active_language():
    from vacancies.rules import rule_text

    with translation.override("ru"):
        words = rule_text(kind="number", knockout="at_least", knockout_value="3", allowed_options=[], review_value="2")
    assert words.startswith("требуется не меньше 3")


@pytest.mark.django_db
def test_the_question_says_its_review_band_and_checks_it_like_the_rules():
    question = QuestionFactory.build(
        vacancy=VacancyFactory(), kind="number", knockout="at_least", knockout_value="3", review_value="2"
    )
    assert question.rule_text() == "must be at least 3; 2 to 3 goes to review"
    question.clean()
    question.review_value = "5"
    with pytest.raises(ValidationError) as info:
        question.clean()
    assert list(info.value.message_dict) == ["review_value"]


@pytest.mark.django_db
def test_the_question_checks_its_unit_and_aliases():
    question = QuestionFactory.build(vacancy=VacancyFactory(), kind="text", unit="years", aliases={"a": ["b"]})
    with pytest.raises(ValidationError) as info:
        question.clean()
    assert set(info.value.message_dict) == {"unit", "aliases"}


def test_the_editor_script_learns_which_rules_take_a_band_and_which_kinds_a_unit_or_aliases():
    from vacancies.rules import CHOICE_KINDS, Unit, editor_spec

    spec = editor_spec()
    assert spec["review_rules"] == ["at_least", "at_most"]
    assert set(spec["review_hints"]) == set(spec["review_rules"])
    assert spec["unit_kinds"] == ["number"]
    assert spec["alias_kinds"] == list(CHOICE_KINDS)
    assert spec["units"] == list(Unit.values)
    # Every rule with a band compares with a value: the band is its other edge.
    assert set(spec["review_rules"]) <= set(spec["value_rules"])
