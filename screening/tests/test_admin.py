"""The admin is scoped to the staff user's company: lists, pages, choices, actions. Superusers see all."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from screening.models import ChatMessage, ChatSession
from screening.models import (
    Answer,
    Candidate,
    Erasure,
    Evaluation,
    LLMCall,
    Note,
    QuestionSuggestion,
    Response,
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
]


def admin_url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


@pytest.fixture
def rows_a(company):
    return build_tenant(company, "acme")


@pytest.fixture
def rows_b(other_company):
    return build_tenant(other_company, "globex")


@pytest.fixture
def staff(company):
    user = UserFactory(company=company, role=Role.RECRUITER, email="staff@acme.test", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(email="root@smartbot.test", company=None, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_staff_changelist_lists_only_their_company(staff_client, rows_a, rows_b, model):
    page = staff_client.get(admin_url(model, "changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [rows_a[model]]


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_superuser_changelist_lists_every_company(superuser_client, rows_a, rows_b, model):
    page = superuser_client.get(admin_url(model, "changelist"))
    assert page.status_code == 200
    assert set(page.context["cl"].queryset) == {rows_a[model], rows_b[model]}


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_staff_opens_their_own_change_page(staff_client, rows_a, model):
    assert staff_client.get(admin_url(model, "change", rows_a[model].pk)).status_code == 200


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_other_company_pages_are_not_found(staff_client, rows_a, rows_b, model, view):
    page = staff_client.get(admin_url(model, view, rows_b[model].pk))
    if model is Erasure and view == "delete":
        # Nobody deletes an audit record: 403 for every id, own or not, so it tells nothing either.
        assert page.status_code == 403
        return
    # The admin answers a missing object with a redirect to its index ("doesn't exist").
    assert page.status_code in (302, 404)
    if page.status_code == 302:
        assert page.url == reverse("admin:index")


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_bulk_delete_of_other_company_rows_deletes_nothing(staff_client, rows_a, rows_b, model):
    staff_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [rows_b[model].pk], "post": "yes"},
    )
    assert model.objects.filter(pk=rows_b[model].pk).exists()


def test_staff_post_to_other_company_vacancy_changes_nothing(staff_client, rows_a, rows_b):
    vacancy = rows_b[Vacancy]
    staff_client.post(admin_url(Vacancy, "change", vacancy.pk), {"title": "Hacked"})
    vacancy.refresh_from_db()
    assert vacancy.title == "Vacancy globex"


# --- foreign-key choices ---------------------------------------------------------------------------------------


def form_choices(client, model, field, obj=None):
    url = admin_url(model, "change", obj.pk) if obj else admin_url(model, "add")
    page = client.get(url)
    assert page.status_code == 200
    return set(page.context["adminform"].form.fields[field].queryset)


def test_vacancy_form_offers_only_their_company_and_colleagues(staff_client, staff, rows_a, rows_b, company):
    outsider = UserFactory(company=rows_b[Vacancy].company)
    assert form_choices(staff_client, Vacancy, "company") == {company}
    users = form_choices(staff_client, Vacancy, "created_by")
    assert staff in users
    assert outsider not in users
    assert all(user.company_id == company.pk for user in users)


def test_response_form_offers_only_their_vacancies_and_candidates(staff_client, rows_a, rows_b):
    assert form_choices(staff_client, Response, "vacancy") == {rows_a[Vacancy]}
    assert form_choices(staff_client, Response, "candidate") == {rows_a[Candidate]}


def test_question_form_offers_only_their_vacancies(staff_client, rows_a, rows_b):
    assert form_choices(staff_client, ScreeningQuestion, "vacancy") == {rows_a[Vacancy]}
    assert form_choices(staff_client, ScreeningQuestion, "vacancy", rows_a[ScreeningQuestion]) == {rows_a[Vacancy]}


@pytest.mark.parametrize(
    ("model", "field", "related"),
    [
        (Answer, "response", Response),
        (Answer, "question", ScreeningQuestion),
        (Note, "response", Response),
        (Evaluation, "response", Response),
        (QuestionSuggestion, "vacancy", Vacancy),
        (WebhookDelivery, "endpoint", WebhookEndpoint),
        (ChatSession, "response", Response),
        (ChatMessage, "session", ChatSession),
        (ChatMessage, "question", ScreeningQuestion),
    ],
)
def test_other_forms_offer_only_their_rows(staff_client, rows_a, rows_b, model, field, related):
    assert form_choices(staff_client, model, field) == {rows_a[related]}


def test_superuser_forms_offer_every_company(superuser_client, rows_a, rows_b):
    assert form_choices(superuser_client, Response, "vacancy") == {rows_a[Vacancy], rows_b[Vacancy]}


def test_autocomplete_offers_only_their_rows(staff_client, rows_a, rows_b):
    page = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "screening", "model_name": "response", "field_name": "vacancy", "term": "Vacancy"},
    )
    assert page.status_code == 200
    assert [item["text"] for item in page.json()["results"]] == ["Vacancy acme"]


def test_choosing_another_company_vacancy_is_refused(staff_client, rows_a, rows_b):
    page = staff_client.post(
        admin_url(ScreeningQuestion, "add"),
        {"vacancy": rows_b[Vacancy].pk, "text": "Sneaky?", "kind": "text", "position": 1, "weight": 1},
    )
    assert page.status_code == 200
    assert "vacancy" in page.context["adminform"].form.errors
    assert not ScreeningQuestion.objects.filter(text="Sneaky?").exists()


def test_staff_saves_into_their_own_company(staff_client, staff, company):
    page = staff_client.post(
        admin_url(Candidate, "add"),
        {"company": company.pk, "full_name": "Ivan Ivanov", "email": "ivan@example.org"},
    )
    assert page.status_code == 302
    assert Candidate.objects.get(email="ivan@example.org").company == company


def _vacancy_with_one_question(company, **question) -> dict:
    """The admin's add-vacancy form with one inline number question (``question`` overrides its fields)."""
    fields = {"position": 1, "text": "Years of Python?", "kind": "number", "options": "[]", "allowed_options": "[]"}
    return {
        "company": company.pk,
        "title": "Backend developer",
        "slug": "backend-developer",
        "language": "en",
        "pass_threshold": 60,
        "employment_type": "full_time",
        "salary_currency": "RUB",
        "questions-TOTAL_FORMS": 1,
        "questions-INITIAL_FORMS": 0,
        **{f"questions-0-{name}": value for name, value in (fields | question).items()},
    }


