"""API tokens of the login (DESIGN.md section 6)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

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


def token_for(*, email: str, password: str, request=None) -> str:
    """The API token of the active, verified account with these credentials.

    Wrong password and unknown email give the same error (no account enumeration); only
    someone who knows the password learns that the address is unconfirmed.
    """
    email = normalize_email(email)
    user = authenticate(request, email=email, password=password)
    if user is None or not user.is_active:
        raise ValidationError({"non_field_errors": [SIGN_IN_FAILED]})
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        raise ValidationError({"non_field_errors": [UNVERIFIED]})
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


class TokenView(APIView):
    """POST: exchange email + password for an API token. DELETE: revoke your token."""

    throttle_scope = "auth_token"

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
            # Password guessing: a strict per-address rate on top of the anonymous one.
            return [AnonRateThrottle(), ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        summary="Get an API token",
        description=(
            "Email and password of an active account whose email address is confirmed. "
            "Returns the account's token (the same one until it is revoked). Throttled "
            "strictly per client address."
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
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
