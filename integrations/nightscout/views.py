"""Nightscout API v1 entries and status, the base view of every Nightscout path, so CGM
uploaders and Nightscout clients work with a record's BGT site URL. DESIGN.md section 6;
treatments, devicestatus and profile are in v1.py, properties and /pebble in v2.py, API v3
in v3.py, credentials in authentication.py and tokens.py.

What real uploaders send (xDrip+ ``NightscoutUploader``, cgm-remote-monitor's
``lib/api/entries``) and how BGT takes it:

- ``POST /api/v1/entries`` (also ``/entries/`` and ``/entries.json``): a JSON array of
  entries of any length, or one entry object. ``sgv`` entries become ``cgm`` readings,
  ``mbg`` entries ``fingerstick`` ones, ``source="nightscout"``. Each item has its own
  outcome (batches.py): stored, duplicate, or skipped with a reason (other types such as
  xDrip+'s ``cal``, Dexcom status codes below 20, values outside 20-600 mg/dL, times over
  10 minutes ahead); the answer has one element per item. The time is ``date`` (Unix epoch
  milliseconds, a fraction accepted), else ``dateString`` (ISO 8601; without an offset it
  is UTC, as Nightscout reads it). Bodies may be gzip- or deflate-encoded, also chunked.
- ``GET /api/v1/entries.json``, ``/entries/sgv.json``, ``/entries/mbg.json``,
  ``/entries/current.json``: newest first, ``count`` (default 10, 0 for as many as
  BGT_NIGHTSCOUT_MAX_COUNT), ``find[date][$gte|$gt|$lte|$lt]`` (epoch ms),
  ``find[dateString][...]`` (ISO 8601; a bare date is midnight UTC), ``find[type]``,
  ``find[sgv|mbg][...]`` (mg/dL). Like Nightscout, a query without a date filter only looks
  at the last 4 days.
- ``GET /api/v1/status.json``: server status, what is served, the units and targets.

Responses carry ``Accept-Encoding: gzip, deflate`` (RFC 7694), which is how xDrip+ learns
that it may gzip its uploads.
"""

from __future__ import annotations

import re
from datetime import UTC

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import SUPPORTED_ENCODINGS
from core.api.schema import FieldErrorsSerializer
from core.consensus import VERY_HIGH_ABOVE, VERY_LOW_BELOW
from core.perf import collector_paused
from core.units import Unit
from integrations.nightscout import batches, calibrations, latest
from integrations.nightscout.authentication import (
    HasNightscoutRecord,
    NightscoutSecretAuthentication,
    NightscoutThrottle,
    RoleAllows,
    record_of,
)
from integrations.nightscout.entries import (
    EntryInputSerializer,
    EntrySerializer,
    count_of,
    entries_queryset,
    entries_to_delete,
    entry_of,
)
from integrations.nightscout.entry_rows import entries_of, entry_rows
from readings import selectors
from readings import services as reading_services
from readings.api.views import ChunkedBodyMixin

# --- Views --------------------------------------------------------------------------------

COUNT_PARAM = OpenApiParameter(
    "count",
    OpenApiTypes.INT,
    description="How many entries, newest first (default 10; at most 10,000).",
)
FIND_PARAMS = [
    OpenApiParameter(
        f"find[{field}][${op}]",
        OpenApiTypes.STR,
        description=description,
    )
    for field, description in (
        ("date", "Unix epoch milliseconds (or ISO 8601)."),
        ("dateString", "ISO 8601; a bare date is midnight UTC."),
    )
    for op in ("gte", "gt", "lte", "lt")
] + [
    OpenApiParameter("find[type]", OpenApiTypes.STR, enum=["sgv", "mbg"]),
    OpenApiParameter("find[sgv][$gte]", OpenApiTypes.INT, description="mg/dL"),
    OpenApiParameter("find[sgv][$lte]", OpenApiTypes.INT, description="mg/dL"),
]
_UPLOAD_BODY = PolymorphicProxySerializer(
    component_name="NightscoutUpload",
    serializers=[EntryInputSerializer(many=True), EntryInputSerializer],
    resource_type_field_name=None,
    many=False,
)


class NightscoutSchema(AutoSchema):
    """Operation ids from the path: the same view serves several Nightscout paths
    (``entries``, ``entries/``, ``entries.json``), and each needs its own id."""

    def get_operation_id(self):
        path = self.path.removeprefix("/api/v1/")
        tokens = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
        if path.endswith("/"):
            tokens += "_slash"
        return f"nightscout_{tokens}_{self.method.lower()}"

    def get_tags(self):
        return ["nightscout"]