def test_vacancy_with_question_inline_is_created_by_the_staff_user(staff_client, staff, company):
    page = staff_client.post(
        admin_url(Vacancy, "add"),
        _vacancy_with_one_question(company, knockout="at_least", knockout_value="3", weight=2, required="on"),
    )
    assert page.status_code == 302, page.context["adminform"].form.errors if page.context else page
    vacancy = Vacancy.objects.get(slug="backend-developer")
    assert (vacancy.company, vacancy.created_by, vacancy.status) == (company, staff, "draft")
    assert vacancy.questions.get().knockout == "at_least"


def test_question_inline_uses_the_rule_validation(staff_client, company):
    page = staff_client.post(
        admin_url(Vacancy, "add"), _vacancy_with_one_question(company, knockout="one_of", knockout_value="", weight=1)
    )
    assert page.status_code == 200
    assert not Vacancy.objects.filter(slug="backend-developer").exists()


# --- actions ---------------------------------------------------------------------------------------------------


def test_publish_and_close_actions_go_through_the_services(staff_client, rows_a, rows_b):
    mine, theirs = rows_a[Vacancy], rows_b[Vacancy]
    url = admin_url(Vacancy, "changelist")
    staff_client.post(url, {"action": "publish", "_selected_action": [mine.pk, theirs.pk]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("open", "draft")
    assert mine.published_at is not None
    staff_client.post(url, {"action": "close", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == "closed"


def test_closing_a_draft_is_refused_with_a_message(staff_client, rows_a):
    page = staff_client.post(
        admin_url(Vacancy, "changelist"), {"action": "close", "_selected_action": [rows_a[Vacancy].pk]}, follow=True
    )
    rows_a[Vacancy].refresh_from_db()
    assert rows_a[Vacancy].status == "draft"
    assert [str(m) for m in page.context["messages"]] == ["Vacancy acme: Only an open vacancy can be closed."]


def test_reevaluate_action_queues_an_evaluation_for_each_own_finished_response(
    staff_client, company, rows_a, rows_b, django_capture_on_commit_callbacks, monkeypatch
):
    from screening import tasks

    Response.objects.filter(pk__in=[rows_a[Response].pk, rows_b[Response].pk]).update(status="passed")
    Evaluation.objects.update(status="done")  # a queued (pending) one is refused: it is about to run
    second = ResponseFactory(vacancy=rows_a[Vacancy], status="rejected")
    unfinished = ResponseFactory(vacancy=rows_a[Vacancy], status="in_chat")
    calls = []
    monkeypatch.setattr(tasks.evaluate_response, "delay", lambda *args, **kw: calls.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        page = staff_client.post(
            admin_url(Response, "changelist"),
            {
                "action": "reevaluate",
                "_selected_action": [rows_a[Response].pk, second.pk, unfinished.pk, rows_b[Response].pk],
            },
            follow=True,
        )
    assert sorted(calls) == sorted([rows_a[Response].pk, second.pk])
    texts = [str(m) for m in page.context["messages"]]
    assert "Evaluation queued for 2 responses." in texts
    assert any("not finished" in text for text in texts)


def test_response_page_shows_answers_history_notes_and_transcript(staff_client, rows_a):
    ChatMessage.objects.create(session=rows_a[ChatSession], sender="candidate", text="<b>I am</b> ready")
    page = staff_client.get(admin_url(Response, "change", rows_a[Response].pk))
    html = page.content.decode()
    assert "answer acme" in html
    assert "note acme" in html
    assert "hello acme" in html
    assert "&lt;b&gt;I am&lt;/b&gt; ready" in html
    assert "<b>I am</b>" not in html


def test_staff_without_company_sees_nothing(client, rows_a):
    user = UserFactory(company=None, is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    page = client.get(admin_url(Response, "changelist"))
    assert list(page.context["cl"].queryset) == []


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(staff_client, company, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build_tenant(company, "one")
    url = admin_url(model, "changelist")
    staff_client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    for tag in ("two", "three", "four"):
        build_tenant(company, tag)
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(url)
    assert page.context["cl"].result_count == 4
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_deleting_a_candidate_in_the_admin_is_the_erasure_with_its_record(staff_client, staff, rows_a):
    candidate = rows_a[Candidate]
    page = staff_client.post(admin_url(Candidate, "delete", candidate.pk), {"post": "yes"})
    assert page.status_code == 302
    response = Response.objects.get(pk=rows_a[Response].pk)  # the tombstone stays for the counts
    assert response.is_erased and response.full_name == "" and not response.notes.exists()
    assert Candidate.objects.get(pk=candidate.pk).erased_at is not None
    record = Erasure.objects.get(candidate_id_erased=candidate.pk)
    assert (record.reason, record.actor, record.applications) == (Erasure.Reason.OWNER, staff, 1)


def test_erasure_records_are_read_only_in_the_admin(staff_client, rows_a):
    record = rows_a[Erasure]
    page = staff_client.post(admin_url(Erasure, "change", record.pk), {"reason": "candidate"})
    assert page.status_code == 403
    assert staff_client.get(admin_url(Erasure, "add")).status_code == 403
    assert Erasure.objects.get(pk=record.pk).reason == Erasure.Reason.OWNER
