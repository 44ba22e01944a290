"""The apply form keeps a checked resume file across a failed submit, and marks its required fields.

Browsers never send a file back, so after a validation error the page used to ask for it again. Now the
file waits in the storage for one more submit, named by a signed token bound to the vacancy.
"""

import os
import re
import time

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chat import forms as chat_forms
from chat.forms import KEPT_RESUME_DIR, ApplyForm, kept_resume_sweep
from screening.models import Response
from screening.tests.test_resume import make_docx
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

CHECK_INBOX = "Check your inbox to continue"
RESUME = b"Python developer, five years of Django and PostgreSQL."
TOKEN_RE = re.compile(r'<input type="hidden" name="resume_token" value="([^"]+)">')


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


def _form(**overrides):
    data = {
        "full_name": "Anna Petrova",
        "email": "anna@example.org",
        "phone": "+7 900 123-45-67",
        "city": "Moscow",
        "resume_text": "",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(vacancy, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("chat:vacancy", args=[vacancy.company.slug, vacancy.slug]), _form(**overrides))

    return send


def _kept_files() -> list[str]:
    try:
        return default_storage.listdir(KEPT_RESUME_DIR)[1]
    except FileNotFoundError:
        return []


def _token(page) -> str:
    match = TOKEN_RE.search(page.content.decode())
    assert match, "the page carries no resume token"
    return match.group(1)


def test_a_file_chosen_before_a_validation_error_is_kept_and_used_by_the_next_submit(post, vacancy):
    first = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.docx", make_docx("Senior Django dev")))
    assert first.status_code == 400
    assert "phone" in first.context["form"].errors
    body = first.content.decode()
    assert "Kept from your last try: cv.docx. Choose a file only to replace it." in body
    assert len(_kept_files()) == 1

    second = post(vacancy, resume_token=_token(first))
    assert second.status_code == 200 and CHECK_INBOX in second.content.decode()
    response = Response.objects.get()
    assert response.resume_text == "Senior Django dev"
    assert response.resume_file.name.endswith(".docx")
    assert _kept_files() == []  # used once, gone from the waiting room
    response.resume_file.delete(save=False)


def test_a_token_is_good_for_one_submit(post, vacancy):
    first = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.txt", RESUME))
    token = _token(first)
    again = post(vacancy, phone="call me", resume_token=token)
    assert again.status_code == 400
    renewed = _token(again)  # still failing: kept again, under a new token
    assert renewed != token and len(_kept_files()) == 1
    replayed = post(vacancy, resume_token=token)
    assert replayed.status_code == 400
    assert "Paste your resume or upload a file." in str(replayed.context["form"].errors["resume_text"])
    assert not Response.objects.exists()


def test_a_new_file_replaces_the_kept_one(post, vacancy):
    first = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("old.txt", RESUME))
    second = post(vacancy, resume_token=_token(first), resume_file=SimpleUploadedFile("new.txt", b"Go developer."))
    assert second.status_code == 200
    response = Response.objects.get()
    assert response.resume_text == "Go developer."
    assert _kept_files() == []
    response.resume_file.delete(save=False)


def test_a_token_from_another_vacancy_or_tampered_with_names_no_file(post, vacancy, company):
    first = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.txt", RESUME))
    token = _token(first)
    other = VacancyFactory(company=company, slug="other")
    for page in (post(other, resume_token=token), post(vacancy, resume_token=token[:-2] + "xx")):
        assert page.status_code == 400
        assert "resume_text" in page.context["form"].errors
    assert len(_kept_files()) == 1  # neither touched it; its own page can still use it
    assert post(vacancy, resume_token=token).status_code == 200
    Response.objects.get().resume_file.delete(save=False)


def test_an_expired_token_names_no_file(post, vacancy, monkeypatch):
    two_hours_ago = time.time() - 2 * 60 * 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: two_hours_ago)
    first = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.txt", RESUME))
    monkeypatch.undo()
    page = post(vacancy, resume_token=_token(first))
    assert page.status_code == 400 and "resume_text" in page.context["form"].errors


def test_a_kept_file_goes_through_the_upload_checks_again(post, vacancy, settings):
    first = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.txt", RESUME))
    settings.RESUME_MAX_BYTES = 10
    page = post(vacancy, resume_token=_token(first))
    assert page.status_code == 400
    assert "resume_file" in page.context["form"].errors
    assert not Response.objects.exists()


def test_a_refused_file_is_not_kept(post, vacancy):
    page = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.pdf", b"plain text named .pdf"))
    assert page.status_code == 400
    assert "resume_file" in page.context["form"].errors
    assert 'name="resume_token"' not in page.content.decode()
    assert _kept_files() == []


def test_nothing_is_kept_when_the_waiting_room_is_full(post, vacancy, monkeypatch):
    monkeypatch.setattr(chat_forms, "KEPT_RESUME_MAX_FILES", 1)
    post(vacancy, phone="call me", resume_file=SimpleUploadedFile("a.txt", RESUME))
    page = post(vacancy, phone="call me", resume_file=SimpleUploadedFile("b.txt", RESUME))
    assert page.status_code == 400
    assert 'name="resume_token"' not in page.content.decode()
    assert len(_kept_files()) == 1


def test_old_kept_files_are_swept(post, vacancy):
    post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.txt", RESUME))
    (name,) = _kept_files()
    path = default_storage.path(f"{KEPT_RESUME_DIR}/{name}")
    old = time.time() - chat_forms.KEPT_RESUME_SECONDS - 60
    os.utime(path, (old, old))
    assert kept_resume_sweep() == 1
    assert _kept_files() == []


def test_beat_sweeps_kept_files_even_when_nobody_applies_again(post, vacancy, settings):
    from celery import current_app

    from chat import tasks

    post(vacancy, phone="call me", resume_file=SimpleUploadedFile("cv.txt", RESUME))
    (name,) = _kept_files()
    path = default_storage.path(f"{KEPT_RESUME_DIR}/{name}")
    old = time.time() - chat_forms.KEPT_RESUME_SECONDS - 60
    os.utime(path, (old, old))
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-kept-resumes"]
    assert entry["task"] in current_app.tasks and entry["task"] == tasks.sweep_kept_resumes.name
    assert entry["schedule"] <= 3600
    assert tasks.sweep_kept_resumes.apply().get() == 1
    assert _kept_files() == []


def test_the_api_form_neither_keeps_files_nor_reads_tokens(vacancy):
    data = _form(phone="call me")
    form = ApplyForm(data, {"resume_file": SimpleUploadedFile("cv.txt", RESUME)})
    assert not form.is_valid() and form.kept_resume is None
    assert _kept_files() == []
    form = ApplyForm(_form(resume_token="anything"), {})
    assert not form.is_valid() and "resume_text" in form.errors


def test_required_fields_are_marked_and_carry_the_required_attribute(client, vacancy):
    body = client.get(vacancy.get_public_url()).content.decode()
    form = body[body.index('id="apply"') :]
    for name in ("full_name", "email", "phone", "city"):
        assert re.search(rf'<label for="id_{name}" class="is-required">', form), name
        assert re.search(rf'<input [^>]*name="{name}"[^>]*required', form), name
    assert re.search(r'<input type="checkbox" name="consent"[^>]*required', form)
    assert re.search(r'<span class="is-required">I agree that the company processes', form)
    for optional in ("resume_text", "resume_file", "ai_consent", "talent_pool_consent"):
        assert not re.search(rf'name="{optional}"[^>]*required', form), optional
    assert "marks a required field" in form
    assert "novalidate" not in form.split("</form>")[0]
