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

import dataclasses
from decimal import Decimal

from rest_framework import serializers

from core import consensus
from core.api.fields import GlucoseValueField, OffsetDateTimeField
from core.localtime import local_iso
from core.units import Unit, from_mgdl
from readings import stats
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


MAX_STATS_DAYS = 366


class StatsQuerySerializer(serializers.Serializer):
    start = OffsetDateTimeField(query=True, required=False, help_text="Period start (inclusive).")
    end = OffsetDateTimeField(
        query=True, required=False, help_text="Period end (exclusive); default now."
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_STATS_DAYS,
        required=False,
        help_text="N whole local days ending today in the patient's zone (default 14) "
        "instead of start/end.",
    )

    def validate(self, attrs):
        if "days" in attrs and ("start" in attrs or "end" in attrs):
            raise serializers.ValidationError(
                {"days": ["Give either days or start/end, not both."]}
            )
        if "end" in attrs and "start" not in attrs:
            raise serializers.ValidationError({"start": ["Give a start with the end."]})
        if attrs.get("start") and attrs.get("end") and attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["The end must be after the start."]})
        return attrs


class GroupMeanSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A reading context, or a local date (YYYY-MM-DD).")
    count = serializers.IntegerField()
    mean = serializers.FloatField(help_text="mg/dL")


class AgpBinSerializer(serializers.Serializer):
    start_minute = serializers.IntegerField(
        help_text="Local minutes after midnight at which the slot begins; the slot's point "
        "is at start_minute + agp_bin_minutes (iglu's grid)."
    )
    count = serializers.IntegerField(help_text="Days contributing to the slot.")
    p5 = serializers.FloatField(allow_null=True)
    p25 = serializers.FloatField(allow_null=True)
    p50 = serializers.FloatField(allow_null=True)
    p75 = serializers.FloatField(allow_null=True)
    p95 = serializers.FloatField(allow_null=True)


class GoalSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="The judged figure: in_range (the preset's range), below_<n>/above_<n> "
        "(% of CGM time), mean, gmi, cv."
    )
    label = serializers.CharField()
    comparator = serializers.ChoiceField(choices=[">", "<", "<="])
    threshold = serializers.FloatField()
    value = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True, help_text="null when there is no data.")


def _nullable_float(help_text=""):
    return serializers.FloatField(allow_null=True, help_text=help_text)


class WindowSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="Local midnight the window begins.")
    end = serializers.DateTimeField(help_text="Exclusive end (a local midnight).")
    days = serializers.IntegerField(help_text="Local days in the window.")


class PresetSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(consensus.PRESETS))
    label = serializers.CharField()
    range_low = serializers.IntegerField(help_text="mg/dL, inclusive.")
    range_high = serializers.IntegerField(help_text="mg/dL, inclusive.")


class SufficiencySerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    days_with_data = serializers.IntegerField(help_text="Local days with >= 1 CGM reading.")
    cgm_minutes = serializers.IntegerField(help_text="Sum of cadences of deduplicated CGM.")
    cgm_hours = serializers.FloatField()
    active_percent = serializers.FloatField(help_text="% time CGM active.")
    gmi = _nullable_float("GMI (%): window >= 14 days and >= 14,112 min of CGM (Tidepool).")
    gmi_reason = serializers.CharField(allow_null=True, help_text="Why gmi is null.")
    banner = serializers.CharField(allow_null=True, help_text="Set below 70 % CGM active.")
    cgm_withheld_reason = serializers.CharField(
        allow_null=True, help_text="Set when under 24 h of CGM: no CGM figures."
    )
    agp_reason = serializers.CharField(allow_null=True, help_text="Why there is no AGP curve.")


class BandsSerializer(serializers.Serializer):
    very_low = serializers.FloatField(help_text="< 54 mg/dL")
    low = serializers.FloatField(help_text="54-69 mg/dL")
    in_range = serializers.FloatField(help_text="70-180 mg/dL")
    high = serializers.FloatField(help_text="181-250 mg/dL")
    very_high = serializers.FloatField(help_text="> 250 mg/dL")


class GriSerializer(serializers.Serializer):
    value = serializers.FloatField(help_text="0-100 (Klonoff 2023).")
    hypo = serializers.FloatField(help_text="VLow + 0.8 Low")
    hyper = serializers.FloatField(help_text="VHigh + 0.5 High")
    zone = serializers.ChoiceField(choices=["A", "B", "C", "D", "E"])


