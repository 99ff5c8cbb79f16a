"""Turning readings and statistics into what pages show: values in the viewer's unit,
times in the patient's zone, bands as colour plus words. Shared by the patient's pages and
the physician's read-only report, so both show the same thing the same way."""

from __future__ import annotations

from dataclasses import dataclass

from core.formatting import format_percent
from core.units import format_value
from readings import stats
from readings.presentation import CONTEXT_LABELS, reading_rows  # noqa: F401 (re-exported)
from reports.selectors import Dashboard


@dataclass(frozen=True)
class StatCard:
    key: str
    title: str
    value: str
    detail: str = ""
    goal: str = ""  # e.g. "Goal: more than 70 %"
    met: bool | None = None  # None: no goal, or nothing to judge


_GOAL_WORDS = {">": "more than", "<": "less than", "<=": "at most"}


def stat_cards(summary: stats.Summary, *, unit: str) -> list[StatCard]:
    """The dashboard's figure cards, each beside its consensus goal where there is one."""
    goals = {goal.key: goal for goal in summary.goals}

    def goal_card(key, title, detail=""):
        goal = goals[key]
        return StatCard(
            key=key,
            title=title,
            value=format_percent(goal.value),
            detail=detail,
            goal=f"Goal: {_GOAL_WORDS[goal.comparator]} {goal.threshold:g} %",
            met=goal.met,
        )

    def glucose(value):
        return "–" if value is None else format_value(round(value), unit)

    count = summary.count
    return [
        StatCard(
            "mean",
            "Average glucose",
            glucose(summary.mean),
            detail=f"SD {glucose(summary.sd)}" if summary.sd is not None else "",
        ),
        goal_card("in_range", "Time in range", "70–180 mg/dL (3.9–10.0 mmol/L)"),
        goal_card("low_or_below", "Time below range", "below 70 mg/dL (3.9 mmol/L)"),
        goal_card("very_low", "Time very low", "below 54 mg/dL (3.0 mmol/L)"),
        goal_card("high_or_above", "Time above range", "above 180 mg/dL (10.0 mmol/L)"),
        goal_card("very_high", "Time very high", "above 250 mg/dL (13.9 mmol/L)"),
        goal_card("cv", "Variability (CV)", "coefficient of variation"),
        StatCard(
            "gmi",
            "GMI",
            format_percent(summary.gmi),
            detail=summary.gmi_unavailable_reason or "glucose management indicator",
        ),
        StatCard("ea1c", "Estimated A1c", format_percent(summary.ea1c), detail="from the average"),
        StatCard(
            "count",
            "Readings",
            str(count),
            detail=(
                f"median {glucose(summary.median)}, "
                f"{glucose(summary.min)} to {glucose(summary.max)}"
                if count
                else "none in this period"
            ),
        ),
        StatCard(
            "in_target",
            "In your target range",
            format_percent(summary.in_target),
            detail=(
                f"{format_value(summary.target_low, unit)} to "
                f"{format_value(summary.target_high, unit)}; "
                f"below {format_percent(summary.below_target)}, "
                f"above {format_percent(summary.above_target)}"
            ),
        ),
    ]


def dashboard_context(dashboard: Dashboard, *, unit: str) -> dict:
    """Template context for reports/_dashboard_panels.html."""
    summary = dashboard.summary
    return {
        "dashboard": dashboard,
        "summary": summary,
        "cards": stat_cards(summary, unit=unit),
        "figures": dashboard.figures(unit=unit),
        "unit": unit,
        "range_rows": [
            (label, format_percent(summary.ranges[key]))
            for key, label in (
                ("very_high", "Very high (above 250 mg/dL)"),
                ("high", "High (181–250 mg/dL)"),
                ("in_range", "In range (70–180 mg/dL)"),
                ("low", "Low (54–69 mg/dL)"),
                ("very_low", "Very low (below 54 mg/dL)"),
            )
        ],
        "context_rows": [
            (CONTEXT_LABELS.get(g.key, g.key), g.count, format_value(round(g.mean), unit))
            for g in summary.by_context
        ],
    }
