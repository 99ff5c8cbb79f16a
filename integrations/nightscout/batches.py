"""Nightscout entry uploads, lenient like Nightscout: every item gets its own outcome.

Nightscout stores whatever an uploader sends; BGT stores what is a glucose reading and says,
item by item, what it did with the rest, so that one bad item (a Dexcom status code, a meter
"LO", a clock far ahead) never costs the rest of the batch, and an uploader is never made
to re-send it. The response has one element per uploaded item, in order: Loop
(NightscoutKit ``uploadEntries``) refuses a response of another length.

Outcomes: ``stored``, ``duplicate`` (already stored, or repeated in the batch: the stored
reading's entry is returned), ``skipped`` with a ``reason``. Batches of any size are parsed,
de-duplicated and written in slices of ``SLICE`` items (Juggluco sends up to 10,440).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.utils import timezone

from core import mongo
from core.units import MAX_MGDL, MIN_MGDL
from readings import selectors, services
from readings.models import FUTURE_TOLERANCE, Kind, Reading, Source

SLICE = 2500  # items parsed and written together

KIND_OF_TYPE = {"sgv": Kind.CGM, "mbg": Kind.FINGERSTICK}

_field = Reading._meta.get_field
DEVICE_MAX = _field("device").max_length
EXTERNAL_ID_MAX = _field("external_id").max_length
_SMALLINT = range(-32768, 32768)

# Trend names as uploaders spell them: Nightscout's (lib/plugins/direction.js) and the
# Dexcom Share spellings Loop and Trio send (NightscoutKit's GlucoseEntry). Anything else is
# stored as no trend.
DIRECTIONS = frozenset(
    {
        "NONE",
        "None",
        "TripleUp",
        "DoubleUp",
        "SingleUp",
        "FortyFiveUp",
        "Flat",
        "FortyFiveDown",
        "SingleDown",
        "DoubleDown",
        "TripleDown",
        "NOT COMPUTABLE",
        "NotComputable",
        "RATE OUT OF RANGE",
        "RateOutOfRange",
    }
)


class Skip(Exception):  # noqa: N818 (an outcome, not an error)
    """An item that is not stored, and why (said in the response)."""


@dataclass
class Outcome:
    outcome: str  # "stored" | "duplicate" | "skipped"
    reading: Reading | StoredRow | None = None  # a duplicate's: the stored one's row
    reason: str = ""
    item: object = None


def _number(raw) -> float | None:
    """A JSON number or numeric string as a finite float, else None (booleans are not)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str) and 0 < len(raw) <= 40:
        try:
            number = float(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _small_int(raw) -> int | None:
    number = _number(raw)
    if number is None or int(number) not in _SMALLINT:
        return None
    return int(number)


def _moment(item: dict) -> datetime:
    """``date`` (epoch ms, fractional as Loop sends) else ``dateString`` (ISO 8601; naive is
    UTC, as Nightscout reads it)."""
    millis = _number(item.get("date"))
    if millis is not None:
        try:
            return datetime.fromtimestamp(millis / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise Skip("date is out of range") from None
    text = item.get("dateString")
    if isinstance(text, str) and text.strip():
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise Skip("dateString is not an ISO 8601 time") from None
        try:
            return (
                moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment.astimezone(UTC)
            )
        except OverflowError:  # year 1 at +14:00 is before year 1 in UTC
            raise Skip("dateString is out of range") from None
    raise Skip("no date (epoch milliseconds) or dateString")


def reading_of_entry(item, *, patient, now: datetime) -> Reading:
    """An unsaved reading for one uploaded entry, validated as the Reading model requires
    (meter range, at most FUTURE_TOLERANCE ahead, field lengths); raises Skip otherwise."""
    if not isinstance(item, dict):
        raise Skip("not a JSON object")
    entry_type = item.get("type") or next((t for t in KIND_OF_TYPE if t in item), None)
    if entry_type not in KIND_OF_TYPE:
        if entry_type is None:
            raise Skip("no type, sgv or mbg")
        raise Skip(f"type {entry_type!r} is not a glucose reading")
    value = _number(item.get(entry_type))
    if value is None:
        raise Skip(f"no {entry_type} value")
    value_mgdl = round(value)
    if entry_type == "sgv" and 0 <= value < MIN_MGDL:
        raise Skip(f"sgv {value_mgdl} is a sensor status code, not glucose")
    if not MIN_MGDL <= value_mgdl <= MAX_MGDL:
        raise Skip(f"{entry_type} {value_mgdl} mg/dL is outside the meter range 20-600")
    taken_at = _moment(item)
    if taken_at > now + FUTURE_TOLERANCE:
        raise Skip("the time is more than 10 minutes in the future")
    external_id = item.get("identifier") or item.get("_id")
    if not isinstance(external_id, str) or not 0 < len(external_id) <= EXTERNAL_ID_MAX:
        external_id = None
    direction = item.get("direction")
    if direction not in DIRECTIONS:
        direction = ""
    device = item.get("device")
    return Reading(
        patient=patient,
        value_mgdl=value_mgdl,
        taken_at=services.truncate_to_second(taken_at),
        kind=KIND_OF_TYPE[entry_type],
        source=Source.NIGHTSCOUT,
        external_id=external_id,
        # Kept as spelled (Loop's "NotComputable", xDrip+'s "NOT COMPUTABLE").
        direction=direction,
        device=device[:DEVICE_MAX] if isinstance(device, str) else "",
        delta=_number(item.get("delta")),
        filtered=_number(item.get("filtered")),
        unfiltered=_number(item.get("unfiltered")),
        noise=_small_int(item.get("noise")),
        rssi=_small_int(item.get("rssi")),
    )


def entries_upload(*, patient, items: list, now: datetime | None = None) -> list[Outcome]:
    """Store the storable entries of a batch; one Outcome per item, in order."""
    now = now or timezone.now()
    outcomes: list[Outcome] = []
    for start in range(0, len(items), SLICE):
        outcomes.extend(_upload_slice(patient, items[start : start + SLICE], now))
    return outcomes


def _upload_slice(patient, items: list, now: datetime) -> list[Outcome]:
    outcomes: list[Outcome] = []
    readings: list[Reading] = []
    for item in items:
        try:
            reading = reading_of_entry(item, patient=patient, now=now)
        except Skip as skip:
            outcomes.append(Outcome("skipped", reason=str(skip), item=item))
            continue
        readings.append(reading)
        outcomes.append(Outcome("stored", reading=reading))
    created = {
        id(reading)
        for reading in services.readings_bulk_create(patient=patient, readings=readings).created
    }
    duplicates = [o for o in outcomes if o.reading is not None and id(o.reading) not in created]
    if duplicates:
        twins = _stored_twins(patient, [o.reading for o in duplicates])
        for outcome, twin in zip(duplicates, twins, strict=True):
            outcome.outcome = "duplicate"
            outcome.reading = twin or outcome.reading
    return outcomes


class StoredRow(NamedTuple):
    """A stored reading a duplicate matched, read as plain values: what its entry shows
    (entries.entry_of) and its external id (API v3 answers with it)."""

    pk: object
    kind: str
    value_mgdl: int
    taken_at: datetime
    source: str
    device: str
    direction: str
    delta: float | None
    filtered: float | None
    unfiltered: float | None
    noise: int | None
    rssi: int | None
    external_id: str | None


def _stored_rows(queryset) -> list[StoredRow]:
    # core.mongo.rows: on MongoDB a flat filter, read from the (patient, taken_at) index
    # rather than by a scan of every reading.
    return list(map(StoredRow._make, mongo.rows(queryset.values_list(*StoredRow._fields))))


def _stored_twins(patient, readings: list[Reading]) -> list[StoredRow | None]:
    """The stored reading each duplicate matched (same kind, second and value, or the same
    external id): one range query, plus one per duplicate known by its id alone."""
    times = [reading.taken_at for reading in readings]
    window = selectors.reading_list(
        patient=patient, start=min(times), end=max(times) + timedelta(seconds=1)
    )
    stored = {(r.kind, r.taken_at, r.value_mgdl): r for r in _stored_rows(window)}
    twins = []
    for reading in readings:
        twin = stored.get((reading.kind, reading.taken_at, reading.value_mgdl))
        if twin is None and reading.external_id:
            found = _stored_rows(
                selectors.reading_list(patient=patient).filter(
                    source=reading.source, external_id=reading.external_id
                )[:1]
            )
            twin = found[0] if found else None
        twins.append(twin)
    return twins
