"""Readings and statistics endpoints of the signed-in patient (DESIGN.md section 6).

Thin: parse with a serializer, read with readings.selectors, write with readings.services.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import django_errors_as_api
from core.api.exceptions import InvalidItems
from core.api.pagination import PagePagination
from core.api.parsers import accept_chunked_body
from core.api.schema import FieldErrorsSerializer
from core.perf import collector_paused
from patients.access import Action
from patients.api import HasRecord, api_record
from patients.models import AccessLogEntry
from patients.services import access_log_record
from readings import selectors, services
from readings.api.serializers import (
    SKIP_ITEM,
    BulkErrorSerializer,
    BulkResultSerializer,
    ReadingFilterSerializer,
    ReadingInputSerializer,
    ReadingSerializer,
    ReadingUpdateSerializer,
    reading_from_fields,
)
from readings.api.stats_serializers import StatsQuerySerializer, StatsSerializer
from readings.models import FUTURE_TOLERANCE, Reading, Source

BULK_MAX_ITEMS = 5000
DEFAULT_STATS_DAYS = 14


class ChunkedBodyMixin:
    """Read bodies sent with Transfer-Encoding: chunked (see parsers.accept_chunked_body)."""

    def initial(self, request, *args, **kwargs):
        accept_chunked_body(request._request)  # inside DRF's handler: errors become JSON
        super().initial(request, *args, **kwargs)


def reading_context(*, viewer, patient) -> dict:
    """Serializer context: values in the viewer's unit, times in the patient's zone."""
    return {"unit": viewer.unit, "tz": patient.tzinfo}


def stored_twin(*, patient, reading: Reading) -> Reading | None:
    """The stored reading that made ``reading`` a duplicate (same external id, or same kind,
    second and value)."""
    if reading.external_id:
        twin = (
            selectors.reading_list(patient=patient)
            .filter(source=reading.source, external_id=reading.external_id)
            .first()
        )
        if twin is not None:
            return twin
    return (
        selectors.reading_list(
            patient=patient, start=reading.taken_at, end=reading.taken_at + timedelta(seconds=1)
        )
        .filter(kind=reading.kind, value_mgdl=reading.value_mgdl)
        .first()
    )


def validate_items(
    *, items: list, patient, unit: str, source: str, serializer_class=ReadingInputSerializer
):
    """Parse and validate every item; all-or-nothing. Returns unsaved Readings, or raises a
    400 that lists each failing item by index with its field messages."""
    if len(items) > BULK_MAX_ITEMS:
        raise InvalidItems(
            {
                "detail": f"A request takes at most {BULK_MAX_ITEMS:,} readings; this one has "
                f"{len(items):,}. Send them in several requests.",
                "items": [],
            }
        )
    child = serializer_class(context={"unit": unit})
    readings, failures = [], []
    for index, item in enumerate(items):
        try:
            fields = child.run_validation(item)
            if fields.get(SKIP_ITEM):
                continue
            readings.append(reading_from_fields(patient=patient, fields=fields, source=source))
        except ValidationError as error:
            failures.append({"index": index, "errors": _as_field_dict(error.detail)})
        except DjangoValidationError as error:
            failures.append({"index": index, "errors": django_errors_as_api(error)})
    if failures:
        raise InvalidItems(
            {
                "detail": f"{len(failures):,} of {len(items):,} readings are invalid; "
                "nothing was stored.",
                "items": failures,
            }
        )
    return readings


def _as_field_dict(detail) -> dict:
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


READING_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The reading's id."
)

_CREATE_BODY = PolymorphicProxySerializer(
    component_name="ReadingCreateBody",
    serializers=[ReadingInputSerializer, ReadingInputSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)
_CREATE_RESPONSE = PolymorphicProxySerializer(
    component_name="ReadingCreateResult",
    serializers=[ReadingSerializer, BulkResultSerializer],
    resource_type_field_name=None,
    many=False,
)


@extend_schema_view(
    list=extend_schema(
        summary="List your readings",
        description="Newest first, paginated (`page`, `page_size` up to 1,000).",
        parameters=[ReadingFilterSerializer],
    ),
    retrieve=extend_schema(summary="One of your readings", parameters=[READING_ID]),
    create=extend_schema(
        summary="Add one reading, or many at once",
        description=(
            "Send one reading as a JSON object, or up to 5,000 as a JSON list (bulk). "
            "A bulk request is all-or-nothing on validation: if any item is invalid, "
            "nothing is stored and the 400 lists each failing item by index. Uploads are "
            "idempotent: an item with an `external_id` already stored, or the same kind, "
            "time (to the second) and value as a stored reading, is not stored again. "
            "One object: 201 with the new reading, or 200 with the stored one it "
            "duplicates. A list: 201 (or 200 when nothing was new) with counts and the "
            "readings stored. The body may be gzip-encoded (Content-Encoding: gzip)."
        ),
        request=_CREATE_BODY,
        responses={
            201: _CREATE_RESPONSE,
            200: _CREATE_RESPONSE,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ReadingCreateError",
                    serializers=[FieldErrorsSerializer, BulkErrorSerializer],
                    resource_type_field_name=None,
                    many=False,
                ),
                description="Invalid input: messages per field for one object; for a list, "
                "each failing item by index (nothing stored).",
            ),
        },
        examples=[
            OpenApiExample(
                "One reading",
                value={
                    "value": 126,
                    "unit": "mg/dL",
                    "taken_at": "2025-03-30T08:15:00+02:00",
                    "kind": "fingerstick",
                    "context": "before_meal",
                    "notes": "",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Bulk",
                value=[
                    {"value": 7.1, "unit": "mmol/L", "taken_at": "2025-03-30T06:00:00Z"},
                    {"value": 7.4, "unit": "mmol/L", "taken_at": "2025-03-30T06:05:00Z"},
                ],
                request_only=True,
            ),
        ],
    ),
    update=extend_schema(
        summary="Replace a reading's value, time, kind, context and notes",
        parameters=[READING_ID],
        request=ReadingUpdateSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of a reading's fields",
        parameters=[READING_ID],
        request=ReadingUpdateSerializer,
    ),
    destroy=extend_schema(summary="Delete a reading", parameters=[READING_ID]),
)
class ReadingViewSet(ChunkedBodyMixin, viewsets.GenericViewSet):
    """The signed-in patient's own readings; anyone else's reading is a 404."""

    permission_classes = [IsAuthenticated, HasRecord]
    serializer_class = ReadingSerializer
    pagination_class = PagePagination
    lookup_value_regex = "[^/]+"

    def record(self, action: Action = Action.VIEW):
        """The record this request acts on (``?patient=``, else the caller's own)."""
        if self.action not in ("list", "retrieve"):
            action = Action.WRITE
        return api_record(self.request, action=action)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the schema
            return context
        return {**context, **reading_context(viewer=self.request.user, patient=self.record())}

    def get_queryset(self):
        filters = ReadingFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.reading_list(patient=self.record(), **filters.validated_data)

    def get_object(self) -> Reading:
        try:
            reading_id = uuid.UUID(str(self.kwargs["pk"]))
            return selectors.reading_get(patient=self.record(), reading_id=reading_id)
        except (ValueError, Reading.DoesNotExist):
            raise NotFound("No such reading.") from None

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        access_log_record(grant=self.record().grant, what=AccessLogEntry.API_READINGS)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, list):
            return self._create_many(data)
        if isinstance(data, dict):
            return self._create_one(data)
        raise ValidationError(
            {
                "non_field_errors": [
                    "Send one reading as a JSON object, or a JSON list of up to "
                    f"{BULK_MAX_ITEMS:,} readings."
                ]
            }
        )

    def _create_one(self, data: dict) -> Response:
        patient = self.record()
        serializer = ReadingInputSerializer(data=data, context={"unit": self.request.user.unit})
        serializer.is_valid(raise_exception=True)
        try:
            reading = reading_from_fields(
                patient=patient, fields=serializer.validated_data, source=Source.API
            )
        except DjangoValidationError as error:
            raise ValidationError(django_errors_as_api(error)) from None
        result = services.readings_bulk_create(patient=patient, readings=[reading])
        if result.created:
            return Response(self.get_serializer(reading).data, status=status.HTTP_201_CREATED)
        twin = stored_twin(patient=patient, reading=reading)
        return Response(self.get_serializer(twin or reading).data, status=status.HTTP_200_OK)

    def _create_many(self, items: list) -> Response:
        patient = self.record()
        with collector_paused():
            readings = validate_items(
                items=items, patient=patient, unit=self.request.user.unit, source=Source.API
            )
            result = services.readings_bulk_create(patient=patient, readings=readings)
            body = {
                "created": len(result.created),
                "duplicates": result.duplicates,
                "readings": self.get_serializer(result.created, many=True).data,
            }
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)

    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool) -> Response:
        reading = self.get_object()
        serializer = ReadingUpdateSerializer(
            data=request.data, partial=partial, context={"unit": request.user.unit}
        )
        serializer.is_valid(raise_exception=True)
        try:
            services.reading_update(reading=reading, **serializer.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(django_errors_as_api(error)) from None
        return Response(self.get_serializer(reading).data)

    def destroy(self, request, *args, **kwargs):
        services.reading_delete(reading=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def stats_bounds(query: dict, *, patient):
    """[start, end) of a stats request: start/end, or ``days`` whole local days ending
    today in the record's zone (default 14)."""
    if "start" in query:
        return query["start"], query.get("end") or timezone.now() + FUTURE_TOLERANCE
    return selectors.report_bounds(patient=patient, days=query.get("days", DEFAULT_STATS_DAYS))


def stats_response(*, patient, query_params) -> Response:
    """The stats of a record the caller was let see (the view checked access)."""
    query = StatsQuerySerializer(data=query_params)
    query.is_valid(raise_exception=True)
    start, end = stats_bounds(query.validated_data, patient=patient)
    summary = selectors.reading_stats(patient=patient, start=start, end=end)
    return Response(StatsSerializer(summary, context={"tz": patient.tzinfo}).data)


class StatsView(APIView):
    """Section 4 statistics of the signed-in patient's readings."""

    permission_classes = [IsAuthenticated, HasRecord]

    @extend_schema(
        summary="Statistics of your readings",
        description=(
            "All DESIGN section 4 figures in mg/dL over [start, end), or `days` whole "
            "local days ending today (default 14), with the previous window of equal "
            "length for `comparison`. CGM figures use kind=cgm only, deduplicated and "
            "weighted by cadence; `meter` has the fingerstick block. `gmi` is null, with "
            "`gmi_unavailable_reason`, unless the window is >= 14 days with >= 14,112 "
            "minutes of CGM data. The first version's flat fields keep their names."
        ),
        parameters=[StatsQuerySerializer],
        responses={200: StatsSerializer},
    )
    def get(self, request):
        patient = api_record(request)
        response = stats_response(patient=patient, query_params=request.query_params)
        access_log_record(grant=patient.grant, what=AccessLogEntry.API_STATS)
        return response
