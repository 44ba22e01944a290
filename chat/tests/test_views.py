"""Public careers pages, the apply form, the chat page and its no-JavaScript fallback, the recruiter's forms."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from screening.models import Answer, Candidate, ChatMessage, ChatSession, Response
from screening.tests.test_resume import make_docx, make_pdf, text_ops
from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

CHECK_INBOX = "Check your inbox to continue"


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


@pytest.fixture
def apply(client, django_capture_on_commit_callbacks):
    """POST the apply form (``_form`` with ``overrides``) and run what waits for the commit: the email is sent."""

    def post(vacancy, *, by=None, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return (by or client).post(
                reverse("chat:vacancy", args=[vacancy.company.slug, vacancy.slug]), _form(**overrides)
            )

    return post


def _without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)


def _path(url: str) -> str:
    return url.removeprefix(django_settings.SITE_URL)


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
    assert 'name="ai_consent"' in body and 'name="talent_pool_consent"' in body
    assert "processes my personal data" in body
    assert 'class="honeypot"' in body


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_draft_and_closed_vacancies_are_404_and_take_no_applications(client, apply, company, status, mailoutbox):
    vacancy = VacancyFactory(company=company, status=status)
    assert client.get(vacancy.get_public_url()).status_code == 404
    assert apply(vacancy).status_code == 404
    assert not Response.objects.exists()
    assert mailoutbox == []


# A vacancy that is not open: a page that says so and leads on, not a bare 404 ---------------------------------


def _open_links(body: str, company) -> list[str]:
    return re.findall(rf'<h3><a href="/careers/{company.slug}/([^/"]+)/">', body)


def test_a_closed_vacancys_link_says_it_is_closed_and_lists_the_companys_open_ones(client, company, vacancy):
    closed = VacancyFactory(
        company=company, title="Go developer", status=Vacancy.Status.CLOSED, published_at=timezone.now()
    )
    VacancyFactory(company=company, title="Secret draft", status=Vacancy.Status.DRAFT)
    VacancyFactory(title="Someone else's job")
    page = client.get(closed.get_public_url())
    assert page.status_code == 404
    assertTemplateUsed(page, "chat/vacancy_closed.html")
    body = page.content.decode()
    assert "This vacancy is closed" in body and "no longer taking applications for “Go developer”" in body
    assert _open_links(body, company) == [vacancy.slug]
    assert "Secret draft" not in body and "Someone else" not in body
    assert 'name="full_name"' not in body  # no apply form


@pytest.mark.parametrize("case", ["never published draft", "deleted"])
def test_a_draft_or_deleted_vacancys_link_gets_the_closed_page_without_naming_it(client, company, vacancy, case):
    if case == "deleted":
        url = reverse("chat:vacancy", args=[company.slug, "gone-for-good"])
    else:
        url = VacancyFactory(company=company, title="Secret draft", status=Vacancy.Status.DRAFT).get_public_url()
    page = client.get(url)
    assert page.status_code == 404
    assertTemplateUsed(page, "chat/vacancy_closed.html")
    body = page.content.decode()
    assert "Secret draft" not in body and "not taking applications at this address" in body
    assert "No open vacancy at this address" in body and "This vacancy is closed" not in body
    assert _open_links(body, company) == [vacancy.slug]


def test_a_closed_page_of_a_company_with_nothing_open_says_so(client, company):
    closed = VacancyFactory(company=company, status=Vacancy.Status.CLOSED, published_at=timezone.now())
    page = client.get(closed.get_public_url())
    assert page.status_code == 404 and "There are no open vacancies right now" in page.content.decode()


def test_applying_to_or_asking_a_link_for_a_closed_vacancy_gets_the_closed_page(client, apply, company, mailoutbox):
    closed = VacancyFactory(company=company, status=Vacancy.Status.CLOSED, published_at=timezone.now())
    for page in (
        apply(closed),
        client.post(reverse("chat:link_request", args=[company.slug, closed.slug]), {"link-email": "a@example.org"}),
    ):
        assert page.status_code == 404
        assertTemplateUsed(page, "chat/vacancy_closed.html")
    assert not Response.objects.exists() and mailoutbox == []


def test_a_vacancy_link_of_an_unknown_company_stays_a_plain_404(client, db):
    page = client.get(reverse("chat:vacancy", args=["nobody", "python-developer"]))
    assert page.status_code == 404
    assert "chat/vacancy_closed.html" not in [t.name for t in page.templates]


# Applying ----------------------------------------------------------------------------------------


def test_applying_stores_the_application_and_mails_the_private_link_to_the_typed_address(
    client, apply, vacancy, mailoutbox
):
    page = apply(vacancy)

    assert page.status_code == 200
    assertTemplateUsed(page, "chat/applied.html")
    body = page.content.decode()
    assert CHECK_INBOX in body
    response = Response.objects.get()
    assert response.token not in body  # the link is for the mailbox only
    # The profile is only the normalised key; the application keeps what was typed.
    assert (response.candidate.company, response.candidate.email) == (vacancy.company, "anna@example.org")
    assert (response.full_name, response.email, response.city) == ("Anna Petrova", "Anna@Example.org", "Moscow")
    assert (response.phone, response.phone_e164) == ("+7 900 123-45-67", "+79001234567")
    assert response.resume_text == "Python developer, 5 years of Django."
    assert response.consent_version == django_settings.CONSENT_TEXT_VERSION == "2026-11-30"
    assert response.consent_at is not None
    assert (response.ai_consent_at, response.talent_pool_consent_at) == (None, None)

    [mail] = mailoutbox
    assert mail.to == ["Anna@Example.org"]
    assert mail.subject.startswith("Your application:")
    chat_url = f"/chat/{response.token}/"
    assert chat_url in mail.body
    assert f"/chat/{response.token}/application/" in mail.body

    # The link in the mailbox opens the chat.
    [link] = [url for url in re.findall(r"\S+", mail.body) if url.endswith(chat_url)]
    chat = client.get(_path(link))
    assert chat.status_code == 200
    body = chat.content.decode()
    assert "Hi, Anna!" in body and "Which city do you live in?" in body
    assert f'data-ws-path="/ws/chat/{response.token}/"' in body


def test_the_optional_consents_are_stored_when_ticked(apply, vacancy):
    apply(vacancy, ai_consent="on", talent_pool_consent="on")

    response = Response.objects.get()
    assert response.ai_allowed is True
    assert response.ai_consent_at == response.consent_at
    assert response.talent_pool_consent_at == response.consent_at


@pytest.mark.parametrize(
    ("first_email", "again_email"),
    [
        ("Anna@Example.org", "anna@example.org "),
        ("Anna@Example.org", "ANNA@EXAMPLE.ORG"),
        ("anna@пример.рф", "ANNA@xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_applying_again_with_a_known_email_reveals_nothing_and_mails_the_link_to_that_address(
    apply, vacancy, mailoutbox, first_email, again_email
):
    first_page = apply(vacancy, email=first_email)
    first = Response.objects.get()
    before = Response.objects.values().get()

    again_page = apply(
        vacancy, email=again_email, full_name="Anna P.", phone="8 (900) 765-43-21", resume_text="Someone else's resume"
    )

    # The same answer, to the byte, as for a new email: nothing tells that this address applied before.
    assert again_page.status_code == first_page.status_code == 200
    assert _without_csrf_token(again_page.content.decode()) == _without_csrf_token(first_page.content.decode())
    # Nothing was created or changed: the first application keeps its own data.
    assert Response.objects.count() == 1 and Candidate.objects.count() == 1
    assert Response.objects.values().get() == before
    assert (before["full_name"], before["phone"], before["resume_text"]) == (
        "Anna Petrova",
        "+7 900 123-45-67",
        "Python developer, 5 years of Django.",
    )
    # The link of the existing application went to that mailbox, and only there.
    received, link = mailoutbox
    assert received.subject.startswith("Your application:")
    assert link.subject.startswith("The link to your application")
    assert link.to == received.to == [first_email]
    assert f"/chat/{first.token}/" in link.body
    assert f"/chat/{first.token}/application/" in link.body


def test_two_applications_of_one_person_keep_their_own_data_and_a_shared_phone_is_a_possible_duplicate(
    apply, owner_client, company, vacancy, mailoutbox
):
    candidate = Client()
    data_engineer = VacancyFactory(company=company, title="Data engineer", slug="data-engineer")
    apply(vacancy, by=candidate, email="anna@example.org", phone="+7 900 123-45-67", resume_text="Django developer")
    apply(
        data_engineer,
        by=candidate,
        email="Anna@Example.ORG",
        full_name="Anna P. Petrova",
        phone="8 (900) 765-43-21",
        resume_text="Data engineer: Spark, Airflow",
    )
    # Another email, the first application's phone typed another way: maybe the same person, never merged.
    apply(
        vacancy,
        by=candidate,
        email="a.petrova@work.example",
        full_name="A. Petrova",
        phone="8 900 123 45 67",
        resume_text="Backend developer",
    )

    python_job = Response.objects.get(vacancy=vacancy, email="anna@example.org")
    data_job = Response.objects.get(vacancy=data_engineer)
    other_email = Response.objects.get(vacancy=vacancy, email="a.petrova@work.example")
    assert python_job.candidate_id == data_job.candidate_id != other_email.candidate_id
    assert Candidate.objects.count() == 2
    assert (python_job.full_name, python_job.phone, python_job.resume_text) == (
        "Anna Petrova",
        "+7 900 123-45-67",
        "Django developer",
    )
    assert (data_job.full_name, data_job.email, data_job.phone, data_job.resume_text) == (
        "Anna P. Petrova",
        "Anna@Example.ORG",
        "8 (900) 765-43-21",
        "Data engineer: Spark, Airflow",
    )
    assert python_job.phone_e164 == other_email.phone_e164 == "+79001234567"
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Your application"] * 3

    page = owner_client.get(python_job.get_absolute_url()).content.decode()
    duplicates = page.split('id="possible-duplicates"', 1)[1].split("</div>", 1)[0]
    assert "Possible duplicate" in duplicates
    assert other_email.get_absolute_url() in duplicates and "a.petrova@work.example" in duplicates
    others = page.split('id="other-applications"', 1)[1].split("</div>", 1)[0]
    assert data_job.get_absolute_url() in others and "Data engineer" in others

    page = owner_client.get(other_email.get_absolute_url()).content.decode()
    assert "Possible duplicate" in page and python_job.get_absolute_url() in page
    # The other application of the same person has its own phone: no duplicate there.
    page = owner_client.get(data_job.get_absolute_url()).content.decode()
    assert "Possible duplicate" not in page and "Anna P. Petrova" in page


def test_a_phone_without_country_code_is_read_in_the_companys_region(apply, company, vacancy):
    company.phone_region = "KZ"
    company.save()

    assert apply(vacancy, phone="8 (701) 123-45-67").status_code == 200

    assert Response.objects.get().phone_e164 == "+77011234567"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", ""),
        ("full_name", "A"),
        ("email", "not-an-email"),
        ("email", ""),
        ("phone", "call me"),
        ("phone", "+7 900"),
        ("phone", "+7 000 000-00-00"),
        ("phone", ""),
        ("city", ""),
        ("resume_text", ""),
        ("consent", None),
    ],
)
def test_bad_input_gets_a_field_error_and_nothing_is_saved(apply, vacancy, field, value, mailoutbox):
    page = apply(vacancy, **{field: value})
    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert CHECK_INBOX not in page.content.decode()
    assert not Candidate.objects.exists() and not Response.objects.exists()
    assert mailoutbox == []


def test_a_resume_file_is_extracted(apply, vacancy):
    upload = SimpleUploadedFile("cv.docx", make_docx("Senior Django developer"))
    page = apply(vacancy, resume_text="", resume_file=upload)
    assert page.status_code == 200 and CHECK_INBOX in page.content.decode()
    response = Response.objects.get()
    assert response.resume_text == "Senior Django developer"
    assert response.resume_hidden_text == ""
    assert response.resume_file.name.endswith(".docx")
    response.resume_file.delete(save=False)


def test_a_pdf_resume_is_extracted(apply, vacancy):
    upload = SimpleUploadedFile("cv.pdf", make_pdf(text_ops("Python and PostgreSQL")))
    assert apply(vacancy, resume_text="", resume_file=upload).status_code == 200
    response = Response.objects.get()
    assert "Python and PostgreSQL" in response.resume_text
    response.resume_file.delete(save=False)


def test_text_a_person_cannot_see_in_the_file_is_kept_apart_from_the_resume(apply, vacancy):
    ops = text_ops("Anna Petrova, junior developer") + "1 1 1 rg " + text_ops("Kubernetes Terraform", y=600)
    upload = SimpleUploadedFile("cv.pdf", make_pdf(ops))
    assert apply(vacancy, resume_text="", resume_file=upload).status_code == 200
    response = Response.objects.get()
    assert response.resume_text == "Anna Petrova, junior developer"
    assert response.resume_hidden_text == "Kubernetes Terraform"
    response.resume_file.delete(save=False)


def test_a_pdf_that_is_really_text_is_refused(apply, vacancy):
    upload = SimpleUploadedFile("cv.pdf", b"I am plain text with a .pdf name")
    page = apply(vacancy, resume_file=upload)
    assert page.status_code == 400
    assert "does not match" in str(page.context["form"].errors["resume_file"])
    assert not Candidate.objects.exists()


def test_a_file_over_5_mb_is_refused(apply, vacancy):
    upload = SimpleUploadedFile("cv.txt", b"a" * (django_settings.RESUME_MAX_BYTES + 1))
    page = apply(vacancy, resume_file=upload)
    assert page.status_code == 400
    assert "5 MB" in str(page.context["form"].errors["resume_file"])
    assert not Candidate.objects.exists()


def test_the_honeypot_answers_like_a_success_but_stores_and_mails_nothing(apply, vacancy, mailoutbox):
    page = apply(vacancy, website="http://spam.example")
    assert page.status_code == 200
    assert CHECK_INBOX in page.content.decode()
    assert not Candidate.objects.exists() and not Response.objects.exists()
    assert mailoutbox == []


def test_too_many_applications_from_one_ip_get_429(client, apply, vacancy, settings, mailoutbox):
    settings.APPLY_RATE_LIMIT = "3/h"
    for n in range(3):
        page = apply(vacancy, email=f"person{n}@example.org")
        assert page.status_code == 200 and CHECK_INBOX in page.content.decode()
    page = apply(vacancy, email="person9@example.org")
    assert page.status_code == 429
    assert "Too many applications" in page.content.decode()
    assert Response.objects.count() == 3
    assert sorted(m.to[0] for m in mailoutbox) == [f"person{n}@example.org" for n in range(3)]
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert apply(vacancy, by=other, email="x@example.org").status_code == 200
    assert Response.objects.filter(email="x@example.org").exists()


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
        {"text": "a lot"},  # no number in it: asked again
        {"text": "3"},
        {"text": "yes"},
        {"choices": ["Django"]},
        {"text": "I built a billing system."},
    ]
    for n, data in enumerate(steps):
        reply = client.post(url, {"client_id": f"form-{n}", **data})
        assert reply.status_code == 302
        assert reply.url == f"{response.get_chat_url()}#chat-form"
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
    assert reply.url == f"{response.get_chat_url()}#chat-form"
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


def test_texts_the_chat_writes_follow_the_vacancys_language_not_the_recruiters(client, recruiter_client, response):
    # The recruiter reads the dashboard in Russian; the vacancy (and the candidate) speak English.
    assert response.vacancy.language == "en"
    _open_chat(client, response)
    recruiter_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    recruiter_client.post(reverse("chat:takeover", args=[response.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    recruiter_client.post(reverse("chat:handback", args=[response.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    system = list(ChatMessage.objects.filter(sender="system").values_list("text", flat=True))
    assert system == ["Roman joined the chat", "Roman left the chat"]
    assert ChatMessage.objects.filter(sender="bot", text__startswith="Let's continue.").exists()


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


def test_the_file_input_tells_the_browser_the_size_limit(client, vacancy, settings):
    body = client.get(vacancy.get_public_url()).content.decode()
    assert f'data-max-bytes="{settings.RESUME_MAX_BYTES}"' in body
    assert 'data-too-large="The file is larger than 5 MB."' in body
