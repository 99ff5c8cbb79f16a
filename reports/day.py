"""The day view's figure: one local day of a record, readings and treatments on one chart.

Pure (no queries): plain values in, a plotly figure dict out (the plotly.js JSON schema,
as reports/charts.py builds them). Times are the patient's local wall-clock times sent as
"naive" epoch milliseconds, which plotly shows as they are. Glucose is on the left axis in
the viewer's unit; treatments sit on a hidden second axis (0 to 1): carbohydrates along the
top and insulin along the bottom as markers whose area grows with the amount, events as
labelled ticks in the middle. Every marker is also in the page's table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.units import MGDL_PER_MMOLL, Unit
from treatments.models import TreatmentType
from treatments.presentation import amount_text, label, number

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}
GLUCOSE_COLOUR = "#0b3d91"
CARBS_COLOUR = "#b45309"  # amber
BOLUS_COLOUR = "#6d28d9"  # violet
BASAL_COLOUR = "#0f766e"  # teal
EVENT_COLOUR = "#495057"
TARGET_FILL = "rgba(25, 135, 84, 0.12)"
CARBS_Y, EVENT_Y, INSULIN_Y, BASAL_Y = 0.92, 0.5, 0.07, 0.19


@dataclass(frozen=True)
class Point:
    """One treatment as the chart draws it."""

    when: datetime  # aware
    kind: str  # "carbs", "bolus", "basal" or "event"
    amount: float | None  # g or U; None for events
    label: str  # "45 g", "4.5 U", "Site change"


def wall_ms(moment: datetime, tz) -> int:
    """An instant as the patient's wall clock, in naive epoch milliseconds."""
    local = moment.astimezone(tz).replace(tzinfo=UTC)
    return int(local.timestamp() * 1000)


def day_range_ms(day: date) -> list[int]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return [int(start.timestamp() * 1000), int((start + timedelta(days=1)).timestamp() * 1000)]


def carbs_size(grams: float) -> float:
    """Marker diameter (px) for carbohydrates: area proportional to grams, 8-40 px."""
    return round(min(40.0, 8 + 2.4 * math.sqrt(max(grams, 0))), 1)


def insulin_size(units: float) -> float:
    """Marker diameter (px) for insulin: area proportional to units, 8-40 px."""
    return round(min(40.0, 8 + 4.5 * math.sqrt(max(units, 0))), 1)


def _in_unit(values_mgdl: Sequence[int], unit: str) -> list:
    if unit == Unit.MMOLL:
        return [round(v / float(MGDL_PER_MMOLL), 1) for v in values_mgdl]
    return [int(v) for v in values_mgdl]


def _treatment_trace(points: list[Point], *, tz, name, colour, y, symbol, size, text_at) -> dict:
    return {
        "type": "scatter",
        "mode": "markers+text",
        "name": name,
        "x": [wall_ms(p.when, tz) for p in points],
        "y": [y] * len(points),
        "yaxis": "y2",
        "text": [p.label for p in points],
        "textposition": text_at,
        "textfont": {"color": colour, "size": 12},
        "marker": {
            "color": colour,
            "symbol": symbol,
            "size": [size(p.amount or 0) for p in points],
            "opacity": 0.8,
            "line": {"color": "#ffffff", "width": 1},
        },
        "hovertemplate": f"%{{x|%H:%M}} · {name}: %{{text}}<extra></extra>",
    }


