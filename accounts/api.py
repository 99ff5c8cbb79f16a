"""API endpoints of the account itself: sign-in tokens and /me (DESIGN.md section 6)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from accounts import roles, services
from accounts.managers import normalize_email
from accounts.models import User, validate_timezone
from readings import selectors as reading_selectors
from readings import services as reading_services
from readings.api.serializers import django_errors_as_api
from readings.units import Unit

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


class MeSerializer(serializers.Serializer):
    """The signed-in user's preferences. Targets (mg/dL) are a patient's; null for others."""

    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_timezone],
        help_text="IANA time zone, e.g. Europe/Paris: days and hours in reports follow it.",
    )
    target_low_mgdl = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Low target, whole mg/dL (patients only; null for other accounts).",
    )
    target_high_mgdl = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="High target, whole mg/dL, above the low one (patients only).",
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=["patient", "physician", "administrator"]),
        read_only=True,
    )

    def to_representation(self, user: User) -> dict:
        is_patient = roles.is_patient(user)
        target = reading_selectors.target_get(user=user) if is_patient else None
        return {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "unit": user.unit,
            "timezone": user.timezone,
            "target_low_mgdl": target.low_mgdl if target else None,
            "target_high_mgdl": target.high_mgdl if target else None,
            "roles": role_list(user),
        }


def role_list(user) -> list[str]:
    return [
        name
        for name, has_role in (
            ("patient", roles.is_patient(user)),
            ("physician", roles.is_physician(user)),
            ("administrator", roles.is_site_admin(user)),
        )
        if has_role
    ]


TARGET_FIELD_OF = {
    "low_mgdl": "target_low_mgdl",
    "high_mgdl": "target_high_mgdl",
    "non_field_errors": "target_high_mgdl",
}


class MeView(APIView):
    """GET/PATCH the signed-in user's names, unit, time zone and (patients) targets."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Your account's preferences", responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        summary="Change your preferences",
        description=(
            "Any subset of the writable fields. Validated like the profile page: a known "
            "IANA time zone, targets within 20-600 mg/dL with low below high. Nothing is "
            "saved unless everything is valid."
        ),
        request=MeSerializer,
        responses={200: MeSerializer},
    )
    def patch(self, request):
        user = request.user
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        wants_target = "target_low_mgdl" in data or "target_high_mgdl" in data
        if wants_target and not roles.is_patient(user):
            raise ValidationError(
                {
                    name: ["Only patients have glucose targets."]
                    for name in ("target_low_mgdl", "target_high_mgdl")
                    if name in data
                }
            )
        # Targets first: their service may still refuse them, while the preferences were
        # fully validated above by the model's own validators, so nothing is half-saved.
        if wants_target:
            current = reading_selectors.target_get(user=user)
            try:
                reading_services.target_set(
                    user=user,
                    low_mgdl=data.get("target_low_mgdl", current.low_mgdl),
                    high_mgdl=data.get("target_high_mgdl", current.high_mgdl),
                )
            except DjangoValidationError as error:
                raise ValidationError(_target_errors(error)) from None
        preferences = {"first_name", "last_name", "unit", "timezone"} & set(data)
        if preferences:
            try:
                services.user_update_preferences(
                    user=user,
                    first_name=data.get("first_name", user.first_name),
                    last_name=data.get("last_name", user.last_name),
                    unit=data.get("unit", user.unit),
                    timezone=data.get("timezone", user.timezone),
                )
            except DjangoValidationError as error:
                raise ValidationError(django_errors_as_api(error)) from None
        return Response(MeSerializer(user).data)


def _target_errors(error: DjangoValidationError) -> dict:
    """The target service's errors on the API's fields; "low below high" (a constraint of
    the whole target) is shown on the high target, as the profile form does."""
    detail = django_errors_as_api(error)
    return {TARGET_FIELD_OF.get(name, name): messages for name, messages in detail.items()}
