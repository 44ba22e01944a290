"""JWTs that a password change or "sign out everywhere" revokes: each carries the user's ``token_version``.

Every access and refresh token the API hands out has a ``ver`` claim, the user's ``User.token_version`` when it
was made. Raising that number (``User.save`` after a new password, ``accounts.services.user_sign_out_everywhere``,
turning two-factor on or off) makes every older token fail: at authentication (``JWTAuthentication``, no extra
query: simplejwt loads the user row anyway), at refresh and at verify (one query for the user row). Tokens
without the claim count as version 0, the value every user had before the version existed.

Wired in ``settings.SIMPLE_JWT`` (``TOKEN_OBTAIN_SERIALIZER``, ``TOKEN_REFRESH_SERIALIZER``,
``TOKEN_VERIFY_SERIALIZER``) and ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``. A serializer that adds
to the token endpoint (a second factor, a lockout) subclasses ``TokenObtainPairSerializer`` below.
Refused tokens answer 401 with code ``token_not_valid``, like expired ones (simplejwt's ``InvalidToken``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import (
    SimpleJWTScheme,
    TokenObtainPairSerializerExtension,
    TokenRefreshSerializerExtension,
)
from rest_framework_simplejwt import authentication as jwt_authentication
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token, UntypedToken

from .models import User

TOKEN_VERSION_CLAIM = "ver"  # noqa: S105 - a claim name, not a secret
REVOKED = _("Token has been revoked: the password was changed or the user signed out everywhere.")


def token_is_current(token: Token, user: User) -> bool:
    """Whether ``token`` was made at ``user``'s current ``token_version`` (no claim counts as 0)."""
    return token.get(TOKEN_VERSION_CLAIM, 0) == user.token_version


def _token_user(token: Token) -> User | None:
    """The active user a decoded token names, or None (deleted, deactivated, no user claim)."""
    user_id = token.get(api_settings.USER_ID_CLAIM)
    if user_id is None:
        return None
    return User.objects.filter(**{api_settings.USER_ID_FIELD: user_id}, is_active=True).first()


class VersionedRefreshToken(RefreshToken):
    """simplejwt's refresh token with the ``ver`` claim; its access tokens copy the claim."""

    @classmethod
    def for_user(cls, user: User) -> VersionedRefreshToken:
        token = super().for_user(user)
        token[TOKEN_VERSION_CLAIM] = user.token_version
        return token


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """Email and password for a refresh and an access token, both carrying the user's ``token_version``."""

    token_class = VersionedRefreshToken

    def validate(self, attrs):
        # Emails are stored lower-case (UserManager, the sign-in form): the API reads them the same way.
        attrs[self.username_field] = (attrs.get(self.username_field) or "").strip().lower()
        return super().validate(attrs)


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """A refresh token for a new pair; refused (401) when revoked or its user is gone or inactive."""

    token_class = VersionedRefreshToken

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # TokenError (bad, expired, blacklisted): the view's 401
        user = _token_user(refresh)
        if user is None:
            # simplejwt would answer a deleted user's token with a 500 (DoesNotExist).
            raise InvalidToken(_("No active account found for the given token."))
        if not token_is_current(refresh, user):
            raise InvalidToken(REVOKED)
        return super().validate(attrs)


class TokenVerifySerializer(jwt_serializers.TokenVerifySerializer):
    """Whether a token would be accepted: signature, expiry, blacklist, and not revoked."""

    def validate(self, attrs):
        data = super().validate(attrs)
        try:
            token = UntypedToken(attrs["token"])
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        user = _token_user(token)
        if user is None or not token_is_current(token, user):
            raise InvalidToken(REVOKED)
        return data


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """simplejwt's header authentication, refusing tokens older than the user's ``token_version``."""

    def get_user(self, validated_token: Token) -> User:
        user = super().get_user(validated_token)
        if not token_is_current(validated_token, user):
            raise InvalidToken(REVOKED)
        return user


# --- OpenAPI: the same documentation as simplejwt's own classes (drf-spectacular matches exact classes) --------


class JWTAuthenticationScheme(SimpleJWTScheme):
    target_class = "accounts.tokens.JWTAuthentication"


class TokenObtainPairSerializerSchema(TokenObtainPairSerializerExtension):
    target_class = "accounts.tokens.TokenObtainPairSerializer"


class TokenRefreshSerializerSchema(TokenRefreshSerializerExtension):
    target_class = "accounts.tokens.TokenRefreshSerializer"