def treatment_traces(
    points: Sequence[Point], *, tz, labels: bool = True, scale: float = 1.0
) -> list[dict]:
    """Carbohydrates, boluses and basal doses as markers sized by amount, on the hidden
    second axis (0 to 1) of a time chart; ``labels`` writes each amount beside its marker
    (the day view; a two-week chart has no room for them)."""
    by_kind = {kind: [p for p in points if p.kind == kind] for kind in ("carbs", "bolus", "basal")}
    styles = {
        "carbs": ("Carbohydrates", CARBS_COLOUR, CARBS_Y, "circle", carbs_size, "bottom center"),
        "bolus": ("Bolus", BOLUS_COLOUR, INSULIN_Y, "triangle-down", insulin_size, "top center"),
        # A row of its own above the boluses: a morning dose and breakfast often coincide.
        "basal": ("Basal", BASAL_COLOUR, BASAL_Y, "square", insulin_size, "middle right"),
    }
    traces = []
    for kind, (name, colour, y, symbol, size, text_at) in styles.items():
        if by_kind[kind]:
            trace = _treatment_trace(
                by_kind[kind],
                tz=tz,
                name=name,
                colour=colour,
                y=y,
                symbol=symbol,
                size=size,
                text_at=text_at,
            )
            if not labels:
                trace["mode"] = "markers"
            trace["marker"]["size"] = [round(px * scale, 1) for px in trace["marker"]["size"]]
            traces.append(trace)
    return traces


def day_figure(
    day: date,
    *,
    tz,
    unit: str,
    reading_times: Sequence[datetime],
    reading_values_mgdl: Sequence[int],
    points: Sequence[Point],
    target_low: int,
    target_high: int,
) -> dict:
    """Readings (line and markers) and treatments of one local ``day``."""
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Glucose",
            "x": [wall_ms(t, tz) for t in reading_times],
            "y": _in_unit(reading_values_mgdl, unit),
            "line": {"color": GLUCOSE_COLOUR, "width": 2},
            "marker": {"color": GLUCOSE_COLOUR, "size": 6},
            "hovertemplate": f"%{{x|%H:%M}} · %{{y}} {unit}<extra></extra>",
        }
    ]
    traces.extend(treatment_traces(points, tz=tz))
    events = [p for p in points if p.kind == "event"]
    if events:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": "Events",
                "x": [wall_ms(p.when, tz) for p in events],
                "y": [EVENT_Y] * len(events),
                "yaxis": "y2",
                "text": [p.label for p in events],
                "textposition": "middle right",
                "textfont": {"color": EVENT_COLOUR, "size": 11},
                "marker": {
                    "symbol": "line-ns-open",
                    "color": EVENT_COLOUR,
                    "size": 28,
                    "line": {"color": EVENT_COLOUR, "width": 2},
                },
                "hovertemplate": "%{x|%H:%M} · %{text}<extra></extra>",
            }
        )
    low, high = _in_unit([target_low, target_high], unit)
    top = max([*_in_unit(reading_values_mgdl, unit), high])
    layout = {
        "font": FONT,
        "margin": {"l": 48, "r": 12, "t": 12, "b": 40},
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.15},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {
            "type": "date",
            "range": day_range_ms(day),
            "tickformat": "%H:%M",
            "nticks": 6,  # every 6 hours: level labels on a 390 px phone as on a desktop
            "gridcolor": "#e9ecef",
        },
        "yaxis": {
            "title": {"text": f"Glucose ({unit})"},
            "gridcolor": "#e9ecef",
            "zeroline": False,
            # Headroom above the curve for the carbohydrate row (insulin runs along 0).
            "range": [0, round(1.35 * top, 1)],
        },
        "yaxis2": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
        "shapes": [
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": low,
                "y1": high,
                "fillcolor": TARGET_FILL,
                "line": {"width": 0},
                "layer": "below",
            }
        ],
    }
    return {"data": traces, "layout": layout}


def chart_points(treatments) -> list[Point]:
    """Each treatment as chart markers: its carbohydrates (a carb entry, or a meal bolus
    that carries them, as Nightscout sends), its insulin, or a labelled event tick."""
    points = []
    for t in treatments:
        if t.carbs_g is not None:
            points.append(Point(t.taken_at, "carbs", t.carbs_g, f"{number(t.carbs_g)} g"))
        if t.type == TreatmentType.BOLUS:
            units = t.insulin_units
            points.append(Point(t.taken_at, "bolus", units, f"{number(units)} U"))
        elif t.type == TreatmentType.BASAL:
            points.append(Point(t.taken_at, "basal", t.basal_units or 0, amount_text(t)))
        elif t.type != TreatmentType.CARBS:
            points.append(Point(t.taken_at, "event", None, label(t)))
    return points
