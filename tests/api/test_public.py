"""Public API: open vacancies, questions without knockout rules, apply (JSON and multipart), throttling."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from screening.models import Candidate, Response
from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/public/companies/acme/vacancies/"

APPLICATION = {
    "full_name": "Anna Petrova",
    "email": "Anna@Example.org",
    "phone": "+7 900 123-45-67",
    "city": "Moscow",
    "resume_text": "Python developer, 5 years of Django.",
    "consent": True,
}


def test_lists_only_the_company_open_vacancies(anon_api, vacancy, company):
    VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    VacancyFactory(company=company, status=Vacancy.Status.CLOSED)
    VacancyFactory(status=Vacancy.Status.OPEN)  # another company's
    answer = anon_api.get(BASE)
    assert answer.status_code == 200
    assert [v["slug"] for v in answer.json()["results"]] == ["python-developer"]
    assert answer["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_company_is_404(anon_api):
    assert anon_api.get("/api/v1/public/companies/nobody/vacancies/").status_code == 404


def test_a_vacancy_shows_its_question_texts_but_never_the_knockout_rules(anon_api, vacancy):
    answer = anon_api.get(f"{BASE}python-developer/")
    assert answer.status_code == 200
    questions = answer.json()["questions"]
    assert questions[0]["text"] == "Which city do you live in?"
    assert questions[0]["options"] == ["Moscow", "Saint Petersburg", "Kazan"]
    text = answer.content.decode()
    for secret in ("knockout", "allowed_options", "weight", "pass_threshold", "at_least"):
        assert secret not in text


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_drafts_and_closed_vacancies_are_404_and_cannot_be_applied_to(anon_api, company, status):
    VacancyFactory(company=company, slug="hidden", status=status)
    assert anon_api.get(f"{BASE}hidden/").status_code == 404
    assert anon_api.post(f"{BASE}hidden/apply/", APPLICATION, format="json").status_code == 404
    assert not Response.objects.exists()


def test_apply_with_json_returns_the_chat_and_websocket_urls(anon_api, vacancy, settings):
    settings.SITE_URL = "https://jobs.example.com"
    answer = anon_api.post(f"{BASE}python-developer/apply/", APPLICATION, format="json")
    assert answer.status_code == 201, answer.json()
    response = Response.objects.get()
    assert response.source == Response.Source.API
    assert response.candidate.email == "anna@example.org"
    assert answer.json() == {
        "created": True,
        "status": "new",
        "chat_url": f"https://jobs.example.com/chat/{response.token}/",
        "websocket_url": f"wss://jobs.example.com/ws/chat/{response.token}/",
    }


def test_applying_twice_returns_the_same_application(anon_api, vacancy):
    first = anon_api.post(f"{BASE}python-developer/apply/", APPLICATION, format="json")
    again = anon_api.post(f"{BASE}python-developer/apply/", {**APPLICATION, "email": "anna@example.org"}, format="json")
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["chat_url"] == first.json()["chat_url"]
    assert Response.objects.count() == 1


def test_apply_with_a_multipart_resume_file(anon_api, vacancy):
    data = {**APPLICATION, "resume_text": "", "consent": "true"}
    data["resume_file"] = SimpleUploadedFile("cv.txt", b"Senior Python developer, Django, PostgreSQL.", "text/plain")
    answer = anon_api.post(f"{BASE}python-developer/apply/", data, format="multipart")
    assert answer.status_code == 201, answer.json()
    candidate = Candidate.objects.get()
    assert candidate.resume_file.name.endswith(".txt")
    assert "Senior Python developer" in candidate.resume_text


def test_a_resume_file_that_is_not_what_it_claims_is_refused(anon_api, vacancy):
    data = {**APPLICATION, "resume_text": "", "consent": "true"}
    data["resume_file"] = SimpleUploadedFile("cv.pdf", b"this is no pdf", "application/pdf")
    answer = anon_api.post(f"{BASE}python-developer/apply/", data, format="multipart")
    assert answer.status_code == 400
    assert "resume_file" in answer.json()["error"]["fields"]
    assert not Response.objects.exists()


def test_apply_validates_like_the_form(anon_api, vacancy):
    answer = anon_api.post(
        f"{BASE}python-developer/apply/",
        {"full_name": "A", "email": "not-an-email", "phone": "call me", "consent": False},
        format="json",
    )
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    assert {"full_name", "email", "phone", "city", "consent", "resume_text"} <= set(fields)
    assert not Response.objects.exists()


def test_apply_refuses_other_media_types_with_415(anon_api, vacancy):
    answer = anon_api.post(f"{BASE}python-developer/apply/", "<xml/>", content_type="application/xml")
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"


def test_a_stale_token_does_not_break_the_public_endpoints(anon_api, vacancy):
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    assert anon_api.get(BASE).status_code == 200


def test_applications_are_throttled_per_ip_with_retry_after(anon_api, vacancy, monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "public_apply": "2/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    url = f"{BASE}python-developer/apply/"
    for n in range(2):
        assert anon_api.post(url, {**APPLICATION, "email": f"c{n}@example.org"}, format="json").status_code == 201
    refused = anon_api.post(url, {**APPLICATION, "email": "c9@example.org"}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    # Reading is not an application: still allowed.
    assert anon_api.get(f"{BASE}python-developer/").status_code == 200
    # Another address has its own allowance.
    other = anon_api.post(url, {**APPLICATION, "email": "c8@example.org"}, format="json", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 201
