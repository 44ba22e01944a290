"""Responses API: filters, search, ordering, pagination, detail, status change, notes, re-evaluate."""

from datetime import timedelta

import pytest
from django.utils import timezone

from screening.models import ChatMessage, ChatSession, Evaluation, Response, StatusChange
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

from .conftest import BAD_ANSWERS, answer_all

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/"


@pytest.fixture
def table(company, vacancy):
    """Four responses of company A on two vacancies with known scores and dates, and one of company B."""
    other_vacancy = VacancyFactory(company=company, title="Designer")
    now = timezone.now()
    rows = [
        ResponseFactory(
            vacancy=vacancy,
            full_name="Anna Petrova",
            email="anna@example.org",
            score=90,
            ai_score=40,
            status=Response.Status.PASSED,
        ),
        ResponseFactory(
            vacancy=vacancy,
            full_name="Boris Ivanov",
            email="boris@mail.test",
            score=30,
            ai_score=80,
            status=Response.Status.REJECTED,
        ),
        ResponseFactory(
            vacancy=vacancy,
            full_name="Vera Smirnova",
            email="vera@example.org",
            score=None,
            status=Response.Status.IN_CHAT,
        ),
        ResponseFactory(
            vacancy=other_vacancy,
            full_name="Gleb Orlov",
            email="gleb@example.org",
            score=60,
            ai_score=60,
            status=Response.Status.PASSED,
        ),
    ]
    for days, row in zip((4, 3, 2, 1), rows, strict=True):
        Response.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=days))
    ResponseFactory(score=95)  # another company's
    return rows


def ids(answer):
    assert answer.status_code == 200, answer.json()
    return [row["id"] for row in answer.json()["results"]]


def test_list_is_the_company_responses_newest_first(owner_api, table):
    anna, boris, vera, gleb = table
    assert ids(owner_api.get(URL)) == [gleb.pk, vera.pk, boris.pk, anna.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "passed"}, ["gleb", "anna"]),
        ({"min_score": 50}, ["gleb", "anna"]),
        ({"max_score": 60}, ["gleb", "boris"]),
        ({"min_score": 50, "max_score": 70}, ["gleb"]),
        ({"search": "PETROV"}, ["anna"]),
        ({"search": "mail.test"}, ["boris"]),
        ({"ordering": "-score"}, ["anna", "gleb", "boris", "vera"]),
        ({"ordering": "score"}, ["boris", "gleb", "anna", "vera"]),
        ({"ordering": "-ai_score"}, ["boris", "gleb", "anna", "vera"]),
        ({"ordering": "created_at"}, ["anna", "boris", "vera", "gleb"]),
    ],
)
def test_filters_search_and_ordering(owner_api, table, params, expected):
    by_name = dict(zip(["anna", "boris", "vera", "gleb"], table, strict=True))
    assert ids(owner_api.get(URL, params)) == [by_name[name].pk for name in expected]


def test_filter_by_vacancy_and_dates(owner_api, table, vacancy):
    anna, boris, vera, _gleb = table
    assert ids(owner_api.get(URL, {"vacancy": vacancy.pk, "ordering": "created_at"})) == [anna.pk, boris.pk, vera.pk]
    since = (timezone.now() - timedelta(days=2, hours=12)).isoformat()
    until = (timezone.now() - timedelta(hours=36)).isoformat()
    assert ids(owner_api.get(URL, {"created_from": since, "created_to": until})) == [vera.pk]


def test_dates_with_any_utc_offset_python_reads_are_compared_in_utc(owner_api, table):
    # PostgreSQL refuses offsets past 15:59; Python reads up to 23:59 (a fuzzer found the 500).
    answer = owner_api.get(URL, {"created_to": "2999-02-18T16:47:32-17:26", "created_from": "0633-05-19T19:25:48Z"})
    assert answer.status_code == 200
    assert sorted(ids(answer)) == sorted(response.pk for response in table)
    answer = owner_api.get(URL, {"created_from": "0001-01-01T00:00:00+05:00"})
    assert answer.status_code == 400 and "created_from" in answer.json()["error"]["fields"]


def test_invalid_filters_are_400_with_fields(owner_api, table):
    answer = owner_api.get(URL, {"status": "bogus", "ordering": "name", "min_score": "high"})
    assert answer.status_code == 400
    assert {"status", "ordering", "min_score"} <= set(answer.json()["error"]["fields"])


def test_pagination(owner_api, table):
    first = owner_api.get(URL, {"page_size": 3}).json()
    assert first["count"] == 4 and len(first["results"]) == 3 and first["next"]
    second = owner_api.get(URL, {"page_size": 3, "page": 2}).json()
    assert len(second["results"]) == 1
    assert owner_api.get(URL, {"page": 9}).status_code == 404


