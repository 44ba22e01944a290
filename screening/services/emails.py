"""Emails SmartBot sends, rendered when queued and recorded (``SentEmail``), sent by a task with retries.

Candidates' emails use the company's wording of the template (``EmailTemplate``) in the vacancy's language, or
the default of ``screening.emails``; recruiters' emails (notifications, digests) come rendered. Either way one
``SentEmail`` row is written with exactly what will be sent, and ``screening.tasks.send_email`` (queued after
the commit, rate limited by ``settings.EMAIL_RATE_LIMIT``) sends that row, retrying with backoff, and records
the result on it: sent, retrying (attempts, last error) or failed (shown on the response's page).
docs/notifications.md.
"""

from __future__ import annotations

import logging
from email.mime.text import MIMEText

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Company

from .. import emails, tasks
from ..models import EmailTemplate, Response, SentEmail

logger = logging.getLogger(__name__)

LANGUAGES = tuple(EmailTemplate.Language.values)


def email_language(language: str) -> str:
    """A template language for a vacancy's or user's ``language`` ("en" when we have no templates in it)."""
    return language if language in LANGUAGES else "en"


def template_get(*, company: Company, key: str, language: str) -> tuple[str, str, bool]:
    """``(subject, body, customised)``: the company's wording of ``key`` in ``language``, or the default (then
    ``customised`` is False). Raises ``ValueError`` for an unknown key or language."""
    if key not in EmailTemplate.Key.values or language not in LANGUAGES:
        raise ValueError(f"Unknown email template {key!r} ({language!r})")
    row = EmailTemplate.objects.filter(company=company, key=key, language=language).first()
    if row is not None:
        return row.subject, row.body, True
    with translation.override(language):
        subject, body = emails.template_default(key)
    return subject, body, False


def candidate_email_context(*, response: Response, extra: dict | None = None) -> dict:
    """The placeholders' values for one response: first name, vacancy, company, the private links (the chat's
    and the application page's), and ``extra``
    (``slot``, ``booking_url``, ``reason``, ``message``, ``outcome``...; keys that are not placeholders are
    ignored)."""
    vacancy = response.vacancy
    context = {
        "first_name": response.first_name,
        "vacancy": vacancy.title,
        "company": vacancy.company.name,
        "link": settings.SITE_URL + response.get_chat_url(),
        "application_link": settings.SITE_URL + reverse("chat:application", args=[response.token]),
    }
    for name, value in (extra or {}).items():
        if name in emails.PLACEHOLDERS and name not in context:
            context[name] = "" if value is None else str(value)
    return context


def candidate_email_render(*, response: Response, key: str, extra: dict | None = None) -> tuple[str, str, str, str]:
    """``(subject, text, html, language)`` of ``key`` for ``response``, in the vacancy's language.

    ``BOOKING_CONFIRMED`` with a ``previous_slot`` in ``extra`` is a moved interview: the default wording is
    ``emails.BOOKING_MOVED``'s; a company's own wording gets the earlier time as a last paragraph unless it names
    ``{previous_slot}`` itself (``emails.template_body_moved``)."""
    vacancy = response.vacancy
    language = email_language(vacancy.language)
    subject, body, customised = template_get(company=vacancy.company, key=key, language=language)
    extra = dict(extra or {})
    moved = key == EmailTemplate.Key.BOOKING_CONFIRMED and bool(extra.get("previous_slot"))
    with translation.override(language):
        if moved and not customised:
            subject, body = emails.template_default(emails.BOOKING_MOVED)
        if customised:  # wording saved before the link was required still carries it
            body = emails.template_body_completed(key, body)
            if moved:
                body = emails.template_body_moved(body)
        if key == EmailTemplate.Key.SCREENING_FINISHED and "outcome" not in extra:
            extra["outcome"] = emails.outcome_text(verdict=response.screening_verdict, show=vacancy.show_outcome)
        rendered = emails.template_render(subject, body, candidate_email_context(response=response, extra=extra))
        if extra.get("telegram_link"):  # the application-received email, when the company has a bot
            rendered = emails.rendered_with_telegram(rendered, extra["telegram_link"])
    return (*rendered, language)


