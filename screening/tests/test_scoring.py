"""The scoring rules, table by table: normalise, check (knockout + points), score and outcome.

Pure functions: no database, so hundreds of cases run in well under a second.
"""

import pytest
from django.utils import translation

from screening.scoring import (
    NO_WORDS,
    READERS,
    TEXT_FULL_POINTS_WORDS,
    YES_WORDS,
    Checked,
    InvalidAnswer,
    QuestionSpec,
    check,
    normalise,
    outcome,
    relevance_score,
)
from vacancies.rules import KINDS


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


CITIES = ("Moscow", "Saint Petersburg", "Kazan")
STACK = ("Django", "FastAPI", "Flask")


def text_q(**kw):
    return QuestionSpec(text="Tell us about a project", kind="text", **kw)


def yes_no_q(**kw):
    return QuestionSpec(text="Are you allowed to work in Russia?", kind="yes_no", **kw)


def number_q(**kw):
    return QuestionSpec(text="Years of Python experience?", kind="number", **kw)


def single_q(**kw):
    kw.setdefault("options", CITIES)
    return QuestionSpec(text="Which city do you live in?", kind="single_choice", **kw)


def multi_q(**kw):
    kw.setdefault("options", STACK)
    return QuestionSpec(text="Which of these do you use?", kind="multiple_choice", **kw)


# --- normalise: yes / no ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", sorted(YES_WORDS))
def test_every_yes_word_reads_as_true(word):
    assert normalise(yes_no_q(), word) is True


@pytest.mark.parametrize("word", sorted(NO_WORDS))
def test_every_no_word_reads_as_false(word):
    assert normalise(yes_no_q(), word) is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Yes", True),
        ("YES", True),
        ("  yes  ", True),
        ("yes.", True),
        ("Yes!", True),
        ("yes?", True),
        ("Да", True),
        ("ДА", True),
        ("да!", True),
        ("Конечно", True),
        ("Ага.", True),
        ("No", False),
        ("NO.", False),
        ("Нет", False),
        ("НЕТ!", False),
        ("Неа", False),
        # A clear first word opens a longer answer.
        ("Yes, I do", True),
        ("yes I am", True),
        ("Да, есть разрешение", True),
        ("Конечно, могу", True),
        ("No, I don't", False),
        ("Нет, не имею", False),
        ("nope, sorry", False),
    ],
)
def test_yes_no_answers_in_english_and_russian(raw, expected):
    assert normalise(yes_no_q(), raw) is expected


@pytest.mark.parametrize("raw", ["No problem", "Нет проблем", "No doubt", "Нет вопросов, могу", "не против"])
def test_idioms_that_sound_negative_read_as_yes_and_pass(raw):
    spec = yes_no_q(knockout="must_equal", knockout_value="yes")
    assert normalise(spec, raw) is True
    assert check(spec, True).passed is True


@pytest.mark.parametrize(
    "raw",
    ["maybe", "perhaps yes", "не уверен", "it depends", "не знаю", "I think so", "yesterday", "nobody", "2", "да нет"],
)
def test_yes_no_rejects_anything_else_with_a_yes_no_code(raw):
    with pytest.raises(InvalidAnswer) as info:
        normalise(yes_no_q(), raw)
    assert info.value.code == "yes_no"
    assert "yes or no" in info.value.message


# --- normalise: numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("  7  ", 7.0),
        ("3.5", 3.5),
        ("3,5", 3.5),
        ("0,25", 0.25),
        ("3 years", 3.0),
        ("about 4 years", 4.0),
        ("5+ years", 5.0),
        ("3 года", 3.0),
        ("опыт 2,5 года", 2.5),
        ("+7", 7.0),
        # Number words, durations and magnitudes are read (issue 12), not refused.
        ("three", 3.0),
        ("три года", 3.0),
        ("3 years and 6 months", 3.5),
        ("400k", 400000.0),
        ("0.4 млн", 400000.0),
        ("10", 10.0),
        ("150 000", 150000.0),
        ("150\u00a0000 руб.", 150000.0),
        ("1 000 000", 1000000.0),
        ("120000", 120000.0),
        ("I have 12 years", 12.0),
    ],
)
def test_numbers_are_read_from_the_text(raw, expected):
    value = normalise(number_q(), raw)
    assert value == expected
    assert isinstance(value, float)