class QuantilesSerializer(serializers.Serializer):
    p5 = serializers.FloatField()
    p25 = serializers.FloatField()
    p50 = serializers.FloatField()
    p75 = serializers.FloatField()
    p95 = serializers.FloatField()


class PersonalSerializer(serializers.Serializer):
    below = serializers.FloatField()
    within = serializers.FloatField(help_text="In the patient's own target (inclusive).")
    above = serializers.FloatField()


class CgmSerializer(serializers.Serializer):
    """CGM figures: deduplicated kind=cgm readings, weighted by cadence (% of CGM time)."""

    count = serializers.IntegerField(help_text="Deduplicated CGM readings.")
    minutes = serializers.IntegerField()
    mean = serializers.FloatField()
    sd = _nullable_float("Sample SD; null under 30 readings.")
    cv = _nullable_float("100 * sd / mean; null under 30 readings.")
    median = serializers.FloatField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    quantiles = QuantilesSerializer()
    bands = BandsSerializer(help_text="% of CGM time; the five sum to 100.")
    minutes_per_day = BandsSerializer(help_text="Minutes per day in each band.")
    below_70 = serializers.FloatField(help_text="From unrounded sums.")
    above_180 = serializers.FloatField(help_text="From unrounded sums.")
    tight_range = serializers.FloatField(help_text="70-140 mg/dL.")
    preset_in_range = serializers.FloatField(help_text="In the preset's range.")
    preset_below = serializers.FloatField()
    preset_above = serializers.FloatField()
    gri = GriSerializer()
    personal = PersonalSerializer(help_text="The patient's own target range.")


class EventSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    duration_min = serializers.IntegerField()
    extreme = serializers.FloatField(help_text="Nadir (hypo) or peak (hyper), mg/dL.")
    nocturnal = serializers.BooleanField(help_text="Starts 00:00-05:59 local.")


class EventSummarySerializer(serializers.Serializer):
    key = serializers.ChoiceField(
        choices=[
            "lv1_hypo",
            "lv2_hypo",
            "extended_hypo",
            "lv1_hyper",
            "lv2_hyper",
            "lv1_excl_hypo",
            "lv1_excl_hyper",
        ]
    )
    total = serializers.IntegerField()
    per_day = _nullable_float()
    per_week = _nullable_float()
    mean_duration_min = _nullable_float()
    nocturnal = serializers.IntegerField()
    events = EventSerializer(many=True)


class AgpCurveSerializer(serializers.Serializer):
    dt0 = serializers.IntegerField(help_text="Grid step, minutes.")
    slot_minutes = serializers.ListField(child=serializers.IntegerField())
    days_per_slot = serializers.ListField(child=serializers.IntegerField())
    p5 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    p25 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    p50 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    p75 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    p95 = serializers.ListField(child=serializers.FloatField(allow_null=True))


class MealSlotSerializer(serializers.Serializer):
    slot = serializers.ChoiceField(choices=["breakfast", "lunch", "dinner", "snack"])
    pairs = serializers.IntegerField()
    median_pre = _nullable_float()
    median_post = _nullable_float()
    median_rise = _nullable_float()
    post_above_180 = _nullable_float("% of pairs.")


class ContextBlockSerializer(serializers.Serializer):
    context = serializers.CharField()
    count = serializers.IntegerField()
    mean = _nullable_float()
    median = _nullable_float()
    in_80_130 = _nullable_float("% of readings.")


class HourBinSerializer(serializers.Serializer):
    hour = serializers.IntegerField()
    count = serializers.IntegerField()
    median = _nullable_float("With >= 3 readings.")
    p25 = _nullable_float("With >= 5 readings.")
    p75 = _nullable_float("With >= 5 readings.")


class MeterSerializer(serializers.Serializer):
    """Fingerstick readings only; percentages are % of meter readings, never time."""

    count = serializers.IntegerField()
    per_day = _nullable_float()
    mean = _nullable_float()
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    cv = _nullable_float("With >= 30 readings.")
    bands = BandsSerializer(allow_null=True, help_text="% of meter readings.")
    hourly = HourBinSerializer(many=True)
    meals = MealSlotSerializer(many=True)
    fasting = ContextBlockSerializer()
    bedtime = ContextBlockSerializer()


class ChangeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    current = _nullable_float()
    previous = _nullable_float()
    change = _nullable_float("current - previous: points for percentages.")


class ComparisonSerializer(serializers.Serializer):
    previous_start = serializers.DateTimeField()
    previous_end = serializers.DateTimeField()
    reason = serializers.CharField(allow_null=True, help_text="Why changes are null.")
    changes = ChangeSerializer(many=True)


class StatsSerializer(serializers.Serializer):
    """DESIGN.md section 4 figures (readings.figures), glucose in mg/dL.

    Structured fields: ``window``, ``preset``, ``sufficiency``, ``cgm``, ``events``,
    ``agp_curve``, ``meter``, ``comparison``, ``goals``. The flat fields of the first API
    version keep their names; they now carry the CGM figures (CGM only, deduplicated,
    cadence-weighted, % of CGM time) and are null when CGM figures are withheld.
    """

    unit = serializers.CharField(default="mg/dL", help_text='Always "mg/dL".')
    timezone = serializers.CharField(help_text="The patient's zone: days and AGP bins are local.")
    window = WindowSerializer(allow_null=True)
    preset = PresetSerializer()
    sufficiency = SufficiencySerializer(allow_null=True)
    cgm = CgmSerializer(allow_null=True, help_text="null under 24 h of CGM data.")
    events = EventSummarySerializer(many=True, help_text="Empty when CGM figures are withheld.")
    agp_curve = AgpCurveSerializer(allow_null=True, help_text="null when the AGP gate fails.")
    meter = MeterSerializer(allow_null=True)
    comparison = ComparisonSerializer(
        allow_null=True, help_text="Against the previous window of equal length."
    )
    # --- the first version's flat fields (kept; see the class docstring) ---
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    count = serializers.IntegerField(help_text="Readings of every kind in the period.")
    mean = _nullable_float("CGM mean (same as cgm.mean).")
    sd = _nullable_float("CGM sample SD; null under 30 readings.")
    cv = _nullable_float("100 * sd / mean (%); null under 30 readings.")
    median = _nullable_float()
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    p5 = _nullable_float()
    p25 = _nullable_float()
    p50 = _nullable_float()
    p75 = _nullable_float()
    p95 = _nullable_float()
    gmi = _nullable_float(
        "Glucose management indicator (%); null unless the window is >= 14 days with >= "
        "14,112 minutes (235.2 h) of CGM data (Tidepool's rule)."
    )
    gmi_unavailable_reason = serializers.CharField(allow_null=True)
    ea1c = _nullable_float(
        "Estimated A1c (%), ADAG formula, of meter readings only: null when the period has "
        "CGM data or meter readings on fewer than 14 days."
    )
    very_low = _nullable_float("% of CGM time < 54 mg/dL.")
    low = _nullable_float("% of CGM time 54-69 mg/dL.")
    in_range = _nullable_float("% of CGM time 70-180 mg/dL.")
    high = _nullable_float("% of CGM time 181-250 mg/dL.")
    very_high = _nullable_float("% of CGM time > 250 mg/dL.")
    below_target = _nullable_float("% of CGM time below the patient's low target.")
    in_target = _nullable_float()
    above_target = _nullable_float()
    target_low = serializers.IntegerField()
    target_high = serializers.IntegerField()
    cgm_days = serializers.IntegerField(help_text="= sufficiency.days_with_data.")
    cgm_coverage = _nullable_float("= sufficiency.active_percent (% time CGM active).")
    by_context = GroupMeanSerializer(
        many=True, help_text="Plain means of every reading per context (not a CGM figure)."
    )
    by_day = GroupMeanSerializer(many=True, help_text="Plain means of every reading per day.")
    agp_bin_minutes = serializers.IntegerField(allow_null=True)
    agp = AgpBinSerializer(many=True, help_text="agp_curve as bins; empty without a curve.")
    goals = GoalSerializer(many=True, help_text="The preset's goals, then mean, GMI, CV.")

    def to_representation(self, summary: stats.ReadingStats) -> dict:
        return stats_data(summary, self.context["tz"])


