"""Turning readings and figures into what pages show: values in the viewer's unit, times in
the patient's zone, bands as colour plus words, every percentage labelled "% of CGM time"
or "% of meter readings". Shared by the patient's dashboard and the physician's read-only
report, so both show the same thing the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core import consensus
from core.formatting import format_percent
from core.units import MGDL_PER_MMOLL, Unit, format_value, from_mgdl
from readings import stats
from readings.figures import Figures
from readings.presentation import CONTEXT_LABELS, reading_rows  # noqa: F401 (re-exported)
from reports.selectors import Dashboard

CGM_TIME = "% of CGM time"
METER_READINGS = "% of meter readings"


@dataclass(frozen=True)
class StatCard:
    key: str
    title: str
    value: str
    detail: str = ""
    goal: str = ""  # e.g. "Goal: more than 70 %"
    met: bool | None = None  # None: no goal, or nothing to judge


_GOAL_WORDS = {">": "more than", "<": "less than", "<=": "at most"}


def _glucose(value, unit: str) -> str:
    return "–" if value is None else format_value(round(value), unit)


def _signed(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}{suffix}".replace("-", "−")


def goal_text(goal: consensus.Goal, unit: str) -> str:
    words = _GOAL_WORDS[goal.comparator]
    if goal.key == "mean":
        return f"Goal: {words} {format_value(round(goal.threshold), unit)}"
    return f"Goal: {words} {goal.threshold:g} %"


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
            "Time CGM active",
            format_percent(s.active_percent),
            detail=f"{s.days_with_data} of {s.window_days} days with CGM data",
        ),
        goal_card(
            "mean",
            "Average glucose (CGM)",
            _glucose(cgm.mean if cgm else None, unit),
            f"SD {_glucose(cgm.sd, unit)}" if cgm and cgm.sd is not None else "",
        ),
        goal_card(
            "gmi",
            "GMI",
            format_percent(s.gmi),
            s.gmi_reason or "glucose management indicator, from the CGM mean",
        ),
        goal_card(
            "cv",
            "Variability (CV)",
            format_percent(cgm.cv if cgm else None),
            "coefficient of variation (needs 30 CGM readings)",
        ),
        StatCard(
            "gri",
            "Glycemia risk index (GRI)",
            f"{cgm.gri.value:.0f} (zone {cgm.gri.zone})" if cgm and cgm.gri else "–",
            detail=(
                f"hypo component {cgm.gri.hypo:.1f}, hyper component {cgm.gri.hyper:.1f}"
                if cgm and cgm.gri
                else "0 (best) to 100; zones A to E"
            ),
        ),
    ]
    low, high = preset.range_low, preset.range_high
    time = stats.time_figures(figures)

    def g(mgdl):  # a consensus bound in the viewer's unit, without the unit
        return str(from_mgdl(mgdl, unit))

    preset_cards = [
        ("in_range", f"Time in range {g(low)}–{g(high)}", time["in_range"]),
        (f"below_{low}", f"Time below {g(low)}", time["below_low"]),
        ("below_54", f"Time below {g(54)}", time["below_54"]),
        (f"above_{high}", f"Time above {g(high)}", time["above_high"]),
        ("above_250", f"Time above {g(250)}", time["above_250"]),
    ]
    for key, title, value in preset_cards:  # without a goal in the preset: no goal line
        cards.append(goal_card(key, title, format_percent(value), f"{unit}, {CGM_TIME}"))
    cards.append(
        StatCard(
            "tight_range",
            f"Time in tight range {g(70)}–{g(140)}",
            format_percent(cgm.tight_range if cgm else None),
            detail=f"{unit}, {CGM_TIME}",
        )
    )
    lv2 = events["lv2_hypo"] if events else None
    below_54 = f"≥ 15 min below {format_value(54, unit)}"
    cards.append(
        StatCard(
            "lv2_hypo",
            "Level 2 hypo events",
            str(lv2.total) if lv2 else "–",
            detail=(
                f"{below_54}; {lv2.per_week or 0:.1f} per week, {lv2.nocturnal} at night"
                if lv2
                else below_54
            ),
        )
    )
    personal = cgm.personal if cgm else None
    cards.append(
        StatCard(
            "in_target",
            "In your target range",
            format_percent(personal["in"] if personal else None),
            detail=(
                f"your own {format_value(target_low, unit)} to "
                f"{format_value(target_high, unit)}, {CGM_TIME}"
            ),
        )
    )
    cards.append(
        StatCard(
            "count",
            "Readings",
            str(count),
            detail=f"{cgm.count} CGM after removing duplicates" if cgm else "of every kind",
        )
    )
    return cards


BAND_ROWS = (
    ("very_high", "Very high (above 250 mg/dL)"),
    ("high", "High (181–250 mg/dL)"),
    ("in_range", "In range (70–180 mg/dL)"),
    ("low", "Low (54–69 mg/dL)"),
    ("very_low", "Very low (below 54 mg/dL)"),
)
EVENT_ROWS = (
    ("lv2_hypo", "Level 2 hypo (≥ 15 min below 54)"),
    ("lv1_hypo", "Level 1 hypo (≥ 15 min below 70)"),
    ("extended_hypo", "Extended hypo (over 120 min below 70)"),
    ("lv1_hyper", "Level 1 hyper (≥ 15 min above 180)"),
    ("lv2_hyper", "Level 2 hyper (≥ 15 min above 250)"),
)
# The same rows for mmol/L readers, with the consensus' own mmol/L bounds (a range above
# 180 mg/dL starts at 10.1 mmol/L, not at 181 mg/dL converted, 10.0).
BAND_ROWS_MMOLL = (
    ("very_high", "Very high (above 13.9 mmol/L)"),
    ("high", "High (10.1–13.9 mmol/L)"),
    ("in_range", "In range (3.9–10.0 mmol/L)"),
    ("low", "Low (3.0–3.8 mmol/L)"),
    ("very_low", "Very low (below 3.0 mmol/L)"),
)
EVENT_ROWS_MMOLL = (
    ("lv2_hypo", "Level 2 hypo (≥ 15 min below 3.0)"),
    ("lv1_hypo", "Level 1 hypo (≥ 15 min below 3.9)"),
    ("extended_hypo", "Extended hypo (over 120 min below 3.9)"),
    ("lv1_hyper", "Level 1 hyper (≥ 15 min above 10.0)"),
    ("lv2_hyper", "Level 2 hyper (≥ 15 min above 13.9)"),
)


def band_rows(unit: str) -> tuple[tuple[str, str], ...]:
    """The five consensus ranges' names, bounds in ``unit``."""
    return BAND_ROWS_MMOLL if unit == Unit.MMOLL else BAND_ROWS


