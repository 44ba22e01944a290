"""The "needs review" outcome and the reading details where a recruiter looks: the table, its filters, the vacancy
counters and the response page (why a person should look, how each answer was read, what the candidate asked)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from screening import services
from screening.models import CandidateQuestion, Response
from screening.tests.factories import ChatSessionFactory, ResponseFactory
from screening.tests.review_scenario import needs_review_response, review_script
from screening.views.answers import READ_HOW_LABELS, read_how_label
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("screening:list")


@pytest.fixture
def vacancy(company, owner):
    vacancy = VacancyFactory(company=company, title="Backend engineer", created_by=owner)
    review_script(vacancy)
    return vacancy


@pytest.fixture
def reviewed(vacancy):
    """A finished screening that needs review: "2.5 years" is in the years rule's review band."""
    return needs_review_response(ResponseFactory(vacancy=vacancy, full_name="Anna Petrova"))


def _names(page) -> list[str]:
    return [response.full_name for response in page.context["responses"]]


def _detail(client, response):
    return client.get(reverse("screening:response", args=[response.pk])).content.decode()


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no section {section_id!r} on the page"
    return found.group(1)


def _answer_row(html: str, question: str) -> str:
    for row in re.findall(r'<tr class="answer answer--.*?</tr>', html, re.S):
        if question in row:
            return row
    raise AssertionError(f"no answer row for {question!r}")


# The table and its filters


def test_the_table_shows_the_needs_review_badge_and_why_instead_of_a_rejection_reason(owner_client, reviewed):
    html = owner_client.get(LIST_URL).content.decode()
    assert '<span class="badge badge--needs_review">Needs review</span>' in html
    assert "Review: How many years of Python experience do you have" in html


def test_the_status_filter_offers_needs_review_and_lists_only_those(owner_client, reviewed, vacancy):
    ResponseFactory(vacancy=vacancy, full_name="Boris Passed", status=Response.Status.PASSED)
    page = owner_client.get(LIST_URL, {"status": "needs_review"})
    assert '<option value="needs_review" selected>Needs review</option>' in page.content.decode()
    assert _names(page) == ["Anna Petrova"]


def test_the_screening_filter_keeps_listing_them_after_a_recruiter_decided(owner_client, owner, reviewed, vacancy):
    ResponseFactory(vacancy=vacancy, full_name="Boris Rejected", status=Response.Status.REJECTED)
    ResponseFactory(vacancy=vacancy, full_name="Vera Shortlisted", status=Response.Status.SHORTLISTED)
    services.response_change_status(response=reviewed, to_status="shortlisted", actor=owner)

    page = owner_client.get(LIST_URL, {"screening": "needs_review"})

    assert "Sent to review by the screening" in page.content.decode()
    assert _names(page) == ["Anna Petrova"]
    assert _names(owner_client.get(LIST_URL, {"status": "needs_review"})) == []


@pytest.mark.parametrize("n", [5, 60])
def test_needs_review_rows_keep_the_tables_queries_constant(owner_client, vacancy, n, django_assert_max_num_queries):
    for response in ResponseFactory.create_batch(
        n, vacancy=vacancy, status=Response.Status.NEEDS_REVIEW, review_reasons=["Years: a person should decide."]
    ):
        ChatSessionFactory(response=response)
    # 9, + saved filters and columns, the company's tags, the rows' tags (issue 15): constant in n.
    with django_assert_max_num_queries(12):
        page = owner_client.get(LIST_URL, {"vacancy": vacancy.pk, "screening": "needs_review"})
    assert len(page.context["responses"]) == min(n, 25)


def test_the_vacancy_pages_count_needs_review_and_link_to_the_filtered_table(owner_client, owner, reviewed, vacancy):
    services.response_change_status(response=reviewed, to_status="declined", actor=owner)  # still counted
    ResponseFactory(vacancy=vacancy, status=Response.Status.NEEDS_REVIEW)
    ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    link = f"{LIST_URL}?vacancy={vacancy.pk}&amp;screening=needs_review"

    detail = owner_client.get(reverse("vacancies:detail", args=[vacancy.pk]))
    listing = owner_client.get(reverse("vacancies:list"))

    assert detail.context["counts"]["responses_needs_review"] == 2
    assert link in detail.content.decode()
    assert listing.context["vacancies"][0].responses_needs_review == 2
    assert link in listing.content.decode()
    table = owner_client.get(LIST_URL, {"vacancy": vacancy.pk, "screening": "needs_review"})
    assert table.context["page_obj"].paginator.count == 2


# The response page


def test_the_page_says_why_a_person_should_look_before_anything_else(owner_client, reviewed):
    html = _detail(owner_client, reviewed)
    review = _section(html, "review")
    assert "Why a person should look" in review
    assert "<li>How many years of Python experience do you have: “2.5 years” read as 2.5" in review
    assert html.index('id="review"') < html.index('id="evaluation"')
    assert "badge badge--needs_review" in html
    assert 'id="reasons"' not in html  # nothing rejected it


