"""What reading the candidates' answers taught us: per-question events, questions candidates asked, re-judgements."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vacancies.models import ScreeningQuestion, Vacancy

from .applications import Response


class QuestionEvent(models.Model):
    """Something that happened while a question was answered, counted per question on the vacancy page.

    The bot asked for a clarification, read a value back, the candidate corrected it, or the answer went to a
    person. One row per occurrence.
    """

    class Kind(models.TextChoices):
        CLARIFICATION = "clarification", _("Clarification asked")
        READ_BACK = "read_back", _("Read back")
        CORRECTION = "correction", _("Corrected by the candidate")
        REVIEW = "review", _("Sent to review")

    question = models.ForeignKey(ScreeningQuestion, on_delete=models.CASCADE, related_name="events")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="question_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question event")
        verbose_name_plural = _("question events")
        indexes = [models.Index(fields=["question", "kind"], name="question_event_by_kind")]

    def __str__(self):
        return f"{self.kind} q{self.question_id}"


class CandidateQuestion(models.Model):
    """A question a candidate asked the bot during the screening, and what the bot answered.

    ``answered`` False: the bot did not know and passed the question to the recruiters.
    ``source``: where the answer came from ("company_answer", "vacancy", or "" when unanswered);
    ``quote``: the passage it was taken from, quoted to the candidate.
    """

    class Source(models.TextChoices):
        NONE = "", _("Not answered")
        COMPANY_ANSWER = "company_answer", _("Company's answers")
        VACANCY = "vacancy", _("Vacancy text")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="asked_questions")
    text = models.TextField(_("question"), max_length=4000)
    answered = models.BooleanField(_("answered by the bot"), default=False)
    answer = models.TextField(_("bot's answer"), blank=True, max_length=4000)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    quote = models.TextField(_("quoted passage"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("candidate's question")
        verbose_name_plural = _("candidates' questions")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:50]


class Rejudge(models.Model):
    """One audited re-judging of a question's past answers under its new rule (``screening.services.rejudge``)."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="rejudges")
    question = models.ForeignKey(ScreeningQuestion, on_delete=models.SET_NULL, null=True, related_name="rejudges")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    rule_before = models.JSONField(_("rules before"), default=list)
    rule_after = models.JSONField(_("rule applied"), default=dict)
    answers = models.PositiveIntegerField(_("answers re-judged"), default=0)
    flipped = models.PositiveIntegerField(_("responses whose outcome changed"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("re-judgement")
        verbose_name_plural = _("re-judgements")
        ordering = ["-created_at"]

    def __str__(self):
        return f"re-judge q{self.question_id} ({self.flipped} flipped)"