def event_rows(unit: str) -> tuple[tuple[str, str], ...]:
    return EVENT_ROWS_MMOLL if unit == Unit.MMOLL else EVENT_ROWS


MEAL_LABELS = {"breakfast": "Breakfast", "lunch": "Lunch", "dinner": "Dinner", "snack": "Snacks"}
# Changes shown in points of a percentage; others in the figure's own unit.
_GLUCOSE_CHANGES = {"mean"}


# The compared figures' names for mmol/L readers (readings.figures names them in mg/dL);
# the consensus' own mmol/L bounds.
_MMOLL_LABELS = {
    "very_low": "Time < 3.0 mmol/L",
    "low": "Time 3.0–3.8 mmol/L",
    "in_range": "Time 3.9–10.0 mmol/L",
    "high": "Time 10.1–13.9 mmol/L",
    "very_high": "Time > 13.9 mmol/L",
    "below_70": "Time < 3.9 mmol/L",
    "above_180": "Time > 10.0 mmol/L",
    "tight_range": "Time in tight range 3.9–7.8 mmol/L",
    "mean": "Average glucose (mmol/L)",
}


def comparison_rows(figures: Figures, *, unit: str) -> list[tuple[str, str, str, str]]:
    """(label, current, previous, change) for every compared figure, glucose and its
    change in ``unit``."""
    comparison = figures.comparison
    if comparison is None:
        return []
    labels = _MMOLL_LABELS if unit == Unit.MMOLL else {}
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
            now = "–" if change.current is None else f"{change.current:.1f}"
            before = "–" if change.previous is None else f"{change.previous:.1f}"
            delta = _signed(change.change)
        else:
            now, before = format_percent(change.current), format_percent(change.previous)
            delta = _signed(change.change, " points")
        rows.append((labels.get(change.key, change.label), now, before, delta))
    return rows


def meter_context(figures: Figures, *, unit: str) -> dict | None:
    """The meter block (CLINICAL.md D10), or None without meter readings."""
    meter = figures.meter
    if meter.count == 0:
        return None
    return {
        "count": meter.count,
        # ADA's pre-meal target, 80-130 mg/dL (4.4-7.2 mmol/L).
        "fasting_range": f"{from_mgdl(80, unit)}–{from_mgdl(130, unit)} {unit}",
        "after_high": f"{from_mgdl(180, unit)}",
        "per_day": f"{meter.per_day:.1f}",
        "mean": _glucose(meter.mean, unit),
        "range": f"{_glucose(meter.min, unit)} to {_glucose(meter.max, unit)}",
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
                "Fasting" if block.context == "fasting" else "Bedtime",
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
        "preset_label": consensus.preset(figures.preset).label,
        "range_rows": [
            (
                label,
                format_percent(getattr(cgm.bands, key)),
                f"{cgm.minutes_per_day[key]:.0f} min/day",
            )
            for key, label in band_rows(unit)
        ]
        if cgm and cgm.bands
        else [],
        "combined_rows": [
            (f"Below {format_value(70, unit)} (low and very low)", format_percent(cgm.below_70)),
            (
                f"Above {format_value(180, unit)} (high and very high)",
                format_percent(cgm.above_180),
            ),
        ]
        if cgm
        else [],
        "event_rows": [
            (
                label,
                events[key].total,
                f"{events[key].per_week or 0:.1f}",
                "–"
                if events[key].mean_duration_min is None
                else f"{events[key].mean_duration_min:.0f} min",
                events[key].nocturnal,
            )
            for key, label in event_rows(unit)
        ]
        if events
        else [],
        "lv2_events": [
            (
                event.start.strftime("%a %d %b %H:%M"),
                f"{event.duration_min} min",
                _glucose(event.extreme, unit),
                event.nocturnal,
            )
            for event in (events["lv2_hypo"].events if events else ())
        ],
        "comparison": figures.comparison,
        "comparison_rows": comparison_rows(figures, unit=unit),
        "meter": meter_context(figures, unit=unit),
    }
