"""Nightscout API v3, as far as AndroidAPS's v3 client uses it (nightscout/AndroidAPS
core/nssdk networking/NightscoutRemoteService.kt): ``status``, ``lastModified``, and the
collections entries, treatments, devicestatus, profile and food with search (``limit``,
``sort``, ``sort$desc``, ``<field>$gt|$gte|$lt|$lte|$eq``), ``history/<since ms>``, create,
PATCH and DELETE by ``identifier``.

Answers are wrapped as cgm-remote-monitor's lib/api3 sends them: ``{status, result}`` for
reads, ``{status, identifier, lastModified, isDeduplication}`` for writes. Every document has
``identifier``, ``srvModified``, ``srvCreated`` and ``isValid``. Readings and treatments are
BGT's own rows; a deleted one (by any path) leaves a DeletedRecord that ``history`` lists
as the document it was with ``isValid: false`` (deletions.py: what AndroidAPS needs to
invalidate its copy), that ``lastModified`` counts and that a read of it answers 410 Gone,
as cgm-remote-monitor lib/api3 does with its soft-deleted documents; a search finds them
only when it asks for ``isValid$eq=false``.
A deleted device status or profile stays with ``isValid: false``. ``history`` answers with
``ETag: W/"<newest srvModified>"``, the cursor AndroidAPS takes for its next call
(core/nssdk NSAndroidClientImpl.getTreatmentsModifiedSince).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

from integrations.nightscout import batches, calibrations, deletions, documents
from integrations.nightscout import treatments as ns_treatments
from integrations.nightscout.authentication import record_of, role_of
from integrations.nightscout.v3_collections import (
    CALIBRATIONS,
    HANDLERS,
    Documents,
    epoch_ms,
)
from integrations.nightscout.views import NightscoutView
from readings import services as reading_services

API_VERSION = "3.0.3"
MAX_LIMIT = 1000  # lib/api3/const.json API3_MAX_LIMIT
DEFAULT_LIMIT = 100
COLLECTIONS = ("entries", "treatments", "devicestatus", "profile", "food")
_FILTER = re.compile(r"^(?P<field>[A-Za-z_][A-Za-z0-9_]{0,40})(?:\$(?P<op>eq|ne|gt|gte|lt|lte))?$")
_RESERVED = {"limit", "skip", "sort", "sort$desc", "fields", "token", "secret", "now"}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _limit(params) -> int:
    raw = str(params.get("limit", "")).strip()
    if not raw:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,6}", raw) or int(raw) < 1:
        raise ValidationError({"limit": ["Enter a whole number, at least 1."]})
    return min(int(raw), MAX_LIMIT)


def _since(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise NotFound("history/<milliseconds since the epoch>") from None


def _asks_for_calibrations(collection: str, params) -> bool:
    return collection == "entries" and "cal" in (params.get("type"), params.get("type$eq"))


# --- Views -----------------------------------------------------------------------------------


def _result(result, status: int = 200) -> Response:
    return Response({"status": status, "result": result}, status=status)


class StatusView(NightscoutView):
    @extend_schema(
        summary="Nightscout v3: status",
        description="Version, server time and the credential's permissions per collection.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        role = role_of(request)
        perms = {"readable": "r", "upload": "cru", "full": "crud"}[role]
        return _result(
            {
                "version": settings.SPECTACULAR_SETTINGS["VERSION"],
                "apiVersion": API_VERSION,
                "srvDate": epoch_ms(timezone.now()),
                "storage": {"storage": "bgt", "version": settings.SPECTACULAR_SETTINGS["VERSION"]},
                # settings: a collection BGT does not keep (AndroidAPS reads the key).
                "apiPermissions": {**{name: perms for name in COLLECTIONS}, "settings": ""},
            }
        )


class LastModifiedView(NightscoutView):
    @extend_schema(
        summary="Nightscout v3: when each collection last changed (ms)",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        patient = record_of(request)
        collections = {}
        for name, handler in HANDLERS.items():
            column = "srv_modified" if isinstance(handler, Documents) else "updated_at"
            newest = (
                handler.queryset(patient)
                .order_by(f"-{column}")
                .values_list(column, flat=True)
                .first()
            )
            deleted = (
                deletions.deletions_since(patient=patient, collection=name, since=_EPOCH)
                .order_by("-srv_modified")
                .values_list("srv_modified", flat=True)
                .first()
            )
            times = [moment for moment in (newest, deleted) if moment is not None]
            if name == "entries":  # calibrations are entries too (history lists them)
                calibrated = CALIBRATIONS.queryset(patient).order_by("-srv_modified").first()
                if calibrated is not None:
                    times.append(calibrated.srv_modified)
            if times:
                collections[name] = epoch_ms(max(times))
        return _result({"srvDate": epoch_ms(timezone.now()), "collections": collections})


_COLLECTION = OpenApiParameter(
    "collection", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(COLLECTIONS)
)


class CollectionView(NightscoutView):
    @extend_schema(
        summary="Nightscout v3: search a collection",
        description=(
            "limit (default 100, at most 1,000), sort / sort$desc (date, created_at, "
            "srvModified), and filters <field>$gt|$gte|$lt|$lte|$eq|$ne (date, created_at, "
            "srvModified; type on entries; eventType on treatments)."
        ),
        parameters=[_COLLECTION],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request, collection: str):
        params = request.query_params
        handler = CALIBRATIONS if _asks_for_calibrations(collection, params) else None
        handler = handler or HANDLERS[collection]
        patient = record_of(request)
        qs = handler.queryset(patient)
        if isinstance(handler, Documents):
            qs = qs.filter(is_valid=True)
        if _asks_for_deleted(params):
            if isinstance(handler, Documents):
                qs = handler.queryset(patient).filter(is_valid=False)
            else:
                return _result(_deleted_list(patient, collection, params))
        for key, raw in params.items():
            if key in _RESERVED or key.startswith("isValid"):
                continue
            match = _FILTER.match(key)
            if not match:
                raise ValidationError({key: ["Use <field>$gt, $gte, $lt, $lte, $eq or $ne."]})
            lookup = {None: "exact", "eq": "exact"}.get(match["op"], match["op"])
            if lookup == "ne" and match["field"] not in ("type", "eventType"):
                raise ValidationError({key: ["$ne is supported on type and eventType."]})
            qs = handler.filter(qs, match["field"], lookup, raw)
        descending = "sort$desc" in params
        qs = handler.order(qs, params.get("sort$desc") or params.get("sort") or "date", descending)
        tz = patient.tzinfo
        return _result([handler.shape(row, tz) for row in qs[: _limit(params)]])

    @extend_schema(
        summary="Nightscout v3: create a document",
        description="201 {identifier, lastModified}; a document already stored (same "
        "identifier, or the same reading or treatment) is a deduplication (200).",
        parameters=[_COLLECTION],
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request, collection: str):
        doc = request.data
        if not isinstance(doc, dict) or not doc:
            raise ValidationError({"non_field_errors": ["Send one JSON object."]})
        return _create(record_of(request), collection, doc)


def _asks_for_deleted(params) -> bool:
    """``isValid$eq=false`` (or ``isValid=false``, ``isValid$ne=true``): the deleted
    documents; ``isValid=true`` is what a search returns anyway."""
    for key, raw in params.items():
        if key in ("isValid", "isValid$eq") and str(raw).lower() == "false":
            return True
        if key == "isValid$ne" and str(raw).lower() == "true":
            return True
    return False


def _deleted_list(patient, collection: str, params) -> list[dict]:
    """The deleted readings or treatments, newest deletion first (no other filter applies:
    a deletion keeps no time or value to filter on)."""
    found = deletions.deletions_since(patient=patient, collection=collection, since=_EPOCH)
    found = found.order_by("-srv_modified")[: _limit(params)]
    return [deletions.tombstone_of(deleted) for deleted in found]


def _written(identifier: str, *, created: bool) -> Response:
    status = 201 if created else 200
    return Response(
        {
            "status": status,
            "identifier": identifier,
            "lastModified": epoch_ms(timezone.now()),
            "isDeduplication": not created,
        },
        status=status,
    )


def _create(patient, collection: str, doc: dict) -> Response:
    if collection == "entries" and calibrations.is_calibration(doc):
        stored = calibrations.calibration_store(patient=patient, item=doc, now=timezone.now())
        if stored.document is None:
            raise ValidationError({"non_field_errors": [stored.reason]})
        document = stored.document
        return _written(document.identifier or str(document.pk), created=stored.outcome == "stored")
    if collection == "entries":
        (outcome,) = batches.entries_upload(patient=patient, items=[doc])
        if outcome.reading is None:
            raise ValidationError({"non_field_errors": [outcome.reason]})
        reading = outcome.reading
        return _written(reading.external_id or str(reading.pk), created=outcome.outcome == "stored")
    if collection == "treatments":
        outcome = ns_treatments.treatment_upsert(patient=patient, item=doc)
        if outcome.treatment is None:
            raise ValidationError({"non_field_errors": [outcome.reason]})
        treatment = outcome.treatment
        identifier = treatment.external_id or str(treatment.pk)
        return _written(identifier, created=outcome.outcome == "stored")
    handler = HANDLERS[collection]
    existed = bool(doc.get("identifier")) and handler.get(patient, str(doc["identifier"]))
    stored = documents.document_store(patient=patient, collection=handler.collection, doc=doc)
    return _written(stored.identifier or str(stored.pk), created=not existed)


class Gone(APIException):
    """A deleted document (cgm-remote-monitor lib/api3/generic/read: 410)."""

    status_code = 410
    default_detail = "This document was deleted."
    default_code = "gone"


class DocumentView(NightscoutView):
    @extend_schema(
        summary="Nightscout v3: read one document",
        parameters=[
            _COLLECTION,
            OpenApiParameter("identifier", OpenApiTypes.STR, OpenApiParameter.PATH),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, collection: str, identifier: str):
        patient = record_of(request)
        row = self._row(patient, collection, identifier)
        return _result(HANDLERS[collection].shape(row, patient.tzinfo))

    def _row(self, patient, collection, identifier):
        row = HANDLERS[collection].get(patient, identifier)
        deleted = getattr(row, "is_valid", True) is False or (
            row is None
            and deletions.deletion_of(patient=patient, collection=collection, identifier=identifier)
        )
        if deleted:
            raise Gone()
        if row is None:
            raise NotFound("No document with this identifier.")
        return row

    @extend_schema(
        summary="Nightscout v3: change some fields of a document",
        parameters=[
            _COLLECTION,
            OpenApiParameter("identifier", OpenApiTypes.STR, OpenApiParameter.PATH),
        ],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def patch(self, request, collection: str, identifier: str):
        patient = record_of(request)
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send one JSON object."]})
        row = self._row(patient, collection, identifier)
        current = HANDLERS[collection].shape(row, patient.tzinfo)
        merged = {**current, **request.data, "identifier": current["identifier"]}
        if collection == "entries":
            raise ValidationError({"non_field_errors": ["Entries cannot be changed; delete it."]})
        if collection == "treatments":
            outcome = ns_treatments.treatment_upsert(patient=patient, item=merged)
            if outcome.treatment is None:
                raise ValidationError({"non_field_errors": [outcome.reason]})
        else:
            for key in ("_id", "srvModified", "srvCreated", "isValid", "mills"):
                merged.pop(key, None)
            documents.document_store(
                patient=patient, collection=HANDLERS[collection].collection, doc=merged
            )
        return _written(current["identifier"], created=False)

    put = patch

    @extend_schema(
        summary="Nightscout v3: delete a document",
        parameters=[
            _COLLECTION,
            OpenApiParameter("identifier", OpenApiTypes.STR, OpenApiParameter.PATH),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def delete(self, request, collection: str, identifier: str):
        patient = record_of(request)
        try:
            row = self._row(patient, collection, identifier)
        except Gone:
            # Deleted already: 200, as cgm-remote-monitor answers a repeated DELETE of a
            # soft-deleted document (Juggluco's NightPost.deleteUrl retries until a 200).
            return Response({"status": 200})
        if collection == "entries":
            reading_services.reading_delete(reading=row)
        elif collection == "treatments":
            ns_treatments.treatments_delete(treatments=[row])
        else:
            documents.document_delete(document=row)
        return Response({"status": 200})


class HistoryView(NightscoutView):
    @extend_schema(
        summary="Nightscout v3: documents changed since a time (ms), oldest change first",
        parameters=[
            _COLLECTION,
            OpenApiParameter("since", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, collection: str, since: str):
        handler = HANDLERS[collection]
        patient = record_of(request)
        # After `since` to the millisecond, as srvModified says it: a change at
        # 12:00:00.123456 is srvModified ...123, and a client that asks since ...123 (the
        # ETag it was given) has it.
        moment = _since(since) + timedelta(milliseconds=1)
        limit = _limit(request.query_params)
        column = "srv_modified" if isinstance(handler, Documents) else "updated_at"
        qs = handler.queryset(patient).filter(**{f"{column}__gte": moment}).order_by(column)
        result = [handler.shape(row, patient.tzinfo) for row in qs[:limit]]
        if not isinstance(handler, Documents):
            deleted = deletions.deletions_since(
                patient=patient, collection=collection, since=moment
            )
            result += [deletions.tombstone_of(row) for row in deleted[:limit]]
        if collection == "entries":
            changed = CALIBRATIONS.queryset(patient).filter(srv_modified__gte=moment)
            changed = changed.order_by("srv_modified")[:limit]
            result += [CALIBRATIONS.shape(row, patient.tzinfo) for row in changed]
        result = sorted(result, key=lambda doc: doc["srvModified"])[:limit]
        response = _result(result)
        if result:
            newest = max(doc["srvModified"] for doc in result)
            response["ETag"] = f'W/"{newest}"'
            response["Last-Modified"] = http_date(newest / 1000)
        return response
