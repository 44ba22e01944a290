"""The admin over a company's applications: scoped to the company, writes through the services, records read-only.

Personas from the root conftest: ``owner``, ``recruiter``, ``viewer`` of Acme, ``outsider`` of Globex. Every
tenant model's pages are tried from the other company; the audit records are tried by everyone, superusers too.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from screening.models import (
    Answer,
    Candidate,
    ChatMessage,
    ChatSession,
    Erasure,
    Evaluation,
    HumanRequest,
    LLMCall,
    Note,
    Notification,
    QuestionSuggestion,
    Response,
    SentEmail,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)
from screening.tests.factories import ResponseFactory
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db


def build_tenant(company, tag):
    """One row of every tenant model for ``company``; returns them by model."""
    vacancy = VacancyFactory(company=company, title=f"Vacancy {tag}", status=Vacancy.Status.DRAFT)
    question = QuestionFactory(vacancy=vacancy, text=f"Question {tag}?")
    response = ResponseFactory(vacancy=vacancy, full_name=f"Candidate {tag}")
    session = ChatSession.objects.create(response=response)
    endpoint = WebhookEndpoint.objects.create(company=company, url=f"https://{tag}.example.com/hook", events=[])
    return {
        Vacancy: vacancy,
        ScreeningQuestion: question,
        Candidate: response.candidate,
        Response: response,
        Answer: Answer.objects.create(response=response, question=question, raw_text=f"answer {tag}"),
        StatusChange: StatusChange.objects.create(response=response, to_status="new"),
        Note: Note.objects.create(response=response, text=f"note {tag}"),
        Evaluation: Evaluation.objects.create(response=response, prompt_version="v1"),
        LLMCall: LLMCall.objects.create(company=company, purpose="evaluation", model="m"),
        QuestionSuggestion: QuestionSuggestion.objects.create(vacancy=vacancy),
        WebhookEndpoint: endpoint,
        WebhookDelivery: WebhookDelivery.objects.create(
            endpoint=endpoint, event="response.completed", event_id=f"evt-{tag}", payload={}
        ),
        ChatSession: session,
        ChatMessage: ChatMessage.objects.create(session=session, sender="bot", text=f"hello {tag}"),
        Erasure: Erasure.objects.create(company=company, candidate_id_erased=0, reason=Erasure.Reason.OWNER),
        SentEmail: SentEmail.objects.create(
            company=company, response=response, to=response.email, template="chat_reminder", subject=f"Mail {tag}"
        ),
        Notification: Notification.objects.create(
            company=company, user=UserFactory(company=company), kind="candidate_passed", text=f"{tag} passed"
        ),
        HumanRequest: HumanRequest.objects.create(
            company=company, response=response, reason="asked", due_at=timezone.now() + timedelta(hours=4)
        ),
    }


TENANT_MODELS = [
    Vacancy,
    ScreeningQuestion,
    Candidate,
    Response,
    Answer,
    StatusChange,
    Note,
    Evaluation,
    LLMCall,
    QuestionSuggestion,
    WebhookEndpoint,
    WebhookDelivery,
    ChatSession,
    ChatMessage,
    Erasure,
    SentEmail,
    Notification,
    HumanRequest,
]
# What happened: shown to the company's members, written by nobody here.
AUDIT_RECORDS = [
    Answer,
    StatusChange,
    Evaluation,
    LLMCall,
    QuestionSuggestion,
    WebhookDelivery,
    ChatSession,
    ChatMessage,
    Erasure,
    SentEmail,
    Notification,
    HumanRequest,
]


def admin_url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


@pytest.fixture
def rows_a(company):
    return build_tenant(company, "acme")


@pytest.fixture
def rows_b(other_company):
    return build_tenant(other_company, "globex")


def client_for(user) -> Client:
    """A client of its own (the persona fixtures share one, so two of them in a test would be one user)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(email="root@smartbot.test", company=None, is_superuser=True))
    return client


