"""Serializers of the authentication endpoints."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainSerializer

from accounts import selectors, services
from accounts.tokens import TokenObtainPairSerializer  # tokens carry token_version: revocable


class _TwoFactorCheck(TokenObtainSerializer):
    """Between the password check and the making of the tokens: the code of a user with two-factor on."""

    def validate(self, attrs):
        data = super().validate(attrs)  # authenticates: self.user is the user of the email and password
        user = self.user
        code = attrs.get("otp", "")
        if selectors.user_has_two_factor(user=user, fresh=True):
            if not code:
                raise exceptions.ValidationError(
                    {"otp": [_("Two-factor sign-in is on: send the code from your authenticator app as otp.")]},
                    code="otp_required",
                )
            try:
                services.two_factor_verify(user=user, code=code)
            except DjangoValidationError as error:
                raise exceptions.AuthenticationFailed(" ".join(error.messages), code=error.code or "otp_invalid")
        elif user.company_id and user.company.require_two_factor:
            raise exceptions.PermissionDenied(
                _("Your company requires two-factor sign-in: set it up on the website first."),
                code="two_factor_setup_required",
            )
        return data


# MRO: TokenObtainPairSerializer.validate -> _TwoFactorCheck.validate -> TokenObtainSerializer.validate, so the
# code is checked after the password and before any token is made (or last_login written).
class TokenObtainWithCodeSerializer(TokenObtainPairSerializer, _TwoFactorCheck):
    """Email, password and, for a user with two-factor on, ``otp``: in exchange, an access and a refresh token.

    ``otp``: 6 digits from the authenticator app or a backup code (used up). Errors, in the API's shape:
    400 ``fields.otp`` when it is missing; 401 ``invalid_code`` (wrong) or ``throttled`` (too many wrong
    codes: wait the seconds the message says); 403 ``two_factor_setup_required`` for a member of a
    company that requires two-factor who has not set it up.
    """

    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=32,
        help_text=_("For users with two-factor sign-in on: a code from the authenticator app or a backup code."),
    )
