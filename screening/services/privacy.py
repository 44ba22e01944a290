"""The candidate's rights: withdraw, download (export) and erase; and the company's retention period.

Sources: GDPR Art. 7 (consent, withdrawable), 15 (access: a copy of the data),
17 (erasure), 21-22 (objection, automated decisions); Russian Federal Law
152-FZ Art. 9 (consent), 14 (access), 21 (destruction on withdrawal or when the
purpose is reached).

Erasure keeps an anonymous tombstone (the candidate and application rows with
their status, dates and scores, so counts and funnels stay right), records
*that* an erasure happened (``Erasure``, never *what*), and tells integrators
with a signed ``candidate.erased`` webhook. Apps further along the arrows (the
chat) erase their own rows in a receiver of ``signals.application_erasing``
and add their part to an export through ``signals.application_exporting``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry, Company

from .. import signals
from ..models import (
    Answer,
    BoardApplication,
    Booking,
    Candidate,
    CandidateQuestion,
    Erasure,
    Evaluation,
    HumanRequest,
    Note,
    Notification,
    Response,
    SentEmail,
    StatusChange,
    TelegramLink,
    WebhookDelivery,
)
from .responses import response_change_status
from .webhooks import candidate_erased_emit

logger = logging.getLogger(__name__)

# Statuses after which a candidate can no longer withdraw (the process is over).
_FINAL_STATUSES = (Response.Status.HIRED, Response.Status.DECLINED, Response.Status.WITHDRAWN)
# A month of the retention period, in days (a calendar-average month: 365.25 / 12).
DAYS_PER_MONTH = 30.44
# How far ahead the owner's list of upcoming erasures looks.
UPCOMING_ERASURE_WINDOW = timedelta(days=30)


def application_withdraw(*, response: Response) -> Response:
    """The candidate withdraws the application (their consent to screening, GDPR Art. 7(3)).

    The status becomes ``withdrawn`` with a history entry, the chat (if any)
    stops taking answers, and integrators get ``response.status_changed``.
    Raises ``ValidationError`` (code ``conflict``) when the application is
    already withdrawn, decided (hired, declined) or erased.
    """
    if response.is_erased or response.status in _FINAL_STATUSES:
        raise ValidationError(_("This application can no longer be withdrawn."), code="conflict")
    return response_change_status(
        response=response,
        to_status=Response.Status.WITHDRAWN,
        actor=None,
        comment=_("Withdrawn by the candidate."),
    )


def application_export(*, response: Response) -> dict:
    """Everything kept about the person behind ``response``, as a JSON-ready dict (GDPR Art. 15, 152-FZ Art. 14).

    The private link proves the mailbox, so the export covers every
    application of that person (same normalised email) in the company, each
    with what was submitted, the consents, the answers, the status history, the
    AI advice and (from the chat, through ``signals.application_exporting``) the
    chat transcript, and the job board's response and Telegram thread behind it. Recruiters' notes and
    status comments are left out: they may hold other people's data (GDPR Art. 15(4)). Shape::

        {"exported_at": iso, "company": str, "email": str,
         "applications": [{"id", "vacancy", "submitted": {...}, "consents": {...}, "status", "answers": [...],
                           "history": [...], "ai_evaluations": [...], "asked_questions": [...], "chat": [...],
                           "job_board": {...} | None, "telegram": {...} | None}]}
    """
    candidate = response.candidate
    applications = (
        Response.objects.filter(candidate=candidate, erased_at__isnull=True)
        .select_related("vacancy", "vacancy__company", "board_application__connection", "telegram")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            "history",
            Prefetch("evaluations", queryset=Evaluation.objects.filter(status=Evaluation.Status.DONE)),
            "asked_questions",
        )
        .order_by("created_at", "id")
    )
    out = []
    for application in applications:
        item = {
            "id": application.pk,
            "vacancy": application.vacancy.title,
            "applied_at": application.created_at.isoformat(),
            "source": application.source,
            "status": application.status,
            "screening_score": application.score,
            "rejection_reasons": application.rejection_reasons,
            "review_reasons": application.review_reasons,
            "submitted": {
                "full_name": application.full_name,
                "email": application.email,
                "phone": application.phone,
                "phone_e164": application.phone_e164,
                "city": application.city,
                "resume_text": application.resume_text,
                "resume_file": application.resume_file.name if application.resume_file else None,
                "resume_hidden_text": application.resume_hidden_text,
            },
            "consents": {
                "text_version": application.consent_version,
                "screening": _iso(application.consent_at),
                "ai_assisted_evaluation": _iso(application.ai_consent_at),
                "talent_pool": _iso(application.talent_pool_consent_at),
            },
            "answers": [
                {"question": a.question.text, "answer": a.raw_text, "value": a.value, "passed": a.passed}
                for a in application.answers.all()
            ],
            # Status moves without the recruiters' comments, and no internal notes: both may hold other
            # people's data (GDPR Art. 15(4)); the company gives them on request after review.
            "history": [
                {"at": h.created_at.isoformat(), "from": h.from_status, "to": h.to_status}
                for h in application.history.all()
            ],
            "ai_evaluations": [
                {
                    "at": e.created_at.isoformat(),
                    "evaluator": e.evaluator,
                    "model": e.model,
                    "score": e.score,
                    "recommendation": e.recommendation,
                    "summary": e.summary,
                    "strengths": e.strengths,
                    "concerns": e.concerns,
                    "evidence": e.evidence,
                }
                for e in application.evaluations.all()
            ],
            # What the candidate asked the bot during the screening, and what it answered.
            "asked_questions": [
                {"at": q.created_at.isoformat(), "question": q.text, "answered": q.answered, "answer": q.answer}
                for q in application.asked_questions.all()
            ],
            **_channels_export(application),
        }
        for _receiver, part in signals.application_exporting.send(sender=Response, response=application):
            item.update(part or {})
        out.append(item)
    return {
        "exported_at": timezone.now().isoformat(),
        "company": response.vacancy.company.name,
        "email": candidate.email,
        "applications": out,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _channels_export(application: Response) -> dict:
    """The application's job-board response and Telegram thread (issue 16), each None when it has none."""
    board = getattr(application, "board_application", None)
    telegram = getattr(application, "telegram", None)
    return {
        "job_board": board
        and {
            "board": board.connection.get_provider_display(),
            "response_id": board.negotiation_id,
            "resume_id": board.resume_id,
            "resume_url": board.resume_url,
            "state": board.external_state,
            "invited_to_screening_at": _iso(board.invited_at),
            "decision_written": board.written_decision,
            "decision_written_at": _iso(board.written_at),
        },
        "telegram": telegram
        and {
            "username": telegram.username,
            "user_id": telegram.user_id,
            "bound_at": _iso(telegram.bound_at),
            "blocked_bot_at": _iso(telegram.blocked_at),
        },
    }


