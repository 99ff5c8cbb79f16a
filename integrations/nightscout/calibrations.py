"""Nightscout ``cal`` entries: a CGM's calibration (slope, intercept, scale), never glucose.

xDrip+ uploads one with its readings after each calibration (NightscoutFoundation/xDrip
NightscoutUploader.java populateV1APICalibrationEntry: ``{device, type: "cal", date,
dateString, slope, intercept, scale}``), and cgm-remote-monitor stores it in ``entries``
beside the glucose (lib/server/entries.js), where ``/api/v1/entries/cal.json`` and
``find[type]=cal`` find it. BGT keeps each as sent, as a NightscoutDocument of the ``cal``
collection: apart from the readings, so no figure, chart or report ever counts it. One
per time (as Nightscout's upsert on sysTime and type): a re-sent one replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from integrations.models import NightscoutCollection, NightscoutDocument
from integrations.nightscout import batches, documents, query

CAL = NightscoutCollection.CAL
FUTURE_TOLERANCE = timedelta(minutes=10)  # as for readings: a phone's clock a little ahead
DEFAULT_COUNT = 10  # as entries


def is_calibration(item) -> bool:
    return isinstance(item, dict) and item.get("type") == "cal"


@dataclass
class Outcome:
    """A calibration's outcome in an entries upload (batches.Outcome's counterpart)."""

    outcome: str  # stored | duplicate | skipped
    document: NightscoutDocument | None = None
    reason: str = ""


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def calibration_store(*, patient, item: dict, now: datetime) -> Outcome:
    """Store one ``cal`` entry as sent; its time is ``date`` else ``dateString`` (as for
    readings). A calibration already stored at that time is replaced (``duplicate`` when
    nothing changed)."""
    try:
        moment = batches._moment(item)
    except batches.Skip as skip:
        return Outcome("skipped", reason=str(skip))
    if moment > now + FUTURE_TOLERANCE:
        return Outcome("skipped", reason="the time is more than 10 minutes in the future")
    try:
        body = documents.storable({k: v for k, v in item.items() if k != "_id"})
    except ValidationError as error:
        return Outcome("skipped", reason=" ".join(map(str, error.detail["non_field_errors"])))
    body.setdefault("created_at", _iso(moment))
    stored = NightscoutDocument.objects.filter(
        patient=patient, collection=CAL, created_at=moment
    ).first()
    if stored is not None:
        if stored.document == body:
            return Outcome("duplicate", stored)
        stored.document, stored.is_valid = body, True
        stored.save(update_fields=["document", "is_valid", "srv_modified"])
        return Outcome("stored", stored)
    created = NightscoutDocument.objects.create(
        patient=patient, collection=CAL, created_at=moment, document=body
    )
    return Outcome("stored", created)


def entries_upload(*, patient, items: list, now: datetime | None = None) -> list:
    """batches.entries_upload, with the batch's ``cal`` entries stored as calibrations:
    one outcome per item, in order (a batches.Outcome or an Outcome of this module)."""
    now = now or timezone.now()
    glucose = [item for item in items if not is_calibration(item)]
    outcomes = iter(batches.entries_upload(patient=patient, items=glucose, now=now))
    return [
        calibration_store(patient=patient, item=item, now=now)
        if is_calibration(item)
        else next(outcomes)
        for item in items
    ]


def entry_of(document: NightscoutDocument) -> dict:
    """A calibration as Nightscout returns an entry: as sent, with ``_id``, ``type``,
    ``date`` (epoch ms) and ``dateString``."""
    millis = int(document.created_at.timestamp() * 1000)
    return {
        **document.document,
        "_id": str(document.pk),
        "type": "cal",
        "date": document.document.get("date", millis),
        "dateString": document.document.get("dateString") or _iso(document.created_at),
    }


def outcome_entry(outcome: Outcome) -> dict:
    """The answer's element for a calibration of an upload."""
    if outcome.document is None:
        return {"type": "cal", "outcome": "skipped", "reason": outcome.reason}
    return {**entry_of(outcome.document), "outcome": outcome.outcome}


def asks_for_calibrations(query_params) -> bool:
    """``find[type]=cal`` (entries.json), as Nightscout clients ask for them."""
    return str(query_params.get("find[type]", "")).strip() == "cal"


def calibrations_queryset(*, patient, query_params):
    """The record's calibrations matching a Nightscout entries query (count, find[date]
    and find[dateString] with $gte, $gt, $lte, $lt, $eq; find[type]=cal), newest first."""
    qs = NightscoutDocument.objects.filter(patient=patient, collection=CAL, is_valid=True)
    for condition in query.conditions(query_params):
        if condition.field == "type" and condition.lookup == "exact":
            if condition.raw.strip() != "cal":
                return qs.none()
        elif condition.field in ("date", "dateString", "created_at"):
            if condition.lookup in ("exists", "ne"):
                raise query.unsupported(condition, "date, dateString and type")
            qs = qs.filter(**{f"created_at__{condition.lookup}": query.time_value(condition)})
        else:
            raise query.unsupported(condition, "date, dateString and type")
    raw = str(query_params.get("count", "")).strip() or str(DEFAULT_COUNT)
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise ValidationError({"count": ["Enter a whole number of entries."]})
    maximum = settings.BGT_NIGHTSCOUT_MAX_COUNT
    return qs.order_by("-created_at")[: min(int(raw) or maximum, maximum)]