# --- tenancy ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_a_member_lists_only_their_company(viewer_client, rows_a, rows_b, model):
    page = viewer_client.get(admin_url(model, "changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [rows_a[model]]


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_superuser_lists_every_company(superuser_client, rows_a, rows_b, model):
    page = superuser_client.get(admin_url(model, "changelist"))
    assert page.status_code == 200
    assert set(page.context["cl"].queryset) == {rows_a[model], rows_b[model]}


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_a_member_opens_their_own_rows(viewer_client, rows_a, model):
    assert viewer_client.get(admin_url(model, "change", rows_a[model].pk)).status_code == 200


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_companys_pages_are_not_found(owner_client, rows_a, rows_b, model, view):
    page = owner_client.get(admin_url(model, view, rows_b[model].pk))
    if view == "delete" and page.status_code == 403:
        # Nobody deletes this kind of row here: 403 for every id, their own or not, so it tells nothing either.
        assert owner_client.get(admin_url(model, view, rows_a[model].pk)).status_code == 403
        return
    # The admin answers a missing object with a redirect to its index ("doesn't exist").
    assert page.status_code in (302, 404)
    if page.status_code == 302:
        assert page.url == reverse("admin:index")
    assert "globex" not in page.content.decode().lower()


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_bulk_delete_of_another_companys_rows_deletes_nothing(owner_client, rows_a, rows_b, model):
    owner_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [rows_b[model].pk], "post": "yes"},
    )
    assert model.objects.filter(pk=rows_b[model].pk).exists()


