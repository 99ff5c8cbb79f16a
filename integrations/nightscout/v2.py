"""Nightscout's API v2 ``properties`` and the ``/pebble`` endpoint (see properties.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.units import Unit
from integrations.models import NightscoutCollection
from integrations.nightscout import documents, properties, tokens
from integrations.nightscout.authentication import count_credential_check, record_of
from integrations.nightscout.views import NightscoutSchema, NightscoutView
from readings import selectors

# The newest readings and statuses looked at (Nightscout's in-memory window is 2 days).
WINDOW = timedelta(days=2)
STATUSES = 10
PEBBLE_MAX_COUNT = 100


def _recent(patient, count: int):
    readings = list(
        selectors.reading_list(patient=patient, start=timezone.now() - WINDOW).order_by(
            "-taken_at"
        )[: count + 1]
    )
    statuses = [
        documents.document_of(doc)
        for doc in documents.documents_queryset(
            patient=patient,
            collection=NightscoutCollection.DEVICESTATUS,
            query_params={},
            count=STATUSES,
        )
    ]
    return readings, statuses


class PropertiesView(NightscoutView):
    @extend_schema(
        summary="Nightscout v2: properties (what followers show)",
        description=(
            "bgnow (last, mean, mills, sgvs), delta (absolute, mgdl, scaled, display, "
            "elapsedMins, interpolated), direction (value, label, entity), and from the "
            "newest device statuses upbat, iob and cob; each only when there is data. "
            "`/api/v2/properties/bgnow,delta` answers only those."
        ),
        parameters=[
            OpenApiParameter(
                "names",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                required=False,
                description="Comma-separated property names (optional path segment).",
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, names: str = ""):
        patient = record_of(request)
        readings, statuses = _recent(patient, count=2)
        result = properties.properties_of(readings, statuses, request.user.unit)
        wanted = {name.strip() for name in names.split(",") if name.strip()}
        if wanted:
            result = {key: value for key, value in result.items() if key in wanted}
        return Response(result)


class PebbleView(NightscoutView):
    @extend_schema(
        summary="Nightscout: /pebble (watch faces, GlucoDataHandler)",
        description=(
            "{status: [{now}], bgs: [{sgv, trend, direction, datetime, bgdelta, battery, iob, "
            "cob}], cals: []}; `sgv` is a string as in Nightscout; count (default 1) newest "
            "CGM readings; units=mmol for mmol/L."
        ),
        parameters=[
            OpenApiParameter("count", OpenApiTypes.INT),
            OpenApiParameter("units", OpenApiTypes.STR, enum=["mmol", "mg/dl"]),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        raw = request.query_params.get("count", "").strip()
        if raw and not re.fullmatch(r"[0-9]{1,9}", raw):
            raise ValidationError({"count": ["Enter a whole number."]})
        # pebble.js: parseInt(count) || 1
        count = min(int(raw or 1) or 1, PEBBLE_MAX_COUNT)
        units = request.query_params.get("units")
        unit = {"mmol": Unit.MMOLL, "mg/dl": Unit.MGDL}.get(units, request.user.unit)
        readings, statuses = _recent(record_of(request), count=count)
        now_ms = int(timezone.now().timestamp() * 1000)
        return Response(properties.pebble_of(readings, statuses, unit, count=count, now_ms=now_ms))


class AuthorizationRequestView(APIView):
    """``GET /api/v2/authorization/request/<access token>``: the token traded for a JWT
    (AndroidAPS's v3 client does this first, then sends ``Authorization: Bearer <jwt>``)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    schema = NightscoutSchema()

    def get_authenticate_header(self, request):
        return 'API-SECRET realm="nightscout"'  # so that a refusal is a 401, not a 403

    @extend_schema(
        summary="Nightscout v2: a JWT for an access token",
        description=(
            "{token, sub, permissionGroups, iat, exp}; the JWT lives 8 hours and stops "
            "working at once when its access token is revoked. 401 for an unknown token."
        ),
        parameters=[OpenApiParameter("access_token", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT},
        auth=[],
    )
    def get(self, request, access_token: str):
        count_credential_check(request)
        found = tokens.access_token_find(text=access_token)
        if found is None:
            raise AuthenticationFailed("Unknown or revoked access token.")
        tokens.access_token_touch(token=found)
        return Response(tokens.jwt_issue(token=found))