ERASED_NEGOTIATION_PREFIX = "erased:"


def board_negotiation_erased_key(*, connection_id: int, negotiation_id: str) -> str:
    """What an erased person's job-board response id becomes (``BoardApplication.negotiation_id``): a keyed
    one-way digest (HMAC-SHA256 under ``SECRET_KEY``), 47 characters, ``"erased:"`` and 40 hex digits.

    It no longer points at the person on the board, keeps the row unique per connection, and lets the import
    recognise the same response when the board lists it again, so an erased person is not imported back
    (``screening.services.board_sync`` checks both the id and this key). Rotating ``SECRET_KEY`` forgets them.
    """
    digest = salted_hmac("screening.erased-negotiation", f"{connection_id}:{negotiation_id}", algorithm="sha256")
    return ERASED_NEGOTIATION_PREFIX + digest.hexdigest()[:40]


def _channels_erase(ids: list[int]) -> None:
    """Erase what the job boards and Telegram hold on ``ids`` (issue 16); nothing is sent there afterwards.

    A job-board response keeps its row (so the next import knows it and does not bring the person back) with the
    resume id and link, the board's state and the errors cleared, the response id replaced by
    ``board_negotiation_erased_key`` and no write-back due (the decision written stays: the company's record,
    no value of the person). A Telegram thread is deleted: its chat, user id,
    username and deep-link code go, so no message is delivered there and the link binds nothing any more.
    """
    for application in (
        BoardApplication.objects.filter(response_id__in=ids)
        .exclude(negotiation_id__startswith=ERASED_NEGOTIATION_PREFIX)
        .only("pk", "connection_id", "negotiation_id")
    ):
        BoardApplication.objects.filter(pk=application.pk).update(
            negotiation_id=board_negotiation_erased_key(
                connection_id=application.connection_id, negotiation_id=application.negotiation_id
            )
        )
    BoardApplication.objects.filter(response_id__in=ids).update(
        resume_id="",
        resume_url="",
        external_state="",
        invite_error="",
        writeback_error="",
        writeback_due_at=None,
    )
    TelegramLink.objects.filter(response_id__in=ids).delete()


