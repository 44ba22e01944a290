from django.contrib import admin
from django.db.models import Count
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import CompanyScopedModelAdmin, ReadOnlyInline

from .models import ChatMessage, ChatSession


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
