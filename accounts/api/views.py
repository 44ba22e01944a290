"""Authentication (JWT obtain / refresh / verify) and the caller's own profile."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework_simplejwt import views as jwt_views

from accounts import lockout
from accounts.api.serializers import TokenObtainWithCodeSerializer
from accounts.models import Company, User
from smartbot.api import PublicThrottle


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "slug", "description", "ai_enabled"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    company = CompanySerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "company"]
        read_only_fields = fields


@extend_schema(tags=["auth"])
class MeView(generics.RetrieveAPIView):
    """The authenticated user, their role and company."""

    serializer_class = MeSerializer

    def get_object(self):
        return User.objects.select_related("company").get(pk=self.request.user.pk)


class _CredentialsEndpoint:
    # These take credentials, not a token: a stale Authorization header must not turn them into a 401,
    # and they are throttled per IP against password guessing.
    authentication_classes = []
    permission_classes = []
    throttle_classes = [PublicThrottle]

    def get_authenticate_header(self, request):
        # Wrong credentials are a 401 (DRF would make it a 403 for a view without authenticators).
        return 'Bearer realm="api"'


@extend_schema(tags=["auth"], summary="Obtain an access and a refresh token with email and password")
class TokenObtainView(_CredentialsEndpoint, jwt_views.TokenObtainPairView):
    # Users with two-factor sign-in on also send ``otp`` (accounts.api.serializers).
    serializer_class = TokenObtainWithCodeSerializer

    def handle_exception(self, exc):
        # Locked out after LOGIN_FAILURE_LIMIT failures per (email, address), like the login form
        # (accounts.lockout): axes marks the (DRF) request when it refused the attempt or this failure
        # reached the limit. Then 429 ``locked_out`` with Retry-After, even for the right password.
        if getattr(self.request, "axes_locked_out", False):
            seconds = lockout.lockout_seconds_left(self.request)
            exc = lockout.LoginLockedOut(lockout.lockout_message(seconds), wait=seconds)
        return super().handle_exception(exc)


@extend_schema(tags=["auth"], summary="Exchange a refresh token for a new pair (the old refresh token is revoked)")
class TokenRefreshView(_CredentialsEndpoint, jwt_views.TokenRefreshView):
    pass


@extend_schema(tags=["auth"], summary="Check that a token is valid")
class TokenVerifyView(_CredentialsEndpoint, jwt_views.TokenVerifyView):
    pass
