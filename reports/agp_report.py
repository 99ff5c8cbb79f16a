"""The glucose profile report (AGP-style): what its pages show (DESIGN.md 4.5-4.6,
CLINICAL.md A.5, D3, D5-D7, D10).

Pure functions: the period and paper a request asks for, and the template context of a
reports.selectors.ReportData in the viewer's unit. Every figure comes from
readings.figures (through ReportData.stats), written the way the dashboard writes it
(core.formatting), so the report, the screen and the stats API show the same numbers.

Page 1: header, time in ranges with the preset's goals, glucose metrics with goals, the
AGP curve, definitions and sources. Page 2: the last 14 daily profiles (two rows of 7)
and the comparison with the previous period of equal length.
Page 3: the meter block and the hypoglycaemia event list, when there is data for them.
Without CGM figures (under 24 h of CGM) pages 1-2 give the reason instead, and the meter
block follows on page 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import consensus
from core.formatting import format_percent
from core.localtime import local_seconds
from core.units import format_value
from readings.models import Kind
from reports import labels, report_charts
from reports.presentation import comparison_rows, meter_context
from reports.reasons import reason_text
from reports.selectors import REPORT_MAX_DAYS, ReportData

TITLE = gettext_lazy("Glucose profile report (AGP-style)")
PERIODS = (7, 14, 30, 90)
DEFAULT_DAYS = 14

# Paper: US Letter where it is the norm (ISO 3166 regions), A4 everywhere else.
PAPERS = {"a4": "A4", "letter": gettext_lazy("US Letter")}
LETTER_REGIONS = frozenset("US CA MX PH CL CO VE GT CR PA DO PR SV NI BZ".split())


def paper_for(accept_language: str) -> str:
    """ "letter" when the viewer's first language names a Letter region (en-US, es-MX,
    fr-CA...), else "a4". A bare "en" is not a region: A4."""
    first = accept_language.split(",")[0].split(";")[0].strip()
    region = first.replace("_", "-").split("-")[1:2]
    return "letter" if region and region[0].upper() in LETTER_REGIONS else "a4"


@dataclass(frozen=True)
class Period:
    days: int
    last_day: date

    @property
    def first_day(self) -> date:
        return self.last_day - timedelta(days=self.days - 1)


def period_from(query, *, today: date) -> Period:
    """The report period of a query: ``start`` and ``end`` (local dates, inclusive), else
    ``days`` (7, 14, 30 or 90) ending today, else 14 days. Raises ValueError with a
    message for the viewer."""
    start, end = query.get("start") or "", query.get("end") or ""
    if start or end:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise ValueError(_("Give the first and the last day as dates (YYYY-MM-DD).")) from None
        if last < first:
            raise ValueError(_("The last day must not be before the first."))
        if last > today:
            raise ValueError(_("The last day must not be after today."))
        days = (last - first).days + 1
        if days > REPORT_MAX_DAYS:
            raise ValueError(
                _("A report covers at most %(days)s days.") % {"days": REPORT_MAX_DAYS}
            )
        return Period(days, last)
    try:
        days = int(query.get("days") or DEFAULT_DAYS)
    except ValueError:
        days = 0
    if days not in PERIODS:
        raise ValueError(
            _("Choose %(periods)s days, or a first and last day.")
            % {"periods": ", ".join(map(str, PERIODS))}
        )
    return Period(days, today)


# --- glucose in the viewer's unit --------------------------------------------------------

RANGE_NAMES = labels.RANGE_NAMES


def number(value_mgdl, unit: str) -> str:
    """A glucose value without its unit: "154" or "8.5" (German "8,5")."""
    return labels.bound(round(value_mgdl), unit)


def glucose(value_mgdl, unit: str) -> str:
    return "–" if value_mgdl is None else format_value(round(value_mgdl), unit)


range_label = labels.range_label


_SYMBOLS = {">": ">", "<": "<", "<=": "≤"}


def goal_short(goal: consensus.Goal, unit: str) -> str:
    """ "> 70 %", "< 154 mg/dL", "≤ 36 %": a goal as the report's tables write it."""
    symbol = _SYMBOLS[goal.comparator]
    if goal.key == "mean":
        return f"{symbol} {glucose(goal.threshold, unit)}"
    return f"{symbol} {labels.compact(goal.threshold)} %"