@pytest.mark.parametrize("size", [3, 40])
def test_the_list_keeps_a_constant_number_of_queries(owner_api, vacancy, size, django_assert_max_num_queries):
    ResponseFactory.create_batch(size, vacancy=vacancy)
    with django_assert_max_num_queries(5) as queries:
        answer = owner_api.get(URL, {"page_size": 100})
    assert len(answer.json()["results"]) == size
    # No row shows a resume: its text (up to 100,000 characters each) is not read for a page of 100.
    assert not any("resume_text" in query["sql"] for query in queries.captured_queries)


def test_detail_has_candidate_answers_transcript_evaluation_and_history(owner_api, finished_response):
    response = finished_response
    chat = ChatSession.objects.create(response=response)
    ChatMessage.objects.create(session=chat, sender="bot", text="Hello!")
    ChatMessage.objects.create(session=chat, sender="candidate", text="Hi")
    body = owner_api.get(f"{URL}{response.pk}/").json()
    assert body["candidate"]["email"] == "anna@example.org"
    assert body["status"] == "passed"
    assert len(body["answers"]) == 5 and all(a["passed"] is not False for a in body["answers"])
    assert body["answers"][0]["question"] == "Which city do you live in?"
    # Each answer: the candidate's words, the value read from them and how it was read.
    assert {"raw_text", "value", "read_how"} <= set(body["answers"][0])
    assert all(a["read_how"] for a in body["answers"])
    assert [m["text"] for m in body["transcript"]] == ["Hello!", "Hi"]
    # The builtin evaluator ran when the screening finished (no LLM configured in tests).
    evaluation = Evaluation.objects.get(response=response)
    assert body["evaluation"]["status"] == "done" and body["evaluation"]["score"] == evaluation.score
    assert body["evaluation"]["recommendation"] == evaluation.recommendation
    assert body["ai_score"] == evaluation.score
    assert [h["to_status"] for h in body["history"]] == ["in_chat", "passed"]
    assert body["chat_url"].endswith(f"/chat/{response.token}/")
    assert "token" not in body


def test_detail_of_a_rejected_response_shows_failed_answers(owner_api, vacancy, django_capture_on_commit_callbacks):
    response = ResponseFactory(vacancy=vacancy)
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(response, BAD_ANSWERS)
    body = owner_api.get(f"{URL}{response.pk}/").json()
    assert body["status"] == "rejected"
    assert [a["passed"] for a in body["answers"]][:4] == [False, False, False, False]
    assert body["rejection_reasons"]
    assert body["transcript"] == []


def test_responses_are_read_only_except_through_the_actions(owner_api, finished_response):
    before = (finished_response.status, finished_response.score)
    for method in ("put", "patch", "delete"):
        answer = getattr(owner_api, method)(
            f"{URL}{finished_response.pk}/", {"status": "hired", "score": 1}, format="json"
        )
        assert answer.status_code == 405
        assert answer.json()["error"]["code"] == "method_not_allowed"
    finished_response.refresh_from_db()
    assert (finished_response.status, finished_response.score) == before


def test_status_change_records_the_comment_and_author_in_the_history(
    recruiter_api, recruiter, finished_response, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = recruiter_api.post(
            f"{URL}{finished_response.pk}/status/",
            {"status": "interview", "comment": "Call on Monday", "score": 1},
            format="json",
        )
    assert answer.status_code == 200
    assert answer.json()["status"] == "interview"
    finished_response.refresh_from_db()
    assert finished_response.score != 1
    change = StatusChange.objects.filter(response=finished_response).last()
    assert (change.to_status, change.comment, change.actor) == ("interview", "Call on Monday", recruiter)


def test_status_set_by_the_screening_cannot_be_set_by_hand(owner_api, finished_response):
    answer = owner_api.post(f"{URL}{finished_response.pk}/status/", {"status": "passed"}, format="json")
    assert answer.status_code == 400
    assert "status" in answer.json()["error"]["fields"]


def test_notes_are_listed_and_added(recruiter_api, recruiter, finished_response):
    base = f"{URL}{finished_response.pk}/notes/"
    created = recruiter_api.post(base, {"text": "  Good English  ", "author": 999}, format="json")
    assert created.status_code == 201
    assert created.json()["text"] == "Good English"
    assert created.json()["author"]["id"] == recruiter.pk
    assert [n["text"] for n in recruiter_api.get(base).json()] == ["Good English"]
    assert recruiter_api.post(base, {"text": "   "}, format="json").status_code == 400


def test_reevaluate_runs_the_evaluation_again(owner_api, finished_response, django_capture_on_commit_callbacks):
    evaluation = Evaluation.objects.get(response=finished_response)
    Evaluation.objects.filter(pk=evaluation.pk).update(summary="stale", score=1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_api.post(f"{URL}{finished_response.pk}/evaluate/")
    assert answer.status_code == 202
    assert answer.json()["detail"]
    evaluation.refresh_from_db()
    assert evaluation.status == "done"
    assert evaluation.summary != "stale" and evaluation.score != 1


def test_reevaluate_before_the_screening_ends_is_a_conflict(owner_api, vacancy):
    response = ResponseFactory(vacancy=vacancy)
    answer = owner_api.post(f"{URL}{response.pk}/evaluate/")
    assert answer.status_code == 409
