from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_scoping import CompanyScopedModelAdmin, ReadOnlyInline, related_only

from . import services
from .models import (
    Answer,
    Candidate,
    ChatMessage,
    ChatSession,
    Erasure,
    Evaluation,
    LLMCall,
    Note,
    QuestionSuggestion,
    Response,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(Candidate)
class CandidateAdmin(CompanyScopedModelAdmin):
    company_field = "company"
    list_display = ("email", "company", "created_at", "erased_at")
    list_filter = (related_only("company"),)
    search_fields = ("email", "responses__full_name", "responses__phone_e164")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    readonly_fields = ("created_at", "updated_at", "erased_at")
    date_hierarchy = "created_at"

    actions = ("erase",)

    def get_readonly_fields(self, request, obj=None):
        # The email is the key that links a person's applications: it is set when they apply.
        return (*self.readonly_fields, "company", "email") if obj is not None else self.readonly_fields

    # Deleting a person in the admin is the same erasure as everywhere else: tombstone, record, webhook.
    def delete_model(self, request, obj):
        services.candidate_erase(candidate=obj, reason=Erasure.Reason.OWNER, actor=request.user)

    def delete_queryset(self, request, queryset):
        for candidate in queryset:
            services.candidate_erase(candidate=candidate, reason=Erasure.Reason.OWNER, actor=request.user)

    @admin.action(description=_("Erase the selected candidates' data"), permissions=["delete"])
    def erase(self, request, queryset):
        self.delete_queryset(request, queryset)
        self.message_user(request, _("The candidates' data was erased."), messages.SUCCESS)


@admin.register(Erasure)
class ErasureAdmin(CompanyScopedModelAdmin):
    """The record that an erasure happened: read-only, like every audit record."""

    company_field = "company"
    list_display = ("created_at", "company", "reason", "actor", "applications", "candidate_id_erased")
    list_filter = ("reason", related_only("company"))
    list_select_related = ("company", "actor")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnlyInline, admin.TabularInline):
    company_field = "response__vacancy__company"
    model = Answer
    fields = ("question", "raw_text", "value", "passed", "points")
    readonly_fields = fields
    ordering = ("question__position", "question_id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")


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


