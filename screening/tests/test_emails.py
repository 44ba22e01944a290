"""Candidates' emails: templates (defaults and the company's own), placeholders checked at save time, language,
the record of every email and its delivery (retries, then failed and visible), decision and outcome emails."""

from email.mime.base import MIMEBase

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening import emails
from screening.models import EmailTemplate, Response, SentEmail
from screening.services import candidate_apply, response_change_status
from screening.services.emails import candidate_email_send, template_preview, template_reset, template_save
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Python developer")


@pytest.fixture
def anna(vacancy):
    return ResponseFactory(vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org")


# --- the pure part: validation and rendering ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "fragment"),
    [
        ("Hi {first_name}", "Dear {frist_name}", "unknown placeholder {frist_name}"),
        ("Hi", "Dear {first_name.__class__}", "unknown placeholder {first_name.__class__}"),
        ("Hi", "Dear {first_name[0]}", "unknown placeholder {first_name[0]}"),
        ("Hi", "Dear {}", "unknown placeholder {}"),
        ("Hi", "Dear {0}", "unknown placeholder {0}"),
        ("Hi", "Dear {1}, {link}", "unknown placeholder {1}"),
        ("{0.name}", "Dear", "Subject: unknown placeholder {0.name}"),
        ("Hi", "Dear {x[0]}", "unknown placeholder {x[0]}"),
        ("Hi", "Dear {name.attr}", "unknown placeholder {name.attr}"),
        ("Hi", "Dear {!r}", "unknown placeholder {!r}"),
        ("Hi", "Dear {0!r}", "unknown placeholder {0!r}"),
        ("Hi", "Dear {first_name!}", "unknown placeholder {first_name!}"),
        ("Hi", "Dear {first_name!r}", "{first_name!r}: nothing may follow the name"),
        ("Hi", "Dear {vacancy:>30}", "{vacancy:>30}: nothing may follow the name"),
        ("Hi {", "Dear", "without its pair"),
        ("Hi", "Dear }", "without its pair"),
        ("", "Dear", "cannot be empty"),
        ("Hi", "   ", "cannot be empty"),
    ],
)
def test_a_bad_template_is_refused_with_a_clear_message(subject, body, fragment):
    errors = emails.template_validate(subject, body)
    assert any(fragment in error for error in errors), errors


@pytest.mark.parametrize("field", ["{}", "{0}", "{first_name.upper}", "{x[0]}", "{0!r}", "{first_name!}"])
@pytest.mark.parametrize(
    ("language", "wording"),
    [
        ("en", "Body: unknown placeholder {field}. Known ones: {{first_name}}, {{vacancy}}"),
        ("ru", "Текст: неизвестная подстановка {field}. Доступные: {{first_name}}, {{vacancy}}"),
    ],
)
def test_a_positional_or_dotted_placeholder_is_named_with_the_known_ones_in_both_languages(field, language, wording):
    from django.utils import translation

    with translation.override(language):
        (error,) = emails.template_validate("Hi", f"Dear {field} {{link}}")
    assert error.startswith(wording.format(field=field)), error
    assert "{link}" in error and "{message}" in error


def test_every_default_template_is_valid_and_renders_in_both_languages():
    from django.utils import translation

    for key in EmailTemplate.Key.values:
        for language in ("en", "ru"):
            with translation.override(language):
                subject, body = emails.template_default(key)
            assert emails.template_validate(subject, body, key=key) == [], key
            rendered = emails.template_render(subject, body, emails.SAMPLE_CONTEXT)
            assert emails.SAMPLE_CONTEXT["link"] in rendered[1], key  # every email carries the private link
            required = emails.template_required_placeholder(key)
            assert emails.SAMPLE_CONTEXT[required] in rendered[1], key


def test_the_interview_emails_need_the_booking_link_and_the_others_the_private_link():
    booking = {"slots_offered", "booking_confirmed", "booking_cancelled", "interview_reminder"}
    for key in EmailTemplate.Key.values:
        assert emails.template_required_placeholder(key) == ("booking_url" if key in booking else "link"), key


