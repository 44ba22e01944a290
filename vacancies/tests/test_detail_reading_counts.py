"""The vacancy page counts, per question, the answers that needed help, and what candidates asked the bot."""

import re

import pytest
from django.urls import reverse

from screening.models import CandidateQuestion, QuestionEvent
from screening.tests.factories import ResponseFactory
from vacancies.selectors import question_list_with_reading_counts, vacancy_asked_counts
from vacancies.tests.factories import QuestionFactory, VacancyFactory, full_script

pytestmark = pytest.mark.django_db

Kind = QuestionEvent.Kind


def events(question, response, **counts):
    QuestionEvent.objects.bulk_create(
        QuestionEvent(question=question, response=response, kind=kind)
        for kind, count in counts.items()
        for _ in range(count)
    )


def asked(response, *, answered: int, unanswered: int):
    CandidateQuestion.objects.bulk_create(
        [CandidateQuestion(response=response, text="What is the salary?", answered=True) for _ in range(answered)]
        + [CandidateQuestion(response=response, text="Is there a gym?", answered=False) for _ in range(unanswered)]
    )


def counts_in_row(html: str, question_text: str) -> dict[str, int]:
    """The four counts shown in the table row of the question with this text."""
    row = next(row for row in re.findall(r"<tr>.*?</tr>", html, re.DOTALL) if question_text in row)
    return {kind: int(n) for kind, n in re.findall(r'data-count="(\w+)">(\d+)<', row)}


@pytest.fixture
def vacancy(company):
    vacancy = VacancyFactory(company=company, title="Python developer")
    full_script(vacancy)
    return vacancy


def test_each_question_shows_how_often_its_answers_needed_help(viewer_client, vacancy):
    city, years, *_rest = vacancy.questions.order_by("position")
    anna, boris = ResponseFactory(vacancy=vacancy), ResponseFactory(vacancy=vacancy)
    events(years, anna, read_back=1, correction=1, review=1)
    events(years, boris, read_back=1, clarification=2)
    events(city, boris, clarification=1)
    # Another vacancy's events are not this one's.
    other = QuestionFactory(vacancy=VacancyFactory(company=vacancy.company), kind="number")
    events(other, ResponseFactory(vacancy=other.vacancy), review=5)

    html = viewer_client.get(reverse("vacancies:detail", args=[vacancy.pk])).content.decode()
    assert counts_in_row(html, years.text) == {"clarification": 2, "read_back": 2, "correction": 1, "review": 1}
    assert counts_in_row(html, city.text) == {"clarification": 1, "read_back": 0, "correction": 0, "review": 0}
    assert counts_in_row(html, "Tell us about a project") == {
        "clarification": 0,
        "read_back": 0,
        "correction": 0,
        "review": 0,
    }
    assert "Answers that needed help" in html and "clarified" in html and "to review" in html


def test_the_page_counts_what_candidates_asked_and_what_the_bot_could_not_answer(viewer_client, vacancy):
    asked(ResponseFactory(vacancy=vacancy), answered=2, unanswered=1)
    asked(ResponseFactory(vacancy=vacancy), answered=0, unanswered=2)
    ResponseFactory(vacancy=vacancy)  # asked nothing
    asked(ResponseFactory(vacancy=VacancyFactory(company=vacancy.company)), answered=4, unanswered=4)

    page = viewer_client.get(reverse("vacancies:detail", args=[vacancy.pk]))
    assert page.context["asked"] == {"asked_total": 5, "asked_unanswered": 3}
    html = page.content.decode()
    total = re.search(r"data-asked-total>\s*<div class=\"stat__value\">(\d+)<", html)
    unanswered = re.search(r"data-asked-unanswered>\s*<div class=\"stat__value fail\">(\d+)<", html)
    assert (total.group(1), unanswered.group(1)) == ("5", "3")


def test_a_vacancy_nobody_asked_about_shows_zeros(viewer_client, vacancy):
    page = viewer_client.get(reverse("vacancies:detail", args=[vacancy.pk]))
    assert page.context["asked"] == {"asked_total": 0, "asked_unanswered": 0}


def test_the_page_shows_the_review_band_unit_and_aliases(viewer_client, company):
    vacancy = VacancyFactory(company=company)
    QuestionFactory(
        vacancy=vacancy,
        position=1,
        kind="number",
        unit="money_month",
        knockout="at_most",
        knockout_value="350000",
        review_value="400000",
    )
    QuestionFactory(
        vacancy=vacancy,
        position=2,
        kind="single_choice",
        options=["Moscow", "Saint Petersburg"],
        aliases={"Saint Petersburg": ["SPb", "Piter"]},
    )
    html = viewer_client.get(reverse("vacancies:detail", args=[vacancy.pk])).content.decode()
    assert "Must be at most 350000; 350000 to 400000 goes to review" in html
    assert "Money per month" in html
    assert "Saint Petersburg: SPb, Piter" in html


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_keeps_a_constant_number_of_queries_whatever_the_questions(
    owner_client, company, size, django_assert_max_num_queries
):
    vacancy = VacancyFactory(company=company)
    responses = [ResponseFactory(vacancy=vacancy) for _ in range(3)]
    for position in range(1, size + 1):
        question = QuestionFactory(vacancy=vacancy, position=position, kind="number", knockout="at_least")
        question.knockout_value = "3"
        question.save()
        for response in responses:
            events(question, response, read_back=1, review=1)
    for response in responses:
        asked(response, answered=1, unanswered=1)
    # Session, user, company, vacancy, questions with their counts, their answers by an older rule, asked counts,
    # response counts: the same whether the script has 1 question or 12.
    with django_assert_max_num_queries(9):  # 8, and the bell's unread count on a cold cache
        page = owner_client.get(reverse("vacancies:detail", args=[vacancy.pk]))
    assert page.status_code == 200
    assert len(page.context["questions"]) == size


def test_the_selectors_read_the_counts_in_a_fixed_number_of_queries(company, django_assert_num_queries):
    vacancy = VacancyFactory(company=company)
    first, second = (QuestionFactory(vacancy=vacancy, position=n) for n in (1, 2))
    response = ResponseFactory(vacancy=vacancy)
    events(second, response, clarification=1, correction=2)
    asked(response, answered=1, unanswered=0)
    with django_assert_num_queries(2):  # the questions with their counts, and their answers by an older rule
        questions = question_list_with_reading_counts(vacancy=vacancy)
    assert [q.pk for q in questions] == [first.pk, second.pk]
    assert [(q.clarification_count, q.read_back_count, q.correction_count, q.review_count) for q in questions] == [
        (0, 0, 0, 0),
        (1, 0, 2, 0),
    ]
    with django_assert_num_queries(1):
        assert vacancy_asked_counts(vacancy=vacancy) == {"asked_total": 1, "asked_unanswered": 0}


def test_the_event_kinds_counted_are_the_screening_models_kinds():
    from vacancies.selectors import READING_EVENT_COUNTS

    assert set(READING_EVENT_COUNTS) == set(Kind.values)
