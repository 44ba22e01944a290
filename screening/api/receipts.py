"""The AI evaluation as the API and the webhooks show it: the advice with its receipts (docs/api.md, "Evaluation").

One shape for both doors: ``ResponseDetailSerializer.evaluation`` and the ``evaluation`` of every response
webhook event come from ``evaluation_data``. Imports only models and selectors, so the services may use it.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from screening import selectors
from screening.models import Evaluation

LEVELS = [("yes", "yes"), ("partly", "partly"), ("no", "no")]


class QuoteSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text=_(
            "The candidate's words, verbatim, as found in the text that was sent (redacted: placeholders such as "
            "[NAME] or [PHONE] stand for personal data)."
        )
    )
    source = serializers.CharField(
        help_text=_('Where the words are: "resume", or "answer:<question id>" for the answer to that question.')
    )


# A pattern, not an enum: the schema's enums are named after their field, and a second "kind" enum would
# collide with the screening questions' (spectacular's --fail-on-warn).
@extend_schema_field({"type": "string", "pattern": "^(requirement|answer)$"})
class ReceiptKindField(serializers.CharField):
    """The receipt's kind: "requirement" or "answer"."""


class EvidenceItemSerializer(serializers.Serializer):
    """One receipt: a requirement of the vacancy or a screening answer, its level and the words it rests on."""

    kind = ReceiptKindField(
        help_text=_('"requirement": a requirement of the vacancy; "answer": the answer to a screening question.'),
    )
    label = serializers.CharField(help_text=_("The requirement's text, or the question's text."))
    question_id = serializers.IntegerField(allow_null=True, help_text=_("The question (answer items); null otherwise."))
    level = serializers.ChoiceField(choices=LEVELS, help_text=_("How far the candidate's words meet it."))
    by = serializers.ChoiceField(
        choices=[("model", "model"), ("keywords", "keywords"), ("rule", "rule"), ("legacy", "legacy")],
        help_text=_(
            "Who judged the level: the LLM, the builtin keyword matcher, the knockout rule engine, or legacy "
            "(made before receipts, never verified)."
        ),
    )
    quotes = QuoteSerializer(many=True, help_text=_("The candidate's words the level rests on, each verified."))
    weight = serializers.FloatField(help_text=_("The item's weight in the rubric."))
    credit = serializers.FloatField(min_value=0, max_value=1, help_text=_("What the rubric credited, 0 to 1."))
    dropped = serializers.BooleanField(
        help_text=_(
            "The model claimed evidence but none of its quotes is in the candidate's words: the claim was dropped "
            'and the level set to "no". Never show a dropped claim as fact.'
        )
    )


class ClaimSerializer(serializers.Serializer):
    """A strength or a concern, with the candidate's words it rests on."""

    text = serializers.CharField()
    quotes = QuoteSerializer(many=True, help_text=_("Verified quotes; empty for SmartBot's checks and legacy claims."))
    by = serializers.ChoiceField(
        choices=[("model", "model"), ("smartbot", "smartbot"), ("legacy", "legacy")],
        help_text=_(
            "model: the LLM's claim, kept because its quotes were found; smartbot: our own check (a failed "
            "knockout rule, an injection signal); legacy: made before receipts, never verified."
        ),
    )


class EvaluationSerializer(serializers.ModelSerializer):
    strengths = ClaimSerializer(many=True, read_only=True)
    concerns = ClaimSerializer(many=True, read_only=True)
    evidence = EvidenceItemSerializer(many=True, read_only=True)
    model_score = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The model's own 0-100 number, for comparison only.")
    )
    model_recommendation = serializers.CharField(read_only=True, help_text=_("The model's own advice, for comparison."))
    rubric_version = serializers.CharField(
        read_only=True, help_text=_("The rubric's version the score was made under.")
    )
    rubric_hash = serializers.CharField(
        read_only=True, help_text=_("SHA-256 (hex) of what the rubric read from the vacancy: requirements and scoring.")
    )
    input_hash = serializers.CharField(
        read_only=True, help_text=_("SHA-256 (hex) of the redacted input: two runs over the same text share it.")
    )
    dropped_claims = serializers.IntegerField(
        read_only=True, help_text=_("Claims of the model dropped: their quotes are not in the candidate's words.")
    )
    run_scores = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text=_("The rubric score of every run, 0-100 each.")
    )
    score_spread = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Highest minus lowest run score, in points; null for one run.")
    )
    stale = serializers.SerializerMethodField(
        help_text=_("Made under an older rubric (the vacancy's weights, rules or requirements changed): re-evaluate.")
    )

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "status",
            "evaluator",
            "fallback_reason",
            "error",
            "score",
            "recommendation",
            "summary",
            "strengths",
            "concerns",
            "evidence",
            "model_score",
            "model_recommendation",
            "dropped_claims",
            "run_scores",
            "score_spread",
            "rubric_version",
            "rubric_hash",
            "input_hash",
            "stale",
            "model",
            "prompt_version",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "error": {"help_text": _("Why a failed evaluation failed (or why a retry is pending); empty otherwise.")},
            "score": {"help_text": _("The rubric's score, 0-100, from the verified evidence.")},
            "recommendation": {
                "help_text": _('The rubric\'s advice; "unstable" when several runs disagreed: a person decides.')
            },
        }

    @extend_schema_field(serializers.BooleanField())
    def get_stale(self, evaluation) -> bool:
        return selectors.evaluation_is_stale(evaluation)


def evaluation_data(response) -> dict | None:
    """The response's latest evaluation as ``EvaluationSerializer`` shows it, or None when it has none.

    Two queries at most (the evaluation, and the vacancy's scoring for ``stale``).
    """
    latest = response.evaluations.order_by("-created_at", "-id").first()
    return EvaluationSerializer(latest).data if latest else None