def test_a_user_without_a_company_does_not_enter(client, rows_a):
    client.force_login(UserFactory(company=None, is_staff=True))
    page = client.get(admin_url(Response, "changelist"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(recruiter_client, company, model):
    build_tenant(company, "one")
    url = admin_url(model, "changelist")
    recruiter_client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        assert recruiter_client.get(url).status_code == 200
    for tag in ("two", "three", "four"):
        build_tenant(company, tag)
    with CaptureQueriesContext(connection) as many:
        page = recruiter_client.get(url)
    assert page.context["cl"].result_count == 4
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- audit records ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", AUDIT_RECORDS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("persona", ["owner_client", "superuser_client"])
def test_audit_records_are_read_only_for_everyone(request, persona, rows_a, model):
    client = request.getfixturevalue(persona)
    record = rows_a[model]
    before = {field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields}
    assert client.get(admin_url(model, "add")).status_code == 403
    page = client.get(admin_url(model, "change", record.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["adminform"].form.fields == {}
    assert client.post(admin_url(model, "change", record.pk), {"to_status": "hired", "score": 100}).status_code == 403
    assert client.post(admin_url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert {field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields} == before


def test_the_response_page_shows_answers_history_notes_and_the_transcript_escaped(viewer_client, rows_a):
    ChatMessage.objects.create(session=rows_a[ChatSession], sender="candidate", text="<b>I am</b> ready")
    page = viewer_client.get(admin_url(Response, "change", rows_a[Response].pk))
    html = page.content.decode()
    assert "answer acme" in html
    assert "note acme" in html
    assert "hello acme" in html
    assert "&lt;b&gt;I am&lt;/b&gt; ready" in html
    assert "<b>I am</b>" not in html


# --- responses: the decision and notes through the services ---------------------------------------------------


def inline_prefixes(client, response):
    page = client.get(admin_url(Response, "change", response.pk))
    return [formset.formset.prefix for formset in page.context["inline_admin_formsets"]]


def post_decision(client, response, **fields):
    data = {"new_status": "", "status_comment": "", "new_note": "", **fields}
    for prefix in inline_prefixes(client, response):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return client.post(admin_url(Response, "change", response.pk), data)


def test_a_recruiters_decision_and_note_go_through_the_services(recruiter_client, recruiter, rows_a):
    response = rows_a[Response]
    page = post_decision(
        recruiter_client, response, new_status="shortlisted", status_comment=" Strong Django ", new_note=" Call her "
    )
    assert page.status_code == 302
    assert page.url == admin_url(Response, "changelist")
    response.refresh_from_db()
    assert response.status == "shortlisted"
    history = response.history.get(to_status="shortlisted")
    assert (history.from_status, history.actor, history.comment) == ("new", recruiter, "Strong Django")
    note = response.notes.get(author=recruiter)
    assert note.text == "Call her"


def test_a_refused_decision_is_shown_and_nothing_is_saved(recruiter_client, rows_a):
    response = rows_a[Response]
    Response.objects.filter(pk=response.pk).update(status="shortlisted")
    page = post_decision(recruiter_client, response, new_status="shortlisted", new_note="Should not stay")
    assert page.status_code == 200
    assert "The response already has this status." in page.context["adminform"].form.non_field_errors()
    assert not response.notes.filter(text="Should not stay").exists()
    assert response.history.count() == 1


def test_a_status_the_screening_sets_is_not_a_choice(recruiter_client, rows_a):
    page = post_decision(recruiter_client, rows_a[Response], new_status="passed")
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["new_status"] == ["This status cannot be set by hand."]


def test_a_viewer_reads_a_response_and_decides_nothing(viewer_client, rows_a):
    response = rows_a[Response]
    page = viewer_client.get(admin_url(Response, "change", response.pk))
    assert page.context["has_change_permission"] is False
    assert "new_status" not in page.content.decode()
    assert post_decision(viewer_client, response, new_status="hired").status_code == 403
    response.refresh_from_db()
    assert response.status == "new"


def test_nobody_adds_or_deletes_a_response_here(superuser_client, rows_a):
    assert superuser_client.get(admin_url(Response, "add")).status_code == 403
    assert superuser_client.post(admin_url(Response, "delete", rows_a[Response].pk), {"post": "yes"}).status_code == 403


def test_a_note_added_on_its_own_page_goes_through_the_service(recruiter_client, recruiter, rows_a, rows_b):
    page = recruiter_client.post(admin_url(Note, "add"), {"response": rows_b[Response].pk, "text": "sneaky"})
    assert page.status_code == 200
    assert "response" in page.context["adminform"].form.errors
    page = recruiter_client.post(admin_url(Note, "add"), {"response": rows_a[Response].pk, "text": "  Looks good  "})
    assert page.status_code == 302
    assert page.url == admin_url(Note, "changelist")
    note = Note.objects.get(author=recruiter)
    assert (note.response, note.text) == (rows_a[Response], "Looks good")
    page = recruiter_client.post(admin_url(Note, "change", note.pk), {"response": rows_a[Response].pk, "text": "x"})
    assert page.status_code == 403


def test_the_note_service_refusal_is_shown_on_the_form(recruiter_client, rows_a):
    Response.objects.filter(pk=rows_a[Response].pk).update(erased_at="2026-01-01T00:00Z")
    page = recruiter_client.post(admin_url(Note, "add"), {"response": rows_a[Response].pk, "text": "After erasure"})
    assert page.status_code == 200
    assert "erased" in " ".join(page.context["adminform"].form.non_field_errors())
    assert not Note.objects.filter(text="After erasure").exists()


def test_reevaluate_action_queues_an_evaluation_for_each_own_finished_response(
    recruiter_client, rows_a, rows_b, django_capture_on_commit_callbacks
):
    Response.objects.filter(pk__in=[rows_a[Response].pk, rows_b[Response].pk]).update(status="passed")
    Evaluation.objects.update(status="done")  # a queued (pending) one is refused: it is about to run
    second = ResponseFactory(vacancy=rows_a[Vacancy], status="rejected")
    unfinished = ResponseFactory(vacancy=rows_a[Vacancy], status="in_chat")
    others = list(Evaluation.objects.filter(response=rows_b[Response]).values())
    with django_capture_on_commit_callbacks(execute=True):
        page = recruiter_client.post(
            admin_url(Response, "changelist"),
            {
                "action": "reevaluate",
                "_selected_action": [rows_a[Response].pk, second.pk, unfinished.pk, rows_b[Response].pk],
            },
            follow=True,
        )
    assert page.redirect_chain == [(admin_url(Response, "changelist"), 302)]
    # Tasks run eagerly: the two own finished responses were evaluated again; nobody else's was touched.
    evaluated = Evaluation.objects.filter(status="done", finished_at__isnull=False)
    assert sorted(evaluated.values_list("response_id", flat=True)) == sorted([rows_a[Response].pk, second.pk])
    assert not Evaluation.objects.filter(response=unfinished).exists()
    assert list(Evaluation.objects.filter(response=rows_b[Response]).values()) == others
    texts = [str(m) for m in page.context["messages"]]
    assert "Evaluation queued for 2 responses." in texts
    assert any("not finished" in text for text in texts)


# --- candidates: the owner erases ------------------------------------------------------------------------------


def test_deleting_a_candidate_in_the_admin_is_the_owners_erasure_with_its_record(owner_client, owner, rows_a):
    candidate = rows_a[Candidate]
    page = owner_client.post(admin_url(Candidate, "delete", candidate.pk), {"post": "yes"})
    assert page.status_code == 302
    assert page.url == reverse("admin:index")  # Django's choice after a delete where nothing can be changed
    response = Response.objects.get(pk=rows_a[Response].pk)  # the tombstone stays for the counts
    assert response.is_erased and response.full_name == "" and not response.notes.exists()
    assert Candidate.objects.get(pk=candidate.pk).erased_at is not None
    record = Erasure.objects.get(candidate_id_erased=candidate.pk)
    assert (record.reason, record.actor, record.applications) == (Erasure.Reason.OWNER, owner, 1)


def test_a_recruiter_does_not_erase_and_nobody_edits_a_candidate(recruiter, owner, rows_a):
    recruiter_client, owner_client = client_for(recruiter), client_for(owner)
    candidate = rows_a[Candidate]
    assert recruiter_client.post(admin_url(Candidate, "delete", candidate.pk), {"post": "yes"}).status_code == 403
    recruiter_client.post(admin_url(Candidate, "changelist"), {"action": "erase", "_selected_action": [candidate.pk]})
    assert owner_client.get(admin_url(Candidate, "add")).status_code == 403
    assert owner_client.post(admin_url(Candidate, "change", candidate.pk), {"email": "x@y.z"}).status_code == 403
    candidate.refresh_from_db()
    assert candidate.erased_at is None and candidate.email


# --- webhook endpoints through their services -----------------------------------------------------------------


def test_a_recruiter_registers_an_endpoint_in_their_company(recruiter_client, company, other_company):
    elsewhere = {"company": other_company.pk, "url": "https://hooks.example.com/x", "events": []}
    page = recruiter_client.post(admin_url(WebhookEndpoint, "add"), elsewhere)
    assert page.status_code == 200
    assert "company" in page.context["adminform"].form.errors
    page = recruiter_client.post(
        admin_url(WebhookEndpoint, "add"),
        {"company": company.pk, "url": "hooks.example.com/in", "events": ["response.completed"], "is_active": "on"},
    )
    assert page.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.company, endpoint.url, endpoint.events) == (
        company,
        "https://hooks.example.com/in",
        ["response.completed"],
    )
    assert len(endpoint.secret) >= 32
    page = recruiter_client.post(
        admin_url(WebhookEndpoint, "change", endpoint.pk),
        {"url": "https://hooks.example.com/v2", "events": ["response.evaluated", "response.completed"]},
    )
    assert page.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.is_active, endpoint.company) == ("https://hooks.example.com/v2", False, company)


def test_an_unknown_event_is_refused_on_the_form(recruiter_client, company):
    page = recruiter_client.post(
        admin_url(WebhookEndpoint, "add"), {"company": company.pk, "url": "https://h.example.com", "events": ["x.y"]}
    )
    assert page.status_code == 200
    assert "events" in page.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_a_viewer_reads_an_endpoint_without_its_secret(viewer, recruiter, rows_a):
    viewer_client, recruiter_client = client_for(viewer), client_for(recruiter)
    endpoint = rows_a[WebhookEndpoint]
    assert endpoint.secret not in viewer_client.get(admin_url(WebhookEndpoint, "change", endpoint.pk)).content.decode()
    assert endpoint.secret in recruiter_client.get(admin_url(WebhookEndpoint, "change", endpoint.pk)).content.decode()
    page = viewer_client.post(admin_url(WebhookEndpoint, "change", endpoint.pk), {"url": "https://evil.example.com"})
    assert page.status_code == 403


# --- after the screening: emails, notifications, requests for a person ------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"), [("waiting", "waiting"), ("claimed", "claimed"), ("resolved", "resolved"), (None, "all")]
)
def test_requests_for_a_person_are_filtered_by_where_they_stand(viewer_client, owner, rows_a, rows_b, state, expected):
    waiting = rows_a[HumanRequest]
    later = timezone.now() + timedelta(hours=4)
    claimed = HumanRequest.objects.create(
        company=waiting.company,
        response=ResponseFactory(vacancy=rows_a[Vacancy]),
        reason="stuck",
        due_at=later,
        claimed_by=owner,
        claimed_at=timezone.now(),
    )
    resolved = HumanRequest.objects.create(
        company=waiting.company,
        response=waiting.response,
        reason="asked",
        due_at=later,
        claimed_by=owner,
        claimed_at=timezone.now(),
        resolved_at=timezone.now(),
    )
    everything = {"waiting": {waiting}, "claimed": {claimed}, "resolved": {resolved}}
    everything["all"] = {waiting, claimed, resolved}
    page = viewer_client.get(admin_url(HumanRequest, "changelist"), {"state": state} if state else {})
    assert page.status_code == 200
    assert set(page.context["cl"].queryset) == everything[expected]


@pytest.mark.parametrize(
    ("model", "query", "shown"),
    [
        (SentEmail, {"status__exact": "sent"}, False),
        (SentEmail, {"status__exact": "queued"}, True),
        (Notification, {"kind__exact": "candidate_passed"}, True),
        (Notification, {"kind__exact": "human_requested"}, False),
        (HumanRequest, {"reason__exact": "asked"}, True),
    ],
)
def test_emails_notifications_and_requests_filter_by_their_kind_and_status(viewer_client, rows_a, model, query, shown):
    page = viewer_client.get(admin_url(model, "changelist"), query)
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == ([rows_a[model]] if shown else [])