@pytest.mark.parametrize(
    "raw",
    [
        "a lot",
        "many years",
        "none",
        # Two numbers are ambiguous: we ask again rather than guess.
        "2 or 3",
        "2-3",
        "from 2 to 5",
        "1.5.2",
        "2 3",
        # A negative count is impossible (issue 12: "-2" was accepted).
        "-2",
        "не уверен",
    ],
)
def test_words_only_or_several_numbers_are_invalid_numbers(raw):
    with pytest.raises(InvalidAnswer) as info:
        normalise(number_q(), raw)
    assert info.value.code == "number"
    assert "number" in info.value.message


@pytest.mark.parametrize("raw", ["400k", "400к", "400 тыс.", "$400,000", "400.000", "0.4 млн", "400 000 ₽"])
def test_salary_written_with_a_magnitude_or_separators_fails_an_at_most_rule(raw):
    spec = number_q(knockout="at_most", knockout_value="350000")
    value = normalise(spec, raw)
    assert value == 400000.0
    assert check(spec, value).passed is False


@pytest.mark.parametrize("raw", ["less than 2 years", "менее 2 лет", "nearly 2", "почти 2 года", "1-3", "1 or 2"])
def test_a_qualified_number_or_range_that_does_not_settle_the_rule_is_asked_again(raw):
    with pytest.raises(InvalidAnswer) as info:
        normalise(number_q(knockout="at_least", knockout_value="2"), raw)
    assert info.value.code == "number"
    assert "one number" in info.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("more than 5 years", 5.0), ("5+", 5.0), ("от 3 до 4 лет", 3.0), ("about 10", 10.0), ("since 2019", None)],
)
def test_a_qualified_number_or_range_that_settles_the_rule_is_used(raw, expected):
    spec = number_q(knockout="at_least", knockout_value="2")
    value = normalise(spec, raw)
    if expected is not None:
        assert value == expected
    assert check(spec, value).passed is True


def test_a_negative_number_is_read_when_the_rule_speaks_of_negative_numbers():
    assert normalise(number_q(knockout="at_most", knockout_value="-1"), "-2") == -2.0


def test_the_message_for_a_qualified_number_quotes_the_words():
    with pytest.raises(InvalidAnswer) as info:
        normalise(number_q(knockout="at_least", knockout_value="2"), "less than 2 years")
    assert info.value.message == (
        "You wrote “less than 2 years”; the rule needs an exact figure. Please give one number, e.g. 3."
    )


# --- normalise: single choice ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Moscow", "Moscow"),
        ("moscow", "Moscow"),
        ("MOSCOW", "Moscow"),
        ("  Kazan ", "Kazan"),
        ("saint   petersburg", "Saint Petersburg"),
        ("1", "Moscow"),
        ("2", "Saint Petersburg"),
        ("3", "Kazan"),
        (" 3 ", "Kazan"),
    ],
)
def test_single_choice_by_text_case_insensitively_or_by_1_based_index(raw, expected):
    assert normalise(single_q(), raw) == expected


def test_single_choice_prefers_an_option_spelled_like_a_number_over_the_index():
    spec = single_q(options=("2", "1"))
    assert normalise(spec, "1") == "1"


@pytest.mark.parametrize("raw", ["London", "0", "4", "-1", "Moscow, Kazan", "Mos"])
def test_single_choice_unknown_option_lists_the_options(raw):
    with pytest.raises(InvalidAnswer) as info:
        normalise(single_q(), raw)
    assert info.value.code == "choice"
    assert "Moscow, Saint Petersburg, Kazan" in info.value.message