def _goal_label(goal: consensus.Goal, preset: consensus.Preset, unit: str) -> str:
    """The preset's goal named in the viewer's unit ("Time below 3.9 mmol/L")."""
    if goal.key == "in_range":
        low, high = number(preset.range_low, unit), number(preset.range_high, unit)
        return _("In range %(low)s–%(high)s") % {"low": low, "high": high}
    side, _sep, threshold = goal.key.partition("_")
    words = _("Below %(value)s") if side == "below" else _("Above %(value)s")
    return words % {"value": number(int(threshold), unit)}


# --- the pages ---------------------------------------------------------------------------


def report_context(
    data: ReportData, *, unit: str, mrn: str, generated_at: datetime, viewer: str
) -> dict:
    """The template context of reports/agp_report.html (without paper and links)."""
    figures = data.figures
    patient, tz = data.patient, data.patient.tzinfo
    s, cgm, events = figures.sufficiency, figures.cgm, figures.events
    preset = consensus.preset(figures.preset)
    context = {
        "title": str(TITLE),
        "unit": unit,
        "patient": patient,
        "header": _header(data, mrn=mrn),
        "sufficiency": s,
        "cgm": cgm,
        "preset_label": labels.preset_label(figures.preset),
        "generated_at": generated_at.astimezone(tz),
        "viewer": viewer,
        "sources": labels.data_sources(
            data.series.kinds, data.series.sources, data.series.cadences
        ),
        "range_names": {key: range_label(key, unit) for key in RANGE_NAMES},
        "thresholds": {
            key: number(value, unit)
            for key, value in (("54", 54), ("70", 70), ("180", 180), ("250", 250))
        },
        "meter_target": f"{number(80, unit)}–{number(130, unit)} {unit}",
    }
    if cgm is not None:
        context.update(
            ranges=_ranges(cgm, unit),
            combined=[
                (
                    _("Below %(value)s (low + very low)") % {"value": number(70, unit)},
                    format_percent(cgm.below_70),
                ),
                (
                    _("Above %(value)s (high + very high)") % {"value": number(180, unit)},
                    format_percent(cgm.above_180),
                ),
            ],
            goals=[
                (_goal_label(g, preset, unit), goal_short(g, unit), format_percent(g.value), g.met)
                for g in figures.goals
                if g.key not in ("mean", "gmi", "cv")
            ],
            metrics=_metrics(figures, unit),
            event_rows=_event_rows(events, unit),
            agp_src=_src(report_charts.agp_svg(figures.agp, unit=unit)) if figures.agp else "",
        )
    if figures.comparison is not None and cgm is not None:
        context["comparison"] = figures.comparison
        context["comparison_rows"] = comparison_rows(figures, unit=unit)
        context["comparison_last"] = (
            (figures.comparison.previous_end - timedelta(microseconds=1)).astimezone(tz).date()
        )
    if figures.daily:
        context["daily_src"] = _src(report_charts.daily_svg(figures.daily, unit=unit))
        context["daily_first"] = figures.daily[0].day
        context["daily_last"] = figures.daily[-1].day
    meter = meter_context(figures, unit=unit)
    if meter is not None:
        meter["bands"] = [
            (range_label(key, unit, with_unit=False), share)
            for key, (_, share) in zip(
                ("very_high", "high", "in_range", "low", "very_low"), meter["bands"], strict=True
            )
        ]
        meter["src"] = _src(_meter_svg(data, unit))
        context["meter"] = meter
    if events and events["lv1_hypo"].events:
        context["hypo_events"] = _hypo_events(events, unit)
    return context


_src = report_charts.data_uri


def _header(data: ReportData, *, mrn: str) -> dict:
    patient = data.patient
    today = data.last_day
    first = data.last_day - timedelta(days=data.days - 1)
    return {
        "name": patient.display_name,
        "date_of_birth": patient.date_of_birth,
        "age": patient.age_on(today),
        "diabetes_type": patient.get_diabetes_type_display() if patient.diabetes_type else "",
        "mrn": mrn,
        "timezone": patient.timezone,
        "days": data.days,
        "first_day": first,
        "last_day": data.last_day,
    }