def stats_data(summary: stats.ReadingStats, tz) -> dict:
    """The response body of a stats endpoint (see StatsSerializer)."""
    f = summary.figures
    cgm = f.cgm if f else None
    s = f.sufficiency if f else None
    q = cgm.quantiles if cgm else None
    bands = cgm.bands if cgm else None
    personal = cgm.personal if cgm else None
    data = {
        "unit": "mg/dL",
        "timezone": tz.key,
        "window": None
        if f is None
        else {
            "start": local_iso(f.window.start, tz),
            "end": local_iso(f.window.end, tz),
            "days": f.window.days,
        },
        "preset": _preset(summary.preset),
        "sufficiency": None if s is None else dataclasses.asdict(s),
        "cgm": _cgm(cgm),
        "events": [_events(e, tz) for e in f.events.values()] if f and f.events else [],
        "agp_curve": _curve(f.agp) if f and f.agp else None,
        "meter": None if f is None else dataclasses.asdict(f.meter),
        "comparison": None
        if f is None or f.comparison is None
        else {
            "previous_start": local_iso(f.comparison.previous_start, tz),
            "previous_end": local_iso(f.comparison.previous_end, tz),
            "reason": f.comparison.reason,
            "changes": [dataclasses.asdict(c) for c in f.comparison.changes],
        },
        "start": local_iso(summary.start, tz),
        "end": local_iso(summary.end, tz),
        "count": summary.count,
        "mean": cgm.mean if cgm else None,
        "sd": cgm.sd if cgm else None,
        "cv": cgm.cv if cgm else None,
        "median": cgm.median if cgm else None,
        "min": cgm.min if cgm else None,
        "max": cgm.max if cgm else None,
        **{f"p{p}": (q[p] if q else None) for p in (5, 25, 50, 75, 95)},
        "gmi": s.gmi if s else None,
        "gmi_unavailable_reason": s.gmi_reason if s else "There are no readings.",
        "ea1c": summary.ea1c,
        **{key: (getattr(bands, key) if bands else None) for key in consensus.BAND_KEYS},
        "below_target": personal["below"] if personal else None,
        "in_target": personal["in"] if personal else None,
        "above_target": personal["above"] if personal else None,
        "target_low": summary.target_low,
        "target_high": summary.target_high,
        "cgm_days": s.days_with_data if s else 0,
        "cgm_coverage": s.active_percent if s else None,
        "by_context": [dataclasses.asdict(g) for g in summary.by_context],
        "by_day": [dataclasses.asdict(g) for g in summary.by_day],
        "agp_bin_minutes": f.agp.dt0 if f and f.agp else None,
        "agp": _bins(f.agp) if f and f.agp else [],
        "goals": [dataclasses.asdict(g) for g in f.goals] if f else [],
    }
    if data["meter"] is not None and f.meter.count == 0:
        data["meter"]["bands"] = None
    return data


def _preset(key: str) -> dict:
    p = consensus.preset(key)
    return {"key": p.key, "label": p.label, "range_low": p.range_low, "range_high": p.range_high}


def _cgm(cgm) -> dict | None:
    if cgm is None:
        return None
    data = dataclasses.asdict(cgm)
    data["quantiles"] = {f"p{k}": v for k, v in cgm.quantiles.items()}
    data["personal"] = {
        "below": cgm.personal["below"],
        "within": cgm.personal["in"],
        "above": cgm.personal["above"],
    }
    for key in ("goals", "preset_key"):
        data.pop(key)
    return data


def _events(summary, tz) -> dict:
    return {
        "key": summary.key,
        "total": summary.total,
        "per_day": summary.per_day,
        "per_week": summary.per_week,
        "mean_duration_min": summary.mean_duration_min,
        "nocturnal": summary.nocturnal,
        "events": [
            {
                "start": local_iso(e.start, tz),
                "end": local_iso(e.end, tz),
                "duration_min": e.duration_min,
                "extreme": e.extreme,
                "nocturnal": e.nocturnal,
            }
            for e in summary.events
        ],
    }


def _curve(curve) -> dict:
    return {
        "dt0": curve.dt0,
        "slot_minutes": list(curve.slot_minutes),
        "days_per_slot": list(curve.days_per_slot),
        **{f"p{p}": list(values) for p, values in curve.quantiles.items()},
    }


def _bins(curve) -> list[dict]:
    return [
        {
            "start_minute": minute - curve.dt0,
            "count": curve.days_per_slot[i],
            **{f"p{p}": curve.quantiles[p][i] for p in (5, 25, 50, 75, 95)},
        }
        for i, minute in enumerate(curve.slot_minutes)
    ]