def test_single_choice_with_russian_options():
    spec = single_q(options=("Москва", "Казань"))
    assert normalise(spec, "МОСКВА") == "Москва"
    assert normalise(spec, "2") == "Казань"


@pytest.mark.parametrize("raw", ["Mосква", "Москва.", "москва!", "Moscow", "мск"])
def test_single_choice_folds_look_alikes_punctuation_and_aliases(raw):
    assert normalise(single_q(options=("Москва", "Санкт-Петербург")), raw) == "Москва"


@pytest.mark.parametrize("raw", ["СПб", "Питер", "St. Petersburg"])
def test_single_choice_reads_common_abbreviations_of_an_existing_option(raw):
    assert normalise(single_q(options=("Москва", "Санкт-Петербург")), raw) == "Санкт-Петербург"


def test_a_close_misspelling_is_offered_back_not_accepted():
    with pytest.raises(InvalidAnswer) as info:
        normalise(single_q(options=("Москва", "Казань")), "Мсоква")
    assert info.value.code == "choice"
    assert info.value.message == "Did you mean “Москва”? Please choose one of the options: Москва, Казань."


def test_multiple_choice_offers_a_close_misspelling_back():
    with pytest.raises(InvalidAnswer) as info:
        normalise(multi_q(), "Django, Flsk")
    assert info.value.message.startswith("Did you mean “Django, Flask”?")


# --- normalise: multiple choice --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Django", ["Django"]),
        ("django, flask", ["Django", "Flask"]),
        ("Flask, Django", ["Django", "Flask"]),  # the question's order, so equal answers compare equal
        ("flask;django", ["Django", "Flask"]),
        ("Django\nFastAPI", ["Django", "FastAPI"]),
        ("1, 3", ["Django", "Flask"]),
        ("3,1", ["Django", "Flask"]),
        ("Django, django, 1", ["Django"]),  # duplicates count once
        ("Django,, ,Flask", ["Django", "Flask"]),
        (["Flask"], ["Flask"]),
        (["FastAPI", "Django"], ["Django", "FastAPI"]),
        (["fastapi", " flask "], ["FastAPI", "Flask"]),
        (["2"], ["FastAPI"]),
        (["Django", "", "  "], ["Django"]),
        (("Flask", "Django"), ["Django", "Flask"]),
    ],
)
def test_multiple_choice_from_a_list_or_comma_separated_text(raw, expected):
    assert normalise(multi_q(), raw) == expected


@pytest.mark.parametrize("raw", ["Rails", "Django, Rails", ["Django", "Rails"], "4", "Django and Flask"])
def test_multiple_choice_unknown_option_is_invalid(raw):
    with pytest.raises(InvalidAnswer) as info:
        normalise(multi_q(), raw)
    assert info.value.code == "choice"
    assert "Django, FastAPI, Flask" in info.value.message


# --- normalise: free text and empty answers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I built a CRM", "I built a CRM"),
        ("  spaced   out\n\ntext  ", "spaced out text"),
        ("Сделал бота для найма", "Сделал бота для найма"),
        ("42", "42"),
    ],
)
def test_free_text_is_kept_with_whitespace_collapsed(raw, expected):
    assert normalise(text_q(), raw) == expected


ALL_KINDS = [text_q, yes_no_q, number_q, single_q, multi_q]
EMPTIES = ["", "   ", "\n\t", None, [], ["", " "]]


@pytest.mark.parametrize("make", ALL_KINDS)
@pytest.mark.parametrize("raw", EMPTIES)
def test_required_question_left_empty_is_invalid(make, raw):
    with pytest.raises(InvalidAnswer) as info:
        normalise(make(required=True), raw)
    assert info.value.code == "required"
    assert info.value.message == "This question needs an answer."


@pytest.mark.parametrize("make", ALL_KINDS)
@pytest.mark.parametrize("raw", EMPTIES)
def test_optional_question_left_empty_is_none(make, raw):
    assert normalise(make(required=False), raw) is None


