"""Channels where candidates are (issue 16): job-board accounts and the applications they bring, and the
Telegram bot a company screens in (docs/integrations.md).

Secrets (OAuth tokens, a bot's token) are stored encrypted at rest (``encrypted_fields``: Fernet keyed from
``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``, salted with ``SALT_KEY``); they are never shown back, in the admin
or anywhere else.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField

from accounts.models import Company
from vacancies.models import Vacancy

from .applications import Response


def telegram_code() -> str:
    """A deep-link payload binding one application to a Telegram account: 32 characters of ``[A-Za-z0-9_-]``.

    Telegram allows up to 64 such characters after ``?start=`` (Bot API, "Deep linking").
    """
    return secrets.token_urlsafe(24)


def webhook_secret() -> str:
    """The ``secret_token`` Telegram echoes in ``X-Telegram-Bot-Api-Secret-Token`` (Bot API ``setWebhook``:
    1-256 characters of ``[A-Za-z0-9_-]``)."""
    return secrets.token_urlsafe(32)


class BoardConnection(models.Model):
    """A company's employer account on one job board, connected with OAuth 2 (one per company and board).

    ``status`` says whether syncs can run; ``last_error`` / ``error_kind`` keep the last failure for the
    integrations page (``error_kind`` is ``screening.boards.BoardError.kind``: "auth", "paid", "rate_limit",
    "archived", "not_found", "bad_request", "unavailable"). ``rate_limited_until``: no call before then.
    """

    class Provider(models.TextChoices):
        HH = "hh", "hh.ru"
        AVITO = "avito", "Avito"

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        ERROR = "error", _("Needs attention")
        DISCONNECTED = "disconnected", _("Disconnected")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="board_connections")
    provider = models.CharField(_("job board"), max_length=10, choices=Provider.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONNECTED)
    account_id = models.CharField(_("employer id"), max_length=64, blank=True)
    account_name = models.CharField(_("employer"), max_length=255, blank=True)
    manager_id = models.CharField(_("manager id"), max_length=64, blank=True)
    access_token = EncryptedTextField(blank=True, null=True)
    refresh_token = EncryptedTextField(blank=True, null=True)
    token_expires_at = models.DateTimeField(_("access token expires at"), null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_sync_ok_at = models.DateTimeField(_("last successful sync"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    error_kind = models.CharField(_("error kind"), max_length=20, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    rate_limited_until = models.DateTimeField(_("rate limited until"), null=True, blank=True)
    # The messages sent through the board, with {placeholders} (screening.boards.messages); blank = the default.
    invite_message = models.TextField(_("invitation to the screening"), blank=True)
    accept_message = models.TextField(_("message with a positive decision"), blank=True)
    discard_message = models.TextField(_("message with a rejection"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("job board connection")
        verbose_name_plural = _("job board connections")
        constraints = [models.UniqueConstraint(fields=["company", "provider"], name="board_connection_one_per_board")]

    def __str__(self):
        return f"{self.get_provider_display()}: {self.account_name or self.account_id or '—'}"

    @property
    def can_sync(self) -> bool:
        """Calls may be made: connected, or needing attention for a reason other than its access (a paid
        refusal, which buying the method mends: the next import tries again and clears it)."""
        if not self.access_token:
            return False
        return self.status == self.Status.CONNECTED or (self.status == self.Status.ERROR and self.error_kind != "auth")


class BoardVacancy(models.Model):
    """A SmartBot vacancy linked to a vacancy on a job board: its responses are imported into it."""

    connection = models.ForeignKey(BoardConnection, on_delete=models.CASCADE, related_name="vacancies")
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="board_links")
    external_id = models.CharField(_("vacancy id on the board"), max_length=64)
    external_name = models.CharField(_("vacancy on the board"), max_length=255, blank=True)
    external_url = models.URLField(_("address on the board"), max_length=500, blank=True)
    # The board reported the vacancy archived (hh.ru: ``archived``): no more imports, decisions still written.
    archived_at = models.DateTimeField(_("archived on the board at"), null=True, blank=True)
    last_import_at = models.DateTimeField(_("last import"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("linked board vacancy")
        verbose_name_plural = _("linked board vacancies")
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="board_vacancy_unique_external"),
            models.UniqueConstraint(fields=["connection", "vacancy"], name="board_vacancy_one_per_vacancy"),
        ]

    def __str__(self):
        return f"{self.vacancy} ↔ {self.external_name or self.external_id}"


class BoardApplication(models.Model):
    """The job board's response behind an application (hh.ru: a negotiation): what was imported, the
    screening invitation sent through the board, and the decision written back.

    ``written_status`` is the response status last written to the board ("" = none yet); a write-back is
    due while it differs from the decision the response's status maps to (``screening.boards.decision_for``).
    """

    connection = models.ForeignKey(BoardConnection, on_delete=models.CASCADE, related_name="applications")
    board_vacancy = models.ForeignKey(BoardVacancy, on_delete=models.SET_NULL, null=True, related_name="applications")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="board_application")
    negotiation_id = models.CharField(_("response id on the board"), max_length=64)
    resume_id = models.CharField(_("resume id on the board"), max_length=64, blank=True, db_index=True)
    resume_url = models.URLField(_("resume on the board"), max_length=500, blank=True)
    external_state = models.CharField(_("state on the board"), max_length=40, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(_("invited to the screening at"), null=True, blank=True)
    invite_error = models.TextField(_("invitation error"), blank=True)
    written_decision = models.CharField(_("decision written to the board"), max_length=20, blank=True)
    written_at = models.DateTimeField(_("decision written at"), null=True, blank=True)
    writeback_attempts = models.PositiveSmallIntegerField(default=0)
    writeback_error = models.TextField(_("write-back error"), blank=True)
    writeback_due_at = models.DateTimeField(_("write-back due at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("job board application")
        verbose_name_plural = _("job board applications")
        constraints = [models.UniqueConstraint(fields=["connection", "negotiation_id"], name="board_application_once")]

    def __str__(self):
        return f"{self.connection.get_provider_display()} #{self.negotiation_id}"


class TelegramBot(models.Model):
    """A company's Telegram bot, where candidates can take the screening (one per company).

    ``token`` (BotFather's) is stored encrypted; ``secret_token`` is what Telegram echoes in the
    ``X-Telegram-Bot-Api-Secret-Token`` header of each webhook call, so a call without it is refused.
    ``update_offset`` is the next ``getUpdates`` offset in polling mode (development). A disconnected bot keeps
    its row without the token, so its threads stay bound: connecting the same bot again (``bot_id``) resumes them.
    """

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        ERROR = "error", _("Needs attention")
        DISCONNECTED = "disconnected", _("Disconnected")

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="telegram_bot")
    token = EncryptedTextField(blank=True, null=True)
    bot_id = models.BigIntegerField(_("bot id"), null=True, blank=True)
    username = models.CharField(_("bot username"), max_length=64, blank=True)
    secret_token = models.CharField(max_length=256, default=webhook_secret, editable=False)
    webhook_url = models.URLField(_("webhook address"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONNECTED)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    update_offset = models.BigIntegerField(default=0)
    connected_at = models.DateTimeField(_("connected at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Telegram bot")
        verbose_name_plural = _("Telegram bots")

    def __str__(self):
        return f"@{self.username}" if self.username else f"bot #{self.pk}"


class TelegramLink(models.Model):
    """One application's thread in Telegram: the deep-link ``code`` that binds it, then the chat it is bound
    to, and the delivery cursor (``delivered_message_id``: the last ``ChatMessage`` sent there).

    Unbound while ``chat_id`` is null. A chat may hold several applications (one person, two vacancies);
    what the candidate types goes to the one bound last (``bound_at``).
    """

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="telegram")
    code = models.CharField(max_length=64, unique=True, default=telegram_code, editable=False)
    bot = models.ForeignKey(TelegramBot, on_delete=models.CASCADE, null=True, blank=True, related_name="links")
    chat_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(_("Telegram user id"), null=True, blank=True, db_index=True)
    username = models.CharField(_("Telegram username"), max_length=64, blank=True)
    bound_at = models.DateTimeField(_("bound at"), null=True, blank=True)
    delivered_message_id = models.BigIntegerField(default=0)
    # The candidate blocked the bot (403 from Telegram): nothing more is sent until they write again.
    blocked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Telegram thread")
        verbose_name_plural = _("Telegram threads")
        indexes = [models.Index(fields=["bot", "chat_id", "-bound_at"], name="telegram_link_chat")]

    def __str__(self):
        return f"{self.response_id} ↔ {self.chat_id or '—'}"

    @property
    def is_bound(self) -> bool:
        return self.chat_id is not None
