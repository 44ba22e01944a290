"""The API of the queue (list, claim with takeover, resolve) and of messages after the chat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat import services
from screening.models import ChatMessage, ChatSession, HumanRequest
from screening.services.human import human_request_open
from screening.tests.factories import ResponseFactory
from tests.api.conftest import jwt_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(recruiter):
    return jwt_client(recruiter)


def test_the_queue_lists_open_requests_soonest_due_first_in_a_fixed_number_of_queries(
    vacancy, company, api, django_assert_max_num_queries
):
    responses = [ResponseFactory(vacancy=vacancy) for _ in range(4)]
    requests = [human_request_open(response=r, reason=HumanRequest.Reason.ASKED) for r in responses]
    # Make the last one the most urgent, and answer the first.
    HumanRequest.objects.filter(pk=requests[-1].pk).update(due_at=timezone.now() - timedelta(minutes=5))
    HumanRequest.objects.filter(pk=requests[0].pk).update(resolved_at=timezone.now())
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/human-requests/").json()
    assert body["count"] == 3
    rows = body["results"]
    assert [row["id"] for row in rows] == [requests[3].pk, requests[1].pk, requests[2].pk]
    assert rows[0]["overdue"] is True and rows[0]["due_in_seconds"] < 0
    assert rows[1]["overdue"] is False and rows[1]["reason"] == "asked"
    assert rows[1]["vacancy"] == {"id": vacancy.pk, "title": vacancy.title}


def test_claim_takes_a_running_chat_over(response, api, recruiter, owner):
    ctx, _snapshot = services.chat_open(response=response)
    services.chat_human_request(ctx=ctx, client_id="h-1")
    request = HumanRequest.objects.get()
    answer = api.post(f"/api/v1/human-requests/{request.pk}/claim/")
    assert answer.status_code == 200, answer.content
    assert answer.json()["taken_over"] is True and answer.json()["claimed_by"] == "Roman"
    assert ChatSession.objects.get(response=response).taken_over_by == recruiter
    # Another recruiter: 409, nothing changes.
    refused = jwt_client(owner).post(f"/api/v1/human-requests/{request.pk}/claim/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    done = api.post(f"/api/v1/human-requests/{request.pk}/resolve/")
    assert done.status_code == 200 and done.json()["resolved_at"] is not None
    assert api.get("/api/v1/human-requests/").json()["count"] == 0


def test_messages_after_the_chat(response, api, viewer):
    services.chat_open(response=response)
    running = api.post(f"/api/v1/responses/{response.pk}/messages/", {"text": "Hi"}, format="json")
    assert running.status_code == 409
    ChatSession.objects.filter(response=response).update(state="finished", finished_at=timezone.now())
    response.status = "passed"
    response.save()
    sent = api.post(
        f"/api/v1/responses/{response.pk}/messages/", {"text": "Come on Tuesday?", "client_id": "m-1"}, format="json"
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["sender"] == "recruiter" and sent.json()["author"] == "Roman"
    again = api.post(
        f"/api/v1/responses/{response.pk}/messages/", {"text": "Come on Tuesday?", "client_id": "m-1"}, format="json"
    )
    assert again.status_code == 200 and again.json()["id"] == sent.json()["id"]
    assert ChatMessage.objects.filter(sender="recruiter").count() == 1
    empty = api.post(f"/api/v1/responses/{response.pk}/messages/", {"text": "   "}, format="json")
    assert empty.status_code == 400
    transcript = jwt_client(viewer).get(f"/api/v1/responses/{response.pk}/messages/")
    assert transcript.status_code == 200 and transcript.json()[-1]["text"] == "Come on Tuesday?"
