"""Public API: open vacancies, questions without knockout rules, apply (JSON and multipart), throttling."""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

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
APPLY_URL = f"{BASE}python-developer/apply/"
ACCEPTED = {
    "status": "accepted",
    "message": "Check your inbox: the link to continue was sent to the email address given.",
}


@pytest.fixture
def apply(anon_api, django_capture_on_commit_callbacks):
    """POST an application and run what waits for the commit: the email is sent."""

    def post(data, **extra):
        extra.setdefault("format", "json")
        with django_capture_on_commit_callbacks(execute=True):
            return anon_api.post(APPLY_URL, data, **extra)

    return post


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


def test_apply_with_json_is_accepted_and_the_link_goes_only_to_the_typed_address(apply, vacancy, settings, mailoutbox):
    settings.SITE_URL = "https://jobs.example.com"
    answer = apply(APPLICATION)
    assert answer.status_code == 202, answer.json()
    assert answer.json() == ACCEPTED
    response = Response.objects.get()
    assert response.token not in answer.content.decode()
    assert response.source == Response.Source.API
    assert response.candidate.email == "anna@example.org"
    assert (response.full_name, response.email, response.phone_e164) == (
        "Anna Petrova",
        "Anna@Example.org",
        "+79001234567",
    )
    assert response.consent_version == django_settings.CONSENT_TEXT_VERSION
    assert response.ai_consent_at is None
    [mail] = mailoutbox
    assert mail.to == ["Anna@Example.org"]
    assert mail.subject.startswith("Your application:")
    assert f"https://jobs.example.com/chat/{response.token}/" in mail.body
    assert f"https://jobs.example.com/chat/{response.token}/application/" in mail.body


def test_apply_stores_the_optional_consents_given(apply, vacancy):
    assert apply({**APPLICATION, "ai_consent": True, "talent_pool_consent": True}).status_code == 202
    response = Response.objects.get()
    assert response.ai_allowed is True
    assert response.talent_pool_consent_at is not None


def test_applying_again_with_a_known_email_answers_the_same_changes_nothing_and_mails_the_link(
    apply, vacancy, mailoutbox
):
    first = apply(APPLICATION)
    before = Response.objects.values().get()
    again = apply({**APPLICATION, "email": "ANNA@example.org", "full_name": "Anna P.", "phone": "8 900 765-43-21"})

    assert again.status_code == first.status_code == 202
    assert again.content == first.content
    assert Response.objects.count() == 1 and Candidate.objects.count() == 1
    assert Response.objects.values().get() == before
    received, link = mailoutbox
    assert link.subject.startswith("The link to your application")
    assert link.to == received.to == ["Anna@Example.org"]
    assert f"/chat/{before['token']}/" in link.body


def test_apply_with_a_multipart_resume_file(apply, vacancy):
    data = {**APPLICATION, "resume_text": "", "consent": "true"}
    data["resume_file"] = SimpleUploadedFile("cv.txt", b"Senior Python developer, Django, PostgreSQL.", "text/plain")
    answer = apply(data, format="multipart")
    assert answer.status_code == 202, answer.json()
    assert answer.json() == ACCEPTED
    response = Response.objects.get()
    assert response.resume_file.name.endswith(".txt")
    assert response.resume_text == "Senior Python developer, Django, PostgreSQL."
    response.resume_file.delete(save=False)


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


def test_applications_are_throttled_per_ip_with_retry_after(anon_api, apply, vacancy, settings, mailoutbox):
    settings.APPLY_RATE_LIMIT = "2/h"
    for n in range(2):
        assert apply({**APPLICATION, "email": f"c{n}@example.org"}).status_code == 202
    refused = apply({**APPLICATION, "email": "c9@example.org"})
    assert refused.status_code == 429
    assert not Response.objects.filter(email="c9@example.org").exists()
    assert [m.to for m in mailoutbox] == [["c0@example.org"], ["c1@example.org"]]
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    # Reading is not an application: still allowed.
    assert anon_api.get(f"{BASE}python-developer/").status_code == 200
    # Another address has its own allowance.
    other = apply({**APPLICATION, "email": "c8@example.org"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 202
    assert Response.objects.filter(email="c8@example.org").exists()


def test_a_client_sent_x_forwarded_for_does_not_buy_a_fresh_allowance(apply, vacancy, settings, mailoutbox):
    settings.APPLY_RATE_LIMIT = "2/h"
    answers = [
        apply({**APPLICATION, "email": f"x{n}@example.org"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert answers == [202, 202, 429, 429]
    assert len(mailoutbox) == 2
