"""Nightscout ``entries``: parsing uploaded entries into readings, shaping readings as
entries, and answering Nightscout's ``find[...]`` queries (see integrations.nightscout.views
for what real uploaders send)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.api.fields import GlucoseValueField
from core.units import MIN_MGDL, Unit
from core.validators import glucose_to_mgdl
from readings import selectors
from readings.api.serializers import EXTERNAL_ID_MAX_LENGTH, SKIP_ITEM
from readings.api.views import validate_items
from readings.models import Kind, Reading, Source

DEFAULT_COUNT = 10
# Nightscout's query default when no date filter is given (lib/server/query.js: 2 x 2 days).
DEFAULT_WINDOW = timedelta(days=4)

TYPE_OF_KIND = {Kind.CGM: "sgv", Kind.FINGERSTICK: "mbg"}
KIND_OF_TYPE = {value: key for key, value in TYPE_OF_KIND.items()}

# Trend names Nightscout knows (lib/plugins/direction.js); anything else is stored as unknown.
DIRECTIONS = frozenset(
    {
        "NONE",
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
        "RATE OUT OF RANGE",
    }
)

DEVICE_MAX_LENGTH = Reading._meta.get_field("device").max_length


def max_count() -> int:
    return settings.BGT_NIGHTSCOUT_MAX_COUNT


# --- Parsing uploads ----------------------------------------------------------------------


class EntryInputSerializer(serializers.Serializer):
    """One uploaded Nightscout entry. Other keys (delta, filtered, unfiltered, noise, rssi,
    sysTime, utcOffset...) are accepted and ignored."""

    type = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text='"sgv" (CGM) or "mbg" (meter); other types are skipped. Default: inferred '
        "from which value is present.",
    )
    date = serializers.IntegerField(
        required=False, min_value=0, help_text="Unix epoch milliseconds."
    )
    dateString = serializers.CharField(  # noqa: N815 (Nightscout's field name)
        required=False, help_text="ISO 8601; used when `date` is absent."
    )
    sgv = GlucoseValueField(
        unit_field=None,
        required=False,
        allow_null=True,
        help_text="CGM glucose, mg/dL (20-600; values below 20 are sensor status codes and "
        "are skipped).",
    )
    mbg = GlucoseValueField(
        unit_field=None, required=False, allow_null=True, help_text="Meter glucose, mg/dL."
    )
    direction = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    device = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    identifier = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=EXTERNAL_ID_MAX_LENGTH,
        help_text="The uploader's own id (Loop/Trio); later uploads with it add nothing.",
    )
    _id = serializers.JSONField(
        label="_id",
        required=False,
        allow_null=True,
        help_text="A string id (Loop and Trio send their sync id here) is kept like identifier.",
    )

    def validate(self, attrs):
        entry_type = attrs.get("type") or next((t for t in KIND_OF_TYPE if t in attrs), None)
        if entry_type is None:
            raise serializers.ValidationError(
                {"sgv": ["An entry needs an sgv (CGM) or mbg (meter) value."]}
            )
        if entry_type not in KIND_OF_TYPE:
            return {SKIP_ITEM: True}  # e.g. xDrip+'s "cal" records
        raw = attrs.get(entry_type)
        if raw is None:
            raise serializers.ValidationError(
                {entry_type: [f"A {entry_type} entry needs its {entry_type} value."]}
            )
        if entry_type == "sgv" and _is_status_code(raw):
            return {SKIP_ITEM: True}
        try:
            value_mgdl = glucose_to_mgdl(raw, Unit.MGDL)
        except DjangoValidationError as error:
            raise serializers.ValidationError({entry_type: error.messages}) from None
        sync_id = attrs.get("_id")
        if not isinstance(sync_id, str) or not 0 < len(sync_id) <= EXTERNAL_ID_MAX_LENGTH:
            sync_id = None
        direction = attrs.get("direction") or ""
        return {
            "value_mgdl": value_mgdl,
            "taken_at": _entry_time(attrs),
            "kind": KIND_OF_TYPE[entry_type],
            "external_id": attrs.get("identifier") or sync_id,
            "direction": direction if direction in DIRECTIONS else "",
            "device": str(attrs.get("device") or "")[:DEVICE_MAX_LENGTH],
        }


def _is_status_code(raw) -> bool:
    """Dexcom reports sensor states as sgv values below 20 (e.g. 1 = sensor not active)."""
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return False
    return number.is_finite() and 0 <= number < MIN_MGDL


def _entry_time(attrs) -> datetime:
    if "date" in attrs:
        try:
            return datetime.fromtimestamp(attrs["date"] / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise serializers.ValidationError({"date": ["This date is out of range."]}) from None
    if attrs.get("dateString"):
        try:
            moment = datetime.fromisoformat(attrs["dateString"].strip())
        except ValueError:
            raise serializers.ValidationError(
                {"dateString": ["Enter an ISO 8601 date and time."]}
            ) from None
        return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment
    raise serializers.ValidationError(
        {"date": ["Give the time as date (Unix epoch milliseconds) or dateString (ISO 8601)."]}
    )


def entries_to_readings(*, items: list, patient, unit: str) -> list[Reading]:
    """Validated, unsaved readings for the storable entries (skipped ones left out)."""
    return validate_items(
        items=items,
        patient=patient,
        unit=unit,
        source=Source.NIGHTSCOUT,
        serializer_class=EntryInputSerializer,
    )


# --- Shaping output -----------------------------------------------------------------------


def entry_of(reading: Reading, tz) -> dict:
    """A reading as Nightscout shapes an entry (mg/dL; dateString in UTC like Nightscout)."""
    entry_type = TYPE_OF_KIND.get(reading.kind, "mbg")
    moment = reading.taken_at.astimezone(UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    offset = reading.taken_at.astimezone(tz).utcoffset()
    entry = {
        "_id": str(reading.pk),
        "type": entry_type,
        entry_type: reading.value_mgdl,
        "date": int(moment.timestamp() * 1000),
        "dateString": stamp,
        "sysTime": stamp,
        "utcOffset": int(offset.total_seconds() // 60) if offset is not None else 0,
        "device": reading.device or f"bgt-{reading.source}",
    }
    if reading.direction:
        entry["direction"] = reading.direction
    return entry


class EntrySerializer(serializers.Serializer):
    """Schema of an entry as returned (see entry_of)."""

    _id = serializers.CharField(label="_id", help_text="The reading's id (a UUID string).")
    type = serializers.ChoiceField(choices=["sgv", "mbg"])
    sgv = serializers.IntegerField(required=False, help_text="mg/dL, on sgv entries.")
    mbg = serializers.IntegerField(required=False, help_text="mg/dL, on mbg entries.")
    date = serializers.IntegerField(help_text="Unix epoch milliseconds.")
    dateString = serializers.CharField(help_text="ISO 8601, UTC.")  # noqa: N815
    sysTime = serializers.CharField()  # noqa: N815
    utcOffset = serializers.IntegerField(  # noqa: N815
        help_text="The patient's UTC offset then, in minutes."
    )
    direction = serializers.CharField(required=False, help_text="Trend, when known.")
    device = serializers.CharField(
        help_text="The uploader's own device name, or bgt-<source> when it sent none."
    )


# --- Queries ------------------------------------------------------------------------------

_FIND_KEY = re.compile(r"^find\[(\w+)\](?:\[\$(\w+)\])?$")
_LOOKUPS = {None: "exact", "eq": "exact", "gte": "gte", "gt": "gt", "lte": "lte", "lt": "lt"}
_TIME_FIELDS = ("date", "dateString")
_VALUE_FIELDS = ("sgv", "mbg")
_MAX_QUERY_MGDL = 10_000  # any bound above the meter range; keeps the query integer small


def _query_time(field: str, raw: str) -> datetime:
    """A find[date] (epoch ms, or ISO as Nightscout also takes) or find[dateString] value."""
    text = raw.strip()
    if field == "date" and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        if len(text) > 24:  # epoch milliseconds have 13 digits; refuse before converting
            raise ValidationError({f"find[{field}]": ["This date is out of range."]})
        try:
            return datetime.fromtimestamp(float(text) / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValidationError({f"find[{field}]": ["This date is out of range."]}) from None
    # Some clients do not escape the "+" of an offset (Nightscout fixes that up too).
    if re.search(r"\d \d{2}:?\d{2}$", text):
        text = text[::-1].replace(" ", "+", 1)[::-1]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {f"find[{field}]": [f"“{raw}” is not an ISO 8601 date or epoch milliseconds."]}
        ) from None
    # Nightscout compares dateString as UTC text, so a bare date or time is UTC.
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def entries_queryset(*, patient, query_params, entry_type: str | None = None):
    """The record's readings matching a Nightscout query, newest first, limited by count."""
    qs = selectors.reading_list(patient=patient)
    if entry_type:
        qs = qs.filter(kind=KIND_OF_TYPE[entry_type])
    has_time_filter = False
    for key, raw in query_params.items():
        match = _FIND_KEY.match(key)
        if key.startswith("find") and not match:
            raise ValidationError({key: ["Use find[field] or find[field][$operator]."]})
        if not match:
            continue
        field, operator = match.groups()
        if operator not in _LOOKUPS:
            raise ValidationError({key: ["Supported operators: $gte, $gt, $lte, $lt, $eq."]})
        lookup = _LOOKUPS[operator]
        if field in _TIME_FIELDS:
            qs = qs.filter(**{f"taken_at__{lookup}": _query_time(field, raw)})
            has_time_filter = True
        elif field == "type":
            if lookup != "exact":
                raise ValidationError({key: ["find[type] takes a type name."]})
            kind = KIND_OF_TYPE.get(raw.strip())
            qs = qs.filter(kind=kind) if kind else qs.none()
        elif field in _VALUE_FIELDS:
            number = _bounded_number(raw)
            if number is None or not 0 <= number <= _MAX_QUERY_MGDL:
                raise ValidationError({key: ["Enter a number of mg/dL, 0 to 10,000."]})
            qs = qs.filter(kind=KIND_OF_TYPE[field], **{f"value_mgdl__{lookup}": number})
        else:
            raise ValidationError(
                {key: ["Filters on date, dateString, type, sgv and mbg are supported."]}
            )
    if not has_time_filter:
        qs = qs.filter(taken_at__gte=timezone.now() - DEFAULT_WINDOW)
    return qs.order_by("-taken_at")[: _count(query_params)]


# A query number as people write one: digits, an optional fraction. Checked as text before
# any conversion: Decimal("1e1000000") is cheap, but int() of it builds a million digits.
_PLAIN_NUMBER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")


def _bounded_number(raw: str) -> int | None:
    text = raw.strip()
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    return int(Decimal(text))


def _count(query_params) -> int:
    raw = str(query_params.get("count", "")).strip()
    if not raw:
        return DEFAULT_COUNT
    # ASCII digits only: "²".isdigit() is True, and int("²") raises.
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        raise ValidationError({"count": ["Enter a whole number of entries, at least 1."]})
    return min(int(raw), max_count())
