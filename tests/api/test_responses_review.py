"""The responses API on a screening that needs review: the status filter, why a person should look, how each
answer was read and judged, and the questions the candidate asked."""

import pytest

from screening.models import Answer, CandidateQuestion, Response
from screening.tests.factories import ResponseFactory
from screening.tests.review_scenario import SALARY, WORK, YEARS, needs_review_response, review_script
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/"


@pytest.fixture
def vacancy(company, owner):
    vacancy = VacancyFactory(company=company, created_by=owner, title="Backend engineer")
    review_script(vacancy)
    return vacancy


@pytest.fixture
def reviewed(vacancy):
    return needs_review_response(ResponseFactory(vacancy=vacancy, full_name="Anna Petrova"))


def test_status_needs_review_filters_the_list(owner_api, reviewed, vacancy):
    ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    ResponseFactory(vacancy=VacancyFactory(), status=Response.Status.NEEDS_REVIEW)  # another company's

    answer = owner_api.get(URL, {"status": "needs_review"})

    assert answer.status_code == 200
    assert [(row["id"], row["status"]) for row in answer.json()["results"]] == [(reviewed.pk, "needs_review")]


@pytest.mark.parametrize("size", [3, 40])
def test_the_filtered_list_keeps_a_constant_number_of_queries(owner_api, vacancy, size, django_assert_max_num_queries):
    ResponseFactory.create_batch(size, vacancy=vacancy, status=Response.Status.NEEDS_REVIEW, review_reasons=["Why"])
    with django_assert_max_num_queries(5):
        answer = owner_api.get(URL, {"status": "needs_review", "page_size": 100})
    assert len(answer.json()["results"]) == size


def test_detail_says_why_a_person_should_look_and_how_each_answer_was_read(owner_api, reviewed):
    body = owner_api.get(f"{URL}{reviewed.pk}/").json()

    assert body["status"] == "needs_review"
    assert body["rejection_reasons"] == []
    assert body["review_reasons"] == reviewed.review_reasons
    assert "“2.5 years” read as 2.5" in body["review_reasons"][0]
    answers = {answer["question"]: answer for answer in body["answers"]}
    years, salary, work = answers[YEARS], answers[SALARY], answers[WORK]
    assert (years["passed"], years["needs_review"], years["confirmed"]) == (None, True, False)
    assert (salary["raw_text"], salary["value"], salary["read_how"]) == ("300k", 300000.0, "magnitude")
    assert (salary["passed"], salary["needs_review"], salary["confirmed"]) == (True, False, True)
    assert (work["value"], work["read_how"], work["confirmed"]) == (True, "idiom", False)
    # The rule each answer was judged by, as it was then.
    assert years["rule"] == {
        "kind": "number",
        "knockout": "at_least",
        "knockout_value": "3",
        "allowed_options": [],
        "review_value": "2",
        "unit": "years",
    }


def test_detail_lists_the_questions_the_candidate_asked(owner_api, reviewed):
    asked = owner_api.get(f"{URL}{reviewed.pk}/").json()["asked_questions"]
    assert [(q["text"], q["answered"], q["source"]) for q in asked] == [
        ("Can I work <b>remotely</b>?", True, "company_answer"),
        ("Is there a gym?", False, ""),
    ]
    assert asked[0]["answer"] == "Yes, two days a week."
    assert asked[0]["quote"] == "Remote work: up to two days a week."
    assert asked[1]["answer"] == "" and asked[1]["quote"] == ""
    assert set(asked[0]) == {"id", "text", "answered", "answer", "source", "quote", "created_at"}


def test_an_answer_stored_before_rules_were_kept_has_a_null_rule(owner_api, reviewed):
    Answer.objects.filter(response=reviewed).update(rule={})
    body = owner_api.get(f"{URL}{reviewed.pk}/").json()
    assert [answer["rule"] for answer in body["answers"]] == [None, None, None]


def test_a_response_without_questions_asked_has_an_empty_list(owner_api, vacancy):
    response = ResponseFactory(vacancy=vacancy)
    body = owner_api.get(f"{URL}{response.pk}/").json()
    assert body["asked_questions"] == [] and body["review_reasons"] == []


def test_an_outsider_reads_nothing_of_it(outsider_api, reviewed):
    assert outsider_api.get(f"{URL}{reviewed.pk}/").status_code == 404
    assert outsider_api.get(URL, {"status": "needs_review"}).json()["results"] == []


def test_a_recruiter_decides_from_needs_review_and_cannot_set_it_by_hand(recruiter_api, reviewed, vacancy):
    shortlisted = recruiter_api.post(f"{URL}{reviewed.pk}/status/", {"status": "shortlisted"}, format="json")
    assert shortlisted.status_code == 200 and shortlisted.json()["status"] == "shortlisted"
    assert [(h.from_status, h.to_status) for h in reviewed.history.all()][-1] == ("needs_review", "shortlisted")

    other = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    refused = recruiter_api.post(f"{URL}{other.pk}/status/", {"status": "needs_review"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()["error"]["fields"]
    other.refresh_from_db()
    assert other.status == "passed"


def test_the_vacancy_api_counts_responses_sent_to_review(owner_api, reviewed, vacancy):
    assert CandidateQuestion.objects.filter(response=reviewed).count() == 2
    body = owner_api.get(f"/api/v1/vacancies/{vacancy.pk}/").json()
    assert body["responses_needs_review"] == 1
    listed = owner_api.get("/api/v1/vacancies/").json()["results"]
    assert [row["responses_needs_review"] for row in listed] == [1]
