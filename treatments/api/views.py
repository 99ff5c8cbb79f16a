"""The treatments endpoint of DESIGN.md section 6, with the readings API's conventions:
list with filters, one or bulk create (all-or-nothing on validation, idempotent by
external_id and by the measurement key), retrieve, update, delete; ``?patient=`` names
the record (default: the caller's own). Thin: serializers parse, selectors read,
services write."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.errors import django_errors_as_api
from core.api.exceptions import InvalidItems
from core.api.pagination import PagePagination
from core.api.schema import FieldErrorsSerializer
from patients.access import Action
from patients.api import HasRecord, api_record
from patients.services import access_log_record
from treatments import selectors, services
from treatments.api.serializers import (
    API_SOURCE,
    TreatmentBulkResultSerializer,
    TreatmentFilterSerializer,
    TreatmentInputSerializer,
    TreatmentSerializer,
    TreatmentUpdateSerializer,
    treatment_from_fields,
)
from treatments.models import Treatment

BULK_MAX_ITEMS = 5000
API_TREATMENTS = "API: treatments"  # the access log's name of this endpoint


class TreatmentItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the list, from 0.")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class TreatmentBulkErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    items = TreatmentItemErrorSerializer(many=True)


def validate_items(*, items: list, patient) -> list[Treatment]:
    """Parse and validate every item; all-or-nothing: a 400 lists each failing item."""
    if len(items) > BULK_MAX_ITEMS:
        raise InvalidItems(
            {
                "detail": f"A request takes at most {BULK_MAX_ITEMS:,} treatments; this one "
                f"has {len(items):,}. Send them in several requests.",
                "items": [],
            }
        )
    child = TreatmentInputSerializer()
    treatments, failures = [], []
    for index, item in enumerate(items):
        try:
            fields = child.run_validation(item)
            treatments.append(
                treatment_from_fields(patient=patient, fields=fields, source=API_SOURCE)
            )
        except ValidationError as error:
            detail = error.detail
            failures.append(
                {
                    "index": index,
                    "errors": detail if isinstance(detail, dict) else {"non_field_errors": detail},
                }
            )
        except DjangoValidationError as error:
            failures.append({"index": index, "errors": django_errors_as_api(error)})
    if failures:
        raise InvalidItems(
            {
                "detail": f"{len(failures):,} of {len(items):,} treatments are invalid; "
                "nothing was stored.",
                "items": failures,
            }
        )
    return treatments


def stored_twin(*, patient, treatment: Treatment) -> Treatment | None:
    """The stored treatment that made ``treatment`` a duplicate."""
    stored = Treatment.objects.of(patient)
    if treatment.external_id:
        twin = stored.filter(source=treatment.source, external_id=treatment.external_id).first()
        if twin is not None:
            return twin
    return stored.filter(measurement_key=treatment.key()).first()


TREATMENT_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The treatment's id."
)
RECORD = OpenApiParameter(
    "patient",
    OpenApiTypes.UUID,
    OpenApiParameter.QUERY,
    required=False,
    description="The record (default: your own). See /api/v1/patients/.",
)
_CREATE_BODY = PolymorphicProxySerializer(
    component_name="TreatmentCreateBody",
    serializers=[TreatmentInputSerializer, TreatmentInputSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)
_CREATE_RESPONSE = PolymorphicProxySerializer(
    component_name="TreatmentCreateResult",
    serializers=[TreatmentSerializer, TreatmentBulkResultSerializer],
    resource_type_field_name=None,
    many=False,
)


@extend_schema_view(
    list=extend_schema(
        summary="List treatments",
        description="Newest first, paginated (`page`, `page_size` up to 1,000).",
        parameters=[TreatmentFilterSerializer, RECORD],
    ),
    retrieve=extend_schema(summary="One treatment", parameters=[TREATMENT_ID, RECORD]),
    create=extend_schema(
        summary="Add one treatment, or many at once",
        description=(
            "One treatment as a JSON object, or up to 5,000 as a JSON list. A list is "
            "all-or-nothing on validation: if any item is invalid, nothing is stored and the "
            "400 lists each failing item by index. Idempotent: an item whose `external_id` "
            "is stored, or with the same type, event type, time (to the second) and amounts "
            "as a stored one, is not stored again. One object: 201 with it, or 200 with the "
            "stored one it duplicates. A list: 201 (200 when nothing was new) with counts."
        ),
        parameters=[RECORD],
        request=_CREATE_BODY,
        responses={
            201: _CREATE_RESPONSE,
            200: _CREATE_RESPONSE,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="TreatmentCreateError",
                    serializers=[FieldErrorsSerializer, TreatmentBulkErrorSerializer],
                    resource_type_field_name=None,
                    many=False,
                ),
                description="Messages per field for one object; for a list, each failing "
                "item by index (nothing stored).",
            ),
        },
        examples=[
            OpenApiExample(
                "A meal bolus",
                value={
                    "type": "bolus",
                    "taken_at": "2025-03-30T12:15:00+02:00",
                    "insulin_units": 4.5,
                    "insulin_name": "Fiasp",
                    "carbs_g": 45,
                    "external_id": "phone-1234",
                },
                request_only=True,
            ),
        ],
    ),
    update=extend_schema(
        summary="Replace a treatment's fields",
        parameters=[TREATMENT_ID, RECORD],
        request=TreatmentUpdateSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of a treatment's fields",
        parameters=[TREATMENT_ID, RECORD],
        request=TreatmentUpdateSerializer,
    ),
    destroy=extend_schema(summary="Delete a treatment", parameters=[TREATMENT_ID, RECORD]),
)
class TreatmentViewSet(viewsets.GenericViewSet):
    """A record's treatments; another record's treatment is a 404."""

    permission_classes = [IsAuthenticated, HasRecord]
    serializer_class = TreatmentSerializer
    pagination_class = PagePagination
    lookup_value_regex = "[^/]+"

    def record(self):
        action = Action.VIEW if self.action in ("list", "retrieve") else Action.WRITE
        return api_record(self.request, action=action)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        return {**context, "tz": self.record().tzinfo}

    def get_queryset(self):
        filters = TreatmentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.treatment_list(patient=self.record(), **filters.validated_data)

    def get_object(self) -> Treatment:
        try:
            treatment_id = uuid.UUID(str(self.kwargs["pk"]))
            return selectors.treatment_get(patient=self.record(), treatment_id=treatment_id)
        except (ValueError, Treatment.DoesNotExist):
            raise NotFound("No such treatment.") from None

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        access_log_record(grant=self.record().grant, what=API_TREATMENTS)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        treatment = self.get_object()
        access_log_record(grant=self.record().grant, what=API_TREATMENTS)
        return Response(self.get_serializer(treatment).data)

    def create(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, list):
            return self._create_many(data)
        if isinstance(data, dict):
            return self._create_one(data)
        raise ValidationError(
            {
                "non_field_errors": [
                    "Send one treatment as a JSON object, or a JSON list of up to "
                    f"{BULK_MAX_ITEMS:,} treatments."
                ]
            }
        )

    def _create_one(self, data: dict) -> Response:
        patient = self.record()
        serializer = TreatmentInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        try:
            treatment = treatment_from_fields(
                patient=patient, fields=serializer.validated_data, source=API_SOURCE
            )
        except DjangoValidationError as error:
            raise ValidationError(django_errors_as_api(error)) from None
        result = services.treatments_bulk_create(patient=patient, treatments=[treatment])
        if result.created:
            return Response(self.get_serializer(treatment).data, status=status.HTTP_201_CREATED)
        twin = stored_twin(patient=patient, treatment=treatment)
        return Response(self.get_serializer(twin or treatment).data, status=status.HTTP_200_OK)

    def _create_many(self, items: list) -> Response:
        patient = self.record()
        treatments = validate_items(items=items, patient=patient)
        result = services.treatments_bulk_create(patient=patient, treatments=treatments)
        body = {
            "created": len(result.created),
            "duplicates": result.duplicates,
            "treatments": self.get_serializer(result.created, many=True).data,
        }
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)

    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool) -> Response:
        treatment = self.get_object()
        serializer = TreatmentUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if not partial:  # PUT replaces: what was left out is cleared
            for name in ("insulin_units", "basal_rate", "carbs_g", "duration_min"):
                changes.setdefault(name, None)
            for name in ("event_type", "insulin_name", "notes"):
                changes.setdefault(name, "")
        try:
            services.treatment_update(treatment=treatment, **changes)
        except DjangoValidationError as error:
            raise ValidationError(django_errors_as_api(error)) from None
        return Response(self.get_serializer(treatment).data)

    def destroy(self, request, *args, **kwargs):
        services.treatment_delete(treatment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
