"""Responses, notes and webhooks as the API shows them. Nothing here writes a score, a status or a token."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from screening.api.receipts import EvaluationSerializer, evaluation_data
from screening.models import (
    Answer,
    CandidateQuestion,
    ChatMessage,
    ChatSession,
    Note,
    Response,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
    webhook_address_error,
)
from screening.services import DECISION_STATUSES
from vacancies.rules import RULE_FIELDS


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    def to_representation(self, user):
        return {"id": user.pk, "name": str(user)}


class VacancyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class CandidateRefSerializer(serializers.Serializer):
    """The person as submitted with this application (``source="*"``: read from the response's own copy).

    ``id`` is the company's candidate profile, shared by the person's applications.
    """

    id = serializers.IntegerField(source="candidate_id", read_only=True)
    full_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(
        read_only=True, help_text=_("'' for a person known only by a job board's resume (an hh.ru response).")
    )


class CandidateSerializer(CandidateRefSerializer):
    phone = serializers.CharField(read_only=True, help_text=_("As the candidate typed it."))
    phone_e164 = serializers.CharField(read_only=True, help_text=_("The phone in E.164, '' if none."))
    city = serializers.CharField(read_only=True)
    resume_text = serializers.CharField(read_only=True)
    resume_hidden_text = serializers.CharField(
        read_only=True, help_text=_("Text a person cannot see in the resume file (white, tiny, off-page).")
    )
    resume_file = serializers.SerializerMethodField()
    consent_at = serializers.DateTimeField(read_only=True, help_text=_("Consent to screening."))
    ai_consent_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Consent to AI-assisted evaluation; null if not given.")
    )
    talent_pool_consent_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("Consent to keep the application for future vacancies; null if not given."),
    )
    consent_version = serializers.CharField(read_only=True)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_resume_file(self, response) -> str | None:
        # The recruiters' download (company members only), not the storage's own URL: media is not public.
        return settings.SITE_URL + reverse("screening:resume", args=[response.pk]) if response.resume_file else None


class ResponseListSerializer(serializers.ModelSerializer):
    """A row of the responses list. ``COLUMNS`` are the model fields it reads (for ``QuerySet.only``, with the
    vacancy joined and the tags prefetched): the list fetches and builds nothing else."""

    vacancy = VacancyRefSerializer(read_only=True)
    candidate = CandidateRefSerializer(source="*", read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id",
            "vacancy",
            "candidate",
            "status",
            "score",
            "ai_score",
            "ai_recommendation",
            "source",
            "created_at",
            "updated_at",
            "completed_at",
            "tags",
        ]
        read_only_fields = fields

    # The row's own fields, then the sources of the nested vacancy and candidate (the tags come from a prefetch).
    COLUMNS = (
        *(name for name in Meta.fields if name not in ("vacancy", "candidate", "tags")),
        "vacancy",
        "vacancy__title",
        "candidate_id",
        "full_name",
        "email",
    )

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text=_("The names of the response's tags, by name; filter the list with the tag's id in ?tag=."),
        )
    )
    def get_tags(self, response) -> list[str]:
        # ``tags.all()`` reads the list's prefetch (one query for the whole page); sorted here, whatever its order.
        return sorted((tag.name for tag in response.tags.all()), key=lambda name: (name.casefold(), name))


class RuleSnapshotSerializer(serializers.Serializer):
    """The rule an answer was judged by, as it was then (``vacancies.rules.rule_snapshot``)."""

    kind = serializers.CharField(read_only=True)
    knockout = serializers.CharField(read_only=True, help_text=_("'' when the question had no knockout rule."))
    knockout_value = serializers.CharField(read_only=True)
    allowed_options = serializers.ListField(child=serializers.CharField(), read_only=True)
    review_value = serializers.CharField(
        read_only=True, help_text=_("Numbers between this and the knockout value went to a person's review.")
    )
    unit = serializers.CharField(read_only=True)


class AnswerSerializer(serializers.ModelSerializer):
    question_id = serializers.IntegerField(read_only=True)
    question = serializers.CharField(source="question.text", read_only=True)
    kind = serializers.CharField(source="question.kind", read_only=True)
    value = serializers.JSONField(read_only=True, allow_null=True)
    read_how = serializers.CharField(
        read_only=True,
        help_text=_(
            "How the value was read from the words: literal, magnitude (400k), words, range, since_year, "
            "duration, qualified, idiom, phrase, folded, alias, index, suggestion, llm (the AI assistant's proposal, "
            "confirmed by the candidate), unread (nothing readable: the answer needs review); '' for a skipped "
            "optional question."
        ),
    )
    passed = serializers.BooleanField(
        read_only=True, allow_null=True, help_text=_("null: no rule, a skipped question, or needs review.")
    )
    needs_review = serializers.BooleanField(
        read_only=True, help_text=_("The answer could not be settled against its rule: a person decides.")
    )
    confirmed = serializers.BooleanField(
        read_only=True, help_text=_("The candidate confirmed the bot's read-back of this value.")
    )
    rule = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = [
            "question_id",
            "question",
            "kind",
            "raw_text",
            "value",
            "read_how",
            "passed",
            "needs_review",
            "confirmed",
            "rule",
            "points",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        RuleSnapshotSerializer(
            allow_null=True, help_text=_("The rule it was judged by; null for answers stored before rules were kept.")
        )
    )
    def get_rule(self, answer) -> dict | None:
        if not answer.rule:
            return None
        # Exactly the documented fields, whatever an older snapshot held.
        return {name: answer.rule.get(name, [] if name == "allowed_options" else "") for name in RULE_FIELDS}


class CandidateQuestionSerializer(serializers.ModelSerializer):
    """A question the candidate asked the bot, and the bot's answer (or that it passed it to the recruiters)."""

    answered = serializers.BooleanField(
        read_only=True, help_text=_("false: the bot did not know; the question waits for a recruiter.")
    )
    source = serializers.CharField(
        read_only=True, help_text=_("Where the answer came from: company_answer, vacancy, or '' when unanswered.")
    )
    quote = serializers.CharField(read_only=True, help_text=_("The passage the answer was taken from."))

    class Meta:
        model = CandidateQuestion
        fields = ["id", "text", "answered", "answer", "source", "quote", "created_at"]
        read_only_fields = fields


class ChatMessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ChatMessage
        fields = ["id", "sender", "author", "text", "question", "created_at"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = StatusChange
        fields = ["id", "from_status", "to_status", "actor", "comment", "created_at"]
        read_only_fields = fields


class NoteSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    text = serializers.CharField(max_length=5000)

    class Meta:
        model = Note
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class ResponseDetailSerializer(ResponseListSerializer):
    candidate = CandidateSerializer(source="*", read_only=True)
    rejection_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    review_reasons = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Why a person should look (status needs_review): one sentence per unsettled answer."),
    )
    answers = AnswerSerializer(many=True, read_only=True)
    asked_questions = CandidateQuestionSerializer(many=True, read_only=True)
    transcript = serializers.SerializerMethodField()
    evaluation = serializers.SerializerMethodField()
    history = StatusChangeSerializer(many=True, read_only=True)
    notes = NoteSerializer(many=True, read_only=True)
    chat_url = serializers.SerializerMethodField()

    class Meta(ResponseListSerializer.Meta):
        fields = [
            *ResponseListSerializer.Meta.fields,
            "rejection_reasons",
            "review_reasons",
            "chat_url",
            "answers",
            "asked_questions",
            "transcript",
            "evaluation",
            "history",
            "notes",
        ]
        read_only_fields = fields

    @extend_schema_field(ChatMessageSerializer(many=True))
    def get_transcript(self, response):
        try:
            chat = response.chat
        except ChatSession.DoesNotExist:
            return []
        return ChatMessageSerializer(chat.messages.all(), many=True).data

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, response):
        return evaluation_data(response)

    @extend_schema_field(serializers.URLField())
    def get_chat_url(self, response) -> str:
        return settings.SITE_URL + response.get_chat_url()


class StatusChangeRequestSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in Response.Status.choices if value in DECISION_STATUSES],
        help_text=_("A recruiter's decision; the screening statuses are set by the screening itself."),
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    candidate_reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "For declined: the reason told to the candidate in plain words, where the vacancy states reasons and "
            "the company emails candidates about decisions."
        ),
    )


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices),
        min_length=1,
        max_length=len(WebhookEndpoint.Event.choices),
    )
    secret = serializers.CharField(
        read_only=True, help_text=_("Generated by SmartBot; the key of the X-SmartBot-Signature HMAC.")
    )
    url = serializers.URLField(max_length=500)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active", "secret", "created_at"]
        read_only_fields = ["id", "secret", "created_at"]

    def to_representation(self, endpoint):
        data = super().to_representation(endpoint)
        request = self.context.get("request")
        if request is not None and not request.user.can_edit:
            # Viewers see the endpoints, not the key that lets anyone forge an event.
            data["secret"] = ""
        return data

    def validate_url(self, value):
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError(_("Only http and https addresses are supported."))
        error = webhook_address_error(value)
        if error:
            raise serializers.ValidationError(error)
        return value

    def validate_events(self, value):
        return list(dict.fromkeys(value))


class WebhookDeliverySerializer(serializers.ModelSerializer):
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "status",
            "attempts",
            "status_code",
            "error",
            "payload",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class CalibrationSerializer(serializers.Serializer):
    """One row of ``screening.selectors.ai_calibration``: a vacancy's (or, with ``vacancy`` null, the company's)
    recruiters' decisions against the AI's recommendations."""

    vacancy = serializers.IntegerField(source="vacancy.pk", allow_null=True, default=None)
    title = serializers.CharField(source="vacancy.title", allow_null=True, default=None)
    decided = serializers.IntegerField(help_text="Responses with an AI recommendation and a recruiter's decision.")
    agreed = serializers.IntegerField(help_text="Advance → moved on, or reject → declined.")
    agreement = serializers.IntegerField(
        allow_null=True, help_text="Agreed, as a percentage of the decisions the AI took a side on; null for none."
    )
    advance_declined = serializers.IntegerField(help_text="The AI advised advance; a recruiter declined.")
    reject_moved_on = serializers.IntegerField(help_text="The AI advised reject; a recruiter moved the candidate on.")
    held = serializers.IntegerField(help_text="Decided responses the AI advised to hold.")
