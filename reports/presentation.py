"""Turning readings and figures into what pages show: values in the viewer's unit, times in
the patient's zone, bands as colour plus words, every percentage labelled "% of CGM time"
or "% of meter readings". Shared by the patient's dashboard and the physician's read-only
report, so both show the same thing the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import consensus
from core.formatting import format_percent
from core.units import MGDL_PER_MMOLL, Unit, format_value
from readings import stats
from readings.figures import Figures
from readings.presentation import CONTEXT_LABELS, reading_rows  # noqa: F401 (re-exported)
from reports import labels
from reports.labels import MEAL_LABELS, signed
from reports.reasons import reason_text
from reports.selectors import Dashboard


def cgm_time() -> str:
    """ "% of CGM time" in the reader's language (a placeholder for the sign: a msgid that
    starts with "% o" would read as a printf conversion to gettext's checks)."""
    return _("%(percent)s of CGM time") % {"percent": "%"}


@dataclass(frozen=True)
class StatCard:
    key: str
    title: str
    value: str
    detail: str = ""
    goal: str = ""  # e.g. "Goal: more than 70 %"
    met: bool | None = None  # None: no goal, or nothing to judge


_GOAL_WORDS = {
    ">": gettext_lazy("Goal: more than %(value)s"),
    "<": gettext_lazy("Goal: less than %(value)s"),
    "<=": gettext_lazy("Goal: at most %(value)s"),
}


def _glucose(value, unit: str) -> str:
    return "–" if value is None else format_value(round(value), unit)


_signed = signed


def goal_text(goal: consensus.Goal, unit: str) -> str:
    words = _GOAL_WORDS[goal.comparator]
    if goal.key == "mean":
        return words % {"value": format_value(round(goal.threshold), unit)}
    return words % {"value": f"{labels.compact(goal.threshold)} %"}