@admin.register(Response)
class ResponseAdmin(CompanyScopedModelAdmin):
    company_field = "vacancy__company"
    inlines = (AnswerInline, StatusChangeInline, NoteInline)
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
    autocomplete_fields = ("vacancy", "candidate")
    date_hierarchy = "created_at"
    actions = ("reevaluate",)
    # Status and score move only through the services (history, webhooks); the admin shows them.
    readonly_fields = (
        "status",
        "score",
        "rejection_reasons",
        "ai_score",
        "ai_recommendation",
        "token",
        "chat_link",
        "transcript",
        "created_at",
        "updated_at",
        "completed_at",
        "phone_e164",
        "resume_hidden_text",
        "consent_version",
        "consent_at",
        "ai_consent_at",
        "talent_pool_consent_at",
        "erased_at",
    )
    # What the candidate submitted is their record: shown, never edited afterwards.
    submitted_fields = ("full_name", "email", "phone", "city", "resume_text", "resume_file")
    fieldsets = (
        (None, {"fields": ("vacancy", "candidate", "source", "status", "score", "rejection_reasons")}),
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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return (*self.readonly_fields, "vacancy", "candidate", *self.submitted_fields)
        return self.readonly_fields

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
        count = 0
        for response in queryset.select_related("candidate", "vacancy"):
            try:
                services.evaluation_request(response=response, force=True)
            except ValidationError as error:
                self.message_user(request, f"{response}: {' '.join(error.messages)}", messages.WARNING)
            else:
                count += 1
        if not count:
            return
        self.message_user(
            request,
            ngettext("Evaluation queued for %(n)d response.", "Evaluation queued for %(n)d responses.", count)
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(StatusChange)
class StatusChangeAdmin(CompanyScopedModelAdmin):
    company_field = "response__vacancy__company"
    list_display = ("response", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status", "from_status")
    search_fields = ("response__full_name", "response__email", "comment")
    list_select_related = ("response__candidate", "response__vacancy", "actor")
    autocomplete_fields = ("response", "actor")
    date_hierarchy = "created_at"


@admin.register(Note)
class NoteAdmin(CompanyScopedModelAdmin):
    company_field = "response__vacancy__company"
    list_display = ("__str__", "response", "author", "created_at")
    search_fields = ("text", "response__full_name")
    list_select_related = ("response__candidate", "response__vacancy", "author")
    autocomplete_fields = ("response", "author")
    date_hierarchy = "created_at"


@admin.register(Answer)
class AnswerAdmin(CompanyScopedModelAdmin):
    company_field = "response__vacancy__company"
    list_display = ("response", "question", "raw_text", "passed", "points", "created_at")
    list_filter = ("passed", "question__kind")
    search_fields = ("raw_text", "question__text", "response__full_name")
    list_select_related = ("response__candidate", "response__vacancy", "question")
    autocomplete_fields = ("response", "question")


@admin.register(Evaluation)
class EvaluationAdmin(CompanyScopedModelAdmin):
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
    autocomplete_fields = ("response",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at", "finished_at")


@admin.register(LLMCall)
class LLMCallAdmin(CompanyScopedModelAdmin):
    company_field = "company"
    list_display = ("created_at", "company", "purpose", "model", "tokens_in", "tokens_out", "latency_ms", "cost", "ok")
    list_filter = ("purpose", "ok", "model", related_only("company"))
    search_fields = ("model", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    date_hierarchy = "created_at"


@admin.register(QuestionSuggestion)
class QuestionSuggestionAdmin(CompanyScopedModelAdmin):
    company_field = "vacancy__company"
    list_display = ("vacancy", "count", "difficulty", "status", "evaluator", "requested_by", "created_at")
    list_filter = ("status", "evaluator", "difficulty")
    search_fields = ("vacancy__title",)
    list_select_related = ("vacancy", "requested_by")
    autocomplete_fields = ("vacancy", "requested_by")
    date_hierarchy = "created_at"


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CompanyScopedModelAdmin):
    company_field = "company"
    # A URL typed without a scheme means https (Django 6's default, asked for explicitly now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("url", "company", "events", "is_active", "created_at")
    list_filter = ("is_active", related_only("company"))
    search_fields = ("url", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CompanyScopedModelAdmin):
    company_field = "endpoint__company"
    list_display = ("event", "endpoint", "status", "attempts", "status_code", "created_at", "delivered_at")
    list_filter = ("status", "event")
    search_fields = ("event_id", "endpoint__url")
    list_select_related = ("endpoint",)
    autocomplete_fields = ("endpoint",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "delivered_at")


class ChatMessageInline(ReadOnlyInline, admin.TabularInline):
    company_field = "session__response__vacancy__company"
    model = ChatMessage
    fields = ("created_at", "sender", "author", "text", "question")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "question")


@admin.register(ChatSession)
class ChatSessionAdmin(CompanyScopedModelAdmin):
    company_field = "response__vacancy__company"
    ordering = ("-started_at",)
    inlines = (ChatMessageInline,)
    list_display = ("response", "state", "taken_over_by", "message_count", "started_at", "last_activity_at")
    list_filter = ("state",)
    search_fields = ("response__full_name", "response__email", "response__vacancy__title")
    list_select_related = ("response__candidate", "response__vacancy", "taken_over_by")
    autocomplete_fields = ("response", "taken_over_by")
    # The socket counters are kept by the consumers; an edit here would only make them wrong.
    readonly_fields = ("started_at", "last_activity_at", "finished_at", "candidate_sockets", "watchers")
    date_hierarchy = "started_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_messages=Count("messages"))

    @admin.display(description=_("messages"), ordering="_messages")
    def message_count(self, obj):
        return obj._messages


@admin.register(ChatMessage)
class ChatMessageAdmin(CompanyScopedModelAdmin):
    company_field = "session__response__vacancy__company"
    list_display = ("created_at", "session", "sender", "short_text", "author")
    list_filter = ("sender",)
    search_fields = ("text", "session__response__full_name")
    list_select_related = ("session", "author")
    autocomplete_fields = ("session", "author", "question")
    date_hierarchy = "created_at"

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return Truncator(obj.text).chars(80)
