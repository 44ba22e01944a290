"""Notifications, notification preferences and the candidates' email templates in the REST API.

Thin doors into ``services.notifications`` and ``services.emails``, with the pages' permissions: every member
reads and marks read their own notifications and sets their own preferences (viewers too: it writes nothing of
the company's); every member reads the email templates, only the owner changes or resets them.
docs/notifications.md, docs/api.md.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from screening import emails
from screening.models import EmailTemplate, Notification, NotificationPreference
from screening.services import emails as email_services
from screening.services import notifications as services
from vacancies.models import Vacancy


class IsMember(permissions.BasePermission):
    """Authenticated and member of a company, any role, for the member's own things (reads and writes)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.company_id is not None)


class NotificationSerializer(serializers.ModelSerializer):
    response = serializers.IntegerField(source="response_id", read_only=True, allow_null=True)
    text = serializers.CharField(
        source="get_text", read_only=True, help_text="One line in the request's language (Accept-Language)."
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "response", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="The notifications to mark read (only your own count); leave out to mark every one read.",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    email = serializers.ChoiceField(choices=NotificationPreference.Email.choices)


class EmailTemplateSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=EmailTemplate.Key.choices, read_only=True)
    # The vacancy's languages (the same values), so the schema has one language enum.
    language = serializers.ChoiceField(choices=Vacancy.Language.choices, read_only=True)
    customised = serializers.BooleanField(read_only=True)
    subject = serializers.CharField(max_length=emails.SUBJECT_MAX_LENGTH)
    body = serializers.CharField(max_length=emails.BODY_MAX_LENGTH)


class EmailTemplateSummarySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    language = serializers.CharField()
    customised = serializers.BooleanField()
    updated_at = serializers.DateTimeField(allow_null=True)


@extend_schema(tags=["notifications"])
class NotificationListView(ListAPIView):
    """Your notifications, newest first (paginated)."""

    permission_classes = [IsMember]
    serializer_class = NotificationSerializer
    filter_backends = []

    @extend_schema(summary="List your notifications, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return services.notification_list(user=self.request.user)


@extend_schema(tags=["notifications"])
class NotificationReadView(APIView):
    permission_classes = [IsMember]
    parser_classes = [JSONParser]  # a list of ids: JSON only (a form would hit the form-field limit first)

    @extend_schema(
        summary="Mark notifications read (the ids given, or all)",
        request=MarkReadSerializer,
        responses=MarkReadResultSerializer,
    )
    def post(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notification_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return APIResponse({"marked": marked, "unread": services.notification_unread_count(user_id=request.user.pk)})


@extend_schema(tags=["notifications"])
class NotificationPreferencesView(APIView):
    """How each kind of notification reaches you by email: off, instant or digest (daily)."""

    permission_classes = [IsMember]
    parser_classes = [JSONParser]

    @staticmethod
    def _rows(choices: dict) -> list[dict]:
        return [{"kind": kind, "email": email} for kind, email in choices.items()]

    @extend_schema(summary="Your email preference per notification kind", responses=PreferenceSerializer(many=True))
    def get(self, request):
        return APIResponse(self._rows(services.preferences_get(user=request.user)))

    @extend_schema(
        summary="Set your email preferences (the kinds given; the others keep theirs)",
        request=PreferenceSerializer(many=True),
        responses=PreferenceSerializer(many=True),
    )
    def put(self, request):
        serializer = PreferenceSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        choices = {row["kind"]: row["email"] for row in serializer.validated_data}
        return APIResponse(self._rows(services.preferences_set(user=request.user, choices=choices)))


@extend_schema(tags=["email templates"])
class EmailTemplateListView(APIView):
    """Every candidate email × language, and whether the company changed its wording."""

    @extend_schema(summary="List the candidates' email templates", responses=EmailTemplateSummarySerializer(many=True))
    def get(self, request):
        rows = email_services.template_list(company=request.user.company)
        return APIResponse(EmailTemplateSummarySerializer(rows, many=True).data)


@extend_schema(tags=["email templates"])
class EmailTemplateDetailView(APIView):
    """One email in one language: read (members), change or reset to the default (the owner)."""

    def _key(self) -> tuple[str, str]:
        key, language = self.kwargs["key"], self.kwargs["language"]
        if key not in EmailTemplate.Key.values or language not in email_services.LANGUAGES:
            raise Http404
        return key, language

    def _answer(self, key: str, language: str):
        subject, body, customised = email_services.template_get(
            company=self.request.user.company, key=key, language=language
        )
        data = {"key": key, "language": language, "customised": customised, "subject": subject, "body": body}
        return APIResponse(EmailTemplateSerializer(data).data)

    def _owner(self) -> None:
        if not self.request.user.is_owner:
            raise PermissionDenied

    @extend_schema(
        summary="Read an email template (the company's wording or the default)", responses=EmailTemplateSerializer
    )
    def get(self, request, key, language):
        return self._answer(*self._key())

    @extend_schema(
        summary="Change an email template's wording (owner); a bad placeholder is a 400",
        request=EmailTemplateSerializer,
        responses=EmailTemplateSerializer,
    )
    def put(self, request, key, language):
        key, language = self._key()
        self._owner()
        serializer = EmailTemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            email_services.template_save(
                company=request.user.company,
                key=key,
                language=language,
                actor=request.user,
                subject=serializer.validated_data["subject"],
                body=serializer.validated_data["body"],
            )
        except ValidationError as error:
            raise serializers.ValidationError({"body": error.messages})
        return self._answer(key, language)

    @extend_schema(summary="Reset an email template to the default wording (owner)", responses=EmailTemplateSerializer)
    def delete(self, request, key, language):
        key, language = self._key()
        self._owner()
        email_services.template_reset(company=request.user.company, key=key, language=language)
        return self._answer(key, language)
