"""Each audited action writes exactly one entry, with ids and statuses and no candidate's data."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEntry
from chat import services as chat_services
from screening.models import Response
from screening.services import candidate_erase, response_change_status
from screening.tests.factories import ResponseFactory
from vacancies import services as vacancy_services
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

PASSWORD = "pass-w0rd-123"


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


@pytest.fixture
def response(company):
    vacancy = VacancyFactory(company=company, title="Python developer", slug="python-developer")
    full_script(vacancy)
    return ResponseFactory(vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org", status="passed")


def test_signing_in_writes_one_login_entry(client, owner):
    client.post(reverse("accounts:login"), {"username": owner.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")
    [entry] = entries("login")
    assert (entry.actor_id, entry.company_id, entry.ip_address) == (owner.pk, owner.company_id, "198.51.100.4")


def test_a_wrong_password_writes_one_refused_entry_for_that_account(client, owner):
    answer = client.post(reverse("accounts:login"), {"username": owner.email, "password": "wrong"})
    assert answer.status_code == 200
    [entry] = entries("login_failed")
    assert (entry.actor_id, entry.target) == (owner.pk, f"user:{owner.pk}")
    assert entries("login") == []


def test_an_unknown_address_writes_nothing(client, owner):
    client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "wrong"})
    assert AuditEntry.objects.count() == 0


def test_signing_out_writes_one_logout_entry(owner_client, owner):
    owner_client.post(reverse("accounts:logout"))
    [entry] = entries("logout")
    assert entry.actor_id == owner.pk


def test_a_settings_change_names_the_fields_that_changed(owner, company):
    services.company_update(
        company=company,
        name="Acme Ltd",
        description=company.description,
        slug=company.slug,
        ai_enabled=company.ai_enabled,
        ai_monthly_budget=company.ai_monthly_budget,
        phone_region=company.phone_region,
        retention_months=12,
        actor=owner,
    )
    [entry] = entries("settings_changed")
    assert entry.details == {"fields": ["name", "retention_months"]}
    assert entry.actor_id == owner.pk


def test_saving_the_same_settings_writes_nothing(owner, company):
    services.company_after_screening_update(company=company, time_zone=company.time_zone, actor=owner)
    assert entries("settings_changed") == []


def test_the_settings_page_writes_one_entry(owner_client, owner, company):
    data = {"name": "Acme Corp", "slug": "acme", "phone_region": "RU", "ai_enabled": "on", "description": ""}
    answer = owner_client.post(reverse("accounts:settings"), data)
    assert answer.status_code == 302, answer.content
    [entry] = entries("settings_changed")
    assert "name" in entry.details["fields"]
    assert entry.actor_id == owner.pk


def test_a_status_change_writes_one_entry_with_ids_and_statuses_only(recruiter, response):
    response_change_status(response=response, to_status=Response.Status.SHORTLISTED, actor=recruiter)
    [entry] = entries("status_changed")
    assert entry.target == f"response:{response.pk}"
    assert entry.details == {
        "response": response.pk,
        "vacancy": response.vacancy_id,
        "from": "passed",
        "to": "shortlisted",
    }
    assert "Anna" not in entry.summary and "anna@" not in json.dumps(entry.details)


def test_a_bulk_step_or_the_candidate_withdrawing_writes_no_status_entry(recruiter, response):
    response_change_status(response=response, to_status="shortlisted", actor=recruiter, audit=False)
    response_change_status(response=response, to_status="withdrawn", actor=None)
    assert entries("status_changed") == []


def test_an_erasure_writes_one_entry_that_names_no_one(owner, response):
    candidate_erase(candidate=response.candidate, reason="candidate", actor=owner)
    [entry] = entries("erasure")
    assert entry.target == f"candidate:{response.candidate_id}"
    assert entry.details["responses"] == [response.pk]
    text = entry.summary + json.dumps(entry.details)
    assert "Anna" not in text and "anna@" not in text


def test_an_erasure_by_the_retention_job_is_logged_as_the_system(response):
    candidate_erase(candidate=response.candidate, reason="retention")
    [entry] = entries("erasure")
    assert (entry.actor_id, entry.actor_name) == (None, "")


def test_taking_a_chat_over_writes_one_entry(recruiter, response):
    Response.objects.filter(pk=response.pk).update(status=Response.Status.NEW)
    fresh = Response.objects.select_related("vacancy", "candidate").get(pk=response.pk)
    ctx, _snapshot = chat_services.chat_open(response=fresh, connect=True)
    chat_services.chat_takeover(ctx=ctx, user=recruiter)
    chat_services.chat_takeover(ctx=ctx, user=recruiter)  # idempotent: no second entry
    [entry] = entries("takeover")
    assert (entry.actor_id, entry.target) == (recruiter.pk, f"response:{response.pk}")


def test_adding_editing_and_removing_a_question_each_write_one_entry(recruiter, response):
    vacancy = response.vacancy
    question = vacancy_services.question_add(
        vacancy=vacancy, data={"text": "Do you drive?", "kind": "yes_no"}, user=recruiter
    )
    vacancy_services.question_update(
        question=question, data={"knockout": "must_equal", "knockout_value": "yes"}, user=recruiter
    )
    vacancy_services.question_update(question=question, data={}, user=recruiter)  # nothing changed: no entry
    vacancy_services.question_delete(question=question, user=recruiter)
    changes = [(e.details["added"], e.details["edited"], e.details["removed"]) for e in entries("rules_changed")]
    assert sorted(changes) == sorted([([question.pk], [], []), ([], [question.pk], []), ([], [], [question.pk])])
    assert {e.target for e in entries("rules_changed")} == {f"vacancy:{vacancy.pk}"}


def test_saving_a_script_unchanged_writes_no_rules_entry(recruiter, response):
    vacancy = response.vacancy
    questions = [{"id": q.pk, **{f: getattr(q, f) for f in ("text", "kind")}} for q in vacancy.questions.all()]
    data = {"title": vacancy.title, "questions": questions}
    before = timezone.now() - timedelta(seconds=1)
    vacancy_services.vacancy_save(vacancy=vacancy, company=vacancy.company, user=recruiter, data=data)
    assert not AuditEntry.objects.filter(action="rules_changed", created_at__gte=before).exists()