def stat_cards(
    figures: Figures, *, unit: str, count: int, target_low: int, target_high: int
) -> list[StatCard]:
    """The figure cards, each beside its goal from the record's preset where there is one."""
    s, cgm, events = figures.sufficiency, figures.cgm, figures.events
    goals = {goal.key: goal for goal in figures.goals}
    preset = consensus.preset(figures.preset)

    def goal_card(key, title, value, detail=""):
        goal = goals.get(key)
        return StatCard(
            key=key,
            title=title,
            value=value,
            detail=detail,
            goal=goal_text(goal, unit) if goal else "",
            met=goal.met if goal else None,
        )

    cards = [
        StatCard(
            "active",
            _("Time CGM active"),
            format_percent(s.active_percent),
            detail=_("%(days)s of %(window)s days with CGM data")
            % {"days": s.days_with_data, "window": s.window_days},
        ),
        goal_card(
            "mean",
            _("Average glucose (CGM)"),
            _glucose(cgm.mean if cgm else None, unit),
            _("SD %(value)s") % {"value": _glucose(cgm.sd, unit)}
            if cgm and cgm.sd is not None
            else "",
        ),
        goal_card(
            "gmi",
            "GMI",
            format_percent(s.gmi),
            reason_text(s.gmi_reason) or _("glucose management indicator, from the CGM mean"),
        ),
        goal_card(
            "cv",
            _("Variability (CV)"),
            format_percent(cgm.cv if cgm else None),
            _("coefficient of variation (needs 30 CGM readings)"),
        ),
        StatCard(
            "gri",
            _("Glycemia risk index (GRI)"),
            _("%(value)s (zone %(zone)s)")
            % {"value": labels.decimal(cgm.gri.value, 0), "zone": cgm.gri.zone}
            if cgm and cgm.gri
            else "–",
            detail=(
                _("hypo component %(hypo)s, hyper component %(hyper)s")
                % {"hypo": labels.decimal(cgm.gri.hypo), "hyper": labels.decimal(cgm.gri.hyper)}
                if cgm and cgm.gri
                else _("0 (best) to 100; zones A to E")
            ),
        ),
    ]
    low, high = preset.range_low, preset.range_high
    time = stats.time_figures(figures)

    def g(mgdl):  # a consensus bound in the viewer's unit, without the unit
        return labels.bound(mgdl, unit)

    preset_cards = [
        (
            "in_range",
            _("Time in range %(low)s–%(high)s") % {"low": g(low), "high": g(high)},
            time["in_range"],
        ),
        (f"below_{low}", _("Time below %(value)s") % {"value": g(low)}, time["below_low"]),
        ("below_54", _("Time below %(value)s") % {"value": g(54)}, time["below_54"]),
        (f"above_{high}", _("Time above %(value)s") % {"value": g(high)}, time["above_high"]),
        ("above_250", _("Time above %(value)s") % {"value": g(250)}, time["above_250"]),
    ]
    for key, title, value in preset_cards:  # without a goal in the preset: no goal line
        cards.append(goal_card(key, title, format_percent(value), f"{unit}, {cgm_time()}"))
    cards.append(
        StatCard(
            "tight_range",
            _("Time in tight range %(low)s–%(high)s") % {"low": g(70), "high": g(140)},
            format_percent(cgm.tight_range if cgm else None),
            detail=f"{unit}, {cgm_time()}",
        )
    )
    lv2 = events["lv2_hypo"] if events else None
    below_54 = _("≥ 15 min below %(value)s") % {"value": format_value(54, unit)}
    cards.append(
        StatCard(
            "lv2_hypo",
            _("Level 2 hypo events"),
            str(lv2.total) if lv2 else "–",
            detail=(
                _("%(below)s; %(per_week)s per week, %(night)s at night")
                % {
                    "below": below_54,
                    "per_week": labels.decimal(lv2.per_week or 0),
                    "night": lv2.nocturnal,
                }
                if lv2
                else below_54
            ),
        )
    )
    personal = cgm.personal if cgm else None
    cards.append(
        StatCard(
            "in_target",
            _("In your target range"),
            format_percent(personal["in"] if personal else None),
            detail=_("your own %(low)s to %(high)s, %(what)s")
            % {
                "low": format_value(target_low, unit),
                "high": format_value(target_high, unit),
                "what": cgm_time(),
            },
        )
    )
    cards.append(
        StatCard(
            "count",
            _("Readings"),
            str(count),
            detail=_("%(count)s CGM after removing duplicates") % {"count": cgm.count}
            if cgm
            else _("of every kind"),
        )
    )
    return cards


_IN_RANGE = {"in_range": labels.IN_RANGE_NAME}


def band_rows(unit: str) -> list[tuple[str, str]]:
    """The five consensus ranges' names, bounds in ``unit`` (its own mmol/L bounds)."""
    return [
        (key, labels.range_label(key, unit, name=_IN_RANGE.get(key))) for key in labels.RANGE_KEYS
    ]


def event_rows(unit: str) -> list[tuple[str, str]]:
    return [(key, labels.event_label(key, unit)) for key in labels.EVENT_KEYS]


# Changes shown in points of a percentage; others in the figure's own unit.
_GLUCOSE_CHANGES = {"mean"}


def comparison_rows(figures: Figures, *, unit: str) -> list[tuple[str, str, str, str]]:
    """(label, current, previous, change) for every compared figure, glucose and its
    change in ``unit``."""
    comparison = figures.comparison
    if comparison is None:
        return []
    rows = []
    for change in comparison.changes:
        if change.key in _GLUCOSE_CHANGES:
            now, before = _glucose(change.current, unit), _glucose(change.previous, unit)
            if change.change is None:
                delta = "–"
            elif unit == Unit.MMOLL:
                delta = _signed(change.change / float(MGDL_PER_MMOLL), " mmol/L")
            else:
                delta = _signed(change.change, " mg/dL")
        elif change.key in ("gri",) or change.key.endswith("_per_week"):
            now = "–" if change.current is None else labels.decimal(change.current)
            before = "–" if change.previous is None else labels.decimal(change.previous)
            delta = _signed(change.change)
        else:
            now, before = format_percent(change.current), format_percent(change.previous)
            delta = _signed(change.change, " " + _("points"))
        label = labels.comparison_label(change.key, unit, change.label)
        rows.append((label, now, before, delta))
    return rows


