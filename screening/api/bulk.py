"""Bulk actions (with their task status), tags and saved filters in the API (docs/api.md). Thin doors into
``screening.services.bulk``, ``.tags`` and ``.saved_filters``; the same roles and tenancy as the HTML pages."""

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from screening.forms import ResponseFilterForm
from screening.models import BulkAction, Response, SavedFilter, Tag
from screening.selectors import response_get_for_user
from screening.services import DECISION_STATUSES
from screening.services import bulk as bulk_services
from screening.services import saved_filters as filter_services
from screening.services import tags as tag_services
from screening.services.saved_filters import COLUMN_KEYS, FILTER_KEYS
from screening.views.bulk import bulk_export_response
from smartbot.api import IsCompanyMember

# --- Serializers ---------------------------------------------------------------


def decision_status_choices() -> list[tuple[str, str]]:
    """The statuses a recruiter sets, as (value, label): the same set as a single status change's, named once in
    the schema (``DecisionStatusEnum`` in ``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]``)."""
    return [(value, label) for value, label in Response.Status.choices if value in DECISION_STATUSES]


class BulkFiltersSerializer(serializers.Serializer):
    """The responses table's filters ("every response matching", across pages)."""

    vacancy = serializers.IntegerField(required=False, help_text="Vacancy id.")
    status = serializers.ChoiceField(choices=Response.Status.choices, required=False)
    screening = serializers.ChoiceField(choices=["passed", "rejected", "needs_review"], required=False)
    min_score = serializers.IntegerField(required=False, min_value=0, max_value=100)
    tag = serializers.IntegerField(required=False, help_text="Tag id.")


class BulkActionRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BulkAction.Kind.choices, help_text="What to do (erase: owners only).")
    response_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=bulk_services.BULK_MAX_RESPONSES,
        help_text="The selected responses; or give ``filters`` instead.",
    )
    filters = BulkFiltersSerializer(
        required=False, help_text="Every response matching these filters (across pages), instead of ids."
    )
    status = serializers.ChoiceField(
        choices=decision_status_choices(),
        required=False,
        help_text="For kind=status.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="For kind=status.")
    candidate_reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    email = serializers.BooleanField(
        required=False, default=False, help_text="For kind=status: email each candidate the company's template."
    )
    tag = serializers.CharField(required=False, max_length=50, help_text="For kind=tag/untag: the tag's name.")
    format = serializers.ChoiceField(choices=bulk_services.EXPORT_FORMATS, required=False, default="xlsx")

    def validate(self, attrs):
        if ("response_ids" in attrs) == ("filters" in attrs):
            raise serializers.ValidationError(_("Give either response_ids or filters."))
        return attrs


class BulkFailureSerializer(serializers.Serializer):
    response = serializers.IntegerField(source="response_id")
    error = serializers.CharField()


class BulkActionSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.display_name", default=None, read_only=True)
    download = serializers.SerializerMethodField(help_text="The export's file (GET it), when there is one.")

    class Meta:
        model = BulkAction
        fields = [
            "id",
            "kind",
            "params",
            "state",
            "total",
            "done",
            "failed",
            "error",
            "user",
            "download",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_download(self, bulk_action) -> str | None:
        if bulk_action.kind == BulkAction.Kind.EXPORT and bulk_action.result.get("file"):
            return f"/api/v1/bulk-actions/{bulk_action.pk}/download/"
        return None


class BulkActionDetailSerializer(BulkActionSerializer):
    failures = serializers.SerializerMethodField()

    class Meta(BulkActionSerializer.Meta):
        fields = [*BulkActionSerializer.Meta.fields, "failures"]
        read_only_fields = fields

    @extend_schema_field(BulkFailureSerializer(many=True))
    def get_failures(self, bulk_action):
        return BulkFailureSerializer(bulk_services.bulk_action_failures(bulk_action=bulk_action), many=True).data


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]


class TagAddSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, help_text="The tag's name; a new one is created.")


class SavedFilterSerializer(serializers.ModelSerializer):
    params = serializers.DictField(
        child=serializers.CharField(max_length=100),
        help_text=f"The table's GET parameters; kept: {', '.join(FILTER_KEYS)}.",
    )

    class Meta:
        model = SavedFilter
        fields = ["id", "page", "name", "params", "created_at"]
        read_only_fields = ["id", "created_at"]


class ColumnsSerializer(serializers.Serializer):
    columns = serializers.ListField(
        child=serializers.ChoiceField(choices=COLUMN_KEYS), help_text="The table's columns to show."
    )


# --- Views ---------------------------------------------------------------------


def _selection(request, data):
    """The responses the request names: ``response_ids`` (the company's only), or every one matching ``filters``."""
    company = request.user.company
    if "filters" in data:
        query = QueryDict(mutable=True)
        for key, value in data["filters"].items():
            query[key] = str(value)
        form = ResponseFilterForm(query, company=company)
        if not form.is_valid():
            raise ValidationError({"filters": [str(m) for errors in form.errors.values() for m in errors]})
        return form.responses()
    return Response.objects.filter(pk__in=data["response_ids"], vacancy__company=company)


