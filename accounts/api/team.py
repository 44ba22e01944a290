"""The audit log and team management in the API: the same services, permissions and tenancy as the pages.

Everything here is the owner's but the member list, which every member reads. Another company's member or
invitation is a 404; a recruiter or viewer gets 403.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from accounts import audit, selectors
from accounts import team as team_services
from accounts.models import AuditEntry, Invitation, Role, User
from smartbot.api import Conflict, IsCompanyMember


class IsOwner(BasePermission):
    """A company member whose role is owner (403 for recruiters and viewers)."""

    def has_permission(self, request, view):
        return bool(IsCompanyMember().has_permission(request, view) and request.user.is_owner)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "actor", "actor_name", "action", "target", "summary", "details", "ip_address"]
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, min_value=1, help_text="The member who acted (user id).")
    action = serializers.ChoiceField(choices=AuditEntry.Action.choices, required=False)
    date_from = serializers.DateField(required=False, help_text="First day, in the company's time zone.")
    date_to = serializers.DateField(required=False, help_text="Last day (included), in the company's time zone.")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["The first day is after the last one."]})
        return attrs


@extend_schema(
    tags=["audit log"],
    summary="The company's audit log, newest first (owner)",
    parameters=[
        OpenApiParameter("person", OpenApiTypes.INT, description="The member who acted (user id)."),
        OpenApiParameter("action", OpenApiTypes.STR, enum=AuditEntry.Action.values),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day, in the company's time zone."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day (included)."),
    ],
)
class AuditLogView(generics.ListAPIView):
    """Append-only: there is no write method."""

    serializer_class = AuditEntrySerializer
    permission_classes = [IsOwner]
    filter_backends = []

    def get_queryset(self):
        filters = AuditFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return audit.audit_entries(
            company=self.request.user.company,
            actor_id=data.get("person"),
            action=data.get("action", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


# --- Team ------------------------------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "last_login"]
        read_only_fields = fields


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class RemoveSerializer(serializers.Serializer):
    successor = serializers.IntegerField(
        required=False, allow_null=True, help_text="The member who takes over the open work; empty leaves it."
    )


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at", "expires_at"]
        read_only_fields = ["id", "created_at", "expires_at"]


class RemovedSerializer(serializers.Serializer):
    work = serializers.DictField(child=serializers.IntegerField(), help_text="What moved, by kind.")


@extend_schema(tags=["team"], summary="The company's members (every member reads it)")
class MemberListView(generics.ListAPIView):
    serializer_class = MemberSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.team_members(company=self.request.user.company)


@contextmanager
def _last_owner_is_a_conflict():
    # The request is fine; the company's state (one owner left) forbids it: 409 with code ``last_owner``.
    try:
        yield
    except DjangoValidationError as error:
        if error.code == "last_owner":
            raise Conflict(" ".join(error.messages), code="last_owner") from None
        raise


def _member(request, pk) -> User:
    return selectors.team_member_for_company(company=request.user.company, pk=pk)


@extend_schema(tags=["team"])
class MemberRoleView(APIView):
    permission_classes = [IsOwner]

    @extend_schema(
        summary="Change a member's role (owner); the last owner cannot be demoted (409 last_owner)",
        request=RoleSerializer,
        responses=MemberSerializer,
    )
    def post(self, request, pk):
        member = _member(request, pk)
        body = RoleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _last_owner_is_a_conflict():
            member = team_services.member_role_change(
                actor=request.user, member=member, role=body.validated_data["role"], request=request
            )
        return APIResponse(MemberSerializer(member).data)


@extend_schema(tags=["team"])
class MemberRemoveView(APIView):
    permission_classes = [IsOwner]

    @extend_schema(
        summary="Remove a member (owner): open work goes to `successor` or is left unassigned; 409 last_owner",
        request=RemoveSerializer,
        responses=RemovedSerializer,
    )
    def post(self, request, pk):
        member = _member(request, pk)
        body = RemoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        successor = None
        if body.validated_data.get("successor"):
            successor = User.objects.filter(
                company=request.user.company, pk=body.validated_data["successor"], is_active=True
            ).first()
            if successor is None:
                raise serializers.ValidationError({"successor": ["Choose another active member of the company."]})
        with _last_owner_is_a_conflict():
            work = team_services.member_remove(actor=request.user, member=member, successor=successor, request=request)
        return APIResponse(RemovedSerializer({"work": work}).data)


@extend_schema(tags=["team"])
class InvitationListView(generics.ListCreateAPIView):
    """Pending invitations (expired included); a POST invites (the same address again: refreshed, sent again)."""

    serializer_class = InvitationSerializer
    permission_classes = [IsOwner]
    filter_backends = []

    def get_queryset(self):
        return selectors.invitations_pending(company=self.request.user.company)

    @extend_schema(summary="Invite someone into the company (owner)")
    def post(self, request, *args, **kwargs):
        body = InvitationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = team_services.invitation_send(
            actor=request.user,
            email=body.validated_data["email"],
            role=body.validated_data.get("role", Role.RECRUITER),
            request=request,
        )
        return APIResponse(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


def _invitation(request, pk) -> Invitation:
    return selectors.invitation_pending_for_company(company=request.user.company, pk=pk)


@extend_schema(tags=["team"])
class InvitationResendView(APIView):
    permission_classes = [IsOwner]

    @extend_schema(
        summary="Send a pending invitation again with a fresh expiry (owner)",
        request=None,
        responses=InvitationSerializer,
    )
    def post(self, request, pk):
        invitation = team_services.invitation_resend(
            actor=request.user, invitation=_invitation(request, pk), request=request
        )
        return APIResponse(InvitationSerializer(invitation).data)


@extend_schema(tags=["team"])
class InvitationRevokeView(APIView):
    permission_classes = [IsOwner]

    @extend_schema(
        summary="Revoke a pending invitation: its link stops working (owner)", request=None, responses={204: None}
    )
    def post(self, request, pk):
        team_services.invitation_withdraw(actor=request.user, invitation=_invitation(request, pk), request=request)
        return APIResponse(status=status.HTTP_204_NO_CONTENT)
