"""Tenant isolation: every object endpoint and method, tried by another company's owner (404, nothing changes)
and by a viewer of the same company (403 on every write, nothing changes)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry, Invitation, Role, User
from accounts.tests.factories import InvitationFactory, UserFactory
from screening.models import (
    Booking,
    BulkAction,
    ChatMessage,
    ChatSession,
    Evaluation,
    HumanRequest,
    InterviewSlot,
    Note,
    Response,
    StatusChange,
    Tag,
    WebhookDelivery,
    WebhookEndpoint,
)
from screening.services import scheduling
from screening.services.exports import export_file
from screening.services.human import human_request_open
from vacancies.models import ScreeningQuestion, Vacancy

pytestmark = pytest.mark.django_db

QUESTION = {"text": "Can you start in May?", "kind": "yes_no", "knockout": "must_equal", "knockout_value": "yes"}
VACANCY = {"title": "Hijacked", "questions": [QUESTION]}
WEBHOOK = {"url": "https://evil.example/hook", "events": ["response.completed"], "is_active": True}

# (method, path template, body). {v}: vacancy, {q}: one of its questions, {r}: response, {w}: webhook endpoint.
ENDPOINTS = [
    ("get", "/api/v1/vacancies/{v}/", None),
    ("put", "/api/v1/vacancies/{v}/", VACANCY),
    ("patch", "/api/v1/vacancies/{v}/", {"title": "Hijacked"}),
    ("delete", "/api/v1/vacancies/{v}/", None),
    ("post", "/api/v1/vacancies/{v}/publish/", None),
    ("post", "/api/v1/vacancies/{v}/close/", None),
    ("get", "/api/v1/vacancies/{v}/questions/", None),
    ("post", "/api/v1/vacancies/{v}/questions/", QUESTION),
    ("put", "/api/v1/vacancies/{v}/questions/", [QUESTION]),
    ("get", "/api/v1/vacancies/{v}/questions/{q}/", None),
    ("put", "/api/v1/vacancies/{v}/questions/{q}/", QUESTION),
    ("patch", "/api/v1/vacancies/{v}/questions/{q}/", {"text": "Hijacked?"}),
    ("delete", "/api/v1/vacancies/{v}/questions/{q}/", None),
    ("get", "/api/v1/responses/{r}/", None),
    ("post", "/api/v1/responses/{r}/status/", {"status": "hired", "comment": "Hijacked"}),
    ("get", "/api/v1/responses/{r}/notes/", None),
    ("post", "/api/v1/responses/{r}/notes/", {"text": "Hijacked"}),
    ("post", "/api/v1/responses/{r}/evaluate/", None),
    ("get", "/api/v1/webhooks/{w}/", None),
    ("put", "/api/v1/webhooks/{w}/", WEBHOOK),
    ("patch", "/api/v1/webhooks/{w}/", {"url": "https://evil.example/hook"}),
    ("delete", "/api/v1/webhooks/{w}/", None),
    ("get", "/api/v1/webhooks/{w}/deliveries/", None),
    # interview scheduling. {s}: a free slot, {b}: a booking whose interview started
    ("get", "/api/v1/vacancies/{v}/slots/", None),
    ("get", "/api/v1/vacancies/{v}/analytics/", None),
    ("post", "/api/v1/vacancies/{v}/slots/", {"starts_at": "2099-01-05T10:00:00+01:00", "duration_minutes": 30}),
    ("get", "/api/v1/slots/{s}/", None),
    ("delete", "/api/v1/slots/{s}/", None),
    ("get", "/api/v1/bookings/{b}/", None),
    ("post", "/api/v1/bookings/{b}/cancel/", None),
    ("post", "/api/v1/bookings/{b}/mark/", {"status": "no_show"}),
    # the queue of candidates waiting for a person ({h}), and messages after the chat
    ("get", "/api/v1/human-requests/{h}/", None),
    ("post", "/api/v1/human-requests/{h}/claim/", None),
    ("post", "/api/v1/human-requests/{h}/resolve/", None),
    ("get", "/api/v1/responses/{r}/messages/", None),
    # exports (docs/exports.md): the decision record, as JSON and as the HTML file
    ("get", "/api/v1/responses/{r}/record/", None),
    ("get", "/api/v1/responses/{r}/record.html", None),
    # the pipeline board (docs/pipeline.md): a vacancy's columns, a card's move
    ("get", "/api/v1/vacancies/{v}/board/", None),
    ("post", "/api/v1/responses/{r}/move/", {"status": "hired"}),
    ("post", "/api/v1/responses/{r}/messages/", {"text": "Could you come on Tuesday?", "client_id": "m1"}),
    # team management (docs/audit.md): {m} a recruiter of the company, {i} a pending invitation
    ("post", "/api/v1/team/members/{m}/role/", {"role": "viewer"}),
    ("post", "/api/v1/team/members/{m}/remove/", {"successor": None}),
    ("post", "/api/v1/team/invitations/{i}/resend/", None),
    ("post", "/api/v1/team/invitations/{i}/revoke/", None),
    # bulk actions, tags (docs/pipeline.md): {ba} a finished bulk export with its file, {t} a tag on the response
    ("get", "/api/v1/bulk-actions/{ba}/", None),
    ("get", "/api/v1/bulk-actions/{ba}/download/", None),
    ("get", "/api/v1/tags/{t}/", None),
    ("delete", "/api/v1/tags/{t}/", None),
    ("post", "/api/v1/responses/{r}/tags/", {"name": "Hijacked"}),
    ("delete", "/api/v1/responses/{r}/tags/{t}/", None),
]
WRITES = [endpoint for endpoint in ENDPOINTS if endpoint[0] != "get"]
# Collection endpoints a viewer may not write to either.
COLLECTION_WRITES = [
    ("post", "/api/v1/vacancies/", VACANCY),
    ("post", "/api/v1/webhooks/", WEBHOOK),
    # The company's email templates (named by key and language, always the caller's company's): the owner's.
    ("put", "/api/v1/email-templates/decision_offer/en/", {"subject": "Hijacked", "body": "{link}"}),
    ("delete", "/api/v1/email-templates/decision_offer/en/", None),
    ("post", "/api/v1/bulk-actions/", {"kind": "status", "status": "declined", "filters": {}}),
    ("post", "/api/v1/tags/", {"name": "Hijacked"}),
]


@pytest.fixture
def world(vacancy, finished_response, company, owner, settings, tmp_path):
    """Company A's objects: a vacancy with its script, a finished response with a note, a webhook with a delivery."""
    settings.MEDIA_ROOT = tmp_path
    export_name = export_file(company=company, response_ids=[finished_response.pk], fmt="csv", user=owner)
    bulk_action = BulkAction.objects.create(
        company=company, user=owner, kind="export", state="finished", total=1, done=1, result={"file": export_name}
    )
    tag = Tag.objects.create(company=company, name="Keep")
    finished_response.tags.add(tag)
    endpoint = WebhookEndpoint.objects.create(
        company=company, url="https://acme.example/hook", events=["response.completed"]
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="response.completed", event_id="evt_1", payload={})
    Note.objects.create(response=finished_response, author=owner, text="Keep")
    slot, booked = (
        scheduling.slot_create(vacancy=vacancy, starts_at=timezone.now() + timedelta(days=days)) for days in (2, 3)
    )
    booking = scheduling.booking_create(response=finished_response, slot_id=booked.pk)
    InterviewSlot.objects.filter(pk=booked.pk).update(starts_at=timezone.now() - timedelta(hours=1))  # it started
    # Its chat finished, and the candidate waits for a person.
    ChatSession.objects.create(response=finished_response, state=ChatSession.State.FINISHED, finished_at=timezone.now())
    waiting = human_request_open(response=finished_response, reason=HumanRequest.Reason.ASKED)
    member = UserFactory(company=company, role=Role.RECRUITER, email="member@acme.test")
    invitation = InvitationFactory(company=company, email="invitee@acme.test")
    return {
        "ba": bulk_action.pk,
        "t": tag.pk,
        "m": member.pk,
        "i": invitation.pk,
        "h": waiting.pk,
        "v": vacancy.pk,
        "q": vacancy.questions.first().pk,
        "r": finished_response.pk,
        "w": endpoint.pk,
        "s": slot.pk,
        "b": booking.pk,
    }


