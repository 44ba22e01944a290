import ipaddress
import secrets
import socket
import urllib.parse
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from vacancies.models import ScreeningQuestion, Vacancy


def _public_token() -> str:
    return secrets.token_urlsafe(32)


def webhook_address_error(url: str, *, unresolvable_is_error: bool = True) -> str | None:
    """Why our workers must not POST to ``url``, or None: a webhook may only reach public addresses.

    A tenant registers the URL and our worker calls it from inside our network,
    so loopback, private, link-local (cloud metadata) and other non-public
    addresses are refused, whatever name resolves to them, unless
    ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on (development, tests, the demo).
    A name that does not resolve is an error at registration; at delivery
    (``unresolvable_is_error=False``) the attempt goes on and fails as a
    network error, which is retried.
    """
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return str(_("The address has no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        return str(_("The host name could not be resolved.")) if unresolvable_is_error else None
    for *_rest, address in found:
        error = webhook_ip_error(address[0])
        if error:
            return error
    return None


def webhook_ip_error(address: str) -> str | None:
    """Why a webhook must not be sent to the IP ``address`` (a getaddrinfo sockaddr host), or None if it is public.

    Public: ``ipaddress``'s ``is_global`` (IANA special-purpose registries) and not multicast. Also used at
    delivery (``screening.webhook_transport``), on the very addresses the request then connects to.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is not part of it
    if not ip.is_global or ip.is_multicast:
        return str(_("Webhooks can only be sent to public internet addresses, not to %(address)s.")) % {"address": ip}
    return None


def validate_webhook_url(url: str) -> None:
    error = webhook_address_error(url)
    if error:
        raise ValidationError(error, code="private_address")


class Candidate(models.Model):
    """A person known to a company: the profile that links all their applications (``responses``).

    It holds only the key that recognises the person: ``email``, normalised by
    ``screening.identity.email_normalise`` (lower case, IDNA-encoded domain).
    What the person submitted (name, phone, resume, consents) lives on each
    application, so a later application never rewrites an earlier one.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="candidates")
    email = models.EmailField(_("email (normalised)"), max_length=254)
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
                condition=models.Q(erased_at__isnull=True),
                name="candidate_email_unique_per_company",
            )
        ]

    def __str__(self):
        return self.email or f"#{self.pk} (erased)"


class Response(models.Model):
    """An application of one candidate to one vacancy, and its screening."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_CHAT = "in_chat", _("In chat")
        PASSED = "passed", _("Passed")
        REJECTED = "rejected", _("Rejected")
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

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="responses")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    score = models.PositiveSmallIntegerField(_("relevance score"), null=True, blank=True)
    rejection_reasons = models.JSONField(_("rejection reasons"), default=list, blank=True)
    # Copied from the latest completed evaluation, for sorting and filtering.
    ai_score = models.PositiveSmallIntegerField(_("AI score"), null=True, blank=True)
    ai_recommendation = models.CharField(_("AI recommendation"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    token = models.CharField(max_length=64, unique=True, default=_public_token, editable=False)
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

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["vacancy", "candidate"], name="response_one_per_candidate_per_vacancy")
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
    points = models.FloatField(_("points"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question__position", "question_id"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")]

    def __str__(self):
        return self.raw_text[:50]


class Evaluation(models.Model):
    """The LLM's (or the builtin evaluator's) advice on a response. One per response and prompt version."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Recommendation(models.TextChoices):
        ADVANCE = "advance", _("Advance")
        HOLD = "hold", _("Hold")
        REJECT = "reject", _("Reject")

    class Evaluator(models.TextChoices):
        BUILTIN = "builtin", _("Builtin evaluator")
        LLM = "llm", _("LLM")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evaluations")
    prompt_version = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    evaluator = models.CharField(max_length=10, choices=Evaluator.choices, blank=True)
    fallback_reason = models.CharField(max_length=200, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)
    strengths = models.JSONField(default=list, blank=True)
    concerns = models.JSONField(default=list, blank=True)
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    model = models.CharField(max_length=100, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # The claim: the Celery task that holds the evaluation (running, or pending its scheduled retry) and until
    # when. Another task may take it over only after the lease; a redelivery of the holder (same id) at once.
    task_id = models.CharField(max_length=255, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["response", "prompt_version"], name="evaluation_one_per_prompt_version")
        ]
        indexes = [
            # The sweep (every minute) reads only the unfinished few, however many evaluations exist.
            models.Index(
                fields=["updated_at"],
                name="evaluation_unfinished_idx",
                condition=models.Q(status__in=["pending", "running"]),
            )
        ]

    def __str__(self):
        return f"{self.response_id} {self.prompt_version} {self.status}"

    def is_claimed_by_another(self, *, task_id: str, now) -> bool:
        """True when a live claim of another task holds this evaluation (its lease has not run out).

        A running evaluation from before leases were recorded has none: its claim is
        treated as expired (the sweep only sends it once it is older than the lease).
        """
        if self.status not in (self.Status.PENDING, self.Status.RUNNING) or not self.task_id:
            return False
        if task_id and self.task_id == task_id:
            return False  # the holder itself, redelivered after its worker was lost: it takes over
        return self.lease_expires_at is not None and self.lease_expires_at > now


