"""Public careers pages, the apply form, the chat page and its no-JavaScript fallback, the recruiter's forms."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chat.models import ChatMessage, ChatSession
from screening.models import Answer, Candidate, Response
from screening.resume import MAX_RESUME_BYTES
from screening.tests.test_resume import make_docx, make_pdf
from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _form(**overrides):
    data = {
        "full_name": "Anna Petrova",
        "email": "Anna@Example.org",
        "phone": "+7 900 123-45-67",
        "city": "Moscow",
        "resume_text": "Python developer, 5 years of Django.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _apply(client, vacancy, **overrides):
    return client.post(reverse("chat:vacancy", args=[vacancy.company.slug, vacancy.slug]), _form(**overrides))


# Careers page ------------------------------------------------------------------------------------


def test_careers_page_lists_only_open_vacancies(client, company, vacancy):
    VacancyFactory(company=company, title="Secret draft", status=Vacancy.Status.DRAFT)
    VacancyFactory(company=company, title="Old closed", status=Vacancy.Status.CLOSED)
    VacancyFactory(title="Someone else's job")
    page = client.get(reverse("chat:careers", args=[company.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Python developer" in body
    assert "Secret draft" not in body and "Old closed" not in body and "Someone else" not in body


def test_careers_page_of_an_unknown_company_is_404(client, db):
    assert client.get(reverse("chat:careers", args=["nobody"])).status_code == 404


def test_vacancy_page_shows_the_description_form_and_consent_text(client, vacancy):
    page = client.get(vacancy.get_public_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Build our product." in body
    assert 'name="resume_file"' in body and 'name="consent"' in body
    assert "processes my personal data" in body
    assert 'class="honeypot"' in body


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_draft_and_closed_vacancies_are_404_and_take_no_applications(client, company, status):
    vacancy = VacancyFactory(company=company, status=status)
    assert client.get(vacancy.get_public_url()).status_code == 404
    assert _apply(client, vacancy).status_code == 404
    assert not Response.objects.exists()


# Applying ----------------------------------------------------------------------------------------


def test_applying_stores_the_candidate_with_consent_and_opens_the_chat(client, vacancy, settings):
    page = _apply(client, vacancy)
    response = Response.objects.get()
    assert page.status_code == 302 and page.url == reverse("chat:candidate", args=[response.token])
    candidate = response.candidate
    assert candidate.email == "anna@example.org"
    assert candidate.consent_version == settings.CONSENT_TEXT_VERSION
    assert candidate.consent_at is not None
    assert candidate.resume_text == "Python developer, 5 years of Django."

    chat = client.get(page.url)
    assert chat.status_code == 200
    body = chat.content.decode()
    assert "Hi, Anna!" in body and "Which city do you live in?" in body
    assert f'data-ws-path="/ws/chat/{response.token}/"' in body


def test_applying_twice_with_one_email_returns_the_same_response_and_chat(client, vacancy):
    first = _apply(client, vacancy)
    second = _apply(client, vacancy, email="anna@example.org ", full_name="Anna P.")
    assert first.url == second.url
    assert Response.objects.count() == 1 and Candidate.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", ""),
        ("full_name", "A"),
        ("email", "not-an-email"),
        ("email", ""),
        ("phone", "call me"),
        ("phone", ""),
        ("city", ""),
        ("resume_text", ""),
        ("consent", None),
    ],
)
def test_bad_input_gets_a_field_error_and_nothing_is_saved(client, vacancy, field, value):
    page = _apply(client, vacancy, **{field: value})
    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert not Candidate.objects.exists() and not Response.objects.exists()


def test_a_resume_file_is_extracted(client, vacancy):
    upload = SimpleUploadedFile("cv.docx", make_docx("Senior Django developer"))
    page = _apply(client, vacancy, resume_text="", resume_file=upload)
    assert page.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.resume_text == "Senior Django developer"
    assert candidate.resume_file.name.endswith(".docx")
    candidate.resume_file.delete(save=False)


def test_a_pdf_resume_is_extracted(client, vacancy):
    upload = SimpleUploadedFile("cv.pdf", make_pdf("Python and PostgreSQL"))
    assert _apply(client, vacancy, resume_text="", resume_file=upload).status_code == 302
    candidate = Candidate.objects.get()
    assert "Python and PostgreSQL" in candidate.resume_text
    candidate.resume_file.delete(save=False)


def test_a_pdf_that_is_really_text_is_refused(client, vacancy):
    upload = SimpleUploadedFile("cv.pdf", b"I am plain text with a .pdf name")
    page = _apply(client, vacancy, resume_file=upload)
    assert page.status_code == 400
    assert "does not match" in str(page.context["form"].errors["resume_file"])
    assert not Candidate.objects.exists()


def test_a_file_over_5_mb_is_refused(client, vacancy):
    upload = SimpleUploadedFile("cv.txt", b"a" * (MAX_RESUME_BYTES + 1))
    page = _apply(client, vacancy, resume_file=upload)
    assert page.status_code == 400
    assert "5 MB" in str(page.context["form"].errors["resume_file"])
    assert not Candidate.objects.exists()


def test_the_honeypot_stores_nothing(client, vacancy):
    page = _apply(client, vacancy, website="http://spam.example")
    assert page.status_code == 200
    assert not Candidate.objects.exists()


def test_too_many_applications_from_one_ip_get_429(client, vacancy, settings):
    settings.APPLY_RATE_LIMIT = "3/h"
    for n in range(3):
        assert _apply(client, vacancy, email=f"person{n}@example.org").status_code == 302
    page = _apply(client, vacancy, email="person9@example.org")
    assert page.status_code == 429
    assert "Too many applications" in page.content.decode()
    assert Response.objects.count() == 3
    # Another address is not affected.
    other = client.post(vacancy.get_public_url(), _form(email="x@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


# The chat page and the no-JS fallback ------------------------------------------------------------


def test_an_unknown_chat_token_is_404(client, db):
    assert client.get(reverse("chat:candidate", args=["x" * 43])).status_code == 404
    assert client.post(reverse("chat:fallback", args=["x" * 43]), {"client_id": "a", "text": "hi"}).status_code == 404


def test_the_fallback_answers_the_whole_script_without_javascript(client, response):
    page = client.get(response.get_chat_url())
    assert 'value="Moscow"' in page.content.decode()  # buttons for the choice question
    url = reverse("chat:fallback", args=[response.token])
    steps = [
        {"text": "Moscow"},
        {"text": "three"},  # words: asked again
        {"text": "3"},
        {"text": "yes"},
        {"choices": ["Django"]},
        {"text": "I built a billing system."},
    ]
    for n, data in enumerate(steps):
        reply = client.post(url, {"client_id": f"form-{n}", **data})
        assert reply.status_code == 302
    response.refresh_from_db()
    assert response.is_screening_finished
    assert Answer.objects.filter(response=response).count() == 5
    page = client.get(response.get_chat_url()).content.decode()
    assert "Please answer with a number" in page
    assert "The chat is finished" in page and 'name="text"' not in page


def test_a_double_submitted_form_is_written_once(client, response):
    client.get(response.get_chat_url())
    url = reverse("chat:fallback", args=[response.token])
    client.post(url, {"client_id": "same", "text": "Moscow"})
    count = ChatMessage.objects.count()
    client.post(url, {"client_id": "same", "text": "Moscow"})
    assert ChatMessage.objects.count() == count


def test_the_chat_page_escapes_html(client, response):
    client.get(response.get_chat_url())
    client.post(reverse("chat:fallback", args=[response.token]), {"client_id": "x1", "text": "<img src=x onerror=1>"})
    body = client.get(response.get_chat_url()).content.decode()
    assert "<img src=x" not in body and "&lt;img src=x onerror=1&gt;" in body


def test_a_fallback_message_over_4000_characters_is_refused(client, response):
    client.get(response.get_chat_url())
    reply = client.post(reverse("chat:fallback", args=[response.token]), {"client_id": "x", "text": "a" * 4001})
    assert reply.status_code == 302
    assert not ChatMessage.objects.filter(sender="candidate").exists()


# The recruiter's forms ---------------------------------------------------------------------------


def _open_chat(client, response):
    client.get(response.get_chat_url())
    return ChatSession.objects.get(response=response)


def test_a_recruiter_takes_over_writes_and_hands_back_with_forms(client, recruiter_client, response, recruiter):
    session = _open_chat(client, response)
    recruiter_client.post(reverse("chat:takeover", args=[response.pk]))
    session.refresh_from_db()
    assert session.taken_over_by == recruiter
    recruiter_client.post(reverse("chat:recruiter_send", args=[response.pk]), {"client_id": "r1", "text": "Hello!"})
    assert ChatMessage.objects.filter(sender="recruiter", text="Hello!", author=recruiter).exists()
    recruiter_client.post(reverse("chat:handback", args=[response.pk]))
    session.refresh_from_db()
    assert session.taken_over_by is None
    assert ChatMessage.objects.filter(text__startswith="Let's continue.").exists()


def test_a_viewer_cannot_take_over(client, viewer_client, response):
    session = _open_chat(client, response)
    assert viewer_client.post(reverse("chat:takeover", args=[response.pk])).status_code == 403
    session.refresh_from_db()
    assert session.taken_over_by is None


def test_an_outsider_gets_404_and_nothing_changes(client, outsider_client, response):
    session = _open_chat(client, response)
    assert outsider_client.post(reverse("chat:takeover", args=[response.pk])).status_code == 404
    session.refresh_from_db()
    assert session.taken_over_by is None


def test_the_response_page_shows_the_live_transcript_with_controls(client, recruiter_client, response):
    _open_chat(client, response)
    page = recruiter_client.get(response.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="recruiter-chat"' in body and "Take over" in body
    assert "Which city do you live in?" in body


def test_the_chat_page_may_be_embedded_in_an_iframe_but_the_workspace_may_not(client, response, owner_client):
    assert "X-Frame-Options" not in client.get(response.get_chat_url())
    assert owner_client.get(reverse("vacancies:list"))["X-Frame-Options"] == "DENY"