def snapshot():
    """Everything a request could have changed, row by row."""
    models = [
        Vacancy,
        ScreeningQuestion,
        Response,
        StatusChange,
        Note,
        Evaluation,
        WebhookEndpoint,
        WebhookDelivery,
        ChatMessage,
        InterviewSlot,
        Booking,
        HumanRequest,
        User,
        Invitation,
        AuditEntry,
        BulkAction,
        Tag,
        Response.tags.through,
    ]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def call(client, method, template, body, ids):
    kwargs = {"format": "json"} if body is not None else {}
    return getattr(client, method)(template.format(**ids), body, **kwargs)


@pytest.mark.parametrize(("method", "template", "body"), ENDPOINTS, ids=[f"{m} {t}" for m, t, _b in ENDPOINTS])
def test_outsider_gets_404_and_nothing_changes(outsider_api, world, method, template, body):
    before = snapshot()
    answer = call(outsider_api, method, template, body, world)
    assert answer.status_code == 404, answer.content
    assert answer.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "template", "body"),
    WRITES + COLLECTION_WRITES,
    ids=[f"{m} {t}" for m, t, _b in WRITES + COLLECTION_WRITES],
)
def test_viewer_gets_403_on_every_write_and_nothing_changes(viewer_api, world, method, template, body):
    before = snapshot()
    answer = call(viewer_api, method, template, body, world)
    assert answer.status_code == 403, answer.content
    assert answer.json()["error"]["code"] == "permission_denied"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "template", "body"),
    [e for e in ENDPOINTS if e[0] == "get"],
    ids=[t for m, t, _b in ENDPOINTS if m == "get"],
)
def test_viewer_reads_everything_of_the_company(viewer_api, world, method, template, body):
    assert call(viewer_api, method, template, body, world).status_code == 200


