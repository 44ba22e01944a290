"""Applying to a vacancy without leaking anyone's application, and the candidate's private link.

Applying never opens, reveals or confirms an earlier application: whether the
email is new or has applied before, the caller gets the same answer and the
link to continue goes to that email address (``application_email_send``, a
Celery task with retry). A browser that types an email is not proof that it
owns the mailbox; the link in the mailbox is.

Each application keeps its own copy of what was submitted with it. The
company's ``Candidate`` profile links one person's applications by the
normalised email; a second application never rewrites the first.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartbot.counters import count_in_window
from vacancies.models import Vacancy

from .. import identity, live, tasks
from ..models import Candidate, EmailTemplate, Response, StatusChange
from .emails import candidate_email_send
from .telegram_links import telegram_deep_link

# The kinds of email a candidate gets about their application's link.
EMAIL_RECEIVED = "received"  # a new application: thank you, here is your link
EMAIL_LINK = "link"  # the link again: asked for, or the same email applied again
EMAIL_KINDS = (EMAIL_RECEIVED, EMAIL_LINK)


def candidate_apply(
    *,
    vacancy: Vacancy,
    full_name: str,
    email: str,
    phone: str = "",
    city: str = "",
    resume_text: str = "",
    resume_hidden_text: str = "",
    resume_file=None,
    consent: bool,
    ai_consent: bool = False,
    talent_pool_consent: bool = False,
    source: str = Response.Source.WEB,
    notify: bool = True,
) -> tuple[Response, bool]:
    """Record an application to an open vacancy and email the candidate their private link.

    Returns ``(response, created)``. When the (normalised) email has already
    applied to this vacancy, nothing is written, the earlier application is
    returned with ``created`` False, and the link to it is emailed to that
    address; callers must answer the same way in both cases and never hand the
    returned response (or its token) to the unauthenticated caller.

    ``phone`` is kept as typed and as E.164 (``identity.phone_normalise`` with
    the company's default region). Consents: ``consent`` (screening) is
    required; ``ai_consent`` allows AI-assisted evaluation; ``talent_pool_consent``
    allows keeping the application for future vacancies. Each is stored with
    ``settings.CONSENT_TEXT_VERSION`` and the time. ``notify=False`` sends no
    email (the demo's invented applicants).

    Raises ``ValidationError`` (a field dict where a field is to blame) for a
    closed vacancy, a missing consent, an unreadable email or phone.
    """
    if not vacancy.is_open:
        raise ValidationError(_("This vacancy is not open for applications."))
    if not consent:
        raise ValidationError({"consent": _("Consent is required to apply.")})
    try:
        email_key = identity.email_normalise(email)
    except identity.EmailError as error:
        raise ValidationError({"email": error.message})
    phone_e164 = ""
    if phone.strip():
        try:
            phone_e164 = identity.phone_normalise(phone, region=vacancy.company.phone_region or "RU")
        except identity.PhoneError as error:
            raise ValidationError({"phone": error.message})
    existing = response_find_by_email(vacancy=vacancy, email=email)
    if existing is not None:
        if notify:
            _email_queue(response=existing, kind=EMAIL_LINK)
        return existing, False
    now = timezone.now()
    try:
        with transaction.atomic():
            candidate, _created = Candidate.objects.get_or_create(
                company_id=vacancy.company_id, email=email_key, erased_at__isnull=True
            )
            response = Response.objects.create(
                vacancy=vacancy,
                candidate=candidate,
                source=source,
                full_name=" ".join(full_name.split()),
                email=email.strip(),
                phone=phone.strip(),
                phone_e164=phone_e164,
                city=" ".join(city.split()),
                resume_text=resume_text,
                resume_hidden_text=resume_hidden_text,
                resume_file=resume_file or "",
                consent_version=settings.CONSENT_TEXT_VERSION,
                consent_at=now,
                ai_consent_at=now if ai_consent else None,
                talent_pool_consent_at=now if talent_pool_consent else None,
            )
            application_created(response=response)
            if notify:
                _email_queue(response=response, kind=EMAIL_RECEIVED)
    except IntegrityError:
        # A concurrent application with the same email won the race: the same answer as a known email.
        existing = response_find_by_email(vacancy=vacancy, email=email)
        if existing is None:
            raise
        if notify:
            _email_queue(response=existing, kind=EMAIL_LINK)
        return existing, False
    return response, True


def application_created(*, response: Response) -> None:
    """What every new application gets, however it came (careers page, API, a job board): the first line of its
    history (to NEW) and the live "created" push to the tables and boards watching the vacancy. Inside the
    caller's transaction (the push goes after the commit)."""
    StatusChange.objects.create(response=response, from_status="", to_status=Response.Status.NEW)
    live.pipeline_broadcast(
        company_id=response.vacancy.company_id,
        vacancy_id=response.vacancy_id,
        response_id=response.pk,
        kind=live.PIPELINE_CREATED,
        from_status="",
        status=response.status,
    )


def response_find_by_email(*, vacancy: Vacancy, email: str) -> Response | None:
    """The live (not erased) application of this email to the vacancy, or None; ``email`` in any spelling."""
    try:
        email_key = identity.email_normalise(email)
    except identity.EmailError:
        return None
    # Two lookups by unique keys (the company's candidate by email, then the pair vacancy and candidate), not one
    # join: PostgreSQL, its statistics stale after a burst of applications, joined every application of the
    # vacancy to the candidates (108 ms at 2,000 applications, measured by bench/http_bench.py).
    candidate_id = (
        Candidate.objects.filter(company_id=vacancy.company_id, email=email_key, erased_at__isnull=True)
        .order_by()
        .values_list("pk", flat=True)[:1]
    )
    found = list(
        Response.objects.select_related("vacancy", "vacancy__company", "candidate")
        .filter(vacancy=vacancy, candidate_id__in=list(candidate_id), erased_at__isnull=True)
        .order_by()[:1]
    )
    return found[0] if found else None


def application_link_request(*, vacancy: Vacancy, email: str) -> None:
    """Email the private link of this email's application to the vacancy, if there is one.

    Says nothing about whether there is: the caller answers the same way either
    way ("if you applied with this address, the link is on its way").
    """
    response = response_find_by_email(vacancy=vacancy, email=email)
    if response is not None:
        _email_queue(response=response, kind=EMAIL_LINK)


def _email_queue(*, response: Response, kind: str) -> None:
    if kind == EMAIL_LINK and not _link_email_allowed(response.pk):
        return  # the inbox already got the link several times this hour; the caller's answer stays the same
    if kind == EMAIL_RECEIVED:
        # Through the company's templates (EmailTemplate.Key.APPLICATION_RECEIVED), recorded as a SentEmail.
        telegram = {"telegram_link": telegram_deep_link(response=response)}  # "" without a connected bot
        candidate_email_send(response=response, key=EmailTemplate.Key.APPLICATION_RECEIVED, extra=telegram)
        return
    # Published on commit. A broker outage is logged, never raised: it must not undo a saved application nor
    # change the caller's neutral answer; the candidate can ask for the link again.
    tasks.send_application_email.delay(response.pk, kind)


def _link_email_allowed(response_id: int) -> bool:
    """Count one more link email for the application; False past ``APPLICATION_LINK_EMAILS_PER_HOUR``."""
    sent = count_in_window(f"application-link-emails:{response_id}", seconds=3600)
    return sent <= settings.APPLICATION_LINK_EMAILS_PER_HOUR


def application_url(response: Response) -> str:
    """The candidate's private link to their application (absolute, from ``settings.SITE_URL``)."""
    return settings.SITE_URL + reverse("chat:application", args=[response.token])


def application_email_send(*, response_id: int, kind: str) -> bool:
    """Send one email about the application's link, in the vacancy's language; False if there is nothing to send.

    ``kind`` is ``EMAIL_RECEIVED`` (the company's template ``application_received``) or ``EMAIL_LINK``
    (templates ``screening/email/application_link_subject.txt``, ``.txt`` and ``.html``). New applications
    queue the received email through ``candidate_email_send``; a task queued before the templates takes the
    same path here (recorded as a ``SentEmail``, sent and retried by ``send_email``). For ``EMAIL_LINK``,
    raises whatever the mail backend raises (``OSError``, ``smtplib.SMTPException``): the task retries.
    """
    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown application email {kind!r}")
    response = (
        Response.objects.select_related("vacancy", "vacancy__company")
        .filter(pk=response_id, erased_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if response is None:
        return False
    vacancy = response.vacancy
    if kind == EMAIL_RECEIVED:  # a task queued before the templates
        telegram = {"telegram_link": telegram_deep_link(response=response)}
        return (
            candidate_email_send(response=response, key=EmailTemplate.Key.APPLICATION_RECEIVED, extra=telegram)
            is not None
        )
    context = {
        "response": response,
        "first_name": response.first_name,
        "vacancy": vacancy,
        "company": vacancy.company,
        "chat_url": settings.SITE_URL + response.get_chat_url(),
        "application_url": application_url(response),
        "finished": response.is_screening_finished,
    }
    base = f"screening/email/application_{kind}"
    with translation.override(vacancy.language):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject, body=render_to_string(f"{base}.txt", context), to=[response.email]
        )
        message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    message.send()
    return True