def test_every_kind_of_question_has_a_reader():
    assert set(READERS) == set(KINDS)


def test_unknown_kind_cannot_be_answered():
    with pytest.raises(InvalidAnswer) as info:
        normalise(QuestionSpec(text="?", kind="file"), "x")
    assert info.value.code == "kind"


def test_invalid_answer_is_a_value_error_carrying_its_message():
    error = InvalidAnswer("number", "Please answer with a number, e.g. 3.")
    assert isinstance(error, ValueError)
    assert str(error) == error.message


def test_messages_follow_the_active_language():
    with translation.override("ru"), pytest.raises(InvalidAnswer) as info:
        normalise(number_q(), "много")
    assert info.value.code == "number"


# --- check: knockout rules -------------------------------------------------------------------------------------

W = 3  # a weight that shows points are scaled, not just 0/1


@pytest.mark.parametrize(
    ("expected", "value", "passed", "reason"),
    [
        ("yes", True, True, ""),
        ("YES", True, True, ""),
        (" yes ", True, True, ""),
        ("yes", False, False, "Are you allowed to work in Russia: answered “no”, must be “yes”."),
        ("no", False, True, ""),
        ("no", True, False, "Are you allowed to work in Russia: answered “yes”, must be “no”."),
    ],
)
def test_yes_no_must_equal(expected, value, passed, reason):
    result = check(yes_no_q(knockout="must_equal", knockout_value=expected, weight=W), value)
    assert result == Checked(value=value, passed=passed, points=W if passed else 0.0, reason=reason)


@pytest.mark.parametrize(
    ("rule", "limit", "value", "passed", "reason"),
    [
        ("at_least", "3", 3.0, True, ""),
        ("at_least", "3", 3.5, True, ""),
        ("at_least", "3", 10.0, True, ""),
        ("at_least", "3", 2.0, False, "Years of Python experience: answered “2”, must be at least 3."),
        ("at_least", "3", 2.9, False, "Years of Python experience: answered “2.9”, must be at least 3."),
        ("at_least", "3", 0.0, False, "Years of Python experience: answered “0”, must be at least 3."),
        ("at_least", "2,5", 2.5, True, ""),
        ("at_least", "2,5", 2.0, False, "Years of Python experience: answered “2”, must be at least 2.5."),
        ("at_least", "0", 0.0, True, ""),
        ("at_most", "200000", 150000.0, True, ""),
        ("at_most", "200000", 200000.0, True, ""),
        (
            "at_most",
            "200000",
            250000.0,
            False,
            "Years of Python experience: answered “250000”, must be at most 200000.",
        ),
        ("at_most", "1.5", 1.5, True, ""),
        ("at_most", "1.5", 1.75, False, "Years of Python experience: answered “1.75”, must be at most 1.5."),
        ("at_most", "-1", -2.0, True, ""),
    ],
)
def test_number_at_least_and_at_most(rule, limit, value, passed, reason):
    result = check(number_q(knockout=rule, knockout_value=limit, weight=W), value)
    assert result.passed is passed
    assert result.points == (W if passed else 0.0)
    assert result.reason == reason
    assert result.value == value


@pytest.mark.parametrize(
    ("allowed", "value", "passed", "reason"),
    [
        (("Moscow",), "Moscow", True, ""),
        (("Moscow",), "Kazan", False, "Which city do you live in: answered “Kazan”, must be one of: Moscow."),
        (("Moscow", "Kazan"), "Kazan", True, ""),
        (
            ("Moscow", "Kazan"),
            "Saint Petersburg",
            False,
            "Which city do you live in: answered “Saint Petersburg”, must be one of: Moscow, Kazan.",
        ),
    ],
)
def test_single_choice_one_of(allowed, value, passed, reason):
    result = check(single_q(knockout="one_of", allowed_options=allowed, weight=W), value)
    assert result == Checked(value=value, passed=passed, points=W if passed else 0.0, reason=reason)