def test_each_answer_shows_its_verdict_the_value_read_how_and_the_candidates_confirmation(owner_client, reviewed):
    html = _detail(owner_client, reviewed)

    years = _answer_row(html, "How many years")
    assert 'class="answer answer--review"' in years
    assert "? Needs review" in years
    salary = _answer_row(html, "What monthly salary")
    assert 'class="answer answer--pass"' in salary
    assert "→ <strong>300,000</strong>" in salary
    assert "read as a magnitude (k, thousand, million)" in salary
    assert "confirmed by the candidate" in salary
    work = _answer_row(html, "allowed to work")
    assert "→ <strong>yes</strong>" in work and "read as an idiom" in work
    assert "confirmed by the candidate" not in work
    # The answers are unfolded while a person must decide on them.
    assert '<details class="answers" open>' in html
    assert "1 answer needs review" in html


def test_a_plain_answer_shows_no_reading_and_an_unreadable_one_says_so(owner_client, vacancy):
    response = ResponseFactory(vacancy=vacancy)
    years, _salary, work = vacancy.questions.order_by("position")
    services.response_start_chat(response=response)
    services.response_submit_answer(response=response, question=years, raw="5")
    services.response_submit_answer(response=response, question=work, raw="не уверен", unread=True)

    html = _detail(owner_client, response)

    assert "read-as" not in _answer_row(html, "How many years")
    unread = _answer_row(html, "allowed to work")
    assert 'class="answer answer--review"' in unread
    assert "Could not be read" in unread


def test_the_questions_the_candidate_asked_are_listed_with_the_bots_answers_escaped(owner_client, reviewed):
    asked = _section(_detail(owner_client, reviewed), "asked-questions")
    assert "Questions the candidate asked" in asked
    assert "“Can I work &lt;b&gt;remotely&lt;/b&gt;?”" in asked
    assert "Yes, two days a week." in asked
    assert "Source: Company&#x27;s answers" in asked
    assert "<q>Remote work: up to two days a week.</q>" in asked
    waiting = asked.split("Is there a gym?", 1)[1]
    assert "Not answered: waiting for a recruiter" in waiting
    assert asked.count("asked__item--waiting") == 1


def test_a_rejected_page_still_shows_the_answers_left_to_a_person_under_their_own_heading(owner_client, vacancy):
    response = ResponseFactory(
        vacancy=vacancy,
        status=Response.Status.REJECTED,
        rejection_reasons=["Salary: answered “500000”, must be at most 350000."],
        review_reasons=["Years: “2.5” read as 2.5, close to the rule; a person should decide."],
    )
    html = _detail(owner_client, response)
    review = _section(html, "review")
    assert "Answers the screening left to a person" in review
    assert "Why a person should look" not in review
    assert "<li>Years: “2.5” read as 2.5, close to the rule; a person should decide.</li>" in review
    assert 'id="reasons"' in html


def test_a_page_without_review_or_questions_shows_neither_block(owner_client, vacancy):
    response = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    html = _detail(owner_client, response)
    assert 'id="review"' not in html
    assert 'id="asked-questions"' not in html


def test_the_recruiter_decides_from_needs_review_like_from_passed(recruiter_client, recruiter, reviewed):
    html = _detail(recruiter_client, reviewed)
    assert "The screening left this decision to you" in html
    assert '<option value="shortlisted">' in html and '<option value="declined">' in html
    assert '<option value="needs_review">' not in html

    page = recruiter_client.post(
        reverse("screening:status", args=[reviewed.pk]), {"status": "declined", "comment": "Needs 3 years."}
    )

    assert page.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.status == "declined"
    change = reviewed.history.last()
    assert (change.from_status, change.to_status, change.actor) == ("needs_review", "declined", recruiter)


def test_needs_review_cannot_be_set_by_hand(owner_client, vacancy):
    response = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    page = owner_client.post(reverse("screening:status", args=[response.pk]), {"status": "needs_review"})
    assert page.status_code == 400
    response.refresh_from_db()
    assert response.status == "passed"


def test_a_viewer_reads_the_review_block_and_the_questions(viewer_client, reviewed):
    html = _detail(viewer_client, reviewed)
    assert 'id="review"' in html and 'id="asked-questions"' in html
    assert reverse("screening:status", args=[reviewed.pk]) not in html


def test_the_page_speaks_russian_to_a_russian_recruiter(owner_client, reviewed):
    with translation.override("ru"):
        expected = str(READ_HOW_LABELS["magnitude"])
    url = reverse("screening:response", args=[reviewed.pk])
    html = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    # The value is grouped as Russian groups it, and the label is the Russian catalogue's (English until filled).
    assert "300\xa0000" in html
    assert expected in html


def test_every_reading_code_has_a_label_and_unknown_codes_show_as_they_are():
    from django.utils import translation

    with translation.override("en"):  # the labels are lazy: an earlier test may have left another language active
        assert read_how_label("literal") == read_how_label("") == ""
        assert read_how_label("since_year") == "the years since the year given"
        assert read_how_label("a_new_reader") == "a_new_reader"
        assert all(str(label) for label in READ_HOW_LABELS.values())


def test_a_candidate_question_row_is_the_only_thing_added_to_the_pages_queries(
    owner_client, reviewed, django_assert_max_num_queries
):
    CandidateQuestion.objects.bulk_create(CandidateQuestion(response=reviewed, text=f"q{i}") for i in range(20))
    with django_assert_max_num_queries(14):  # 13, + the application's tags (issue 15)
        html = _detail(owner_client, reviewed)
    assert html.count("asked__item--waiting") == 21