class NightscoutView(ChunkedBodyMixin, APIView):
    schema = NightscoutSchema()
    authentication_classes = [
        NightscoutSecretAuthentication,
        TokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes = [IsAuthenticated, HasNightscoutRecord, RoleAllows]
    throttle_classes = [NightscoutThrottle]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Accept-Encoding"] = ", ".join(SUPPORTED_ENCODINGS)
        return response

    def entries_response(self, request, *, entry_type=None, count=None) -> HttpResponse:
        params = request.query_params
        if count is not None:
            params = params.copy()
            params["count"] = str(count)
        patient = record_of(request)
        if latest.is_latest_query(params):
            answer = latest.entries_latest(
                patient=patient, query_params=params, entry_type=entry_type
            )
            return answer.response(request)
        readings = entries_queryset(patient=patient, query_params=params, entry_type=entry_type)
        rows = entry_rows(readings)
        return Response(entries_of(rows, patient.tzinfo, count=count_of(params)))


class EntryOutcomeSerializer(EntrySerializer):
    """One element of an upload's response: the entry stored (or the stored one it
    duplicates), or for a skipped item only its type and time as sent."""

    _id = serializers.CharField(label="_id", required=False)
    type = serializers.CharField(required=False)
    date = serializers.FloatField(required=False)
    dateString = serializers.CharField(required=False)  # noqa: N815
    sysTime = serializers.CharField(required=False)  # noqa: N815
    utcOffset = serializers.IntegerField(required=False)  # noqa: N815
    device = serializers.CharField(required=False)
    outcome = serializers.ChoiceField(choices=["stored", "duplicate", "skipped"])
    reason = serializers.CharField(required=False, help_text="Why an item was skipped.")


class EntriesView(NightscoutView):
    @extend_schema(
        summary="Nightscout: entries of every type",
        description="Newest first; without a date filter, the last 4 days only.",
        parameters=[COUNT_PARAM, *FIND_PARAMS],
        responses={200: EntrySerializer(many=True)},
    )
    def get(self, request):
        if calibrations.asks_for_calibrations(request.query_params):
            found = calibrations.calibrations_queryset(
                patient=record_of(request), query_params=request.query_params
            )
            return Response([calibrations.entry_of(document) for document in found])
        return self.entries_response(request)

    @extend_schema(
        summary="Nightscout: upload entries",
        description=(
            "A JSON array of Nightscout entries (or one entry), of any length. sgv -> CGM "
            "reading, mbg -> meter reading. Each item is handled on its own, as Nightscout "
            "does: the response has one element per item, in order, with `outcome` "
            "`stored`, `duplicate` (the stored reading's entry) or `skipped` with a "
            "`reason` (other types, sgv status codes below 20, values outside 20-600 "
            "mg/dL, times over 10 minutes ahead, items without a time). `date` may have a "
            "fraction; delta, filtered, unfiltered, noise, rssi and the direction's own "
            "spelling are kept. The body may be gzip- or deflate-encoded."
        ),
        request=_UPLOAD_BODY,
        responses={
            200: EntryOutcomeSerializer(many=True),
            400: OpenApiResponse(
                FieldErrorsSerializer, description="A body that is not an array of entries."
            ),
            401: OpenApiResponse(description="Wrong, revoked or missing secret."),
            413: OpenApiResponse(description="Body too large."),
        },
    )
    def post(self, request):
        data = request.data
        if isinstance(data, dict) and data:
            data = [data]  # Nightscout takes one entry object too
        if not isinstance(data, list):
            raise ValidationError(
                {"non_field_errors": ["Send a JSON array of Nightscout entries."]}
            )
        patient = record_of(request)
        with collector_paused():
            outcomes = calibrations.entries_upload(patient=patient, items=data)
            return Response([_outcome_entry(outcome, patient.tzinfo) for outcome in outcomes])

    @extend_schema(
        summary="Nightscout: delete the entries a find names",
        description="find[date], find[dateString] ($gte, $gt, $lte, $lt, $eq), find[type], "
        "find[_id] (BGT's id or the uploader's), also in find[$or][n][...] as Trio sends "
        "them. A find is required.",
        parameters=FIND_PARAMS,
        responses={200: OpenApiTypes.OBJECT, 400: FieldErrorsSerializer},
    )
    def delete(self, request):
        found = entries_to_delete(patient=record_of(request), query_params=request.query_params)
        for reading in found:
            reading_services.reading_delete(reading=reading)
        return Response({"n": len(found), "ok": 1, "deletedCount": len(found)})


def _outcome_entry(outcome: batches.Outcome, tz) -> dict:
    """The response element of one uploaded item: the stored reading as an entry (with
    ``_id``), or for a skipped item its type and time as sent, and the reason."""
    if isinstance(outcome, calibrations.Outcome):
        return calibrations.outcome_entry(outcome)
    if outcome.reading is not None:
        return {**entry_of(outcome.reading, tz), "outcome": outcome.outcome}
    item = outcome.item if isinstance(outcome.item, dict) else {}
    echoed = {
        key: item[key]
        for key, kind in ECHOED.items()
        if isinstance(item.get(key), kind) and not isinstance(item[key], bool)
    }
    return {**echoed, "outcome": "skipped", "reason": outcome.reason}


# What a skipped item's answer repeats of it, when it has the type the clients (and the
# schema) expect; a "type" of 205593630782 is left out, the reason names it.
ECHOED = {"type": str, "date": (int, float), "dateString": str}


class EntriesOfTypeView(NightscoutView):
    @extend_schema(
        summary="Nightscout: entries of one type (sgv.json, mbg.json)",
        description="Newest first; without a date filter, the last 4 days only.",
        parameters=[
            OpenApiParameter(
                "entry_type", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["sgv", "mbg"]
            ),
            COUNT_PARAM,
            *FIND_PARAMS,
        ],
        responses={200: EntrySerializer(many=True)},
    )
    def get(self, request, entry_type):
        return self.entries_response(request, entry_type=entry_type)


class CurrentEntryView(NightscoutView):
    @extend_schema(
        summary="Nightscout: the latest CGM entry",
        description="A list of at most one sgv entry from the last 4 days.",
        responses={200: EntrySerializer(many=True)},
    )
    def get(self, request):
        return self.entries_response(request, entry_type="sgv", count=1)


# cgm-remote-monitor plugin names for what BGT answers: treatments (careportal), the
# delta and direction of entries, upbat/iob/cob from uploaded device statuses, profiles.
ENABLED_PLUGINS = (
    "careportal",
    "delta",
    "direction",
    "upbat",
    "iob",
    "cob",
    "devicestatus",
    "profile",
)


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()
    serverTime = serializers.CharField()  # noqa: N815
    serverTimeEpoch = serializers.IntegerField()  # noqa: N815
    apiEnabled = serializers.BooleanField()  # noqa: N815
    careportalEnabled = serializers.BooleanField()  # noqa: N815
    boluscalcEnabled = serializers.BooleanField()  # noqa: N815
    runtimeState = serializers.CharField()  # noqa: N815
    settings = serializers.DictField(
        help_text='units ("mg/dl" or "mmol"), timeFormat, and thresholds (mg/dL): bgHigh, '
        "bgTargetTop, bgTargetBottom, bgLow."
    )
    extendedSettings = serializers.DictField()  # noqa: N815
    authorized = serializers.DictField(allow_null=True)


class StatusView(NightscoutView):
    @extend_schema(
        summary="Nightscout: server status",
        description="What Nightscout clients read first: units and the patient's targets.",
        responses={200: StatusSerializer},
    )
    def get(self, request):
        user = request.user
        target = selectors.target_get(patient=record_of(request))
        now = timezone.now()
        return Response(
            {
                "status": "ok",
                "name": "BGT",
                "version": settings.SPECTACULAR_SETTINGS["VERSION"],
                "serverTime": now.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
                "serverTimeEpoch": int(now.timestamp() * 1000),
                "apiEnabled": True,
                "careportalEnabled": True,
                "boluscalcEnabled": False,
                "runtimeState": "loaded",
                "settings": {
                    "units": "mmol" if user.unit == Unit.MMOLL else "mg/dl",
                    "timeFormat": 24,
                    "customTitle": "BGT",
                    "theme": "default",
                    "language": "en",
                    # What BGT serves (cgm-remote-monitor's plugin names clients look for).
                    "enable": list(ENABLED_PLUGINS),
                    "showPlugins": " ".join(ENABLED_PLUGINS),
                    "showRawbg": "never",
                    # Nothing is readable without a credential.
                    "authDefaultRoles": "denied",
                    "thresholds": {
                        "bgHigh": VERY_HIGH_ABOVE,
                        "bgTargetTop": target.high_mgdl,
                        "bgTargetBottom": target.low_mgdl,
                        "bgLow": VERY_LOW_BELOW,
                    },
                    "alarmUrgentHigh": True,
                    "alarmHigh": True,
                    "alarmLow": True,
                    "alarmUrgentLow": True,
                    "alarmTimeagoWarn": True,
                    "alarmTimeagoWarnMins": 15,
                    "alarmTimeagoUrgent": True,
                    "alarmTimeagoUrgentMins": 30,
                },
                "extendedSettings": {},
                "authorized": None,
            }
        )