def _ranges(cgm, unit: str) -> list[dict]:
    """The five consensus ranges, highest first as the AGP bar stacks them."""
    rows = []
    for key in ("very_high", "high", "in_range", "low", "very_low"):
        share = getattr(cgm.bands, key)
        minutes = cgm.minutes_per_day[key]
        rows.append(
            {
                "key": key,
                "label": range_label(key, unit, with_unit=False),
                "percent": format_percent(share),
                "per_day": _per_day(minutes),
                # The bar's segment: at least a hairline when the share is not zero.
                "height": max(share, 0.6) if share else 0,
            }
        )
    return rows


_per_day = labels.hours_minutes


def _metrics(figures, unit: str) -> list[dict]:
    """Mean, GMI, CV (each with its goal), GRI with zone, SD, tight range, level 2 hypos."""
    s, cgm, events = figures.sufficiency, figures.cgm, figures.events
    goals = {g.key: g for g in figures.goals}

    def row(key, label, value, detail="", goal=None):
        return {
            "key": key,
            "label": label,
            "value": value,
            "detail": detail,
            "goal": goal_short(goal, unit) if goal else "",
            "met": goal.met if goal else None,
        }

    lv2 = events["lv2_hypo"] if events else None
    return [
        row("mean", _("Average glucose"), glucose(cgm.mean, unit), goal=goals.get("mean")),
        row(
            "gmi",
            _("GMI (glucose management indicator)"),
            format_percent(s.gmi),
            detail=reason_text(s.gmi_reason),
            goal=goals.get("gmi"),
        ),
        row(
            "cv",
            _("Variability (CV)"),
            format_percent(cgm.cv),
            detail="" if cgm.cv is not None else _("needs 30 CGM readings"),
            goal=goals.get("cv"),
        ),
        row("sd", _("Standard deviation (SD)"), glucose(cgm.sd, unit)),
        row(
            "gri",
            _("Glycemia risk index (GRI)"),
            _("%(value)s (zone %(zone)s)")
            % {"value": labels.decimal(cgm.gri.value), "zone": cgm.gri.zone}
            if cgm.gri
            else "–",
            detail=(
                _("hypo component %(hypo)s, hyper component %(hyper)s")
                % {"hypo": labels.decimal(cgm.gri.hypo), "hyper": labels.decimal(cgm.gri.hyper)}
                if cgm.gri
                else ""
            ),
        ),
        row(
            "tight_range",
            _("Time in tight range %(low)s–%(high)s")
            % {"low": number(70, unit), "high": number(140, unit)},
            format_percent(cgm.tight_range),
        ),
        row(
            "lv2_hypo",
            _("Level 2 hypo events"),
            str(lv2.total) if lv2 else "–",
            detail=(
                _("%(per_week)s a week; %(night)s at night")
                % {"per_week": labels.decimal(lv2.per_week or 0), "night": lv2.nocturnal}
                if lv2
                else ""
            ),
        ),
    ]


def _event_rows(events, unit: str) -> list[tuple]:
    if not events:
        return []
    return [
        (
            labels.event_label(key, unit, with_unit=True),
            events[key].total,
            labels.decimal(events[key].per_week or 0),
            "–"
            if events[key].mean_duration_min is None
            else labels.minutes(events[key].mean_duration_min),
            events[key].nocturnal,
        )
        for key in labels.EVENT_KEYS
    ]


def _hypo_events(events, unit: str) -> list[tuple]:
    """Every level 1 hypo event (level 2 ones included and marked), oldest first."""
    level2 = events["lv2_hypo"].events
    rows = []
    for event in events["lv1_hypo"].events:
        deep = any(e.start <= event.end and e.end >= event.start for e in level2)
        rows.append(
            (
                date_format(event.start, "D j M Y"),
                time_format(event.start, "H:i"),
                labels.minutes(event.duration_min),
                glucose(event.extreme, unit),
                "2" if deep else "1",
                _("yes") if event.nocturnal else "",
            )
        )
    return rows


def _meter_svg(data: ReportData, unit: str) -> str:
    series = data.series
    meter = np.asarray(series.kinds, dtype=str) == Kind.FINGERSTICK
    epochs = np.asarray(series.epochs, dtype=np.int64)[meter]
    local = local_seconds(epochs, data.patient.tzinfo)
    return report_charts.meter_svg(
        data.figures.meter,
        unit=unit,
        local_hours=(local % 86_400) / 3600,
        values_mgdl=np.asarray(series.values_mgdl, dtype=np.int64)[meter],
    )
