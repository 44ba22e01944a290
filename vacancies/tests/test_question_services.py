"""The question services every door calls: add, update, delete, reorder (and the check they share)."""

import pytest
from django.core.exceptions import ValidationError

from screening.models import Answer
from screening.tests.factories import ResponseFactory
from vacancies.models import ScreeningQuestion
from vacancies.services import (
    MAX_QUESTIONS,
    question_add,
    question_delete,
    question_reorder,
    question_update,
    question_validate,
)
from vacancies.tests.factories import QuestionFactory, VacancyFactory, full_script

pytestmark = pytest.mark.django_db


def script(vacancy):
    return list(vacancy.questions.values_list("text", "position"))


# --- question_add ------------------------------------------------------------------------------------------------


def test_add_appends_at_the_end_normalised(company):
    vacancy = VacancyFactory(company=company)
    full_script(vacancy)
    question = question_add(
        vacancy=vacancy,
        data={
            "text": " Where do you live? ",
            "kind": "single_choice",
            "options": ["Moscow", "Kazan", "moscow"],
            "knockout": "one_of",
            "allowed_options": ["kazan"],
            "state": "ignored: not a question field",
        },
    )
    question.refresh_from_db()
    assert (question.text, question.position, question.options, question.allowed_options) == (
        "Where do you live?",
        6,
        ["Moscow", "Kazan"],
        ["Kazan"],
    )
    assert (question.weight, question.required) == (1, True)  # left out: the defaults


def test_add_to_an_empty_script_is_position_one(company):
    vacancy = VacancyFactory(company=company)
    assert question_add(vacancy=vacancy, data={"text": "Anything?"}).position == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "", "kind": "text"}, "text"),
        ({"text": "Years?", "kind": "number", "knockout": "at_least", "knockout_value": "lots"}, "knockout_value"),
        ({"text": "Pick", "kind": "single_choice", "options": ["only one"]}, "options"),
        ({"text": "Free", "kind": "text", "knockout": "must_equal", "knockout_value": "yes"}, "knockout"),
        ({"text": "Heavy", "kind": "text", "weight": 11}, "weight"),
    ],
)
def test_add_refuses_an_invalid_question_by_field_and_saves_nothing(company, data, field):
    vacancy = VacancyFactory(company=company)
    with pytest.raises(ValidationError) as error:
        question_add(vacancy=vacancy, data=data)
    assert field in error.value.message_dict
    assert not vacancy.questions.exists()


def test_add_refuses_a_question_beyond_the_limit(company):
    vacancy = VacancyFactory(company=company)
    ScreeningQuestion.objects.bulk_create(
        ScreeningQuestion(vacancy=vacancy, position=n, text=f"Q{n}?") for n in range(1, MAX_QUESTIONS + 1)
    )
    with pytest.raises(ValidationError) as error:
        question_add(vacancy=vacancy, data={"text": "One too many?"})
    assert f"at most {MAX_QUESTIONS} questions" in " ".join(error.value.messages)
    assert vacancy.questions.count() == MAX_QUESTIONS


def test_accepting_a_suggestion_goes_through_the_same_limit(company):
    from screening import services as screening_services
    from screening.models import QuestionSuggestion

    vacancy = VacancyFactory(company=company)
    ScreeningQuestion.objects.bulk_create(
        ScreeningQuestion(vacancy=vacancy, position=n, text=f"Q{n}?") for n in range(1, MAX_QUESTIONS + 1)
    )
    suggestion = QuestionSuggestion.objects.create(
        vacancy=vacancy,
        status=QuestionSuggestion.Status.DONE,
        items=[{"text": "Suggested?", "kind": "yes_no", "knockout": "must_equal", "knockout_value": "yes"}],
    )
    with pytest.raises(ValidationError):
        screening_services.suggestion_accept(suggestion=suggestion, index=0)
    suggestion.refresh_from_db()
    assert suggestion.items[0].get("state", "new") == "new"
    assert vacancy.questions.count() == MAX_QUESTIONS

    vacancy.questions.filter(position=MAX_QUESTIONS).delete()
    question = screening_services.suggestion_accept(suggestion=suggestion, index=0)
    assert (question.text, question.position, question.knockout_value) == ("Suggested?", MAX_QUESTIONS, "yes")


