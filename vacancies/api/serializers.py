"""Vacancies and their screening questions, as the API reads and writes them.

Writes go through ``vacancies.services``; a question is judged by
``services.question_validate`` (the services' own check) so that its field
errors come back per field.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.rules import MAX_OPTION_LENGTH, MAX_OPTIONS, QUESTION_FIELDS, Kind, Unit
from vacancies.services import LINT_OVERRIDE_REASON_MAX_LENGTH, MAX_QUESTIONS, question_validate


class QuestionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "In a vacancy's `questions`: the id of an existing question to keep and update; omit for a new one."
        ),
    )
    options = serializers.ListField(
        child=serializers.CharField(max_length=MAX_OPTION_LENGTH), max_length=MAX_OPTIONS, required=False
    )
    allowed_options = serializers.ListField(
        child=serializers.CharField(max_length=MAX_OPTION_LENGTH), max_length=MAX_OPTIONS, required=False
    )
    review_value = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text=_(
            "The review band's other edge, for `at_least` / `at_most`: a number on the failing side of "
            "`knockout_value`. Answers between the two go to a person (`needs_review`) instead of failing: "
            '`at_least` "3" with "2": 2 up to 3 needs review; `at_most` "350000" with "400000": above 350000 up '
            "to 400000. Blank: no band."
        ),
    )
    unit = serializers.ChoiceField(
        choices=Unit.choices,
        required=False,
        allow_blank=True,
        help_text=_('Number questions: the unit the answer is read in ("6 months" is 0.5 for `years`).'),
    )
    aliases = serializers.DictField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=MAX_OPTION_LENGTH), max_length=MAX_OPTIONS, allow_empty=True
        ),
        required=False,
        help_text=_(
            "Choice questions: other names candidates use for an option, keyed by the option as written in "
            '`options`: `{"Saint Petersburg": ["SPb", "Piter"]}`. No alias may be another option\'s name or '
            "belong to two options."
        ),
    )

    class Meta:
        model = ScreeningQuestion
        fields = ["id", "position", *QUESTION_FIELDS]
        read_only_fields = ["position"]

    def validate(self, attrs):
        # A partial update is judged together with what the question already says; a full write (POST, PUT)
        # with the defaults for what it leaves out.
        question = self.instance if self.partial and isinstance(self.instance, ScreeningQuestion) else None
        data = dict(attrs) if question is not None else {**QUESTION_DEFAULTS, **attrs}
        try:
            question_validate(data=data, question=question)
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


_OVERRIDE_REASON_HELP = _(
    "Needed when the vacancy is open and the question lint flags a question this write adds, or changes to ask "
    "about something new (age, family, origin, religion, health, union membership, appearance): on an open "
    "vacancy it reaches candidates at once. Stored with the vacancy and logged. Without it the write is refused "
    "with 400 `flagged_questions` and the findings, and nothing is saved. Ignored otherwise."
)


def override_reason_field() -> serializers.CharField:
    """The write-only ``override_reason`` of question writes (see ``services.question_add``)."""
    return serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=LINT_OVERRIDE_REASON_MAX_LENGTH,
        help_text=_OVERRIDE_REASON_HELP,
    )


class QuestionWriteSerializer(QuestionSerializer):
    """One question written on its own (add, replace, change), with the reason for a flagged one."""

    override_reason = override_reason_field()

    class Meta(QuestionSerializer.Meta):
        fields = [*QuestionSerializer.Meta.fields, "override_reason"]

    def validate(self, attrs):
        reason = attrs.pop("override_reason", None)
        attrs = super().validate(attrs)
        if reason is not None:
            attrs["override_reason"] = reason
        return attrs


class ScriptSerializer(serializers.Serializer):
    """The whole script at once, as an object: ``{"questions": [...], "override_reason": "..."}``."""

    questions = QuestionSerializer(many=True, max_length=MAX_QUESTIONS)
    override_reason = override_reason_field()


# What a field left out of a full write (POST, PUT) means.
QUESTION_DEFAULTS = {
    "kind": Kind.TEXT,
    "options": [],
    "knockout": "",
    "knockout_value": "",
    "allowed_options": [],
    "review_value": "",
    "unit": "",
    "aliases": {},
    "weight": 1,
    "required": True,
}


class VacancySerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(
        many=True,
        required=False,
        max_length=MAX_QUESTIONS,
        help_text=_(
            "The whole screening script, in order. When given, it REPLACES the current set: "
            "items with an `id` update that question, items without one are added, "
            "and current questions left out are deleted; a question candidates have answered cannot be, "
            "and the request is then refused (409). Each item is a whole question: "
            "fields it leaves out take their defaults. Omit the field to keep the questions as they are."
        ),
    )
    slug = serializers.SlugField(
        max_length=220, required=False, allow_blank=True, help_text=_("Made from the title when blank.")
    )
    public_url = serializers.SerializerMethodField()
    responses_total = serializers.IntegerField(read_only=True, default=0)
    responses_passed = serializers.IntegerField(read_only=True, default=0)
    responses_rejected = serializers.IntegerField(read_only=True, default=0)
    responses_needs_review = serializers.IntegerField(
        read_only=True, default=0, help_text=_("Responses the screening sent to a person's review.")
    )
    override_reason = override_reason_field()

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "title",
            "slug",
            "status",
            "description",
            "requirements",
            "location",
            "salary_from",
            "salary_to",
            "salary_currency",
            "employment_type",
            "pass_threshold",
            "show_outcome",
            "language",
            "public_url",
            "responses_total",
            "responses_passed",
            "responses_rejected",
            "responses_needs_review",
            "created_at",
            "updated_at",
            "published_at",
            "questions",
            "override_reason",
        ]
        # Status moves only through the publish and close actions; company and author come from the caller.
        read_only_fields = ["status", "created_at", "updated_at", "published_at"]

    @extend_schema_field(serializers.URLField())
    def get_public_url(self, vacancy) -> str:
        return settings.SITE_URL + vacancy.get_public_url()

    def validate(self, attrs):
        salary_from = attrs.get("salary_from", getattr(self.instance, "salary_from", None))
        salary_to = attrs.get("salary_to", getattr(self.instance, "salary_to", None))
        if salary_from and salary_to and salary_from > salary_to:
            raise serializers.ValidationError({"salary_to": [_("Must not be lower than 'salary from'.")]})
        return attrs


class PublishSerializer(serializers.Serializer):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=LINT_OVERRIDE_REASON_MAX_LENGTH,
        help_text=_(
            "Needed when the question lint flags any of the vacancy's questions (age, family, origin, religion, "
            "health, union membership, appearance): why this vacancy asks them. Stored with the vacancy and "
            "logged. Without it such a publish is refused with 400 `flagged_questions` and the findings."
        ),
    )
