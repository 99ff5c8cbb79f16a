"""Nightscout API v1 beyond entries and treatments (v1_treatments.py): devicestatus,
profile, verifyauth and Loop's set-up check (``experiments/test``).

Paths, defaults and answers follow cgm-remote-monitor ``lib/api/`` (devicestatus and
profile: count 10).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.schema import FieldErrorsSerializer
from core.units import Unit
from integrations.models import NightscoutCollection, TokenRole
from integrations.nightscout import documents
from integrations.nightscout.authentication import record_of, role_of
from integrations.nightscout.treatment_queries import count_of
from integrations.nightscout.views import NightscoutView
from readings import selectors as reading_selectors


class DocumentSerializer(serializers.Serializer):
    """A stored document: the client's own fields as posted, and these."""

    _id = serializers.CharField(label="_id")
    created_at = serializers.CharField()
    mills = serializers.IntegerField()


_DOCUMENT_LIST = DocumentSerializer(many=True)
COUNT_PARAM = OpenApiParameter("count", OpenApiTypes.INT, description="How many, newest first.")
FIND_PARAM = OpenApiParameter(
    "find[created_at][$gte]",
    OpenApiTypes.STR,
    description="ISO 8601 or epoch ms; also $gt, $lte, $lt, $eq, and the other find keys "
    "listed in the description.",
)
BAD_REQUEST = OpenApiResponse(FieldErrorsSerializer, description="A malformed query or body.")


def items_of(data) -> list:
    """A JSON array of documents, or one document (Nightscout takes both)."""
    if isinstance(data, dict) and data:
        return [data]
    if isinstance(data, list):
        return data
    raise ValidationError({"non_field_errors": ["Send a JSON object or an array of them."]})


def max_count() -> int:
    return settings.BGT_NIGHTSCOUT_MAX_COUNT


class DocumentsView(NightscoutView):
    """A collection kept as documents (devicestatus, profile)."""

    collection = ""
    default_count = 10

    def get(self, request):
        params = request.query_params
        count = count_of(params, default=self.default_count, maximum=max_count())
        found = documents.documents_queryset(
            patient=record_of(request),
            collection=self.collection,
            query_params=params,
            count=count,
        )
        return Response([documents.document_of(doc) for doc in found])

    def post(self, request):
        patient = record_of(request)
        items = items_of(request.data)
        for item in items:  # all checked before any is stored: nothing half-written
            if not isinstance(item, dict):
                raise ValidationError({"non_field_errors": ["Each item must be an object."]})
            documents.check_storable(item)
        stored = [
            documents.document_store(patient=patient, collection=self.collection, doc=item)
            for item in items
        ]
        return Response([documents.document_of(doc) for doc in stored])

    def delete_matching(self, request):
        params = request.query_params
        if not any(key.startswith("find") for key in params):
            raise ValidationError({"find": ["Say which documents to delete with find[...]."]})
        found = documents.documents_queryset(
            patient=record_of(request),
            collection=self.collection,
            query_params=params,
            count=max_count(),
        )
        for doc in found:
            documents.document_delete(document=doc)
        return Response({"n": len(found), "ok": 1, "deletedCount": len(found)})


_DOC_DESCRIPTION = (
    "Documents as the client posted them, with `_id`, `created_at` and `mills`; newest "
    "first (count defaults to 10); find on created_at ($gte, $gt, $lte, $lt, $eq) or _id."
)


class DeviceStatusView(DocumentsView):
    collection = NightscoutCollection.DEVICESTATUS

    @extend_schema(
        summary="Nightscout: device statuses",
        description=_DOC_DESCRIPTION,
        parameters=[COUNT_PARAM, FIND_PARAM],
        responses={200: _DOCUMENT_LIST, 400: BAD_REQUEST},
    )
    def get(self, request):
        return super().get(request)

    @extend_schema(
        summary="Nightscout: upload device statuses",
        description="An object or an array of objects (battery, IOB, COB, pump, ...).",
        request=OpenApiTypes.OBJECT,
        responses={200: _DOCUMENT_LIST, 400: BAD_REQUEST},
    )
    def post(self, request):
        return super().post(request)

    @extend_schema(
        summary="Nightscout: delete the device statuses a find matches",
        parameters=[FIND_PARAM],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST},
    )
    def delete(self, request):
        return self.delete_matching(request)


