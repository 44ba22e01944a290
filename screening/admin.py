"""Applications in the admin: a door into ``screening.services`` like the workspace, and the audit records.

A response's decision and notes go through ``response_change_status`` and ``response_add_note``; erasing a
candidate through ``candidate_erase``; webhook endpoints through ``webhook_endpoint_create`` / ``_update``.
What happened (status history, answers and their verdicts, evaluations, LLM calls, transcripts, erasures,
webhook deliveries, emails sent, notifications, requests for a person) is read-only for everyone: the admin shows
the record, it never rewrites it.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_scoping import (
    OWNERS,
    AuditRecordAdmin,
    CompanyScopedModelAdmin,
    ReadOnlyInline,
    ServiceDoorMixin,
    adopt,
    related_only,
    sees_all_companies,
)

from . import services
from .forms import decision_comment_field, decision_status_field
from .models import (
    Answer,
    Candidate,
    CandidateQuestion,
    ChatMessage,
    ChatSession,
    Erasure,
    Evaluation,
    HumanRequest,
    LLMCall,
    Note,
    Notification,
    QuestionSuggestion,
    Rejudge,
    Response,
    SentEmail,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(Candidate)
class CandidateAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """A person is added by applying; the owner erases them (as on the privacy page): tombstone, record, webhook."""

    company_field = "company"
    write_roles = OWNERS
    # ``__str__``: the email, or the id for a person known only by a job board's resume (issue 16) or erased.
    list_display = ("__str__", "company", "created_at", "erased_at")
    list_filter = (related_only("company"),)
    search_fields = ("email", "responses__full_name", "responses__phone_e164")
    list_select_related = ("company",)
    date_hierarchy = "created_at"
    actions = ("erase",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The email is the key that links a person's applications: set when they apply, never edited.
        return False

    def delete_model(self, request, obj):
        services.candidate_erase(candidate=obj, reason=Erasure.Reason.OWNER, actor=request.user)

    @admin.action(description=_("Erase the selected candidates' data"), permissions=["delete"])
    def erase(self, request, queryset):
        self.run_on_each(
            request,
            queryset,
            lambda candidate: self.delete_model(request, candidate),
            lambda _n: _("The candidates' data was erased."),
        )


@admin.register(Erasure)
class ErasureAdmin(AuditRecordAdmin):
    company_field = "company"
    list_display = ("created_at", "company", "reason", "actor", "applications", "candidate_id_erased")
    list_filter = ("reason", related_only("company"))
    list_select_related = ("company", "actor")
    date_hierarchy = "created_at"


class AnswerInline(ReadOnlyInline, admin.TabularInline):
    company_field = "response__vacancy__company"
    model = Answer
    # The words, the value read from them and how, the verdict (pass, fail or review), the candidate's
    # confirmation of the read-back and the rule it was judged by.
    fields = ("question", "raw_text", "value", "read_how", "confirmed", "passed", "needs_review", "rule", "points")
    readonly_fields = fields
    ordering = ("question__position", "question_id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")


class CandidateQuestionInline(ReadOnlyInline, admin.TabularInline):
    """What the candidate asked the bot, and its answer; unanswered ones wait for a recruiter."""

    company_field = "response__vacancy__company"
    model = CandidateQuestion
    fields = ("created_at", "text", "answered", "answer", "source", "quote")
    readonly_fields = fields
    show_change_link = False


class StatusChangeInline(ReadOnlyInline, admin.TabularInline):
    company_field = "response__vacancy__company"
    model = StatusChange
    fields = ("created_at", "from_status", "to_status", "actor", "comment")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class NoteInline(ReadOnlyInline, admin.TabularInline):
    company_field = "response__vacancy__company"
    model = Note
    fields = ("created_at", "author", "text")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class ResponseAdminForm(forms.ModelForm):
    """The recruiter's part of a response: a decision (new status, why) and a note, handed to the services."""

    new_status = decision_status_field(required=False)
    status_comment = decision_comment_field()
    new_note = forms.CharField(
        label=_("Add a note"),
        required=False,
        max_length=Note._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Response
        fields = ()


@admin.register(Response)
class ResponseAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """A response is created by applying and moves by the screening; a member decides and notes here."""

    company_field = "vacancy__company"
    form = ResponseAdminForm
    inlines = (AnswerInline, CandidateQuestionInline, StatusChangeInline, NoteInline)
    list_display = (
        "full_name",
        "vacancy",
        "status",
        "score",
        "ai_score",
        "ai_recommendation",
        "source",
        "created_at",
        "completed_at",
    )
    list_filter = ("status", "source", "ai_recommendation", related_only("vacancy"), "created_at")
    search_fields = ("full_name", "email", "phone_e164", "vacancy__title", "token")
    list_select_related = ("candidate", "vacancy", "vacancy__company")
    date_hierarchy = "created_at"
    actions = ("reevaluate",)
    decision_fields = ("new_status", "status_comment", "new_note")
    fieldsets = (
        (
            None,
            {"fields": ("vacancy", "candidate", "source", "status", "score", "rejection_reasons", "review_reasons")},
        ),
        (
            _("Submitted by the candidate"),
            {
                "fields": (
                    "full_name",
                    "email",
                    "phone",
                    "phone_e164",
                    "city",
                    "resume_text",
                    "resume_file",
                    "resume_hidden_text",
                )
            },
        ),
        (
            _("Consents"),
            {"fields": ("consent_version", "consent_at", "ai_consent_at", "talent_pool_consent_at", "erased_at")},
        ),
        (_("AI"), {"fields": ("ai_score", "ai_recommendation")}),
        (_("Chat"), {"fields": ("token", "chat_link", "transcript")}),
        (_("Dates"), {"fields": ("created_at", "updated_at", "completed_at")}),
    )

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # An application leaves only with its person's erasure (the candidate's page).
        return False

    def get_fieldsets(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return self.fieldsets
        # Right under the status, where the recruiter reads it.
        return (self.fieldsets[0], (_("Decision and notes"), {"fields": self.decision_fields}), *self.fieldsets[1:])

    def get_readonly_fields(self, request, obj=None):
        # Everything on the response is the screening's or the candidate's record; the decision fields are not.
        return tuple(field for _name, options in self.fieldsets for field in options["fields"])

    def save_model(self, request, obj, form, change):
        status = form.cleaned_data.get("new_status")
        if status:
            services.response_change_status(
                response=obj, to_status=status, actor=request.user, comment=form.cleaned_data.get("status_comment", "")
            )
        note = form.cleaned_data.get("new_note", "")
        if note.strip():
            services.response_add_note(response=obj, author=request.user, text=note)

    @admin.display(description=_("chat session"))
    def chat_link(self, obj):
        session = getattr(obj, "chat", None) if obj.pk else None
        if session is None:
            return "—"
        url = reverse("admin:screening_chatsession_change", args=[session.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the chat session"))

    @admin.display(description=_("transcript"))
    def transcript(self, obj):
        session = getattr(obj, "chat", None) if obj.pk else None
        if session is None:
            return "—"
        rows = session.messages.order_by("created_at", "id").values_list("sender", "text")
        # format_html_join escapes the candidate's words.
        return format_html_join("", "<p><strong>{}:</strong> {}</p>", ((sender, text) for sender, text in rows)) or "—"

    @admin.action(description=_("Re-evaluate with AI"), permissions=["change"])
    def reevaluate(self, request, queryset):
        self.run_on_each(
            request,
            queryset.select_related("candidate", "vacancy"),
            lambda response: services.evaluation_request(response=response, force=True),
            lambda n: (
                ngettext("Evaluation queued for %(n)d response.", "Evaluation queued for %(n)d responses.", n)
                % {"n": n}
            ),
        )


@admin.register(StatusChange)
class StatusChangeAdmin(AuditRecordAdmin):
    company_field = "response__vacancy__company"
    list_display = ("response", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status", "from_status")
    search_fields = ("response__full_name", "response__email", "comment")
    list_select_related = ("response__candidate", "response__vacancy", "actor")
    date_hierarchy = "created_at"


class NoteAdminForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ("response", "text")


@admin.register(Note)
class NoteAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """A note is added (through ``response_add_note``), then kept as written."""

    company_field = "response__vacancy__company"
    form = NoteAdminForm
    list_display = ("__str__", "response", "author", "created_at")
    search_fields = ("text", "response__full_name")
    list_select_related = ("response__candidate", "response__vacancy", "author")
    autocomplete_fields = ("response",)
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        adopt(
            obj,
            services.response_add_note(
                response=form.cleaned_data["response"], author=request.user, text=form.cleaned_data["text"]
            ),
        )


@admin.register(Answer)
class AnswerAdmin(AuditRecordAdmin):
    company_field = "response__vacancy__company"
    list_display = (
        "response",
        "question",
        "raw_text",
        "read_how",
        "confirmed",
        "passed",
        "needs_review",
        "points",
        "created_at",
    )
    list_filter = ("passed", "needs_review", "confirmed", "read_how", "question__kind")
    search_fields = ("raw_text", "question__text", "response__full_name")
    list_select_related = ("response__candidate", "response__vacancy", "question")


@admin.register(Evaluation)
class EvaluationAdmin(AuditRecordAdmin):
    company_field = "response__vacancy__company"
    list_display = (
        "response",
        "prompt_version",
        "status",
        "evaluator",
        "score",
        "recommendation",
        "model",
        "tokens_in",
        "tokens_out",
        "cost",
        "created_at",
    )
    list_filter = ("status", "evaluator", "recommendation", "prompt_version")
    search_fields = ("response__full_name", "response__email", "summary", "model")
    list_select_related = ("response__candidate", "response__vacancy")
    date_hierarchy = "created_at"


@admin.register(LLMCall)
class LLMCallAdmin(AuditRecordAdmin):
    company_field = "company"
    list_display = ("created_at", "company", "purpose", "model", "tokens_in", "tokens_out", "latency_ms", "cost", "ok")
    list_filter = ("purpose", "ok", "model", related_only("company"))
    search_fields = ("model", "company__name")
    list_select_related = ("company",)
    date_hierarchy = "created_at"


@admin.register(QuestionSuggestion)
class QuestionSuggestionAdmin(AuditRecordAdmin):
    """Suggestions are requested, accepted and discarded in the vacancy editor (their services); shown here."""

    company_field = "vacancy__company"
    list_display = ("vacancy", "count", "difficulty", "status", "evaluator", "requested_by", "created_at")
    list_filter = ("status", "evaluator", "difficulty")
    search_fields = ("vacancy__title",)
    list_select_related = ("vacancy", "requested_by")
    date_hierarchy = "created_at"


@admin.register(Rejudge)
class RejudgeAdmin(AuditRecordAdmin):
    """A question's past answers re-judged under its new rule (``services.rejudge_apply``): who, when, what changed."""

    company_field = "vacancy__company"
    list_display = ("created_at", "vacancy", "question", "actor", "answers", "flipped")
    list_filter = (related_only("vacancy"),)
    search_fields = ("vacancy__title", "question__text")
    list_select_related = ("vacancy", "question", "actor")
    date_hierarchy = "created_at"


class WebhookEndpointAdminForm(forms.ModelForm):
    # A URL typed without a scheme means https (Django 6's default, asked for explicitly now).
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=WebhookEndpoint.Event.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("company", "url", "events", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """Owners and recruiters manage endpoints (as in the API); viewers read them without the secret."""

    company_field = "company"
    form = WebhookEndpointAdminForm
    list_display = ("url", "company", "events", "is_active", "created_at")
    list_filter = ("is_active", related_only("company"))
    search_fields = ("url", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)

    def get_fields(self, request, obj=None):
        fields = ["company", "url", "events", "is_active", "created_at"]
        if obj is not None and self.may_write(request):
            fields.append("secret")
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = ("secret", "created_at")
        return (*readonly, "company") if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in ("url", "events", "is_active")}
        if change:
            services.webhook_endpoint_update(endpoint=obj, **values)
            return
        company = form.cleaned_data["company"] if sees_all_companies(request) else request.user.company
        adopt(obj, services.webhook_endpoint_create(company=company, **values))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditRecordAdmin):
    company_field = "endpoint__company"
    list_display = ("event", "endpoint", "status", "attempts", "status_code", "created_at", "delivered_at")
    list_filter = ("status", "event")
    search_fields = ("event_id", "endpoint__url")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"


class ChatMessageInline(ReadOnlyInline, admin.TabularInline):
    company_field = "session__response__vacancy__company"
    model = ChatMessage
    fields = ("created_at", "sender", "author", "text", "question")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "question")


@admin.register(ChatSession)
class ChatSessionAdmin(AuditRecordAdmin):
    company_field = "response__vacancy__company"
    ordering = ("-started_at",)
    inlines = (ChatMessageInline,)
    list_display = ("response", "state", "taken_over_by", "message_count", "started_at", "last_activity_at")
    list_filter = ("state",)
    search_fields = ("response__full_name", "response__email", "response__vacancy__title")
    list_select_related = ("response__candidate", "response__vacancy", "taken_over_by")
    date_hierarchy = "started_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_messages=Count("messages"))

    @admin.display(description=_("messages"), ordering="_messages")
    def message_count(self, obj):
        return obj._messages


@admin.register(ChatMessage)
class ChatMessageAdmin(AuditRecordAdmin):
    company_field = "session__response__vacancy__company"
    list_display = ("created_at", "session", "sender", "short_text", "author")
    list_filter = ("sender",)
    search_fields = ("text", "session__response__full_name")
    list_select_related = ("session", "author")
    date_hierarchy = "created_at"

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return Truncator(obj.text).chars(80)


@admin.register(SentEmail)
class SentEmailAdmin(AuditRecordAdmin):
    """Every email queued, to candidates and members: what, to whom and how delivery went (docs/notifications.md).
    The HTML part and the invitation are left out: the text says the same."""

    company_field = "company"
    list_display = ("created_at", "template", "to", "subject", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "template", "language", "created_at")
    search_fields = ("to", "subject", "response__full_name")
    date_hierarchy = "created_at"
    fields = (
        "company",
        "response",
        "user",
        "to",
        "template",
        "language",
        "subject",
        "body_text",
        "status",
        "attempts",
        "error",
        "created_at",
        "sent_at",
    )


@admin.register(Notification)
class NotificationAdmin(AuditRecordAdmin):
    company_field = "company"
    list_display = ("created_at", "user", "kind", "text", "read_at", "emailed_at")
    list_filter = ("kind", "created_at")
    search_fields = ("text", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"


class HumanRequestStateFilter(admin.SimpleListFilter):
    """Where a request stands in the queue: waiting for someone, claimed, or resolved."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("waiting", _("Waiting")), ("claimed", _("Claimed")), ("resolved", _("Resolved")))

    def queryset(self, request, queryset):
        open_requests = queryset.filter(resolved_at__isnull=True)
        return {
            "waiting": open_requests.filter(claimed_by__isnull=True),
            "claimed": open_requests.filter(claimed_by__isnull=False),
            "resolved": queryset.filter(resolved_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(HumanRequest)
class HumanRequestAdmin(AuditRecordAdmin):
    """A candidate's request to talk to a person; claimed and resolved from the queue (``services.human``)."""

    company_field = "company"
    list_display = ("created_at", "response", "reason", "due_at", "claimed_by", "claimed_at", "resolved_at")
    list_filter = (HumanRequestStateFilter, "reason", "created_at")
    search_fields = ("response__full_name", "response__email", "text")
    list_select_related = ("response__candidate", "response__vacancy", "claimed_by")
    date_hierarchy = "created_at"


# The channels' admins (issue 16) live in their own module, registered with the rest when this one is loaded.
from . import admin_integrations  # noqa: E402, F401
