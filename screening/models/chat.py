"""The screening chat's record: its session and transcript (the ``chat`` app is its real-time door)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vacancies.models import ScreeningQuestion


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
    # What a bot message asks of the candidate beyond its question (``chat.services.turn``): a read-back awaiting
    # confirmation ``{"confirm": {"raw": ..., "value": ..., "how": ...}}``, a clarification ``{"clarify": n}``, or
    # a correction ``{"correct": {"value": ...}}``. Null for ordinary messages.
    payload = models.JSONField(null=True, blank=True)
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