def default_profile(patient, unit: str) -> dict:
    """The profile BGT shows when no client uploaded one: the record's zone and its target
    range (mg/dL or mmol/L as the record's own login reads), nothing it does not know."""
    target = reading_selectors.target_get(patient=patient)
    mmol = unit == Unit.MMOLL

    def value(mgdl):
        return round(mgdl / 18.0182, 1) if mmol else mgdl

    stamp = patient.created_at
    return {
        "_id": f"bgt-{patient.pk}",
        "defaultProfile": "default",
        "startDate": documents._iso(stamp),
        "created_at": documents._iso(stamp),
        "mills": int(stamp.timestamp() * 1000),
        "units": "mmol" if mmol else "mg/dl",
        "store": {
            "default": {
                "timezone": patient.timezone,
                "units": "mmol" if mmol else "mg/dl",
                "target_low": [
                    {"time": "00:00", "timeAsSeconds": 0, "value": value(target.low_mgdl)}
                ],
                "target_high": [
                    {"time": "00:00", "timeAsSeconds": 0, "value": value(target.high_mgdl)}
                ],
            }
        },
    }


class ProfileView(DocumentsView):
    collection = NightscoutCollection.PROFILE

    def _profiles(self, request, count: int) -> list[dict]:
        patient = record_of(request)
        found = documents.documents_queryset(
            patient=patient, collection=self.collection, query_params={}, count=count
        )
        profiles = [documents.document_of(doc) for doc in found]
        return profiles or [default_profile(patient, request.user.unit)]

    @extend_schema(
        summary="Nightscout: profiles",
        description=(
            "The profiles clients uploaded, newest first (count defaults to 10); with none, "
            "one made from the record's zone and target range."
        ),
        parameters=[COUNT_PARAM],
        responses={200: _DOCUMENT_LIST, 400: BAD_REQUEST},
    )
    def get(self, request):
        count = count_of(request.query_params, default=self.default_count, maximum=max_count())
        return Response(self._profiles(request, count))

    @extend_schema(
        summary="Nightscout: upload a profile",
        request=OpenApiTypes.OBJECT,
        responses={200: _DOCUMENT_LIST, 400: BAD_REQUEST},
    )
    def post(self, request):
        return super().post(request)

    @extend_schema(
        summary="Nightscout: replace a profile (as POST)",
        request=OpenApiTypes.OBJECT,
        responses={200: _DOCUMENT_LIST, 400: BAD_REQUEST},
    )
    def put(self, request):
        return super().post(request)


class ProfileCurrentView(ProfileView):
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Nightscout: the current profile",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(self._profiles(request, 1)[0])


class VerifyAuthSerializer(serializers.Serializer):
    canRead = serializers.BooleanField()  # noqa: N815
    canWrite = serializers.BooleanField()  # noqa: N815
    isAdmin = serializers.BooleanField()  # noqa: N815
    message = serializers.CharField()
    rolefound = serializers.CharField()
    permissions = serializers.CharField()


class VerifyAuthView(NightscoutView):
    @extend_schema(
        summary="Nightscout: what the credential may do",
        description="As cgm-remote-monitor lib/api/verifyauth.js answers it, wrapped in "
        "{status, message}.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        role = role_of(request)
        return Response(
            {
                "status": 200,
                "message": {
                    "canRead": True,
                    "canWrite": role != TokenRole.READABLE,
                    "isAdmin": role == TokenRole.FULL,
                    "message": "OK",
                    "rolefound": "FOUND",
                    "permissions": "ROLE",
                },
            }
        )


class ExperimentsTestView(NightscoutView):
    @extend_schema(
        summary="Nightscout: credential check (Loop's set-up)",
        description="Loop (NightscoutService CredentialsViewModel) calls this to check the "
        "site URL and secret: 200 {status: ok} with a valid credential, 401 without.",
        responses={200: OpenApiTypes.OBJECT, 401: OpenApiResponse(description="No credential.")},
    )
    def get(self, request):
        return Response({"status": "ok"})