def meter_context(figures: Figures, *, unit: str) -> dict | None:
    """The meter block (CLINICAL.md D10), or None without meter readings."""
    meter = figures.meter
    if meter.count == 0:
        return None
    return {
        "count": meter.count,
        # ADA's pre-meal target, 80-130 mg/dL (4.4-7.2 mmol/L).
        "fasting_range": f"{labels.bound(80, unit)}–{labels.bound(130, unit)} {unit}",
        "after_high": labels.bound(180, unit),
        "per_day": labels.decimal(meter.per_day),
        "mean": _glucose(meter.mean, unit),
        "range": _("%(low)s to %(high)s")
        % {"low": _glucose(meter.min, unit), "high": _glucose(meter.max, unit)},
        "cv": format_percent(meter.cv),
        "bands": [(label, format_percent(meter.bands[key])) for key, label in band_rows(unit)],
        "meals": [
            (
                MEAL_LABELS[m.slot],
                m.pairs,
                _glucose(m.median_pre, unit),
                _glucose(m.median_post, unit),
                "–" if m.median_rise is None else format_value(round(m.median_rise), unit),
                format_percent(m.post_above_180),
            )
            for m in meter.meals
        ],
        "contexts": [
            (
                _("Fasting") if block.context == "fasting" else _("Bedtime"),
                block.count,
                _glucose(block.mean, unit),
                format_percent(block.in_80_130),
            )
            for block in (meter.fasting, meter.bedtime)
        ],
    }


def dashboard_context(dashboard: Dashboard, *, unit: str) -> dict:
    """Template context for reports/_dashboard_panels.html."""
    summary = dashboard.stats
    figures = dashboard.figures
    cgm, events = figures.cgm, figures.events
    return {
        "dashboard": dashboard,
        "summary": summary,
        "figures_data": figures,
        "window_last_day": (figures.window.end - timedelta(microseconds=1))
        .astimezone(figures.window.tz)
        .date(),
        "sufficiency": figures.sufficiency,
        "cards": stat_cards(
            figures,
            unit=unit,
            count=summary.count,
            target_low=dashboard.target.low_mgdl,
            target_high=dashboard.target.high_mgdl,
        ),
        "figures": dashboard.charts(unit=unit),
        "unit": unit,
        "preset_label": labels.preset_label(figures.preset),
        "range_rows": [
            (
                label,
                format_percent(getattr(cgm.bands, key)),
                _("%(minutes)s min/day") % {"minutes": round(cgm.minutes_per_day[key])},
            )
            for key, label in band_rows(unit)
        ]
        if cgm and cgm.bands
        else [],
        "combined_rows": [
            (
                _("Below %(value)s (low and very low)") % {"value": format_value(70, unit)},
                format_percent(cgm.below_70),
            ),
            (
                _("Above %(value)s (high and very high)") % {"value": format_value(180, unit)},
                format_percent(cgm.above_180),
            ),
        ]
        if cgm
        else [],
        "event_rows": [
            (
                label,
                events[key].total,
                labels.decimal(events[key].per_week or 0),
                "–"
                if events[key].mean_duration_min is None
                else labels.minutes(events[key].mean_duration_min),
                events[key].nocturnal,
            )
            for key, label in event_rows(unit)
        ]
        if events
        else [],
        "lv2_events": [
            (
                date_format(event.start, "D d M H:i"),
                labels.minutes(event.duration_min),
                _glucose(event.extreme, unit),
                event.nocturnal,
            )
            for event in (events["lv2_hypo"].events if events else ())
        ],
        "comparison": figures.comparison,
        "comparison_rows": comparison_rows(figures, unit=unit),
        "meter": meter_context(figures, unit=unit),
    }
