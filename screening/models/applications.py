"""Applications and their screening record: the candidate, the response, its history, notes, answers, erasures."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from vacancies.models import ScreeningQuestion, Vacancy


def public_token() -> str:
    """A random URL-safe token (32 bytes of entropy): a candidate's private link, a webhook's secret."""
    return secrets.token_urlsafe(32)


class Candidate(models.Model):
    """A person known to a company: the profile that links all their applications (``responses``).

    It holds only the key that recognises the person: ``email``, normalised by
    ``screening.identity.email_normalise`` (lower case, IDNA-encoded domain).
    What the person submitted (name, phone, resume, consents) lives on each
    application, so a later application never rewrites an earlier one.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="candidates")
    # Blank for a person known only by a job board's resume (an hh.ru response without contacts).
    email = models.EmailField(_("email (normalised)"), max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the person's data was erased; the row stays as an anonymous tombstone with ``email`` cleared.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=models.Q(erased_at__isnull=True) & ~models.Q(email=""),
                name="candidate_email_unique_per_company",
            )
        ]

    def __str__(self):
        if self.email:
            return self.email
        # No email: erased, or a person known only by a job board's resume (issue 16).
        return f"#{self.pk} (erased)" if self.erased_at else f"#{self.pk} (no email)"


class Response(models.Model):
    """An application of one candidate to one vacancy, and its screening."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_CHAT = "in_chat", _("In chat")
        PASSED = "passed", _("Passed")
        REJECTED = "rejected", _("Rejected")
        # No knockout failed, but an answer could not be settled (unsure, or in a rule's review band): a person
        # decides. Never rejected automatically.
        NEEDS_REVIEW = "needs_review", _("Needs review")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        INTERVIEW = "interview", _("Interview")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        WEB = "web", _("Careers page")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        HH = "hh", "hh.ru"

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="responses")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    score = models.PositiveSmallIntegerField(_("relevance score"), null=True, blank=True)
    rejection_reasons = models.JSONField(_("rejection reasons"), default=list, blank=True)
    # The screening's own verdict ("passed", "rejected", "needs_review"; "" until it finishes), kept whatever a
    # recruiter decides later and updated by a re-judgement: what the vacancy's counters and the table's
    # "Screening" filter count.
    screening_verdict = models.CharField(_("screening verdict"), max_length=20, blank=True, db_index=True)
    # Why the screening needs a person (one plain sentence per answer), for the "needs review" status.
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)
    # Copied from the latest completed evaluation, for sorting and filtering.
    ai_score = models.PositiveSmallIntegerField(_("AI score"), null=True, blank=True)
    ai_recommendation = models.CharField(_("AI recommendation"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    token = models.CharField(max_length=64, unique=True, default=public_token, editable=False)
    # What the candidate submitted with this application: personal data, kept per application.
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, help_text=_("As the candidate typed it."))
    phone_e164 = models.CharField(_("phone (E.164)"), max_length=16, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    resume_text = models.TextField(_("resume"), blank=True, max_length=100000)
    resume_hidden_text = models.TextField(
        _("hidden text in the resume file"),
        blank=True,
        max_length=100000,
        help_text=_("Text a person cannot see in the file (white, tiny or off-page); never read as the resume."),
    )
    resume_file = models.FileField(_("resume file"), upload_to="resumes/%Y/%m/", blank=True)
    # Consents, one per purpose, all given to the text version ``consent_version``; empty time = not given.
    consent_version = models.CharField(_("consent text version"), max_length=40, blank=True)
    consent_at = models.DateTimeField(_("consent to screening given at"), null=True, blank=True)
    ai_consent_at = models.DateTimeField(_("consent to AI-assisted evaluation given at"), null=True, blank=True)
    talent_pool_consent_at = models.DateTimeField(
        _("consent to be kept for future vacancies given at"), null=True, blank=True
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The finished screening's follow-up (``screening.services.followup``) has not run yet: set in the transaction
    # that finishes the screening, cleared in the follow-up's own. The row is its outbox: beat's sweep queues the
    # follow-up again when its message was lost (docs/architecture.md, "After the last answer").
    followup_pending = models.BooleanField(default=False, editable=False)
    # Interview slots were offered (in the chat and by email) at; a recruiter can invite again.
    slots_offered_at = models.DateTimeField(null=True, blank=True)
    # The one reminder a candidate who stopped mid-chat gets (Company.stall_reminder_hours) went out at.
    stall_reminded_at = models.DateTimeField(null=True, blank=True)
    # Issue 15: the company's labels (``screening.models.pipeline.Tag``).
    tags = models.ManyToManyField("screening.Tag", blank=True, related_name="responses", verbose_name=_("tags"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["vacancy", "candidate"], name="response_one_per_candidate_per_vacancy")
        ]
        indexes = [
            # The follow-up sweep reads only the few whose follow-up is due, however many responses exist.
            models.Index(
                fields=["completed_at"], name="response_followup_due", condition=models.Q(followup_pending=True)
            ),
        ]

    def __str__(self):
        return f"{self.candidate} → {self.vacancy}"

    def get_absolute_url(self):
        return reverse("screening:response", args=[self.pk])

    def get_chat_url(self):
        return reverse("chat:candidate", args=[self.token])

    @property
    def is_screening_finished(self) -> bool:
        return self.status not in (self.Status.NEW, self.Status.IN_CHAT)

    @property
    def first_name(self) -> str:
        parts = self.full_name.split()
        return parts[0] if parts else ""

    @property
    def chat_is_live(self) -> bool:
        """The candidate is in this application's chat right now (``ChatSession.is_live``); False when no chat was
        opened. No query when the chat was read with the row (``select_related("chat")``, as the tables do).

        Templates use this instead of ``chat.is_live``: a missing chat raises there, and Django's template engine
        answers each such miss by listing the row's attributes (``dir``) before it renders nothing: measured, the
        responses table spent about 2 ms per page of 25 on it."""
        try:
            chat = self.chat
        except models.ObjectDoesNotExist:
            return False
        return chat.is_live

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def ai_allowed(self) -> bool:
        """The candidate agreed that an AI (an LLM) helps to evaluate this application."""
        return self.ai_consent_at is not None

    @property
    def last_activity_at(self):
        """When anything last happened to the application (the retention period counts from here)."""
        return self.updated_at

    @property
    def candidate_emails(self):
        """The emails SentEmail recorded to the candidate about this application (not the recruiters' about it),
        newest first: the response page's email history. One query."""
        return self.sent_emails.filter(user__isnull=True)


class StatusChange(models.Model):
    """One entry of a response's history: who moved it from what to what, and why."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_status = models.CharField(max_length=20, choices=Response.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Response.Status.choices)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("history")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class Note(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:50]


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # RESTRICT: an answer outlives edits of the script; it goes only with its response or company.
    question = models.ForeignKey(ScreeningQuestion, on_delete=models.RESTRICT, related_name="answers")
    raw_text = models.TextField(_("answer"), max_length=4000, blank=True)
    value = models.JSONField(_("normalised value"), null=True, blank=True)
    # How ``value`` was read from ``raw_text`` (screening.reading: "literal", "magnitude", "idiom", "alias"...);
    # "" for answers stored before readings were recorded, or a skipped optional question.
    read_how = models.CharField(
        _("read as"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("How the value was read from the words: literal, magnitude, words, idiom, folded, alias..."),
    )
    passed = models.BooleanField(_("passed the knockout rule"), null=True, blank=True)
    # The answer could not be settled against its rule (unsure twice, or in the rule's review band): ``passed``
    # is None and a person decides.
    needs_review = models.BooleanField(_("needs review"), default=False)
    # The candidate confirmed the bot's read-back of a value not read literally, or of an answer failing its rule.
    confirmed = models.BooleanField(_("confirmed by the candidate"), default=False)
    # The rule the answer was judged by (``vacancies.rules.rule_snapshot``): old verdicts stay explainable after
    # the rule changes, and re-judging compares against it.
    rule = models.JSONField(_("judged by rule"), default=dict, blank=True)
    points = models.FloatField(_("points"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question__position", "question_id"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")]

    def __str__(self):
        return self.raw_text[:50]


class Erasure(models.Model):
    """The record that a person's data was erased: when, why, by whom, how many applications; never what."""

    class Reason(models.TextChoices):
        CANDIDATE = "candidate", _("Asked by the candidate")
        OWNER = "owner", _("By the company's owner")
        RETENTION = "retention", _("Retention period ended")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="erasures")
    # The tombstone's id (kept for counts); no foreign key, so nothing personal can hang off this row.
    candidate_id_erased = models.PositiveBigIntegerField(_("candidate id"))
    applications = models.PositiveIntegerField(_("applications erased"), default=0)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-created_at"]

    def __str__(self):
        return f"candidate #{self.candidate_id_erased} {self.reason} {self.created_at:%Y-%m-%d}"
