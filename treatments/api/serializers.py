"""Serializers of the treatments API: parse and validate what a client sent, shape what it
gets back. They never save (treatments.services does). Times as in the readings API: input
ISO 8601 with a UTC offset; output in the patient's zone with its offset."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import OffsetDateTimeField
from core.localtime import local_iso
from treatments.models import Source, Treatment, TreatmentType

_NOTES_MAX = Treatment._meta.get_field("notes").max_length
EXTERNAL_ID_MAX_LENGTH = Treatment._meta.get_field("external_id").max_length
_NOT_INPUT = ["id", "patient", "created_at", "updated_at", "measurement_key"]


def treatment_from_fields(*, patient, fields: dict, source: str) -> Treatment:
    """An unsaved Treatment of ``patient``, validated by the model (amounts and their maxima,
    the 10-minute future limit). Uniqueness is left to treatments_bulk_create, which turns
    it into de-duplication. Raises Django's ValidationError."""
    treatment = Treatment(
        patient=patient,
        source=source,
        **{name: value for name, value in fields.items() if name != "external_id"},
        external_id=fields.get("external_id") or None,
    )
    treatment.taken_at = treatment.taken_at.replace(microsecond=0)
    treatment.full_clean(exclude=_NOT_INPUT, validate_unique=False, validate_constraints=False)
    return treatment


def _amount(help_text: str):
    return serializers.FloatField(required=False, allow_null=True, help_text=help_text)


class TreatmentUpdateSerializer(serializers.Serializer):
    """The fields of a treatment a client may set (PUT replaces them all, PATCH some)."""

    type = serializers.ChoiceField(choices=TreatmentType.choices)
    event_type = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Nightscout's eventType as the uploader names it (e.g. “Meal Bolus”), kept "
        "verbatim; use type `other` for an event BGT has no type for.",
    )
    taken_at = OffsetDateTimeField(
        help_text="ISO 8601 with a UTC offset; at most 10 minutes ahead; stored to the second."
    )
    insulin_units = _amount("Units of insulin: a bolus (0-100) or a daily basal dose (0-300).")
    basal_rate = _amount("A temporary basal rate in U/h (0-35), with `duration_min`.")
    insulin_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    carbs_g = _amount("Carbohydrates in grams (0-500).")
    duration_min = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Minutes (at most 1440): exercise, an extended bolus, a temporary basal.",
    )
    notes = serializers.CharField(max_length=_NOTES_MAX, required=False, allow_blank=True)


class TreatmentInputSerializer(TreatmentUpdateSerializer):
    """One new treatment, alone or as an item of a bulk list."""

    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX_LENGTH,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The sending app's own id; a treatment whose external_id is already stored "
        "is not stored again (safe retries).",
    )
    device = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TreatmentSerializer(serializers.ModelSerializer):
    """A stored treatment; ``taken_at`` in the patient's time zone."""

    taken_at = serializers.SerializerMethodField(
        help_text="ISO 8601 in the patient's time zone, with its UTC offset."
    )

    class Meta:
        model = Treatment
        fields = [
            "id",
            "type",
            "event_type",
            "taken_at",
            "insulin_units",
            "basal_rate",
            "insulin_name",
            "carbs_g",
            "duration_min",
            "notes",
            "source",
            "external_id",
            "device",
        ]
        read_only_fields = fields

    def get_taken_at(self, treatment: Treatment) -> str:
        return local_iso(treatment.taken_at, self.context["tz"])


class TreatmentBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Treatments stored by this request.")
    duplicates = serializers.IntegerField(
        help_text="Items not stored: the same treatment (type, time to the second, amounts, "
        "or external_id) was already stored or repeated in the list."
    )
    treatments = TreatmentSerializer(many=True)


class TreatmentFilterSerializer(serializers.Serializer):
    """Query parameters of the treatments list."""

    start = OffsetDateTimeField(query=True, required=False, help_text="At or after this time.")
    end = OffsetDateTimeField(query=True, required=False, help_text="Before this time.")
    type = serializers.ChoiceField(choices=TreatmentType.choices, required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["The end must be after the start."]})
        return attrs


API_SOURCE = Source.API
