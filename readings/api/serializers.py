"""Serializers parse and validate what a client sent and shape what it gets back.

They never save: views hand the parsed values to readings.services. Validation is the same
as the pages': glucose_to_mgdl for values (its message names the range in the item's unit)
and the Reading model's own full_clean for everything else (notes length, choices, the
10-minute future limit).

Times: input is ISO 8601 with a UTC offset; output is ISO 8601 in the time zone of the
patient whose reading it is, with that zone's offset (e.g. ``2025-03-30T08:15:00+02:00``),
so a client sees both the instant and the patient's local clock, which is what "day" and
"hour of day" mean in every statistic.
"""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from core.api.fields import GlucoseValueField, OffsetDateTimeField
from core.localtime import local_iso
from core.units import Unit, from_mgdl
from readings.models import Context, Kind, Reading, Source
from readings.services import truncate_to_second

# What a parsing serializer returns for an item to leave out (e.g. Nightscout "cal" entries).
SKIP_ITEM = "__skip__"


_UNITS = frozenset(Unit.values)
_NOTES_MAX = Reading._meta.get_field("notes").max_length
EXTERNAL_ID_MAX_LENGTH = Reading._meta.get_field("external_id").max_length

# Fields the parsing serializers already checked against the model's own definitions
# (choices and max_length read from the model), or that BGT sets itself. Skipping them in
# full_clean saves a third of the validation time of a 5,000-item bulk.
_CHECKED_BY_SERIALIZER = [
    "kind",
    "context",
    "notes",
    "external_id",
    "source",
    "direction",
    "device",
]
_NOT_INPUT = ["id", "patient", "created_at", "updated_at"]


def reading_from_fields(*, patient, fields: dict, source: str) -> Reading:
    """An unsaved Reading of the ``patient`` record, validated by the model: the value's
    meter range, the time, and Reading.clean() (the 10-minute future limit). Uniqueness is left to
    readings_bulk_create, which turns it into de-duplication. Raises Django's
    ValidationError."""
    reading = Reading(
        patient=patient,
        value_mgdl=fields["value_mgdl"],
        taken_at=truncate_to_second(fields["taken_at"]),
        kind=fields.get("kind", Kind.FINGERSTICK),
        context=fields.get("context", Context.UNSPECIFIED),
        notes=fields.get("notes", ""),
        source=source,
        external_id=fields.get("external_id") or None,
        direction=fields.get("direction", ""),
        device=fields.get("device", ""),
    )
    # The record was checked by the view (no existence query per item).
    reading.full_clean(
        exclude=[*_NOT_INPUT, *_CHECKED_BY_SERIALIZER],
        validate_unique=False,
        validate_constraints=False,
    )
    return reading


class ReadingUpdateSerializer(serializers.Serializer):
    """The fields of a reading a client may set (PUT replaces them all, PATCH some)."""

    value = GlucoseValueField(
        help_text="Glucose in `unit`: 20-600 mg/dL or 1.1-33.3 mmol/L (a number, or a "
        "numeric string; a decimal comma is accepted)."
    )
    unit = serializers.ChoiceField(
        choices=Unit.choices,
        required=False,
        help_text="Unit of `value`; default: the user's preferred unit (see /api/v1/me/).",
    )
    taken_at = OffsetDateTimeField(
        help_text="When the reading was taken: ISO 8601 with a UTC offset. At most 10 minutes "
        "ahead of the server's clock; stored to the second."
    )
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.FINGERSTICK)
    context = serializers.ChoiceField(choices=Context.choices, default=Context.UNSPECIFIED)
    notes = serializers.CharField(
        max_length=_NOTES_MAX, allow_blank=True, default="", trim_whitespace=True
    )

    def validate(self, attrs):
        # ``value`` is already whole mg/dL (GlucoseValueField); services speak value_mgdl.
        if "value" in attrs:
            attrs["value_mgdl"] = attrs.pop("value")
        attrs.pop("unit", None)
        return attrs


class ReadingInputSerializer(ReadingUpdateSerializer):
    """One new reading, alone or as an item of a bulk list."""

    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX_LENGTH,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The sending app's or device's own id for this reading. A reading whose "
        "external_id is already stored is not stored again (safe retries).",
    )


class ReadingSerializer(serializers.Serializer):
    """A stored reading. ``value``/``unit`` are in the viewing user's preferred unit;
    ``taken_at`` is in the patient's time zone."""

    id = serializers.UUIDField(read_only=True)
    value_mgdl = serializers.IntegerField(help_text="Canonical value, whole mg/dL.")
    value = serializers.FloatField(
        help_text="The value in `unit`: whole mg/dL, or mmol/L with one decimal."
    )
    unit = serializers.ChoiceField(choices=Unit.choices)
    taken_at = serializers.DateTimeField(
        help_text="ISO 8601 in the patient's time zone, with its UTC offset."
    )
    kind = serializers.ChoiceField(choices=Kind.choices)
    context = serializers.ChoiceField(choices=Context.choices)
    notes = serializers.CharField()
    source = serializers.ChoiceField(choices=Source.choices)
    external_id = serializers.CharField(allow_null=True)
    direction = serializers.CharField(
        help_text="CGM trend as an uploader reported it (Nightscout names such as "
        '"Flat", "SingleUp"); empty when unknown.'
    )

    def to_representation(self, reading: Reading) -> dict:
        # Hand-built: this runs for thousands of rows per response.
        unit = self.context["unit"]
        value = from_mgdl(reading.value_mgdl, unit)
        return {
            "id": str(reading.pk),
            "value_mgdl": reading.value_mgdl,
            "value": float(value) if isinstance(value, Decimal) else value,
            "unit": unit,
            "taken_at": local_iso(reading.taken_at, self.context["tz"]),
            "kind": reading.kind,
            "context": reading.context,
            "notes": reading.notes,
            "source": reading.source,
            "external_id": reading.external_id,
            "direction": reading.direction,
        }


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Readings stored by this request.")
    duplicates = serializers.IntegerField(
        help_text="Items not stored because the same reading (same kind, time to the second "
        "and value, or same external_id) was already stored or repeated in the list."
    )
    readings = ReadingSerializer(many=True, help_text="The readings stored by this request.")


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the list, from 0.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field of that item.",
    )


class BulkErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    items = ItemErrorSerializer(many=True)


class ReadingFilterSerializer(serializers.Serializer):
    """Query parameters of the readings list."""

    start = OffsetDateTimeField(
        query=True, required=False, help_text="Only readings taken at or after this time."
    )
    end = OffsetDateTimeField(
        query=True, required=False, help_text="Only readings taken before this time."
    )
    context = serializers.ChoiceField(choices=Context.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["The end must be after the start."]})
        return attrs