def candidate_email_send(
    *, response: Response, key: str, extra: dict | None = None, ics: str = "", actor=None
) -> SentEmail | None:
    """Queue one email to a candidate: the company's template for ``key`` (``EmailTemplate.Key``) in the
    vacancy's language, or the default. ``extra`` adds placeholders (``slot``, ``reason``, ``message``...);
    ``ics`` an iCalendar attachment. Returns the recorded row, or None when there is nothing to send (no email,
    erased). Sent after the commit by ``screening.tasks.send_email``. ``actor`` (who caused it) is not stored."""
    if response.erased_at is not None or not response.email:
        return None
    subject, text, html, language = candidate_email_render(response=response, key=key, extra=extra)
    row = SentEmail.objects.create(
        company_id=response.vacancy.company_id,
        response=response,
        to=response.email,
        template=key,
        language=language,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        ics=ics,
    )
    tasks.send_email.delay(row.pk)
    return row


def recruiter_email_send(
    *,
    user,
    template: str,
    subject: str,
    text: str,
    html: str = "",
    response: Response | None = None,
    ics: str = "",
) -> SentEmail | None:
    """Queue one already rendered email to a member (notifications, digests), recorded like the candidates'.

    ``template`` names it in the record (a ``Notification.Kind`` or "digest"); ``response``, the application it
    is about, lets the candidate's erasure blank it while it waits; ``ics`` an interviewer's invitation. Its
    text, HTML and invitation are blanked once sent (they name candidates; the record keeps who, what kind, when
    and how it went). None for a user without an email address, inactive, or without a company."""
    if not user.email or not user.is_active or user.company_id is None:
        return None
    row = SentEmail.objects.create(
        company_id=user.company_id,
        user=user,
        response=response,
        to=user.email,
        template=template[:40],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        subject=" ".join(subject.split())[:300],
        body_text=text,
        body_html=html,
        ics=ics,
    )
    tasks.send_email.delay(row.pk)
    return row


def sent_email_deliver(*, sent_email_id: int, last_attempt: bool) -> bool:
    """Send one recorded email exactly as queued; True once sent. A row already sent or failed is left alone.

    A failure of the mail server is recorded (attempts, error, status "retrying") and raised again for the task
    to retry (``OSError``, ``smtplib.SMTPException``); on the ``last_attempt`` the row ends "failed" and
    nothing is raised.
    """
    row = SentEmail.objects.filter(pk=sent_email_id).first()
    if row is None or row.status in (SentEmail.Status.SENT, SentEmail.Status.FAILED):
        return False
    if not row.to:  # the candidate's data was erased before it went: nothing is sent
        SentEmail.objects.filter(pk=row.pk).update(status=SentEmail.Status.FAILED, error="Erased before sending.")
        return False
    message = EmailMultiAlternatives(subject=row.subject, body=row.body_text, to=[row.to])
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    if row.ics:
        part = MIMEText(row.ics, "calendar", "utf-8")
        part.set_param("method", "REQUEST")
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(part)
    try:
        message.send()
    except Exception as error:
        failed = last_attempt
        SentEmail.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1,
            error=f"{type(error).__name__}: {error}"[:500],
            status=SentEmail.Status.FAILED if failed else SentEmail.Status.RETRYING,
        )
        if failed:
            logger.warning("email %s failed after %s attempts", row.pk, row.attempts + 1)
            return False
        raise
    sent = {"attempts": row.attempts + 1, "status": SentEmail.Status.SENT, "sent_at": timezone.now(), "error": ""}
    if row.user_id:  # a member's email names candidates (a digest, several): not kept once it went
        sent.update(body_text="", body_html="", ics="")
    SentEmail.objects.filter(pk=row.pk).update(**sent)
    return True