def candidate_erase(*, candidate: Candidate, reason: str, actor=None) -> Erasure:
    """Erase every value of the person from every place it lives; keep an anonymous tombstone (GDPR Art. 17).

    Cleared: the applications' submitted copies (name, contacts, resume text
    and file in storage, hidden text), answers (text and value), the questions
    the candidate asked the bot (and its replies), rejection
    reasons, status-history comments, recruiters' notes, evaluations' outputs
    and errors, webhook delivery payloads about these applications, and the
    chat's rows (``signals.application_erasing``), the job boards' and Telegram's pointers to the person
    (``_channels_erase``: nothing is sent there afterwards). Kept: the rows with status,
    dates and numeric scores. Then an ``Erasure`` record and, after commit, a
    signed ``candidate.erased`` webhook (ids only) and the files' deletion.

    ``reason`` is an ``Erasure.Reason``. Idempotent: an erased candidate gives
    its existing record back.
    """
    if reason not in Erasure.Reason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}")
    files = []
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.erased_at is not None:
            existing = Erasure.objects.filter(company_id=candidate.company_id, candidate_id_erased=candidate.pk).first()
            if existing is not None:
                return existing
        now = timezone.now()
        responses = list(Response.objects.filter(candidate=candidate).order_by("pk"))
        ids = [r.pk for r in responses]
        files = [r.resume_file.name for r in responses if r.resume_file]
        signals.application_erasing.send(sender=Response, response_ids=ids)
        Response.objects.filter(pk__in=ids).update(
            full_name="",
            email="",
            phone="",
            phone_e164="",
            city="",
            resume_text="",
            resume_hidden_text="",
            resume_file="",
            rejection_reasons=[],
            review_reasons=[],
            # Nothing is kept for later vacancies or evaluated any more; the consents go with the data.
            consent_version="",
            consent_at=None,
            ai_consent_at=None,
            talent_pool_consent_at=None,
            erased_at=now,
            updated_at=now,
        )
        Answer.objects.filter(response_id__in=ids).update(raw_text="", value=None)
        # Whether a question was answered, and from where, stays: the vacancy's counts of what candidates ask.
        CandidateQuestion.objects.filter(response_id__in=ids).update(text="", answer="", quote="")
        StatusChange.objects.filter(response_id__in=ids).update(comment="")
        Note.objects.filter(response_id__in=ids).delete()
        # Emails to the candidate: that one was sent (template, time, result) stays, not what or to whom; one still
        # queued is not sent (screening.services.emails.sent_email_deliver skips a row without an address).
        SentEmail.objects.filter(response_id__in=ids).update(to="", subject="", body_text="", body_html="", ics="")
        Notification.objects.filter(response_id__in=ids).update(
            text=_("A candidate whose data was erased"), message="", params={}
        )
        # Nobody waits for a person any more, and what they wrote goes; a booked interview frees its slot.
        HumanRequest.objects.filter(response_id__in=ids).update(text="")
        HumanRequest.objects.filter(response_id__in=ids, resolved_at__isnull=True).update(resolved_at=now)
        Booking.objects.filter(response_id__in=ids, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CANCELLED, cancelled_at=now, cancelled_by="erased"
        )
        Booking.objects.filter(response_id__in=ids).update(candidate_time_zone="")
        Evaluation.objects.filter(response_id__in=ids).update(
            summary="", strengths=[], concerns=[], evidence=[], error="", fallback_reason=""
        )
        _channels_erase(ids)
        for delivery in WebhookDelivery.objects.filter(
            endpoint__company_id=candidate.company_id, payload__data__response__id__in=ids
        ).only("pk", "event", "event_id"):
            # The payload went out already (or will not now); what stays is that an event existed.
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                payload={"id": delivery.event_id, "event": delivery.event, "erased": True}, error=""
            )
        Candidate.objects.filter(pk=candidate.pk).update(email="", erased_at=now, updated_at=now)
        erasure = Erasure.objects.create(
            company_id=candidate.company_id,
            candidate_id_erased=candidate.pk,
            applications=len(ids),
            reason=reason,
            actor=actor,
        )
        audit_record(  # ids only: the log outlives the erasure (docs/audit.md)
            company=candidate.company_id,
            actor=actor,
            action=AuditEntry.Action.ERASURE,
            target=f"candidate:{candidate.pk}",
            summary=f"Candidate {candidate.pk} erased ({reason}, {len(ids)} applications)",
            details={"candidate": candidate.pk, "erasure": erasure.pk, "reason": reason, "responses": ids},
        )
        company_id, candidate_id = candidate.company_id, candidate.pk
        transaction.on_commit(lambda: _delete_files(files), robust=True)
        transaction.on_commit(
            lambda: candidate_erased_emit(company_id=company_id, candidate_id=candidate_id, response_ids=ids),
            robust=True,
        )
    logger.info("candidate %s erased (%s, %d applications)", candidate.pk, reason, len(ids))
    return erasure


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not delete an erased resume file")