class LLMCall(models.Model):
    """One call to the LLM provider, for the usage page and the monthly budget."""

    class Purpose(models.TextChoices):
        EVALUATION = "evaluation", _("Evaluation")
        SUGGESTION = "suggestion", _("Suggested questions")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="llm_calls")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    model = models.CharField(max_length=100)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    ok = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("LLM call")
        verbose_name_plural = _("LLM calls")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.purpose} {self.model} {self.created_at:%Y-%m-%d %H:%M}"


class QuestionSuggestion(models.Model):
    """A batch of screening questions suggested for a vacancy, for the recruiter to accept or discard."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="suggestions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    count = models.PositiveSmallIntegerField(default=5)
    difficulty = models.CharField(max_length=10, default="medium")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    evaluator = models.CharField(max_length=10, choices=Evaluation.Evaluator.choices, blank=True)
    items = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question suggestion")
        verbose_name_plural = _("question suggestions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.vacancy_id} ×{self.count} {self.status}"


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


class WebhookEndpoint(models.Model):
    class Event(models.TextChoices):
        RESPONSE_COMPLETED = "response.completed", _("Screening completed")
        RESPONSE_EVALUATED = "response.evaluated", _("Response evaluated")
        RESPONSE_STATUS_CHANGED = "response.status_changed", _("Status changed")
        CANDIDATE_ERASED = "candidate.erased", _("Candidate erased")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=128, default=_public_token)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.event} {self.status}"


class ChatSession(models.Model):
    """The screening chat of one response: part of the application's record (the ``chat`` app is its real-time door)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        FINISHED = "finished", _("Finished")

    response = models.OneToOneField("Response", on_delete=models.CASCADE, related_name="chat")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    # Set while a recruiter has taken the chat over; the bot is paused meanwhile.
    taken_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Open candidate sockets, counted on connect and disconnect (several tabs count several).
    candidate_sockets = models.PositiveSmallIntegerField(default=0)
    # Open recruiter sockets watching the chat. The candidate's turns read it with the row they lock and skip the
    # recruiters' fan-out (a channel-layer round trip) while it is 0; a count left by a crashed process only costs
    # a fan-out to an empty group.
    watchers = models.PositiveSmallIntegerField(default=0)

    # A count left behind by a crashed server process stops meaning "live" after this long without activity.
    LIVE_WINDOW = timedelta(minutes=30)

    class Meta:
        # The tables keep the names they had in the chat app (the models moved, not the data).
        db_table = "chat_chatsession"
        verbose_name = _("chat session")
        verbose_name_plural = _("chat sessions")

    def __str__(self):
        return f"chat {self.response_id}"

    @property
    def bot_paused(self) -> bool:
        return self.taken_over_by_id is not None

    @property
    def is_finished(self) -> bool:
        return self.state == self.State.FINISHED

    @property
    def is_live(self) -> bool:
        """The candidate is in the chat right now (the responses table's "live" badge). No query."""
        return (
            self.state == self.State.ACTIVE
            and self.candidate_sockets > 0
            and self.last_activity_at is not None
            and self.last_activity_at >= timezone.now() - self.LIVE_WINDOW
        )


class ChatMessage(models.Model):
    """One line of a screening chat's transcript (bot, candidate, recruiter or system)."""

    class Sender(models.TextChoices):
        BOT = "bot", _("Bot")
        CANDIDATE = "candidate", _("Candidate")
        RECRUITER = "recruiter", _("Recruiter")
        SYSTEM = "system", _("System")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    text = models.TextField(max_length=4000)
    question = models.ForeignKey(ScreeningQuestion, on_delete=models.SET_NULL, null=True, blank=True)
    # The client's id for the frame that created this message: a resend is not written twice.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "chat_chatmessage"
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client_id"],
                condition=~models.Q(client_id=""),
                name="chat_message_client_id_unique",
            )
        ]

    def __str__(self):
        return f"{self.sender}: {self.text[:40]}"
