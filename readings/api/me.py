"""/api/v1/me/: the signed-in login's preferences, and its own record's time zone and
targets (DESIGN.md section 6). Here, above accounts and patients, because targets are
the readings app's."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.models import User
from accounts.services import user_update_preferences
from core.api.errors import django_errors_as_api
from core.localtime import validate_timezone
from core.units import Unit
from patients.selectors import own_record
from patients.services import patient_update
from readings.selectors import target_get
from readings.services import target_set


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
        help_text="IANA time zone of your own health record, e.g. Europe/Paris: days and "
        "hours in reports follow it (null for accounts without a record).",
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
        record = own_record(user=user)
        target = target_get(patient=record) if record else None
        return {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "unit": user.unit,
            "timezone": record.timezone if record else None,
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
        record = own_record(user=user)
        wants_target = "target_low_mgdl" in data or "target_high_mgdl" in data
        if record is None:
            refused = {
                name: ["Only patients have glucose targets."]
                for name in ("target_low_mgdl", "target_high_mgdl")
                if name in data
            }
            if "timezone" in data:
                refused["timezone"] = ["Only patients have a health record with a time zone."]
            if refused:
                raise ValidationError(refused)
        # Targets first: their service may still refuse them, while the preferences were
        # fully validated above by the model's own validators, so nothing is half-saved.
        if wants_target:
            current = target_get(patient=record)
            try:
                target_set(
                    patient=record,
                    low_mgdl=data.get("target_low_mgdl", current.low_mgdl),
                    high_mgdl=data.get("target_high_mgdl", current.high_mgdl),
                )
            except DjangoValidationError as error:
                raise ValidationError(_target_errors(error)) from None
        if "timezone" in data:
            patient_update(patient=record, timezone=data["timezone"])
        preferences = {"first_name", "last_name", "unit"} & set(data)
        if preferences:
            try:
                user_update_preferences(
                    user=user,
                    first_name=data.get("first_name", user.first_name),
                    last_name=data.get("last_name", user.last_name),
                    unit=data.get("unit", user.unit),
                )
            except DjangoValidationError as error:
                raise ValidationError(django_errors_as_api(error)) from None
        return Response(MeSerializer(user).data)


def _target_errors(error: DjangoValidationError) -> dict:
    """The target service's errors on the API's fields; "low below high" (a constraint of
    the whole target) is shown on the high target, as the profile form does."""
    detail = django_errors_as_api(error)
    return {TARGET_FIELD_OF.get(name, name): messages for name, messages in detail.items()}