@pytest.mark.parametrize(
    ("allowed", "value", "passed", "points", "reason"),
    [
        # Passing needs one allowed option; points grow with the share of allowed options covered.
        (("Django", "FastAPI"), ["Django"], True, 1.5, ""),
        (("Django", "FastAPI"), ["FastAPI"], True, 1.5, ""),
        (("Django", "FastAPI"), ["Django", "FastAPI"], True, 3.0, ""),
        (("Django", "FastAPI"), ["Django", "FastAPI", "Flask"], True, 3.0, ""),
        (("Django", "FastAPI"), ["Django", "Flask"], True, 1.5, ""),
        (
            ("Django", "FastAPI"),
            ["Flask"],
            False,
            0.0,
            "Which of these do you use: answered “Flask”, must include one of: Django, FastAPI.",
        ),
        (("Django",), ["Django"], True, 3.0, ""),
        (("Django", "FastAPI", "Flask"), ["Flask"], True, 1.0, ""),
        (("Django", "FastAPI", "Flask"), ["Django", "Flask"], True, 2.0, ""),
    ],
)
def test_multiple_choice_one_of_and_coverage_points(allowed, value, passed, points, reason):
    result = check(multi_q(knockout="one_of", allowed_options=allowed, weight=W), value)
    assert result.passed is passed
    assert result.points == pytest.approx(points)
    assert result.reason == reason


def test_reason_is_written_in_the_vacancy_language():
    spec = yes_no_q(knockout="must_equal", knockout_value="yes")
    with translation.override("ru"):
        reason = check(spec, False).reason
    assert reason.startswith("Are you allowed to work in Russia:")


def test_reason_strips_the_question_mark_colon_and_dots():
    spec = QuestionSpec(
        text="City?:. ", kind="single_choice", options=CITIES, knockout="one_of", allowed_options=("Kazan",)
    )
    assert check(spec, "Moscow").reason.startswith("City: answered")


# --- check: points without a rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "points"),
    [
        (1, 3 * 1 / TEXT_FULL_POINTS_WORDS),
        (3, 3 * 3 / TEXT_FULL_POINTS_WORDS),
        (6, 1.5),
        (TEXT_FULL_POINTS_WORDS - 1, 3 * (TEXT_FULL_POINTS_WORDS - 1) / TEXT_FULL_POINTS_WORDS),
        (TEXT_FULL_POINTS_WORDS, 3.0),
        (TEXT_FULL_POINTS_WORDS + 1, 3.0),
        (200, 3.0),
    ],
)
def test_free_text_points_grow_with_length_up_to_the_weight(words, points):
    value = " ".join(["word"] * words)
    result = check(text_q(weight=3), value)
    assert result.passed is None
    assert result.reason == ""
    assert result.points == pytest.approx(points)


def test_free_text_full_points_from_twelve_words():
    assert TEXT_FULL_POINTS_WORDS == 12


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (yes_no_q(weight=4), True),
        (yes_no_q(weight=4), False),
        (number_q(weight=4), 0.0),
        (number_q(weight=4), 99.0),
        (single_q(weight=4), "Kazan"),
        (multi_q(weight=4), ["Flask"]),
        (multi_q(weight=4), ["Django", "Flask"]),
    ],
)
def test_answer_without_a_rule_earns_the_full_weight(spec, value):
    assert check(spec, value) == Checked(value=value, passed=None, points=4.0)


@pytest.mark.parametrize(
    "spec",
    [
        text_q(weight=2),
        yes_no_q(weight=2, knockout="must_equal", knockout_value="yes"),
        number_q(weight=2, knockout="at_least", knockout_value="3"),
        single_q(weight=2, knockout="one_of", allowed_options=("Moscow",)),
        multi_q(weight=2, knockout="one_of", allowed_options=("Django",)),
    ],
)
def test_unanswered_optional_question_has_no_verdict_and_no_points(spec):
    assert check(spec, None) == Checked(value=None, passed=None, points=0.0)


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (yes_no_q(weight=0, knockout="must_equal", knockout_value="yes"), True),
        (number_q(weight=0, knockout="at_least", knockout_value="1"), 5.0),
        (multi_q(weight=0, knockout="one_of", allowed_options=("Django",)), ["Django"]),
        (text_q(weight=0), "a long enough answer " * 5),
    ],
)
def test_weight_zero_earns_no_points_but_the_rule_still_applies(spec, value):
    result = check(spec, value)
    assert result.points == 0.0
    assert result.passed in (True, None)


