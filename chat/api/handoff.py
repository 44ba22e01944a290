"""API of the queue of candidates waiting for a person, and of messages after the chat (docs/notifications.md).

Same permissions as the pages: every company member reads, owners and recruiters write. Thin doors into
``screening.services.human`` and ``chat.services``; a claim takes the chat over as the queue page does.
"""

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from screening.models import ChatMessage, HumanRequest
from screening.selectors import response_get_for_user
from screening.services.human import human_queue_qs, human_request_claim, human_request_resolve
from smartbot.api import Conflict

from .. import frames as f
from .. import live, services


class HumanRequestSerializer(serializers.ModelSerializer):
    """A request for a person as the queue shows it; durations in whole seconds from now (negative: overdue)."""

    response = serializers.IntegerField(source="response_id", read_only=True)
    candidate = serializers.CharField(source="response.full_name", read_only=True)
    vacancy = serializers.SerializerMethodField()
    claimed_by = serializers.SerializerMethodField()
    last_words = serializers.SerializerMethodField()
    waiting_seconds = serializers.SerializerMethodField()
    due_in_seconds = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = HumanRequest
        fields = [
            "id",
            "response",
            "candidate",
            "vacancy",
            "reason",
            "text",
            "last_words",
            "created_at",
            "due_at",
            "waiting_seconds",
            "due_in_seconds",
            "overdue",
            "claimed_by",
            "claimed_at",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_vacancy(self, obj) -> dict:
        return {"id": obj.response.vacancy_id, "title": obj.response.vacancy.title}

    def get_claimed_by(self, obj) -> str | None:
        return obj.claimed_by.display_name if obj.claimed_by_id else None

    def get_last_words(self, obj) -> str:
        return getattr(obj, "last_words", None) or ""

    def get_waiting_seconds(self, obj) -> int:
        return int((timezone.now() - obj.created_at).total_seconds())

    def get_due_in_seconds(self, obj) -> int:
        return int((obj.due_at - timezone.now()).total_seconds())

    def get_overdue(self, obj) -> bool:
        return obj.resolved_at is None and obj.due_at < timezone.now()


class HumanRequestClaimSerializer(HumanRequestSerializer):
    taken_over = serializers.BooleanField(read_only=True, help_text="The chat was taken over (it was still running).")

    class Meta(HumanRequestSerializer.Meta):
        fields = [*HumanRequestSerializer.Meta.fields, "taken_over"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="The queue: the company's open requests for a person, soonest due first"),
    retrieve=extend_schema(summary="Read a request for a person (open or answered)"),
)
@extend_schema(tags=["queue"])
class HumanRequestViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HumanRequestSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return HumanRequest.objects.none()
        company = self.request.user.company
        if self.action == "list":
            return human_queue_qs(company=company)
        last_words = (
            ChatMessage.objects.filter(
                session__response_id=OuterRef("response_id"), sender=ChatMessage.Sender.CANDIDATE
            )
            .order_by("-created_at", "-id")
            .values("text")[:1]
        )
        return (
            HumanRequest.objects.filter(company=company)
            .select_related("response", "response__vacancy", "claimed_by")
            .annotate(last_words=Subquery(last_words))
        )

    @extend_schema(
        summary="Claim a request and take the chat over while it runs and nobody else leads it "
        "(409: answered, or claimed by another)",
        request=None,
        responses=HumanRequestClaimSerializer,
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        human_request = self.get_object()
        try:
            human_request_claim(request=human_request, user=request.user)
        except ValidationError as error:
            raise Conflict(" ".join(error.messages)) from None
        response = human_request.response
        ctx, snapshot = services.chat_snapshot(response=response)
        taken_over = False
        if ctx.session_id and snapshot.state != services.STATE_FINISHED:
            try:
                turn = services.chat_takeover(ctx=ctx, user=request.user)
            except services.ChatError:  # another recruiter leads the chat: the claim stands, ``taken_over`` is false
                turn = None
            if turn is not None:
                taken_over = True
                live.broadcast_frames(
                    response_id=response.pk, frames=f.turn_frames(ctx, turn), leader_id=f.leader_id(turn)
                )
        claimed = self.get_queryset().get(pk=human_request.pk)
        claimed.taken_over = taken_over
        return APIResponse(HumanRequestClaimSerializer(claimed).data)

    @extend_schema(summary="Mark a request answered (it leaves the queue)", request=None)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        human_request = self.get_object()
        human_request_resolve(request=human_request, user=request.user)
        return APIResponse(self.get_serializer(self.get_queryset().get(pk=human_request.pk)).data)


class MessageSerializer(serializers.ModelSerializer):
    """One line of the chat's transcript."""

    author = serializers.SerializerMethodField()

    class Meta:
        model = ChatMessage
        fields = ["id", "sender", "author", "text", "question", "created_at"]
        read_only_fields = fields

    def get_author(self, obj) -> str | None:
        return obj.author.display_name if obj.author_id else None


class MessageCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=f.MAX_TEXT_CHARS, trim_whitespace=True)
    client_id = serializers.RegexField(
        regex=f.CLIENT_ID_RE.pattern, max_length=64, required=False, default="", allow_blank=True,
        help_text="Your id for this message: sending it again writes nothing (idempotent).",
    )  # fmt: skip


@extend_schema(tags=["responses"])
class ResponseMessagesView(APIView):
    """``/api/v1/responses/<id>/messages/``: the chat's transcript, and a recruiter's message after the chat."""

    @extend_schema(summary="The chat's transcript, oldest first", responses=MessageSerializer(many=True))
    def get(self, request, pk):
        response = response_get_for_user(user=request.user, pk=pk)
        rows = (
            ChatMessage.objects.filter(session__response=response).select_related("author").order_by("created_at", "id")
        )
        return APIResponse(MessageSerializer(rows, many=True).data)

    @extend_schema(
        summary="Write to the candidate after the chat: emailed with their link, they can reply there "
        "(409 while the chat runs: take it over instead)",
        request=MessageCreateSerializer,
        responses={201: MessageSerializer, 200: MessageSerializer},
    )
    def post(self, request, pk):
        response = response_get_for_user(user=request.user, pk=pk)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            turn = services.chat_message_after(
                response=response,
                user=request.user,
                text=serializer.validated_data["text"],
                client_id=serializer.validated_data["client_id"],
            )
        except services.ChatError as error:
            if error.code in ("empty", "too_long", "invalid_field"):
                raise serializers.ValidationError({"text": [error.message]}) from None
            raise Conflict(error.message) from None
        message = ChatMessage.objects.select_related("author").get(pk=turn.message_id)
        if turn.duplicate:
            return APIResponse(MessageSerializer(message).data, status=status.HTTP_200_OK)
        live.broadcast_frames(response_id=response.pk, frames=[f.message_frame(message)])
        return APIResponse(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