# --- question_update ---------------------------------------------------------------------------------------------


def test_update_changes_the_given_fields_and_keeps_the_others(company):
    years = full_script(VacancyFactory(company=company))[1]
    updated = question_update(question=years, data={"knockout_value": "4,50"})
    years.refresh_from_db()
    assert updated is years or updated.pk == years.pk
    assert (years.knockout, years.knockout_value, years.weight, years.position) == ("at_least", "4.5", 2, 2)


def test_update_judges_the_whole_question(company):
    years = full_script(VacancyFactory(company=company))[1]
    with pytest.raises(ValidationError) as error:
        question_update(question=years, data={"knockout_value": "lots"})
    assert "knockout_value" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        question_update(question=years, data={"kind": "text"})  # "at least" does not go with free text
    assert "knockout" in error.value.message_dict
    years.refresh_from_db()
    assert (years.kind, years.knockout_value) == ("number", "3")


# --- question_delete ---------------------------------------------------------------------------------------------


def test_delete_removes_an_unanswered_question_and_closes_the_gap(company):
    vacancy = VacancyFactory(company=company)
    _city, years, *_rest = full_script(vacancy)
    question_delete(question=years)
    assert not ScreeningQuestion.objects.filter(pk=years.pk).exists()
    assert [position for _text, position in script(vacancy)] == [1, 2, 3, 4]
    question_delete(question=years)  # already gone: nothing to do


def test_delete_refuses_an_answered_question_and_keeps_its_answers(company):
    vacancy = VacancyFactory(company=company)
    asked = QuestionFactory(vacancy=vacancy, text="Asked?")
    Answer.objects.create(response=ResponseFactory(vacancy=vacancy), question=asked, raw_text="yes")
    with pytest.raises(ValidationError) as error:
        question_delete(question=asked)
    assert error.value.code == "conflict"
    assert "“Asked?” already has answers from candidates and cannot be removed" in error.value.messages[0]
    assert ScreeningQuestion.objects.filter(pk=asked.pk).exists() and Answer.objects.count() == 1


# --- question_reorder --------------------------------------------------------------------------------------------


def test_reorder_puts_the_questions_in_the_given_order(company):
    vacancy = VacancyFactory(company=company)
    questions = full_script(vacancy)
    order = [q.pk for q in reversed(questions)]
    question_reorder(vacancy=vacancy, order=order)
    assert list(vacancy.questions.values_list("pk", flat=True)) == order
    assert [position for _text, position in script(vacancy)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "make_order",
    [
        lambda ids, foreign: ids[:-1],  # one left out
        lambda ids, foreign: [*ids, ids[0]],  # one twice
        lambda ids, foreign: [*ids[:-1], foreign],  # another vacancy's
        lambda ids, foreign: [str(pk) for pk in ids],  # not ids
        lambda ids, foreign: "1,2,3",
    ],
)
def test_reorder_refuses_anything_but_each_question_once_and_moves_nothing(company, make_order):
    vacancy = VacancyFactory(company=company)
    ids = [q.pk for q in full_script(vacancy)]
    foreign = QuestionFactory().pk
    before = script(vacancy)
    with pytest.raises(ValidationError):
        question_reorder(vacancy=vacancy, order=make_order(ids, foreign))
    assert script(vacancy) == before


# --- question_validate -------------------------------------------------------------------------------------------


def test_validate_judges_without_a_query_and_returns_the_normalised_fields(django_assert_num_queries):
    with django_assert_num_queries(0):
        data = question_validate(
            data={"text": "Years?", "kind": "number", "knockout": "at_most", "knockout_value": "1,0"}
        )
        with pytest.raises(ValidationError) as error:
            question_validate(data={"text": "Years?", "kind": "number", "knockout": "one_of"})
    assert data["knockout_value"] == "1" and data["weight"] == 1
    assert set(error.value.message_dict) == {"knockout"}