def test_weight_zero_knockout_still_fails():
    result = check(yes_no_q(weight=0, knockout="must_equal", knockout_value="yes"), False)
    assert result.passed is False
    assert result.reason


def test_unknown_rule_is_ignored_with_full_points():
    assert check(number_q(weight=2, knockout="between", knockout_value="1"), 5.0) == Checked(
        value=5.0, passed=None, points=2.0
    )


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        (yes_no_q(knockout="must_equal", knockout_value="yes"), "да"),
        (number_q(knockout="at_least", knockout_value="3"), "4 года"),
        (single_q(knockout="one_of", allowed_options=("Moscow",)), "1"),
        (multi_q(knockout="one_of", allowed_options=("Django",)), "django, flask"),
    ],
)
def test_normalise_then_check_round_trip(spec, raw):
    assert check(spec, normalise(spec, raw)).passed is True


# --- relevance_score -------------------------------------------------------------------------------------------


def scored(weight, points, passed=None):
    return (number_q(weight=weight), Checked(value=1.0, passed=passed, points=points))


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([], 100),
        ([scored(0, 0)], 100),
        ([scored(0, 0), scored(0, 0)], 100),
        ([scored(1, 1)], 100),
        ([scored(1, 0)], 0),
        ([scored(1, 1), scored(1, 0)], 50),
        ([scored(2, 2), scored(1, 0)], 67),
        ([scored(1, 1), scored(2, 0)], 33),
        ([scored(3, 1.5), scored(1, 1)], 63),  # 2.5 / 4 = 62.5: half up
        ([scored(8, 1)], 13),  # 12.5 -> 13
        ([scored(8, 3)], 38),  # 37.5 -> 38
        ([scored(1, 0.5), scored(1, 0.5)], 50),
        ([scored(0, 0), scored(1, 1)], 100),  # weight 0 does not count
        ([scored(0, 0), scored(1, 0)], 0),
        ([scored(10, 10), scored(0, 0), scored(10, 5)], 75),
        # Points above the weight are capped, below zero the score is clamped.
        ([scored(1, 5)], 100),
        ([scored(1, 5), scored(1, 0)], 50),
        ([scored(1, -3)], 0),
        ([scored(2, -1), scored(2, 2)], 25),
    ],
)
def test_relevance_score_is_the_weighted_share_of_points(results, expected):
    assert relevance_score(results) == expected


def test_relevance_score_is_an_int():
    assert isinstance(relevance_score([scored(3, 1)]), int)


# --- outcome ---------------------------------------------------------------------------------------------------


def failed(reason, weight=1):
    return (yes_no_q(weight=weight), Checked(value=False, passed=False, points=0.0, reason=reason))


def ok(weight=1, points=None):
    return (yes_no_q(weight=weight), Checked(value=True, passed=True, points=weight if points is None else points))


@pytest.mark.parametrize(
    ("results", "threshold", "status", "score", "reasons"),
    [
        ([ok(), ok()], 60, "passed", 100, []),
        ([ok(), ok()], 100, "passed", 100, []),
        ([ok(), ok(points=0)], 50, "passed", 50, []),  # the threshold itself passes
        ([ok(), ok(points=0)], 51, "rejected", 50, ["Relevance score 50 is below the pass threshold 51."]),
        ([ok(points=0)], 0, "passed", 0, []),
        ([ok(points=0)], 1, "rejected", 0, ["Relevance score 0 is below the pass threshold 1."]),
        ([], 100, "passed", 100, []),
        ([failed("A")], 0, "rejected", 0, ["A"]),
        ([ok(), failed("A")], 0, "rejected", 50, ["A"]),
        # Every failed knockout is a reason; the threshold reason is not added on top.
        ([failed("A"), ok(), failed("B")], 90, "rejected", 33, ["A", "B"]),
        ([ok(weight=10), failed("A", weight=0)], 50, "rejected", 100, ["A"]),
    ],
)
def test_outcome(results, threshold, status, score, reasons):
    result = outcome(results, threshold=threshold)
    assert (result.status, result.score, result.reasons) == (status, score, reasons)


