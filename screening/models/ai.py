"""The AI's work on applications: evaluations, the LLM calls they made, suggested screening questions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from vacancies.models import Vacancy

from .applications import Response


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
        # Several runs disagreed by more than AI_UNSTABLE_SPREAD points: no advice, a person decides.
        UNSTABLE = "unstable", _("Unstable: needs a person")

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
    # The model's own number and advice, kept for comparison only: ``score`` is the rubric's (docs/llm.md).
    model_score = models.PositiveSmallIntegerField(null=True, blank=True)
    model_recommendation = models.CharField(max_length=10, blank=True)
    # What the advice was made under: a different rubric version or vacancy rubric (weights, rules,
    # requirements) makes it stale; the input hash tells two runs over the same redacted text apart.
    rubric_version = models.CharField(max_length=20, blank=True)
    rubric_hash = models.CharField(max_length=64, blank=True)
    input_hash = models.CharField(max_length=64, blank=True)
    # Claims of the model whose quotes are not in the candidate's words: dropped, never shown.
    dropped_claims = models.PositiveSmallIntegerField(default=0)
    # Stability: the rubric score of every run (AI_EVALUATION_RUNS) and their spread (max - min).
    run_scores = models.JSONField(default=list, blank=True)
    score_spread = models.PositiveSmallIntegerField(null=True, blank=True)
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


class FairnessCheck(models.Model):
    """A fairness pre-flight of a vacancy's evaluator over shipped counterfactual pairs (docs/llm.md).

    ``results``: one ``{"pair", "kind", "language", "score_a", "score_b", "difference",
    "recommendation_a", "recommendation_b"}`` per pair (scores 0-100, difference in points);
    ``key`` names what was checked (evaluator, model, prompt, rubric), so a change needs a new check.
    Over ``threshold`` points, publishing waits for an owner's acknowledgement (``acknowledged_*``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="fairness_checks")
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    evaluator = models.CharField(max_length=10, choices=Evaluation.Evaluator.choices, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=20, blank=True)
    rubric_version = models.CharField(max_length=20, blank=True)
    results = models.JSONField(default=list, blank=True)
    max_difference = models.PositiveSmallIntegerField(null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(default=5)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.TextField(_("acknowledgement"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fairness check")
        verbose_name_plural = _("fairness checks")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.vacancy_id} {self.status} {self.max_difference}"

    @property
    def over_threshold(self) -> bool:
        """True when some pair's scores differ by more than the threshold (publishing needs an acknowledgement)."""
        return self.max_difference is not None and self.max_difference > self.threshold


class LLMCall(models.Model):
    """One call to the LLM provider, for the usage page and the monthly budget."""

    class Purpose(models.TextChoices):
        EVALUATION = "evaluation", _("Evaluation")
        SUGGESTION = "suggestion", _("Suggested questions")
        QUESTION = "question", _("Candidates' questions")
        READING = "reading", _("Reading unclear answers")
        FAIRNESS = "fairness", _("Fairness pre-flight")

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