def template_save(*, company: Company, key: str, language: str, subject: str, body: str, actor) -> EmailTemplate:
    """Save the company's wording of one email in one language. Raises ``ValidationError`` (a list of clear
    messages, in the active language) for an unknown key or language, or a template ``template_validate``
    refuses for ``key`` (a bad placeholder, or a body without the link the email exists for): an error here,
    never when the email is sent."""
    if key not in EmailTemplate.Key.values:
        raise ValidationError(translation.gettext("Unknown email."))
    if language not in LANGUAGES:
        raise ValidationError(translation.gettext("Unknown language."))
    subject, body = subject.strip(), body.strip().replace("\r\n", "\n")
    errors = emails.template_validate(subject, body, key=key)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = EmailTemplate.objects.update_or_create(
            company=company,
            key=key,
            language=language,
            defaults={"subject": subject, "body": body, "updated_by": actor},
        )
    return row


def template_reset(*, company: Company, key: str, language: str) -> bool:
    """Back to the default wording of one email in one language; True if the company had its own."""
    deleted, _rows = EmailTemplate.objects.filter(company=company, key=key, language=language).delete()
    return bool(deleted)


def template_preview(
    *, company: Company, key: str, language: str, subject: str | None = None, body: str | None = None
) -> tuple[str, str, str, list[str]]:
    """``(subject, text, html, errors)``: the email as a candidate would get it, with sample values in
    ``language`` (``emails.sample_context``; the company's real name), for the wording given (else the saved one
    or the default). ``errors`` are ``template_validate``'s for ``key``, as saving would say them; with errors
    the parts are empty. Raises ``ValueError`` for an unknown key or language."""
    saved_subject, saved_body, _customised = template_get(company=company, key=key, language=language)
    subject = saved_subject if subject is None else subject.strip()
    body = saved_body if body is None else body.strip().replace("\r\n", "\n")
    with translation.override(language):
        errors = emails.template_validate(subject, body, key=key)
        if errors:
            return "", "", "", errors
        context = {
            **emails.sample_context(language),
            "company": company.name,
            "outcome": emails.outcome_text(verdict="passed", show=True),
        }
        return (*emails.template_render(subject, body, context), [])


def template_list(*, company: Company) -> list[dict]:
    """Every email key × language: ``{"key", "label", "language", "customised", "updated_at", "refused"}``, in
    the order of ``EmailTemplate.Key``. ``refused``: the placeholders the company's wording uses that this email
    does not fill (``emails.template_refused``; saved before each email had its own: they send empty)."""
    saved = {(row.key, row.language): row for row in EmailTemplate.objects.filter(company=company)}
    rows = []
    for key, label in EmailTemplate.Key.choices:
        for language in LANGUAGES:
            row = saved.get((key, language))
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "language": language,
                    "customised": row is not None,
                    "updated_at": row.updated_at if row else None,
                    "refused": emails.template_refused(key, row.subject, row.body) if row else [],
                }
            )
    return rows


# A recruiter's decision -> the email the candidate gets when the company tells candidates of decisions.
DECISION_EMAILS = {
    Response.Status.SHORTLISTED: EmailTemplate.Key.DECISION_SHORTLISTED,
    Response.Status.INTERVIEW: EmailTemplate.Key.DECISION_INTERVIEW,
    Response.Status.OFFER: EmailTemplate.Key.DECISION_OFFER,
    Response.Status.HIRED: EmailTemplate.Key.DECISION_HIRED,
    Response.Status.DECLINED: EmailTemplate.Key.DECISION_DECLINED,
}


def decision_email_send(
    *, response: Response, status: str, reason: str = "", actor=None, always: bool = False
) -> SentEmail | None:
    """The candidate's email about a recruiter's decision (``DECISION_EMAILS``), when the company enables them
    (``Company.notify_candidates_of_decisions``) or ``always`` (a bulk action that asked for it). A decline states
    ``reason`` (the recruiter's plain words) only where the vacancy says so (``Vacancy.rejection_reason_shown``).
    None when nothing is sent."""
    key = DECISION_EMAILS.get(status)
    vacancy = response.vacancy
    if key is None or not (always or vacancy.company.notify_candidates_of_decisions):
        return None
    extra = {}
    if key == EmailTemplate.Key.DECISION_DECLINED and vacancy.rejection_reason_shown:
        extra["reason"] = " ".join(reason.split())
    return candidate_email_send(response=response, key=key, extra=extra, actor=actor)
