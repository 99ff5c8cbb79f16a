"""Nightscout ``treatments`` as BGT treatments: parsing uploads, upserting, output (finds:
treatment_queries.py).

What clients send (cgm-remote-monitor ``lib/api/treatments``): xDrip+ PUTs arrays of
``{timestamp, eventType, enteredBy, notes, uuid, carbs, insulin, created_at, sysTime}``
and finds a treatment by ``find[uuid]`` to DELETE it by ``_id``; Trio checks its set-up by
POSTing ``{"eventType": "Note", "enteredBy": "Trio", "notes": "Trio connected"}`` (no time:
Nightscout stamps it now) and reads with ``find[created_at][$gt]``, ``find[eventType]``,
``find[carbs][$exists]``, ``find[$and][n][enteredBy][$ne]``; Juggluco PUTs its arrays.

Each item is upserted as Nightscout does: the treatment with the same client id
(``identifier``, ``uuid``, ``syncIdentifier``, ``_id``), else with the same
``created_at`` (to the second) and ``eventType``, is updated; otherwise one is created.
``eventType`` is kept verbatim. One outcome per item: ``stored``, ``updated``,
``duplicate`` (nothing changed) or ``skipped`` with a reason (the model's validation
message: an amount beyond its maximum, a time over 10 minutes ahead, ...).

Fields BGT does not model are kept as sent (``Treatment.nightscout_fields``) and given back
on every read, so a loop's sync round-trips: AndroidAPS's temporary target (targetTop,
targetBottom, reason, units, durationInMilliseconds), profile switch (profile, percentage,
timeshift, profileJson, originalProfileName, originalDuration), temporary basal (percent,
type), bolus (type, isSMB, isBasalInsulin, iCfg) and every treatment's pumpId, pumpType,
pumpSerial, endId, app, device and utcOffset (nightscout/AndroidAPS core/nssdk
remotemodel/RemoteTreatment.kt and mapper/TreatmentMapper.kt); Loop's override fields
(NightscoutKit OverrideTreatment: correctionRange, insulinNeedsScaleFactor, reason,
durationType, remoteAddress), Trio's (targetTop/targetBottom, isSMB, ...). A field BGT
models (time, amounts, duration, rate) is returned as sent while it still says what BGT
holds, and as BGT holds it once it was changed in BGT.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from integrations.nightscout import documents
from treatments import selectors, services
from treatments.models import MAX_DURATION_MIN, Source, Treatment, TreatmentType

DEFAULT_COUNT = 100  # cgm-remote-monitor lib/api/treatments: count defaults to 100

# eventType -> BGT type for treatments without insulin or carbs.
TYPE_OF_EVENT = {
    "note": TreatmentType.NOTE,
    "announcement": TreatmentType.NOTE,
    "question": TreatmentType.NOTE,
    "exercise": TreatmentType.EXERCISE,
    "site change": TreatmentType.SITE_CHANGE,
    "sensor start": TreatmentType.SENSOR_START,
    "sensor change": TreatmentType.SENSOR_START,
    "insulin change": TreatmentType.CARTRIDGE_CHANGE,
    "temporary target": TreatmentType.TEMP_TARGET,
}
# BGT type -> the eventType shown for treatments entered in BGT itself (no eventType).
EVENT_OF_TYPE = {
    TreatmentType.BOLUS: "Correction Bolus",
    TreatmentType.BASAL: "Temp Basal",
    TreatmentType.CARBS: "Carb Correction",
    TreatmentType.NOTE: "Note",
    TreatmentType.EXERCISE: "Exercise",
    TreatmentType.SITE_CHANGE: "Site Change",
    TreatmentType.SENSOR_START: "Sensor Start",
    TreatmentType.CARTRIDGE_CHANGE: "Insulin Change",
    TreatmentType.TEMP_TARGET: "Temporary Target",
    TreatmentType.OTHER: "<none>",
}
_ID_KEYS = ("identifier", "uuid", "syncIdentifier", "_id", "id")
_field = Treatment._meta.get_field
EVENT_MAX = _field("event_type").max_length
NOTES_MAX = _field("notes").max_length
DEVICE_MAX = _field("device").max_length
EXTERNAL_ID_MAX = _field("external_id").max_length
# Fields of an upload that BGT's own columns hold and that every read writes from them.
_MODELLED = frozenset({"eventType", "insulin", "carbs", "notes", "enteredBy", "insulin_name"})
# What the server adds (Nightscout's, or BGT's `outcome` in an upload's answer): never
# kept from a client's copy.
_SERVER_FIELDS = frozenset(
    {"_id", "identifier", "srvModified", "srvCreated", "isValid", "subject", "modifiedBy"}
    | {"outcome"}
)


class Skip(Exception):  # noqa: N818 (an outcome, not an error)
    pass


@dataclass
class Outcome:
    outcome: str  # stored | updated | duplicate | skipped
    treatment: Treatment | None = None
    reason: str = ""
    item: object = None


def _amount(raw) -> float | None:
    """A positive amount; 0 and absent are both "none" (xDrip+ sends carbs 0 on notes)."""
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise Skip(f"{raw!r} is not a number") from None
    if not math.isfinite(number):
        raise Skip(f"{raw!r} is not a number")
    return number or None


def _moment(item: dict, now: datetime) -> datetime:
    """created_at (ISO), else timestamp / date / mills (epoch ms or ISO); none: now, as
    Nightscout stamps a treatment sent without a time (Trio's set-up Note)."""
    for key in ("created_at", "timestamp", "date", "mills"):
        raw = item.get(key)
        if raw in (None, ""):
            continue
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            try:
                return datetime.fromtimestamp(raw / 1000, tz=UTC)
            except (OverflowError, OSError, ValueError):
                raise Skip(f"{key} is out of range") from None
        if isinstance(raw, str):
            try:
                moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            except ValueError:
                raise Skip(f"{key} is not an ISO 8601 time") from None
            return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment
        raise Skip(f"{key} is not a time")
    return now


def client_id(item: dict) -> str | None:
    """The client's own id of a treatment: identifier, uuid, syncIdentifier, or _id (Loop
    and Trio put their ids there; Juggluco one of 24 hex digits, the shape of a MongoDB
    ObjectId, by which it later DELETEs treatments/<_id>: uploadtreatment.cpp with
    watchserver.cpp mkid). BGT's own ids are UUIDs, so an _id sent is never one of BGT's."""
    for key in _ID_KEYS:
        value = item.get(key)
        if isinstance(value, str) and 0 < len(value) <= EXTERNAL_ID_MAX:
            return value
    return None


def fields_of_item(item, *, now: datetime) -> dict:
    """Treatment fields (treatments.services.TREATMENT_FIELDS) of one Nightscout treatment;
    raises Skip for what cannot be one."""
    if not isinstance(item, dict):
        raise Skip("not a JSON object")
    event = item.get("eventType")
    event = event.strip()[:EVENT_MAX] if isinstance(event, str) else ""
    insulin = _amount(item.get("insulin"))
    carbs = _amount(item.get("carbs"))
    rate = _amount(item.get("absolute", item.get("rate")))
    duration = _amount(item.get("duration"))
    if duration is not None and round(duration) > MAX_DURATION_MIN:
        # Longer than BGT's durations go (a loop's indefinite override, a permanent
        # profile switch): kept as sent among the other fields, not as BGT's duration.
        duration = None
    fields = {
        "event_type": event,
        "taken_at": _moment(item, now),
        "insulin_units": insulin,
        "carbs_g": carbs,
        "basal_rate": None,
        "duration_min": round(duration) if duration is not None else None,
        "notes": str(item.get("notes") or "")[:NOTES_MAX],
        "insulin_name": str(item.get("insulin_name") or item.get("insulinType") or "")[:100],
        "nightscout_fields": _other_fields(item),
    }
    if event.lower() == "temp basal" and rate is not None:
        fields.update(type=TreatmentType.BASAL, basal_rate=rate, insulin_units=None)
    elif insulin is not None:
        fields["type"] = TreatmentType.BOLUS
    elif carbs is not None:
        fields["type"] = TreatmentType.CARBS
    else:
        fields["type"] = TYPE_OF_EVENT.get(event.lower(), TreatmentType.OTHER)
    return fields


def _other_fields(item: dict) -> dict:
    """The fields of an uploaded treatment beyond what BGT's columns hold, as any database
    can store them (documents.storable: raises a ValidationError otherwise)."""
    kept = {k: v for k, v in item.items() if k not in _MODELLED and k not in _SERVER_FIELDS}
    try:
        return documents.storable(kept)
    except ValidationError as error:
        raise Skip(" ".join(str(m) for m in error.detail["non_field_errors"])) from None


def _error_text(error: DjangoValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for messages in error.message_dict.values() for m in messages)
    return " ".join(error.messages)


def _existing(patient, *, external_id: str | None, fields: dict) -> Treatment | None:
    qs = selectors.treatment_list(patient=patient)
    if external_id:
        found = qs.filter(external_id=external_id).first()
        if found is not None:
            return found
    return qs.filter(taken_at=fields["taken_at"], event_type=fields["event_type"]).first()


def treatment_upsert(*, patient, item, now: datetime | None = None) -> Outcome:
    """Create or update one treatment from a Nightscout document (see the module doc)."""
    now = now or timezone.now()
    try:
        fields = fields_of_item(item, now=now)
    except Skip as skip:
        return Outcome("skipped", reason=str(skip), item=item)
    fields["taken_at"] = fields["taken_at"].replace(microsecond=0)
    external_id = client_id(item)
    device = item.get("enteredBy") or item.get("device") or ""
    existing = _existing(patient, external_id=external_id, fields=fields)
    try:
        if existing is None:
            treatment = services.treatment_create(
                patient=patient,
                source=Source.NIGHTSCOUT,
                external_id=external_id,
                device=str(device)[:DEVICE_MAX],
                **fields,
            )
            return Outcome("stored", treatment)
        changes = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        if not changes:
            return Outcome("duplicate", existing)
        return Outcome("updated", services.treatment_update(treatment=existing, **changes))
    except DjangoValidationError as error:
        return Outcome("skipped", reason=_error_text(error), item=item)


def treatments_delete(*, treatments: list[Treatment]) -> int:
    for treatment in treatments:
        services.treatment_delete(treatment=treatment)
    return len(treatments)


def treatments_upload(*, patient, items: list) -> list[Outcome]:
    now = timezone.now()
    return [treatment_upsert(patient=patient, item=item, now=now) for item in items]


# --- Output -------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _same_second(raw, moment: datetime) -> bool:
    """Whether a time as a client sent it (epoch ms, or ISO 8601) is ``moment``'s second."""
    second = int(moment.timestamp())
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return math.isfinite(raw) and int(raw // 1000) == second
    if isinstance(raw, str):
        try:
            sent = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            return False
        sent = sent.replace(tzinfo=UTC) if timezone.is_naive(sent) else sent
        return int(sent.timestamp()) == second
    return False


def _same_number(raw, value) -> bool:
    if value is None or isinstance(raw, bool) or not isinstance(raw, int | float):
        return False
    return math.isfinite(raw) and round(float(raw), 6) == round(float(value), 6)


def treatment_of(treatment: Treatment, tz, *, iso_timestamp: bool = True) -> dict:
    """A treatment as Nightscout returns one: the fields a client sent beyond BGT's
    columns, then BGT's (a time, amount, duration or rate stays as the client sent it
    while it says what BGT holds, and while it has the type its readers parse).

    ``timestamp`` is an ISO 8601 string: Loop's NightscoutKit (LoopKit/NightscoutKit
    commit 4ec9fd12, Models/Treatments/NightscoutTreatment.swift init?(_:)) drops a
    treatment whose ``timestamp`` is not a String that TimeFormat.dateFromTimestamp
    parses. With ``iso_timestamp=False`` (API v3) it is epoch ms like ``date`` and
    ``mills``: AndroidAPS's RemoteTreatment (core/nssdk remotemodel/RemoteTreatment.kt)
    reads all three into Longs, and Gson fails the whole page on a time in a string."""
    sent = treatment.nightscout_fields or {}
    offset = treatment.taken_at.astimezone(tz).utcoffset()
    millis = int(treatment.taken_at.timestamp() * 1000)
    doc = {
        **sent,
        "_id": str(treatment.pk),
        "eventType": treatment.event_type or EVENT_OF_TYPE[treatment.type],
        "created_at": _iso(treatment.taken_at),
        "date": millis,
        "mills": millis,
        "timestamp": _iso(treatment.taken_at) if iso_timestamp else millis,
        "utcOffset": int(offset.total_seconds() // 60) if offset is not None else 0,
        "insulin": treatment.insulin_units,
        "carbs": treatment.carbs_g,
        "notes": treatment.notes,
        "enteredBy": treatment.device or f"bgt-{treatment.source}",
    }
    if treatment.basal_rate is not None:
        # The keys the client used (AndroidAPS sends only `rate` with a percent basal, and
        # `absolute` would make it an absolute one), both for one entered in BGT.
        keys = [key for key in ("absolute", "rate") if key in sent] or ["absolute", "rate"]
        for key in keys:
            doc[key] = treatment.basal_rate
    if treatment.duration_min is not None:
        doc["duration"] = treatment.duration_min
    if treatment.insulin_name:
        doc["insulin_name"] = treatment.insulin_name
    if treatment.external_id:
        doc["identifier"] = treatment.external_id
        doc["uuid"] = treatment.external_id
    # As the client sent them, while they still say what BGT holds (in the type the
    # answer's readers parse: see the docstring).
    for key in ("created_at", "date", "mills", "timestamp"):
        raw = sent.get(key)
        if raw is None or not _same_second(raw, treatment.taken_at):
            continue
        if key == "created_at" or (key == "timestamp" and iso_timestamp):
            keep = isinstance(raw, str)
        else:  # v1: date and mills verbatim, as cgm-remote-monitor; v3: a Long
            keep = iso_timestamp or _whole_number(raw)
        if keep:
            doc[key] = raw
    for key, value in (
        ("duration", treatment.duration_min),
        ("absolute", treatment.basal_rate),
        ("rate", treatment.basal_rate),
    ):
        if key in sent and _same_number(sent[key], value):
            doc[key] = sent[key]
    if _whole_number(sent.get("utcOffset")):
        doc["utcOffset"] = sent["utcOffset"]
    return doc


def _whole_number(raw) -> bool:
    """A JSON number without a fraction (what a Long field of AndroidAPS's Gson reads)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return False
    return math.isfinite(raw) and float(raw).is_integer()
