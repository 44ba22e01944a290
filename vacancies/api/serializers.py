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
from vacancies.rules import MAX_OPTION_LENGTH, MAX_OPTIONS, Kind
from vacancies.services import MAX_QUESTIONS, question_validate


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

    class Meta:
        model = ScreeningQuestion
        fields = [
            "id",
            "position",
            "text",
            "kind",
            "options",
            "knockout",
            "knockout_value",
            "allowed_options",
            "weight",
            "required",
        ]
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


# What a field left out of a full write (POST, PUT) means.
QUESTION_DEFAULTS = {
    "kind": Kind.TEXT,
    "options": [],
    "knockout": "",
    "knockout_value": "",
    "allowed_options": [],
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
            "created_at",
            "updated_at",
            "published_at",
            "questions",
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