@pytest.mark.parametrize(("method", "template", "body"), WRITES, ids=[f"{m} {t}" for m, t, _b in WRITES])
def test_the_table_is_real_the_owner_can_do_each_write(owner_api, world, method, template, body):
    # The same requests succeed for the company's owner, so the 404s above are the tenancy check, not a bad request.
    answer = call(owner_api, method, template, body, world)
    assert answer.status_code < 300 or answer.status_code == 409, answer.content


def test_outsider_lists_show_nothing_of_the_other_company(outsider_api, world):
    assert outsider_api.get("/api/v1/vacancies/").json()["count"] == 0
    assert outsider_api.get("/api/v1/responses/").json()["count"] == 0
    assert outsider_api.get("/api/v1/responses/", {"vacancy": world["v"]}).json()["count"] == 0
    assert outsider_api.get("/api/v1/webhooks/").json()["count"] == 0
    assert outsider_api.get("/api/v1/bookings/").json()["count"] == 0
    assert outsider_api.get("/api/v1/bookings/", {"vacancy": world["v"]}).json()["count"] == 0
    assert outsider_api.get("/api/v1/human-requests/").json()["count"] == 0
    # search (docs/search.md): the response's name, email and phone find nothing from the other company
    for query in ("Anna Petrova", "anna@example.org", "+7 900 123-45-67"):
        assert outsider_api.get("/api/v1/search/", {"q": query}).json()["count"] == 0


def test_viewer_finds_the_same_people_by_search(viewer_api, world):
    # The outsider's empty search above is the tenancy check, not a query that finds nobody.
    for query in ("Anna Petrova", "anna@example.org", "+7 900 123-45-67"):
        results = viewer_api.get("/api/v1/search/", {"q": query}).json()["results"]
        assert [application["id"] for application in results[0]["applications"]] == [world["r"]], query