# Values that end in a full stop, as real ones do: "Inc.", Django's English times ("10 a.m."), Russian years ("г.").
DOTTED = {
    "first_name": "Anna",
    "vacancy": "Sr. Python dev.",
    "company": "Acme Inc.",
    "link": "https://x.example/c/t/",
    "booking_url": "https://x.example/c/t/interview/",
    "slot": "Tuesday, 12 May 2026, 10 a.m.",
    "reason": "Not enough exp.",
    "message": "See you at 10 a.m.",
    "outcome": "You passed.",
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_default_email_shows_a_double_full_stop_after_a_value_ending_in_one(language):
    from django.utils import translation

    for key in EmailTemplate.Key.values:
        with translation.override(language):
            subject, body = emails.template_default(key)
        for part in emails.template_render(subject, body, DOTTED):
            assert ".." not in part, (key, part)


@pytest.mark.parametrize(
    ("body", "value", "expected"),
    [
        ("Your interview: {slot}.", "Tuesday, 10 a.m.", "Your interview: Tuesday, 10 a.m.\n"),
        ("Собеседование: {slot}.", "12 мая 2026 г.", "Собеседование: 12 мая 2026 г.\n"),
        ("At {slot}. See you.", "10 a.m.", "At 10 a.m. See you.\n"),
        ("At {slot}.", "10:00", "At 10:00.\n"),
        ("At {slot}...", "10 a.m.", "At 10 a.m....\n"),  # the template's own ellipsis stays as written
        ("At {slot}.", "soon...", "At soon...\n"),
        ("At {slot}.", "", "At.\n"),
    ],
)
def test_a_value_ending_in_a_full_stop_takes_the_templates_full_stop(body, value, expected):
    subject, text, html = emails.template_render(body, body, {"slot": value})
    assert text == expected
    assert subject == expected.rstrip("\n")
    assert "<p>" + expected.rstrip("\n") + "</p>" in html


def test_values_are_escaped_in_html_the_link_is_clickable_and_empty_values_leave_no_gap():
    subject, text, html = emails.template_render(
        "For {first_name}, about {vacancy}",
        "Hello {first_name},\n\n{reason}\n\nOpen {link}\nBye",
        {"first_name": "", "vacancy": "<b>Dev</b>", "link": "https://x.example/c/t/?a=1&b=2", "reason": ""},
    )
    assert subject == "For, about <b>Dev</b>"
    assert text == "Hello,\n\nOpen https://x.example/c/t/?a=1&b=2\nBye\n"
    assert "<p>Hello,</p>" in html
    assert '<a href="https://x.example/c/t/?a=1&amp;b=2">' in html
    assert "<br>" in html
    assert "<b>" not in html.split("<body", 1)[1].replace("<br>", "")


def test_an_empty_name_leaves_a_clean_greeting_in_both_languages():
    assert emails.template_render("S", "Hello {first_name},", {})[1] == "Hello,\n"
    assert emails.template_render("S", "Здравствуйте, {first_name}!", {})[1] == "Здравствуйте!\n"
    assert (
        emails.template_render("S", "Здравствуйте, {first_name}!", {"first_name": "Анна"})[1] == "Здравствуйте, Анна!\n"
    )


def test_values_cannot_inject_html():
    _subject, _text, html = emails.template_render("S", "Hi {first_name}", {"first_name": '<script>x</script>"'})
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- sending, recording, retrying ---------------------------------------------------------------------------


def test_applying_sends_the_received_email_through_the_template_and_records_it(
    vacancy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, created = candidate_apply(
            vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org", consent=True
        )
    assert created
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.subject == f"Your application: Python developer at {vacancy.company.name}"
    assert response.get_chat_url() in message.body
    assert message.body.startswith("Hello Anna,")
    html = message.alternatives[0][0]
    assert f'href="http://testserver{response.get_chat_url()}"' in html or response.get_chat_url() in html
    row = SentEmail.objects.get(response=response)
    assert (row.template, row.status, row.attempts, row.to) == ("application_received", "sent", 1, "anna@example.org")
    assert row.sent_at is not None


def test_the_companys_own_wording_is_used_in_the_vacancys_language(company, owner, django_capture_on_commit_callbacks):
    vacancy = VacancyFactory(company=company, title="Разработчик", language="ru")
    response = ResponseFactory(vacancy=vacancy, full_name="Иван Петров", email="ivan@example.org")
    template_save(
        company=company,
        key="chat_reminder",
        language="ru",
        subject="{first_name}, вы не закончили чат: {vacancy}",
        body="Продолжите здесь: {link}",
        actor=owner,
    )
    template_save(company=company, key="chat_reminder", language="en", subject="EN", body="EN {link}", actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        candidate_email_send(response=response, key="chat_reminder")
    assert mail.outbox[0].subject == "Иван, вы не закончили чат: Разработчик"
    assert response.get_chat_url() in mail.outbox[0].body
    assert SentEmail.objects.get().language == "ru"


def test_reset_brings_back_the_default(company, owner, anna, django_capture_on_commit_callbacks):
    template_save(company=company, key="chat_reminder", language="en", subject="Mine", body="{link}", actor=owner)
    assert template_reset(company=company, key="chat_reminder", language="en") is True
    with django_capture_on_commit_callbacks(execute=True):
        candidate_email_send(response=anna, key="chat_reminder")
    assert mail.outbox[0].subject == "Your screening for Python developer is waiting"


def test_a_bad_placeholder_is_refused_at_save_and_nothing_is_stored(company, owner):
    with pytest.raises(ValidationError) as caught:
        template_save(
            company=company,
            key="decision_offer",
            language="en",
            subject="Hi",
            body="{first_name.__class__}",
            actor=owner,
        )
    assert caught.value.messages[0].startswith("Body: unknown placeholder {first_name.__class__}. Known ones:")
    assert not EmailTemplate.objects.exists()


def test_the_preview_uses_sample_values_and_reports_errors(company):
    subject, text, _html, errors = template_preview(
        company=company, key="booking_confirmed", language="en", subject="At {slot}", body="{first_name}: {booking_url}"
    )
    assert errors == []
    assert subject.startswith("At Tuesday, 12 May 2026, 15:00")
    assert text.startswith("Anna: https://")
    assert template_preview(company=company, key="booking_confirmed", language="en", subject="x", body="{nope}")[3]


def test_the_russian_preview_uses_russian_sample_values(company):
    subject, text, _html, errors = template_preview(
        company=company,
        key="booking_confirmed",
        language="ru",
        subject="{first_name}, собеседование: {vacancy}",
        body="Когда: {slot}\n\n{booking_url}",
    )
    assert errors == []
    assert subject == "Анна, собеседование: Python-разработчик"
    assert text.startswith("Когда: вторник, 12 мая 2026, 15:00–15:45 (Europe/Moscow)")
    _subject, default_text, _html, _errors = template_preview(
        company=company, key="application_received", language="ru"
    )
    assert "Анна" in default_text and "Anna" not in default_text


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_sample_slot_reads_as_a_real_slot_does_in_its_language(language):
    from datetime import UTC, datetime

    from django.utils import translation

    from screening.models import InterviewSlot
    from screening.services.calendars import slot_text

    slot = InterviewSlot(
        starts_at=datetime(2026, 5, 12, 12, 0, tzinfo=UTC),
        duration_minutes=45,
        time_zone="Europe/Moscow",
        video_url="https://meet.example/abc",
    )
    with translation.override(language):
        assert emails.sample_context(language)["slot"] == slot_text(slot)


# --- the private link every email exists for ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "body", "message"),
    [
        (
            "decision_offer",
            "We will send the offer.",
            "The body must contain {link}: it is the candidate's private link.",
        ),
        (
            "chat_reminder",
            "Finish at {application_link}",
            "The body must contain {link}: it is the candidate's private link.",
        ),
        (
            "booking_confirmed",
            "Booked: {slot}. Your page: {link}",
            "The body must contain {booking_url}: it is the candidate's link to book, move or cancel.",
        ),
    ],
)
def test_a_body_without_the_link_its_email_exists_for_is_refused_at_save(company, owner, key, body, message):
    with pytest.raises(ValidationError) as caught:
        template_save(company=company, key=key, language="en", subject="Hi {first_name}", body=body, actor=owner)
    assert caught.value.messages == [message]
    assert not EmailTemplate.objects.exists()
    assert template_preview(company=company, key=key, language="en", subject="Hi", body=body)[3] == [message]


def test_the_link_in_the_subject_alone_or_escaped_does_not_count(company, owner):
    for body in ("Open the link in the subject.", "Write {{link}} to show a brace."):
        with pytest.raises(ValidationError):
            template_save(
                company=company, key="decision_offer", language="en", subject="{link}", body=body, actor=owner
            )
    saved = template_save(
        company=company,
        key="slots_offered",
        language="ru",
        subject="Время",
        body="Выберите: {booking_url}",
        actor=owner,
    )
    assert saved.body == "Выберите: {booking_url}"


@pytest.mark.parametrize(
    ("key", "extra", "carried"),
    [
        ("decision_offer", {}, "/chat/"),
        ("booking_cancelled", {"slot": "Tue 10:00", "booking_url": "https://x.example/c/t/interview/"}, "/interview/"),
    ],
)
def test_a_template_saved_without_its_link_before_the_check_still_sends_with_the_link(
    company, anna, key, extra, carried, django_capture_on_commit_callbacks
):
    EmailTemplate.objects.create(company=company, key=key, language="en", subject="News", body="Hello {first_name}.")
    with django_capture_on_commit_callbacks(execute=True):
        row = candidate_email_send(response=anna, key=key, extra=extra)
    row.refresh_from_db()
    assert row.status == "sent" and len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert body.startswith("Hello Anna.\n\n")
    assert carried in body
    if key == "decision_offer":
        assert anna.get_chat_url() in body


def test_a_decision_to_a_company_named_inc_reads_with_one_full_stop(
    company, owner, anna, django_capture_on_commit_callbacks
):
    company.name = "Acme Inc."
    company.notify_candidates_of_decisions = True
    company.save()
    for status in (Response.Status.INTERVIEW, Response.Status.OFFER, Response.Status.HIRED):
        with django_capture_on_commit_callbacks(execute=True):
            response_change_status(response=anna, to_status=status, actor=owner)
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert "Acme Inc." in message.body and ".." not in message.body
        assert ".." not in message.alternatives[0][0]


def test_a_refused_send_is_retried_until_it_goes_and_recorded(anna, flaky_mail, django_capture_on_commit_callbacks):
    flaky_mail.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        row = candidate_email_send(response=anna, key="chat_reminder")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == ("sent", 3, "")
    assert len(mail.outbox) == 1


def test_after_the_last_retry_the_email_is_failed_and_visible_on_the_response_page(
    anna, flaky_mail, owner_client, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        row = candidate_email_send(response=anna, key="chat_reminder")
    row.refresh_from_db()
    assert row.status == SentEmail.Status.FAILED
    assert row.attempts == 9  # the first attempt and 8 retries
    assert "mail server down" in row.error
    assert mail.outbox == []
    page = owner_client.get(reverse("screening:response", args=[anna.pk])).content.decode()
    assert "data-email-failed" in page and "mail server down" in page


def test_an_erased_or_emailless_response_gets_nothing(vacancy, django_capture_on_commit_callbacks):
    from django.utils import timezone

    erased = ResponseFactory(vacancy=vacancy, erased_at=timezone.now())
    no_email = ResponseFactory(vacancy=vacancy, email="")
    with django_capture_on_commit_callbacks(execute=True):
        assert candidate_email_send(response=erased, key="chat_reminder") is None
        assert candidate_email_send(response=no_email, key="chat_reminder") is None
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_an_ics_is_attached_as_a_calendar_invitation(anna, django_capture_on_commit_callbacks):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        candidate_email_send(
            response=anna,
            key="booking_confirmed",
            extra={"slot": "Tue 15:00", "booking_url": "https://x.example/b", "unknown": "ignored"},
            ics=ics,
        )
    message = mail.outbox[0]
    assert "Tue 15:00" in message.body and "https://x.example/b" in message.body
    parts = [part for part in message.attachments if isinstance(part, MIMEBase)]
    assert len(parts) == 1
    assert parts[0].get_content_type() == "text/calendar"
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "invite.ics"
    assert "BEGIN:VCALENDAR" in parts[0].get_payload(decode=True).decode()


# --- screening finished and decisions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("show", "verdict", "expected"),
    [
        (False, "passed", None),
        (True, "passed", "You passed the screening."),
        (True, "rejected", "will not continue this time"),
        (True, "needs_review", "A person at the company will review your answers"),
    ],
)
def test_screening_finished_is_neutral_or_tells_the_outcome(
    company, show, verdict, expected, django_capture_on_commit_callbacks
):
    vacancy = VacancyFactory(company=company, show_outcome=show)
    response = ResponseFactory(vacancy=vacancy, status=verdict, screening_verdict=verdict, full_name="Anna")
    with django_capture_on_commit_callbacks(execute=True):
        candidate_email_send(response=response, key="screening_finished")
    body = mail.outbox[0].body
    assert "Thank you for answering our questions" in body
    if expected is None:
        assert "passed" not in body and "review" not in body
    else:
        assert expected in body


def test_decisions_email_the_candidate_only_when_the_company_enables_it(
    company, owner, anna, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response_change_status(response=anna, to_status=Response.Status.SHORTLISTED, actor=owner)
    assert mail.outbox == []
    company.notify_candidates_of_decisions = True
    company.save()
    with django_capture_on_commit_callbacks(execute=True):
        response_change_status(response=anna, to_status=Response.Status.INTERVIEW, actor=owner)
    assert [m.subject for m in mail.outbox] == [f"An interview for Python developer at {company.name}"]
    assert SentEmail.objects.get().template == "decision_interview"


@pytest.mark.parametrize("shown", [True, False])
def test_a_decline_states_the_reason_only_where_the_vacancy_says_so(
    company, owner, shown, django_capture_on_commit_callbacks
):
    company.notify_candidates_of_decisions = True
    company.save()
    vacancy = VacancyFactory(company=company, rejection_reason_shown=shown)
    response = ResponseFactory(vacancy=vacancy, email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response_change_status(
            response=response,
            to_status=Response.Status.DECLINED,
            actor=owner,
            comment="internal: weak SQL",
            candidate_reason="We need more experience with PostgreSQL.",
        )
    body = mail.outbox[0].body
    assert ("We need more experience with PostgreSQL." in body) is shown
    assert "internal" not in body


def test_the_status_form_passes_the_reason_to_tell_the_candidate(
    company, owner_client, anna, django_capture_on_commit_callbacks
):
    company.notify_candidates_of_decisions = True
    company.save()
    anna.vacancy.rejection_reason_shown = True
    anna.vacancy.save()
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_client.post(
            reverse("screening:status", args=[anna.pk]),
            {"status": "declined", "comment": "", "candidate_reason": "The role needs Go."},
        )
    assert answer.status_code == 302
    assert "The role needs Go." in mail.outbox[0].body


def test_the_api_status_change_accepts_the_candidate_reason(company, owner, anna, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    company.notify_candidates_of_decisions = True
    company.save()
    anna.vacancy.rejection_reason_shown = True
    anna.vacancy.save()
    client = APIClient()
    client.force_authenticate(owner)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/api/v1/responses/{anna.pk}/status/",
            {"status": "declined", "candidate_reason": "We hired internally."},
            format="json",
        )
    assert answer.status_code == 200, answer.content
    assert "We hired internally." in mail.outbox[0].body


def test_erasing_the_candidate_keeps_that_emails_went_not_their_content(
    anna, owner, django_capture_on_commit_callbacks
):
    from screening.services import candidate_erase
    from screening.services.emails import sent_email_deliver

    with django_capture_on_commit_callbacks(execute=True):
        sent = candidate_email_send(response=anna, key="chat_reminder")
    queued = candidate_email_send(response=anna, key="chat_reminder")  # its task never ran
    candidate_erase(candidate=anna.candidate, reason="owner", actor=owner)
    sent.refresh_from_db()
    assert (sent.to, sent.subject, sent.body_text, sent.status) == ("", "", "", "sent")
    assert sent_email_deliver(sent_email_id=queued.pk, last_attempt=False) is False
    queued.refresh_from_db()
    assert queued.status == "failed" and len(mail.outbox) == 1
