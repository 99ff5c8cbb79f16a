"""Nightscout ``entries``: the upload schema, shaping readings as
entries, and answering Nightscout's ``find[...]`` queries (see integrations.nightscout.views
for what real uploaders send)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from integrations.nightscout import query as ns_query
from readings import selectors
from readings.models import Kind, Reading

DEFAULT_COUNT = 10
# Nightscout's query default when no date filter is given (lib/server/query.js: 2 x 2 days).
DEFAULT_WINDOW = timedelta(days=4)

TYPE_OF_KIND = {Kind.CGM: "sgv", Kind.FINGERSTICK: "mbg"}
KIND_OF_TYPE = {value: key for key, value in TYPE_OF_KIND.items()}

# Fields an uploader reports beside the value, returned as it sent them (when it did).
EXTRA_FIELDS = ("delta", "filtered", "unfiltered", "noise", "rssi")
# A CGM reading's delta is computed from the one before it when the uploader sent none,
# if that one is at most this much older (three 5-minute readings).
DELTA_MAX_GAP = timedelta(minutes=15)


def max_count() -> int:
    return settings.BGT_NIGHTSCOUT_MAX_COUNT


# --- Upload schema ------------------------------------------------------------------------


class EntryInputSerializer(serializers.Serializer):
    """One uploaded Nightscout entry, for the API schema: uploads are parsed item by item by
    integrations.nightscout.batches, which skips (and reports) what it cannot store."""

    type = serializers.CharField(
        required=False,
        help_text='"sgv" (CGM) or "mbg" (meter); other types are skipped. Default: inferred '
        "from which value is present.",
    )
    date = serializers.FloatField(
        required=False, help_text="Unix epoch milliseconds (a fraction is accepted)."
    )
    dateString = serializers.CharField(  # noqa: N815 (Nightscout's field name)
        required=False, help_text="ISO 8601; used when `date` is absent."
    )
    sgv = serializers.FloatField(
        required=False,
        help_text="CGM glucose, mg/dL (20-600; values below 20 are sensor status codes and "
        "are skipped).",
    )
    mbg = serializers.FloatField(required=False, help_text="Meter glucose, mg/dL (20-600).")
    direction = serializers.CharField(
        required=False, help_text="Trend, kept verbatim (any spelling up to 20 characters)."
    )
    device = serializers.CharField(required=False)
    delta = serializers.FloatField(required=False, help_text="mg/dL since the last reading.")
    filtered = serializers.FloatField(required=False)
    unfiltered = serializers.FloatField(required=False)
    noise = serializers.IntegerField(required=False)
    rssi = serializers.IntegerField(required=False)
    identifier = serializers.CharField(
        required=False,
        help_text="The uploader's own id (Loop/Trio); later uploads with it add nothing.",
    )
    _id = serializers.CharField(
        label="_id",
        required=False,
        help_text="A string id (Loop and Trio send their sync id here) is kept like identifier.",
    )


# --- Shaping output -----------------------------------------------------------------------


def entry_of(reading: Reading | selectors.ReadingRow, tz) -> dict:
    """A reading (or its row) as Nightscout shapes an entry (mg/dL; dateString in UTC like
    Nightscout)."""
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
    for name in EXTRA_FIELDS:
        value = getattr(reading, name)
        if value is not None:
            entry[name] = value
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
    delta = serializers.FloatField(
        required=False,
        help_text="mg/dL since the reading before: as uploaded, else computed (sgv entries).",
    )
    filtered = serializers.FloatField(required=False, help_text="As uploaded.")
    unfiltered = serializers.FloatField(required=False, help_text="As uploaded.")
    noise = serializers.IntegerField(required=False, help_text="As uploaded.")
    rssi = serializers.IntegerField(required=False, help_text="As uploaded.")


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
    try:
        return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment.astimezone(UTC)
    except OverflowError:  # year 1 at +14:00 is before year 1 in UTC
        raise ValidationError({f"find[{field}]": ["This date is out of range."]}) from None


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
    # One more than asked, for the delta of the last (see entries_of).
    return qs.order_by("-taken_at")[: _count(query_params) + 1]


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
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise ValidationError({"count": ["Enter a whole number of entries."]})
    # count=0 is no limit to Nightscout (MongoDB's limit(0)); python-nightscout sends it.
    return min(int(raw) or max_count(), max_count())


def count_of(query_params) -> int:
    """How many entries a query asks for (count; 0 = as many as allowed)."""
    return _count(query_params)


# --- Deleting -------------------------------------------------------------------------------


def _delete_condition(condition) -> Q:
    field, lookup = condition.field, condition.lookup
    if field in _TIME_FIELDS and lookup not in ("ne", "exists"):
        return Q(**{f"taken_at__{lookup}": ns_query.time_value(condition)})
    if field in ("_id", "id", "identifier") and lookup == "exact":
        q = Q(external_id=condition.raw)
        if re.fullmatch(r"[0-9a-fA-F-]{32,36}", condition.raw):
            q |= Q(pk=condition.raw)
        return q
    if field == "type" and lookup == "exact":
        kind = KIND_OF_TYPE.get(condition.raw.strip())
        return Q(kind=kind) if kind else Q(pk__in=[])
    raise ns_query.unsupported(condition, "date, dateString, type and _id")


def entries_to_delete(*, patient, query_params) -> list[Reading]:
    """The record's readings a Nightscout ``DELETE /api/v1/entries?find[...]`` names
    (find[$or][n][...] as Trio sends it: its id or its dateString). A find is required:
    Nightscout would otherwise delete every entry."""
    conditions = ns_query.conditions(query_params)
    if not conditions:
        raise ValidationError({"find": ["Say which entries to delete with find[...]."]})
    qs = selectors.reading_list(patient=patient)
    any_of, has_or = Q(), False
    for condition in conditions:
        q = _delete_condition(condition)
        if condition.group == "or":
            any_of |= q
            has_or = True
        else:
            qs = qs.filter(q)
    if has_or:
        qs = qs.filter(any_of)
    return list(qs[: max_count()])
