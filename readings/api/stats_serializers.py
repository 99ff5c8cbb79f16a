"""The statistics endpoints' query and answer: every DESIGN.md section 4 figure of a record
(readings.figures through readings.stats), shaped for JSON and the OpenAPI schema."""

from __future__ import annotations

from rest_framework import serializers

from core import consensus
from core.api.fields import OffsetDateTimeField
from readings import stats
from readings.api.stats_shape import stats_data

# What a parsing serializer returns for an item to leave out (e.g. Nightscout "cal" entries).

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