def candidate_last_activity(*, company: Company):
    """The company's live candidates annotated with ``last_activity`` (the latest update of any application)."""
    return Candidate.objects.filter(company=company, erased_at__isnull=True).annotate(
        last_activity=Max("responses__updated_at")
    )


def retention_period(*, company: Company) -> timedelta | None:
    """How long after the last activity a candidate is erased (``retention_months`` of 30.44 days), or None."""
    if not company.retention_months:
        return None
    return timedelta(days=round(company.retention_months * DAYS_PER_MONTH))


def retention_cutoff(*, company: Company, now=None):
    """The moment before which a candidate's last activity means erasure, or None when retention is off."""
    period = retention_period(company=company)
    return None if period is None else (now or timezone.now()) - period


def candidates_due_for_erasure(*, company: Company, within: timedelta = timedelta(0), now=None):
    """The company's candidates whose retention period ends before ``now + within`` (empty when retention is off).

    ``within=UPCOMING_ERASURE_WINDOW`` gives the owner's list of upcoming erasures.
    """
    cutoff = retention_cutoff(company=company, now=now)
    if cutoff is None:
        return Candidate.objects.none()
    return candidate_last_activity(company=company).filter(last_activity__lt=cutoff + within).order_by("last_activity")


def retention_enforce(*, now=None) -> int:
    """Erase every candidate whose company's retention period has ended; returns how many (the beat task)."""
    erased = 0
    for company in Company.objects.filter(retention_months__isnull=False):
        for candidate in candidates_due_for_erasure(company=company, now=now):
            candidate_erase(candidate=candidate, reason=Erasure.Reason.RETENTION)
            erased += 1
    return erased
