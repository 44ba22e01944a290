"""Each candidate email offers only the placeholders its sender fills (``screening.emails.template_placeholders``):
the editor lists those, saving and the preview refuse any other naming the ones this email can use, and a wording
saved before still sends, with a warning on the owner's list. The senders are run for real and fill what their
email declares (the recruiter's message is chat's: chat/tests/test_recruiter_message_email.py)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from screening import emails
from screening.models import EmailTemplate, Response, SentEmail
from screening.services import response_change_status
from screening.services import scheduling as svc
from screening.services.emails import candidate_email_send, template_preview, template_save
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
INTERVIEW = {"slot", "previous_slot", "slots", "booking_url"}


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Python developer")


@pytest.fixture
def anna(vacancy):
    return ResponseFactory(vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org")


# --- what each email offers ------------------------------------------------------------------------------------


def test_each_email_offers_the_common_placeholders_and_only_its_own():
    common = {"first_name", "vacancy", "company", "link", "application_link"}
    own = {
        "screening_finished": {"outcome"},
        "decision_declined": {"reason"},
        "recruiter_message": {"message"},
        "slots_offered": {"slots", "booking_url"},
        "booking_confirmed": {"slot", "previous_slot", "booking_url"},
        "booking_cancelled": {"slot", "booking_url"},
        "interview_reminder": {"slot", "booking_url"},
    }
    for key in EmailTemplate.Key.values:
        assert set(emails.template_placeholders(key)) == common | own.get(key, set()), key
    assert set(emails.KEY_PLACEHOLDERS) <= set(EmailTemplate.Key.values)
    assert set(emails.template_placeholders(None)) == set(emails.PLACEHOLDERS)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_moved_default_is_a_valid_booking_confirmed_wording(language):
    with translation.override(language):
        subject, body = emails.template_default(emails.BOOKING_MOVED)
        assert emails.template_validate(subject, body, key="booking_confirmed") == []
    assert "{previous_slot}" in body and "{slot}" in body and "{booking_url}" in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Body: this email does not fill {slot}. It can use: {first_name}, {vacancy}, {company}, {link}, "
            "{application_link}, {message}.",
        ),
        (
            "ru",
            "Текст: это письмо не заполняет {slot}. В нём доступны: {first_name}, {vacancy}, {company}, {link}, "
            "{application_link}, {message}.",
        ),
    ],
)
def test_another_emails_placeholder_is_refused_at_save_and_in_the_preview_naming_this_emails(
    company, owner, language, expected
):
    body = "We wrote: {message}\n\nYour interview: {slot}\n\n{link}"
    with translation.override(language), pytest.raises(ValidationError) as caught:
        template_save(company=company, key="recruiter_message", language=language, subject="Hi", body=body, actor=owner)
    assert caught.value.messages == [expected]
    assert not EmailTemplate.objects.exists()
    with translation.override(language):
        assert template_preview(company=company, key="recruiter_message", language=language, subject="Hi", body=body)[
            3
        ] == [expected]


@pytest.mark.parametrize(
    ("key", "subject", "body", "refused"),
    [
        ("application_received", "Hi", "{link} {booking_url}", "{booking_url}"),
        ("chat_reminder", "About {outcome}", "{link}", "{outcome}"),
        ("decision_offer", "Hi", "{reason} {link}", "{reason}"),
        ("decision_declined", "Hi", "{message} {link}", "{message}"),
        ("slots_offered", "Hi", "{slot} {booking_url}", "{slot}"),
        ("booking_cancelled", "Hi", "{slots} {booking_url}", "{slots}"),
        ("interview_reminder", "Hi", "{previous_slot} {booking_url}", "{previous_slot}"),
        ("screening_finished", "Hi", "{slot} {link}", "{slot}"),
    ],
)
def test_a_placeholder_an_email_never_fills_is_refused(key, subject, body, refused):
    (error,) = emails.template_validate(subject, body, key=key)
    part = "Subject" if refused in subject else "Body"
    assert error.startswith(f"{part}: this email does not fill {refused}. It can use: "), error
    assert emails.template_validate(subject.replace(refused, ""), body.replace(refused, ""), key=key) == []


def test_an_unknown_placeholder_lists_only_this_emails_placeholders():
    (error,) = emails.template_validate("Hi", "{frist_name} {link}", key="chat_reminder")
    assert error == (
        "Body: unknown placeholder {frist_name}. Known ones: {first_name}, {vacancy}, {company}, {link}, "
        "{application_link}."
    )


# --- the senders fill what their email declares ----------------------------------------------------------------


def _labelled(key: str) -> str:
    """A body that shows each placeholder ``key`` offers as ``name=[value]``."""
    return "\n\n".join(f"{name}=[{{{name}}}]" for name in emails.template_placeholders(key))


def _filled(key: str, body: str) -> dict:
    values = {}
    for name in emails.template_placeholders(key):
        start = body.index(f"{name}=[") + len(name) + 2
        values[name] = body[start : body.index("]", start)]
    return values


def _save_labelled(company, owner, key):
    template_save(company=company, key=key, language="en", subject=key, body=_labelled(key), actor=owner)


def _sent(key: str) -> dict:
    row = SentEmail.objects.filter(template=key).latest("pk")
    return _filled(key, row.body_text)


def test_the_screening_decision_and_reminder_senders_fill_their_placeholders(company, owner, vacancy):
    for key in ("screening_finished", "decision_declined", "decision_offer", "chat_reminder"):
        _save_labelled(company, owner, key)
    company.notify_candidates_of_decisions = True
    company.save()
    vacancy.show_outcome = True
    vacancy.rejection_reason_shown = True
    vacancy.save()
    response = ResponseFactory(vacancy=vacancy, status="passed", screening_verdict="passed", full_name="Anna")
    candidate_email_send(response=response, key="screening_finished")  # as screening_followup sends it
    assert _sent("screening_finished")["outcome"].startswith("You passed the screening.")
    response_change_status(response=response, to_status=Response.Status.OFFER, actor=owner)
    offer = _sent("decision_offer")
    assert offer["first_name"] == "Anna" and offer["link"].endswith(response.get_chat_url())
    assert offer["application_link"].endswith("/application/") and offer["company"] == company.name
    declined = ResponseFactory(vacancy=vacancy, email="b@example.org")
    response_change_status(
        response=declined, to_status=Response.Status.DECLINED, actor=owner, candidate_reason="We need Go."
    )
    assert _sent("decision_declined")["reason"] == "We need Go."
    candidate_email_send(response=declined, key="chat_reminder")  # as remind_stalled_chats sends it
    assert _sent("chat_reminder")["vacancy"] == "Python developer"


def test_the_interview_senders_fill_every_interview_placeholder_they_declare(
    company, owner, vacancy, django_capture_on_commit_callbacks
):
    for key in ("slots_offered", "booking_confirmed", "booking_cancelled", "interview_reminder"):
        _save_labelled(company, owner, key)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        first, second = (
            svc.slot_create(vacancy=vacancy, starts_at=NOW + timedelta(days=days), time_zone="Europe/Berlin")
            for days in (2, 3)
        )
        response = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
        assert svc.slots_offer(response=response)
    offered = _sent("slots_offered")
    assert "Thursday, 22 October 2026" in offered["slots"] and offered["booking_url"].endswith("/interview/")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking = svc.booking_create(response=response, slot_id=first.pk)
    booked = _sent("booking_confirmed")
    assert booked["slot"].startswith("Thursday, 22 October 2026, 10:00") and booked["previous_slot"] == ""
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        svc.booking_create(response=response, slot_id=second.pk)
    moved = _sent("booking_confirmed")
    assert moved["slot"].startswith("Friday, 23 October 2026, 10:00")
    assert moved["previous_slot"] == "Thursday, 22 October 2026, 10:00–10:45 (Europe/Berlin)"
    with time_machine.travel(NOW + timedelta(days=2, hours=12), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert svc.booking_reminders_send() == 1
        assert _sent("interview_reminder")["slot"].startswith("Friday, 23 October 2026, 10:00")
        with django_capture_on_commit_callbacks(execute=True):
            svc.booking_cancel(booking=booking, by=svc.CANDIDATE)
    assert _sent("booking_cancelled")["slot"].startswith("Friday, 23 October 2026, 10:00")


# --- wording saved before: it still sends, and the owner is told --------------------------------------------------


def test_a_wording_saved_before_with_a_refused_placeholder_still_sends_with_nothing_there(company, anna):
    EmailTemplate.objects.create(
        company=company,
        key="recruiter_message",
        language="en",
        subject="About {vacancy}",
        body="We wrote: {message}\n\nYour interview: {slot}\n\n{link}",
    )
    row = candidate_email_send(response=anna, key="recruiter_message", extra={"message": "Can you start in May?"})
    assert row.subject == "About Python developer"
    assert row.body_text.startswith("We wrote: Can you start in May?\n\nYour interview: \n\n")  # the gap, as before
    assert anna.get_chat_url() in row.body_text


def test_the_list_warns_of_a_saved_wording_with_a_refused_placeholder_in_pinned_queries(
    company, owner, django_assert_max_num_queries
):
    EmailTemplate.objects.create(
        company=company, key="recruiter_message", language="en", subject="Hi", body="{message} {slot} {link}"
    )
    EmailTemplate.objects.create(company=company, key="chat_reminder", language="ru", subject="Hi", body="{link}")
    client = Client()
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("screening:email_templates")).content.decode()
    assert page.count("data-template-refused") == 1
    assert "Uses {slot}, which this email does not fill: it is sent empty. Edit the wording." in page
    edit = client.get(reverse("screening:email_template") + "?key=recruiter_message&language=en").content.decode()
    assert "The saved wording uses {slot}, which this email does not fill" in edit


@pytest.mark.parametrize(
    ("key", "listed", "absent"),
    [
        ("recruiter_message", {"message", "link", "first_name"}, {"slot", "slots", "booking_url", "reason"}),
        ("slots_offered", {"slots", "booking_url"}, {"slot", "message", "previous_slot"}),
        ("booking_confirmed", {"slot", "previous_slot", "booking_url"}, {"slots", "message", "outcome"}),
    ],
)
def test_the_editor_lists_only_this_emails_placeholders(owner, key, listed, absent):
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("screening:email_template") + f"?key={key}&language=en").content.decode()
    shown = page.split("Placeholders this email can use", 1)[1].split("</ul>", 1)[0]
    for name in listed:
        assert f"<code>{{{name}}}</code>" in shown, name
    for name in absent:
        assert f"<code>{{{name}}}</code>" not in shown, name
    assert "data-template-refused" not in page
