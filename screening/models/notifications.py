"""After the screening (issue 14): emails to candidates and their record, recruiters' notifications and
preferences, and candidates' requests to talk to a person (docs/notifications.md)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Company

from .applications import Response


class EmailTemplate(models.Model):
    """A company's own wording of one candidate email in one language; without a row the default is used.

    ``subject`` and ``body`` are plain text with ``{placeholder}`` fields (``screening.emails.PLACEHOLDERS``),
    checked when saved; the HTML part is made from ``body``.
    """

    class Key(models.TextChoices):
        APPLICATION_RECEIVED = "application_received", _("Application received")
        SCREENING_FINISHED = "screening_finished", _("Screening finished")
        DECISION_SHORTLISTED = "decision_shortlisted", _("Decision: shortlisted")
        DECISION_INTERVIEW = "decision_interview", _("Decision: interview")
        DECISION_OFFER = "decision_offer", _("Decision: offer")
        DECISION_HIRED = "decision_hired", _("Decision: hired")
        DECISION_DECLINED = "decision_declined", _("Decision: declined")
        CHAT_REMINDER = "chat_reminder", _("Reminder to finish the chat")
        RECRUITER_MESSAGE = "recruiter_message", _("A message from the recruiter")
        SLOTS_OFFERED = "slots_offered", _("Interview slots offered")
        BOOKING_CONFIRMED = "booking_confirmed", _("Interview booked")
        BOOKING_CANCELLED = "booking_cancelled", _("Interview cancelled")
        INTERVIEW_REMINDER = "interview_reminder", _("Interview reminder")

    class Language(models.TextChoices):
        EN = "en", "English"
        RU = "ru", "Русский"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="email_templates")
    key = models.CharField(_("email"), max_length=40, choices=Key.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), max_length=5000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        constraints = [
            models.UniqueConstraint(fields=["company", "key", "language"], name="email_template_one_per_language")
        ]

    def __str__(self):
        return f"{self.key} ({self.language})"


class SentEmail(models.Model):
    """One email SmartBot sent or is sending, rendered when queued: what, to whom, and how delivery went.

    Candidates' emails carry ``response`` (shown in its history); recruiters' carry ``user``. The task sends
    exactly this row's subject, text, HTML and ``ics`` attachment, so a retry sends what was queued.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sent_emails")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, null=True, blank=True, related_name="sent_emails")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="sent_emails"
    )
    to = models.EmailField(_("to"), max_length=254)
    # An EmailTemplate.Key for candidates, a Notification.Kind (or "digest") for recruiters.
    template = models.CharField(_("template"), max_length=40)
    language = models.CharField(_("language"), max_length=2, default="en")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True)  # an iCalendar attachment (invite.ics), when there is one
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="sentemail_status_created")]

    def __str__(self):
        return f"{self.template} to {self.to} ({self.status})"


class Notification(models.Model):
    """Something a recruiter should know (the bell, the notifications page, and email by their preference)."""

    class Kind(models.TextChoices):
        CANDIDATE_PASSED = "candidate_passed", _("A candidate passed the screening")
        CANDIDATE_NEEDS_REVIEW = "candidate_needs_review", _("A candidate needs review")
        HUMAN_REQUESTED = "human_requested", _("A candidate asked for a person")
        CANDIDATE_MESSAGE = "candidate_message", _("A candidate wrote after the screening")
        INTERVIEW_BOOKED = "interview_booked", _("An interview was booked")
        INTERVIEW_CANCELLED = "interview_cancelled", _("An interview was cancelled")
        INTERVIEW_MISSED = "interview_missed", _("An interview was missed")
        BOARD_PROBLEM = "board_problem", _("A job board needs attention")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # ``text`` is the line in the site's default language (emails, search, rows from before ``message``);
    # ``message`` (an English msgid) and ``params`` render it again in each reader's language (``get_text``).
    text = models.CharField(_("text"), max_length=300)
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)  # a path in the dashboard
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when an email (instant or in a digest) told the user about it.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread")]

    def __str__(self):
        return f"{self.kind} for {self.user_id}"

    def get_text(self) -> str:
        """The line in the active language (``notification_line``); the stored ``text`` when there is no
        ``message`` or it no longer renders."""
        if not self.message:
            return self.text
        try:
            return notification_line(self.message, self.params)
        except (KeyError, ValueError, TypeError):
            return self.text


def notification_line(message: str, params: dict) -> str:
    """``message`` (an English msgid with ``%(name)s`` fields, marked with ``gettext_noop``) translated into
    the active language and filled from ``params``, one line of at most 300 characters.

    A param is a literal string (a name, a title, a candidate's words), ``{"msgid": "..."}`` (a phrase
    translated too), or ``{"slot": [starts_at ISO 8601, minutes, IANA zone]}`` (an interview's time, worded by
    ``screening.calendar.span_text``). Raises ``KeyError``/``ValueError``/``TypeError`` for params that do
    not fit the message."""
    from screening.calendar import span_text

    values = {}
    for name, value in params.items():
        if isinstance(value, dict) and "msgid" in value:
            values[name] = gettext(value["msgid"])
        elif isinstance(value, dict) and "slot" in value:
            starts_at, minutes, zone = value["slot"]
            values[name] = span_text(dt.datetime.fromisoformat(starts_at), int(minutes), zone)
        else:
            values[name] = str(value)
    return " ".join((gettext(message) % values).split())[:300]


class NotificationPreference(models.Model):
    """How one user wants emails of one kind of notification; without a row, ``DEFAULT_EMAIL`` of the kind."""

    class Email(models.TextChoices):
        OFF = "off", _("No email")
        INSTANT = "instant", _("Email at once")
        DIGEST = "digest", _("Daily digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Notification.Kind.choices)
    email = models.CharField(_("email"), max_length=10, choices=Email.choices, default=Email.INSTANT)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_one_per_kind")]

    def __str__(self):
        return f"{self.kind}: {self.email}"


class HumanRequest(models.Model):
    """A candidate waiting for a person: in the company's live queue until a recruiter claims and resolves it.

    ``due_at`` is the SLA: ``created_at`` plus the company's ``human_reply_hours`` counted in working hours.
    """

    class Reason(models.TextChoices):
        ASKED = "asked", _("Asked for a person")
        STUCK = "stuck", _("Stuck on a question")
        COMPLAINED = "complained", _("Complained")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="human_requests")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="human_requests")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    text = models.CharField(_("what the candidate wrote"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True, db_index=True)
    due_at = models.DateTimeField(_("answer due by"))
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for a person")
        verbose_name_plural = _("requests for a person")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response"], condition=models.Q(resolved_at__isnull=True), name="human_request_one_open"
            )
        ]

    def __str__(self):
        return f"{self.reason} on {self.response_id}"