def test_outcome_of_a_full_script_answered_well_passes():
    specs = [
        single_q(knockout="one_of", allowed_options=("Moscow",)),
        number_q(knockout="at_least", knockout_value="3", weight=2),
        yes_no_q(knockout="must_equal", knockout_value="yes"),
        multi_q(knockout="one_of", allowed_options=("Django", "FastAPI")),
        text_q(),
    ]
    answers = ["Moscow", "5 years", "yes", "Django", "I built a hiring bot with Django and Channels for a big retailer"]
    results = [(spec, check(spec, normalise(spec, raw))) for spec, raw in zip(specs, answers, strict=True)]
    # 1 + 2 + 1 + 0.5 (one of two wanted options) + 1 (12+ words) = 5.5 of 6.
    assert outcome(results, threshold=60).__dict__ == {
        "status": "passed",
        "score": 92,
        "reasons": [],
        "review_reasons": [],
    }


def test_outcome_of_a_full_script_with_two_knockouts_lists_both():
    specs = [
        single_q(knockout="one_of", allowed_options=("Moscow",)),
        number_q(knockout="at_least", knockout_value="3", weight=2),
        yes_no_q(knockout="must_equal", knockout_value="yes"),
    ]
    answers = ["Kazan", "1", "yes"]
    results = [(spec, check(spec, normalise(spec, raw))) for spec, raw in zip(specs, answers, strict=True)]
    result = outcome(results, threshold=10)
    assert result.status == "rejected"
    assert result.score == 25
    assert result.reasons == [
        "Which city do you live in: answered “Kazan”, must be one of: Moscow.",
        "Years of Python experience: answered “1”, must be at least 3.",
    ]


def test_a_yes_no_rule_stored_in_russian_is_read_the_same_as_english():
    spec = QuestionSpec(text="Ready to relocate?", kind="yes_no", knockout="must_equal", knockout_value="Да")
    assert check(spec, True).passed is True
    assert check(spec, False).passed is False


@pytest.mark.parametrize(
    ("spec", "words", "reason"),
    [
        (
            QuestionSpec(text="Expected salary?", kind="number", knockout="at_most", knockout_value="350000"),
            "400k",
            "Expected salary: “400k” read as 400000, must be at most 350000.",
        ),
        (
            QuestionSpec(text="Can you travel?", kind="yes_no", knockout="must_equal", knockout_value="yes"),
            "No, I'd rather not",
            "Can you travel: “No, I'd rather not” read as no, must be “yes”.",
        ),
        # The words are the value: nothing to point out, the plain wording stays.
        (
            QuestionSpec(text="Can you travel?", kind="yes_no", knockout="must_equal", knockout_value="yes"),
            "No",
            "Can you travel: answered “no”, must be “yes”.",
        ),
    ],
)
def test_a_failed_rule_quotes_the_candidates_words_beside_the_value_as_read(spec, words, reason):
    with translation.override("en"):
        assert check(spec, normalise(spec, words), words=words).reason == reason


def test_the_quoted_reason_reads_in_russian_too():
    spec = QuestionSpec(text="Ожидаемая зарплата?", kind="number", knockout="at_most", knockout_value="350000")
    with translation.override("ru"):
        reason = check(spec, normalise(spec, "400 тыс."), words="400 тыс.").reason
    assert reason == "Ожидаемая зарплата: «400 тыс.» понято как 400000, требуется не больше 350000."
