"""API tokens of the login (DESIGN.md section 6)."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from accounts.managers import normalize_email

SIGN_IN_FAILED = "Unable to sign in with that email address and password."
UNVERIFIED = (
    "Confirm your email address first: follow the link in the message we sent you, "
    "then ask for a token again."
)


class SignInSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Token <token>` on every request."
    )


def token_for(*, email: str, password: str, request) -> str:
    """The API token of the active, verified account with these credentials.

    Wrong password and unknown email give the same error (no account enumeration); only
    someone who knows the password learns that the address is unconfirmed. Rate-limited by
    allauth's limiter, like the web login: per client address ("api_token"), and per
    address and per account for failures ("login_failed", shared with the web login, so an
    account locked out there gets no token either). A token past its lifetime is replaced.
    """
    if not ratelimit.consume(request, action="api_token"):
        raise Throttled()
    email = normalize_email(email)
    try:
        user = get_adapter(request).authenticate(request, email=email, password=password)
    except DjangoValidationError:  # allauth's "too many failed login attempts"
        raise Throttled() from None
    if user is None or not user.is_active:
        raise ValidationError({"non_field_errors": [SIGN_IN_FAILED]})
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        raise ValidationError({"non_field_errors": [UNVERIFIED]})
    return tokens.token_for_user(user=user).key


class TokenView(APIView):
    """POST: exchange email + password for an API token. DELETE: revoke your token."""

    def _signing_in(self) -> bool:
        return getattr(self.request, "method", None) == "POST"

    def get_authenticators(self):
        # Signing in must not fail on a stale Authorization header or need a CSRF token.
        if self._signing_in():
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self._signing_in():
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self._signing_in():
            return []  # token_for counts attempts with allauth's limiter, as web login does
        return super().get_throttles()

    @extend_schema(
        summary="Get an API token",
        description=(
            "Email and password of an active account whose email address is confirmed. "
            "Returns the account's token: the same one until it is revoked, expires, or "
            "the password changes. Rate-limited per client address and, for failed "
            "attempts, per account: an account locked out of web sign-in gets no token."
        ),
        request=SignInSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong email or password, or unconfirmed email."),
            429: OpenApiResponse(description="Too many attempts; retry later."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = SignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = token_for(request=request._request, **serializer.validated_data)
        return Response({"token": key})

    @extend_schema(
        summary="Revoke your API token",
        description="The token stops working at once; sign in again for a new one.",
        request=None,
        responses={204: None},
    )
    def delete(self, request):
        tokens.tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
