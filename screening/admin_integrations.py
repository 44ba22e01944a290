"""Channels in the admin (issue 16): job-board connections, linked vacancies, imported board responses, Telegram
bots and threads. Imported by ``screening.admin`` (the room the admin autodiscovers).

The house's rules hold: scoped to the member's company (``company_field``), writes through the services
(``screening.services.boards``), records read-only. Secrets are never shown, to anyone, superusers included:
a connection's OAuth tokens, a bot's token and webhook secret, and a thread's deep-link code (whoever holds it
can bind the application to their own Telegram account). Connecting a board or a bot happens on the
integrations page (OAuth, the bot's token checked with Telegram), not here.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import OWNERS, AuditRecordAdmin, CompanyScopedModelAdmin, ServiceDoorMixin, related_only

from .models import BoardApplication, BoardConnection, BoardVacancy, TelegramBot, TelegramLink
from .services import boards as board_services

# Never a field of any form or page here (``exclude`` and not listed): EncryptedTextField values and bearer codes.
CONNECTION_SECRETS = ("access_token", "refresh_token")
BOT_SECRETS = ("token", "secret_token")
LINK_SECRETS = ("code",)
# Addresses shown on a page are read-only; the form field of one still says how a scheme-less one is read.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class BoardConnectionAdminForm(forms.ModelForm):
    """The owner's part of a connection: the wording of the three messages sent through the board."""

    class Meta:
        model = BoardConnection
        fields = ("invite_message", "accept_message", "discard_message")


@admin.register(BoardConnection)
class BoardConnectionAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """A company's job-board account: status, syncs and errors shown; owners change the messages
    (``board_messages_save``) and disconnect (``board_disconnect``: tokens revoked and forgotten)."""

    company_field = "company"
    write_roles = OWNERS
    form = BoardConnectionAdminForm
    exclude = CONNECTION_SECRETS
    list_display = ("__str__", "company", "provider", "status", "last_sync_ok_at", "error_kind", "last_error_at")
    list_filter = ("provider", "status", related_only("company"))
    search_fields = ("account_name", "account_id", "company__name")
    list_select_related = ("company",)
    actions = ("disconnect",)
    record_fields = (
        "company",
        "provider",
        "status",
        "account_id",
        "account_name",
        "manager_id",
        "connected_by",
        "connected_at",
        "token_expires_at",
        "last_sync_at",
        "last_sync_ok_at",
        "error_kind",
        "last_error",
        "last_error_at",
        "rate_limited_until",
    )
    fieldsets = (
        (None, {"fields": record_fields}),
        (_("Messages sent through the board"), {"fields": ("invite_message", "accept_message", "discard_message")}),
    )

    def has_add_permission(self, request, obj=None):
        return False  # connected with OAuth on the integrations page

    def has_delete_permission(self, request, obj=None):
        return False  # disconnected (the action), never deleted: its applications keep their board

    def get_readonly_fields(self, request, obj=None):
        return self.record_fields

    def save_model(self, request, obj, form, change):
        board_services.board_messages_save(
            connection=obj,
            user=request.user,
            invite=form.cleaned_data["invite_message"],
            accept=form.cleaned_data["accept_message"],
            discard=form.cleaned_data["discard_message"],
        )

    @admin.action(description=_("Disconnect the selected job boards"), permissions=["change"])
    def disconnect(self, request, queryset):
        self.run_on_each(
            request,
            queryset,
            lambda connection: board_services.board_disconnect(connection=connection, user=request.user),
            lambda _n: _("Disconnected: the tokens were revoked and forgotten."),
        )


@admin.register(BoardVacancy)
class BoardVacancyAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """A SmartBot vacancy linked to one on a board (linked on the integrations page, which asks the board);
    unlinking here stops the imports (``board_vacancy_unlink``)."""

    formfield_overrides = URL_FIELDS
    company_field = "connection__company"
    list_display = ("vacancy", "external_name", "external_id", "connection", "archived_at", "last_import_at")
    list_filter = (related_only("connection"),)
    search_fields = ("vacancy__title", "external_name", "external_id")
    list_select_related = ("vacancy", "connection")
    fields = (
        "connection",
        "vacancy",
        "external_id",
        "external_name",
        "external_url",
        "archived_at",
        "last_import_at",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        board_services.board_vacancy_unlink(link=obj)


@admin.register(BoardApplication)
class BoardApplicationAdmin(AuditRecordAdmin):
    """The board's response behind an application: what was imported, the invitation, the decision written."""

    formfield_overrides = URL_FIELDS
    company_field = "response__vacancy__company"
    list_display = (
        "__str__",
        "response",
        "external_state",
        "invited_at",
        "written_decision",
        "written_at",
        "writeback_attempts",
        "imported_at",
    )
    list_filter = ("external_state", "written_decision", related_only("connection"))
    search_fields = ("negotiation_id", "resume_id", "response__full_name")
    list_select_related = ("connection", "response__candidate", "response__vacancy")
    date_hierarchy = "imported_at"


@admin.register(TelegramBot)
class TelegramBotAdmin(AuditRecordAdmin):
    """A company's Telegram bot, shown without its token or webhook secret; connected on the integrations page."""

    formfield_overrides = URL_FIELDS
    company_field = "company"
    exclude = BOT_SECRETS
    list_display = ("__str__", "company", "status", "webhook_url", "last_error_at", "connected_at")
    list_filter = ("status", related_only("company"))
    search_fields = ("username", "company__name")
    list_select_related = ("company",)


@admin.register(TelegramLink)
class TelegramLinkAdmin(AuditRecordAdmin):
    """An application's Telegram thread: to whom it is bound and since when; the deep-link code is not shown."""

    company_field = "response__vacancy__company"
    exclude = LINK_SECRETS
    list_display = ("response", "bot", "username", "bound_at", "blocked_at", "created_at")
    list_filter = (related_only("bot"),)
    search_fields = ("username", "response__full_name")
    list_select_related = ("bot", "response__candidate", "response__vacancy")
    date_hierarchy = "created_at"