@extend_schema_view(
    list=extend_schema(summary="List the company's bulk actions, newest first"),
    retrieve=extend_schema(
        summary="A bulk action's task status: state, done / failed of total, failures, the export's download",
        responses=BulkActionDetailSerializer,
    ),
)
@extend_schema(tags=["bulk"])
class BulkActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Owners and recruiters start bulk actions (erase: owners only); every member follows them."""

    lookup_value_regex = r"\d+"
    serializer_class = BulkActionSerializer
    filter_backends = []
    parser_classes = [JSONParser]  # a list of ids: JSON only (a form would hit the form-field limit first)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BulkAction.objects.none()
        return BulkAction.objects.filter(company_id=self.request.user.company_id).select_related("user")

    def get_object(self):
        bulk_action = bulk_services.bulk_action_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, bulk_action)
        return bulk_action

    def retrieve(self, request, *args, **kwargs):
        return APIResponse(BulkActionDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary="Start a bulk action on the selected responses or on every response matching filters (202)",
        request=BulkActionRequestSerializer,
        responses={202: BulkActionSerializer},
    )
    def create(self, request):
        serializer = BulkActionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bulk_action = bulk_services.bulk_action_start(
            user=request.user,
            kind=data["kind"],
            responses=_selection(request, data),
            params={key: data.get(key) for key in ("status", "comment", "candidate_reason", "email", "tag", "format")},
        )
        return APIResponse(BulkActionSerializer(bulk_action).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download the file a bulk export made",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def download(self, request, pk=None):
        return bulk_export_response(self.get_object())


@extend_schema_view(
    list=extend_schema(summary="List the company's tags"),
    create=extend_schema(summary="Create a tag (names are unique per company whatever the case)"),
    retrieve=extend_schema(summary="Read a tag"),
    destroy=extend_schema(summary="Delete a tag (it leaves every application)"),
)
@extend_schema(tags=["tags"])
class TagViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"
    serializer_class = TagSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Tag.objects.none()
        return tag_services.tag_list(company=self.request.user.company)

    def get_object(self):
        tag = tag_services.tag_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, tag)
        return tag

    def perform_create(self, serializer):
        serializer.instance = tag_services.tag_create(
            company=self.request.user.company, name=serializer.validated_data["name"]
        )

    def perform_destroy(self, instance):
        tag_services.tag_delete(tag=instance)


class ResponseTagsView(APIView):
    """Put a tag on one response (by name; created when new)."""

    @extend_schema(
        tags=["tags"],
        summary="Add a tag to a response (by name; a new one is created)",
        request=TagAddSerializer,
        responses={200: TagSerializer(many=True)},
    )
    def post(self, request, pk):
        response = response_get_for_user(user=request.user, pk=pk)
        serializer = TagAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag = tag_services.tag_get_or_create(company=request.user.company, name=serializer.validated_data["name"])
        tag_services.response_tag_add(response=response, tag=tag)
        return APIResponse(TagSerializer(response.tags.order_by("name"), many=True).data)


class ResponseTagView(APIView):
    """Take a tag off one response."""

    @extend_schema(tags=["tags"], summary="Remove a tag from a response", responses={204: None})
    def delete(self, request, pk, tag_id):
        response = response_get_for_user(user=request.user, pk=pk)
        tag = tag_services.tag_get_for_user(user=request.user, pk=tag_id)
        tag_services.response_tag_remove(response=response, tag=tag)
        return APIResponse(status=status.HTTP_204_NO_CONTENT)


class IsCompanyMemberAnyRole(IsCompanyMember):
    """A member's own preferences: viewers may save them too (they change nothing of the company's)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.company_id is not None)


@extend_schema_view(
    list=extend_schema(summary="List your saved filters"),
    create=extend_schema(summary="Save a filter (replaces your filter of the same name on that page)"),
    retrieve=extend_schema(summary="Read one of your saved filters"),
    destroy=extend_schema(summary="Delete one of your saved filters"),
)
@extend_schema(tags=["saved filters"])
class SavedFilterViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Each member's own: another member's filter is a 404, whatever the role."""

    lookup_value_regex = r"\d+"
    serializer_class = SavedFilterSerializer
    permission_classes = [IsAuthenticated, IsCompanyMemberAnyRole]
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SavedFilter.objects.none()
        return SavedFilter.objects.filter(user=self.request.user).exclude(name=filter_services.PREFERENCES)

    def get_object(self):
        saved = filter_services.saved_filter_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, saved)
        return saved

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = filter_services.saved_filter_save(
            user=self.request.user, name=data["name"], params=data["params"], page=data.get("page", "table")
        )

    def perform_destroy(self, instance):
        filter_services.saved_filter_delete(saved_filter=instance)


class TableColumnsView(APIView):
    """The columns the member sees on the responses table."""

    permission_classes = [IsAuthenticated, IsCompanyMemberAnyRole]

    @extend_schema(tags=["saved filters"], summary="Your columns of the responses table", responses=ColumnsSerializer)
    def get(self, request):
        _saved, columns = filter_services.table_preferences(user=request.user)
        return APIResponse({"columns": columns})

    @extend_schema(
        tags=["saved filters"],
        summary="Choose your columns of the responses table",
        request=ColumnsSerializer,
        responses=ColumnsSerializer,
    )
    def put(self, request):
        serializer = ColumnsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        columns = filter_services.table_columns_set(user=request.user, columns=serializer.validated_data["columns"])
        return APIResponse({"columns": columns})
