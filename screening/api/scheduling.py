"""Interview scheduling API: a vacancy's slots, the company's bookings (docs/scheduling.md, docs/api.md).

Same permissions as the pages: members read, owners and recruiters write (``smartbot.api.IsCompanyMember``);
anything of another company is 404. Thin doors into ``screening.services.scheduling``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as APIResponse

from accounts.models import User, validate_time_zone
from accounts.selectors import team_editors
from screening.models import Booking, InterviewSlot
from screening.services import scheduling as svc
from vacancies.selectors import vacancy_get_for_user


class SlotSerializer(serializers.ModelSerializer):
    """A slot. ``starts_at`` is ISO 8601 with an offset (read back in UTC); ``time_zone`` (IANA, default the
    company's) is the zone it is shown in; ``booked``: a live booking holds it."""

    # Owners and recruiters of the company (never a viewer); the service checks again.
    interviewers = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.none(),
        required=False,
        error_messages={"does_not_exist": _("Interviewers must be owners or recruiters of your company.")},
    )
    time_zone = serializers.CharField(max_length=64, required=False, validators=[validate_time_zone])
    booked = serializers.SerializerMethodField()

    class Meta:
        model = InterviewSlot
        fields = [
            "id",
            "vacancy",
            "starts_at",
            "duration_minutes",
            "time_zone",
            "interviewers",
            "location",
            "video_url",
            "booked",
            "created_at",
        ]
        read_only_fields = ["id", "vacancy", "booked", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["interviewers"].child_relation.queryset = team_editors(company=request.user.company)

    def get_booked(self, slot) -> bool:
        live = getattr(slot, "live", None)
        if live is not None:
            return any(b.status == Booking.Status.BOOKED for b in live)
        return slot.bookings.filter(status=Booking.Status.BOOKED).exists()


class BookingSerializer(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    duration_minutes = serializers.IntegerField(source="slot.duration_minutes", read_only=True)
    time_zone = serializers.CharField(source="slot.time_zone", read_only=True)
    vacancy = serializers.IntegerField(source="slot.vacancy_id", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "slot",
            "vacancy",
            "response",
            "status",
            "starts_at",
            "duration_minutes",
            "time_zone",
            "candidate_time_zone",
            "uid",
            "sequence",
            "created_at",
            "cancelled_at",
            "cancelled_by",
        ]
        read_only_fields = fields


class MarkSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in svc.MARKS])


def _as_drf(error: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


@extend_schema_view(
    get=extend_schema(summary="List a vacancy's interview slots from a day ago on, earliest first"),
    post=extend_schema(summary="Add an interview slot to a vacancy"),
)
@extend_schema(tags=["scheduling"])
class VacancySlotListView(generics.ListCreateAPIView):
    serializer_class = SlotSerializer
    filter_backends = []

    def get_vacancy(self):
        return vacancy_get_for_user(user=self.request.user, pk=self.kwargs["vacancy_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InterviewSlot.objects.none()
        return svc.slot_list(vacancy=self.get_vacancy())

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = svc.slot_create(vacancy=self.get_vacancy(), created_by=self.request.user, **data)
        except ValidationError as error:
            raise _as_drf(error) from error


@extend_schema_view(
    retrieve=extend_schema(summary="Read an interview slot"),
    destroy=extend_schema(summary="Delete a free interview slot (409-style 400 while booked)"),
)
@extend_schema(tags=["scheduling"])
class SlotViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    serializer_class = SlotSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InterviewSlot.objects.none()
        return InterviewSlot.objects.filter(company_id=self.request.user.company_id)

    def perform_destroy(self, instance):
        try:
            svc.slot_delete(slot=instance)
        except ValidationError as error:
            raise _as_drf(error) from error


@extend_schema_view(
    list=extend_schema(summary="List the company's interview bookings (filter by vacancy, response, status)"),
    retrieve=extend_schema(summary="Read an interview booking"),
)
@extend_schema(tags=["scheduling"])
class BookingViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"
    serializer_class = BookingSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        queryset = svc.bookings_for_company(company=self.request.user.company)
        params = self.request.query_params
        for param, field in (("vacancy", "slot__vacancy_id"), ("response", "response_id")):
            value = params.get(param, "")
            if value.isdigit() and len(value) < 19:
                queryset = queryset.filter(**{field: int(value)})
        if params.get("status") in Booking.Status.values:
            queryset = queryset.filter(status=params["status"])
        return queryset

    @extend_schema(
        summary="Cancel a booked interview (the candidate is told)", request=None, responses=BookingSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        try:
            booking = svc.booking_cancel(booking=booking, by=svc.RECRUITER, user=request.user)
        except ValidationError as error:
            raise _as_drf(error) from error
        return APIResponse(BookingSerializer(booking).data)

    @extend_schema(
        summary="Mark an interview that started: attended or no_show",
        request=MarkSerializer,
        responses=BookingSerializer,
    )
    @action(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        booking = self.get_object()
        serializer = MarkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            booking = svc.booking_mark(booking=booking, status=serializer.validated_data["status"], user=request.user)
        except ValidationError as error:
            raise _as_drf(error) from error
        return APIResponse(BookingSerializer(booking).data, status=status.HTTP_200_OK)
