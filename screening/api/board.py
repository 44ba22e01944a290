"""The pipeline board in the API (docs/pipeline.md "Board", docs/api.md): a vacancy's columns with their cards,
and a card's move. Thin doors into ``screening.board`` (reads) and ``services.response_change_status``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from screening import board as pipeline
from screening import services
from screening.models import Response
from screening.selectors import response_get_for_user
from vacancies.selectors import vacancy_get_for_user


class BoardCardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField(help_text=_("Empty for an erased candidate."))
    status = serializers.ChoiceField(choices=Response.Status.choices)
    column = serializers.CharField(help_text=_("The key of the column that holds the card."))
    score = serializers.IntegerField(allow_null=True)
    ai_score = serializers.IntegerField(allow_null=True)
    ai_recommendation = serializers.CharField(help_text=_("advance, hold, reject, unstable, or '' for none yet."))
    possible_duplicate = serializers.BooleanField(source="has_duplicate")
    hidden_text = serializers.BooleanField(source="has_hidden_text")
    injection_signal = serializers.BooleanField(
        help_text=_("The candidate's text talks to the AI: the AI's advice was kept without a score.")
    )
    waiting_for_person = serializers.BooleanField(help_text=_("The candidate asked for a person and is waiting."))


class BoardColumnSerializer(serializers.Serializer):
    key = serializers.CharField(source="spec.key", help_text=_("A status, or 'screening' for new and in chat."))
    label = serializers.CharField(source="spec.label")
    statuses = serializers.ListField(child=serializers.CharField(), source="spec.statuses")
    droppable = serializers.BooleanField(
        source="spec.droppable", help_text=_("Cards may be moved here (a recruiter's decision).")
    )
    count = serializers.IntegerField(help_text=_("Responses in the column, all of them."))
    cards = BoardCardSerializer(many=True, help_text=_("The first ones: the best score first, then the newest."))


class BoardSerializer(serializers.Serializer):
    vacancy = serializers.IntegerField()
    columns = BoardColumnSerializer(many=True)


class BoardMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Response.Status.choices,
        help_text=_("The status to move to: a recruiter's decision; the screening's statuses are refused (400)."),
    )


class BoardView(APIView):
    """A vacancy's pipeline board."""

    @extend_schema(
        summary="The pipeline board of a vacancy: columns with their counts and first cards",
        parameters=[
            OpenApiParameter(
                "limit",
                int,
                description=f"Cards per column, {pipeline.COLUMN_SIZE} to {pipeline.COLUMN_MAX} "
                f"(default {pipeline.COLUMN_SIZE}).",
            )
        ],
        responses=BoardSerializer,
    )
    def get(self, request, vacancy_id):
        vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_id)
        limit = pipeline.column_limit(request.query_params.get("limit", pipeline.COLUMN_SIZE))
        columns = pipeline.board_columns(
            company=request.user.company, vacancy=vacancy, limits=dict.fromkeys(pipeline.COLUMN_KEYS, limit)
        )
        return APIResponse(BoardSerializer({"vacancy": vacancy.pk, "columns": columns}).data)


class BoardMoveView(APIView):
    """A card's move on the board: the same status service as everywhere (history, emails, webhooks)."""

    @extend_schema(
        summary="Move a card on the board (change the response's status)",
        request=BoardMoveSerializer,
        responses=BoardCardSerializer,
    )
    def post(self, request, pk):
        response = response_get_for_user(user=request.user, pk=pk)
        serializer = BoardMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.response_change_status(
            response=response, to_status=serializer.validated_data["status"], actor=request.user
        )
        card = pipeline.board_cards(company=request.user.company, response_ids=[response.pk]).get()
        return APIResponse(BoardCardSerializer(card).data)
