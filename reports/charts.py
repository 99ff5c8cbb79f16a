"""Plotly figures (as plain dicts, the plotly.js JSON schema) for the dashboard and reports.

Pure functions of already-computed data; no queries. Values are shown in the viewer's
unit; times are the patient's local wall-clock times (sent to plotly as "naive" epoch
milliseconds, which it displays as-is). Every band is told apart by name and marker
symbol as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core import consensus
from core.formatting import format_percent
from core.units import MGDL_PER_MMOLL, Unit
from readings import stats
from readings.models import Context

# The same colours as the table badges in static/css/bgt.css.
BAND_COLOURS = {
    consensus.Band.VERY_LOW: "#7f1d1d",
    consensus.Band.LOW: "#c92a2a",
    consensus.Band.IN_RANGE: "#146c43",
    consensus.Band.HIGH: "#f0ad00",
    consensus.Band.VERY_HIGH: "#c2410c",
}
BAND_SYMBOLS = {
    consensus.Band.VERY_LOW: "triangle-down",
    consensus.Band.LOW: "triangle-down-open",
    consensus.Band.IN_RANGE: "circle",
    consensus.Band.HIGH: "triangle-up-open",
    consensus.Band.VERY_HIGH: "triangle-up",
}
TARGET_FILL = "rgba(25, 135, 84, 0.12)"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def in_unit(values_mgdl, unit: str) -> list:
    """mg/dL values as plotted: integers, or mmol/L with one decimal."""
    values = np.asarray(values_mgdl, dtype=np.float64)
    if unit == Unit.MMOLL:
        return np.round(values / float(MGDL_PER_MMOLL), 1).tolist()
    return values.astype(np.int64).tolist()


def _value_or_none(value_mgdl, unit):
    return None if value_mgdl is None else in_unit([value_mgdl], unit)[0]


def _layout(title: str, unit: str | None = None, **extra) -> dict:
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": FONT,
        "margin": {"l": 56, "r": 16, "t": 48, "b": 48},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    if unit:
        layout["yaxis"] = {
            "title": {"text": f"Glucose ({unit})"},
            "gridcolor": "#e9ecef",
            "zeroline": False,
        }
    layout.update(extra)
    return layout


def _target_band(target_low: int, target_high: int, unit: str, xref: str = "paper") -> dict:
    low, high = in_unit([target_low, target_high], unit)
    return {
        "type": "rect",
        "xref": xref,
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": low,
        "y1": high,
        "fillcolor": TARGET_FILL,
        "line": {"width": 0},
        "layer": "below",
    }


# Above this many readings, in-range ones are drawn as the line only (no marker each), so
# the SVG stays light: a quarter of CGM is ~26,000 points. SVG rather than WebGL, which
# many locked-down clinic computers and remote desktops do not offer.
MARKER_LIMIT = 1500


def readings_figure(
    local_ms: Sequence[int],
    values_mgdl: Sequence[int],
    *,
    unit: str,
    target_low: int,
    target_high: int,
) -> dict:
    """Readings over time with the target range shaded, a marker trace per band."""
    values_mgdl = np.asarray(values_mgdl, dtype=np.int64)
    local_ms = np.asarray(local_ms, dtype=np.int64)
    bands = np.array([consensus.band_of(int(v), target_low, target_high) for v in values_mgdl])
    many = len(values_mgdl) > MARKER_LIMIT
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "All readings",
            "x": local_ms.tolist(),
            "y": in_unit(values_mgdl, unit),
            "line": {"color": "#6c757d" if many else "#adb5bd", "width": 1},
            "hoverinfo": "skip",
            "showlegend": many,
        }
    ]
    for band, label in consensus.Band.LABELS.items():
        mask = bands == band
        if not mask.any() or (many and band == consensus.Band.IN_RANGE):
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": local_ms[mask].tolist(),
                "y": in_unit(values_mgdl[mask], unit),
                "marker": {
                    "color": BAND_COLOURS[band],
                    "symbol": BAND_SYMBOLS[band],
                    "size": 5 if many else 7,
                },
                "hovertemplate": f"%{{x|%a %d %b %H:%M}}<br>%{{y}} {unit} · {label}<extra></extra>",
            }
        )
    layout = _layout(
        "Readings over time",
        unit,
        xaxis={"type": "date", "gridcolor": "#e9ecef"},
        shapes=[_target_band(target_low, target_high, unit)],
    )
    return {"data": traces, "layout": layout}


def agp_figure(summary: stats.Summary, *, unit: str) -> dict:
    """Ambulatory glucose profile: median, 25-75 % and 5-95 % bands by local time of day.

    x is the bin's local time in hours (0-24); bins without readings are left out so that
    the bands stay continuous when a sensor was off for a while.
    """
    bins = [b for b in summary.agp if b.count]
    half_bin = summary.agp_bin_minutes / 120
    x = [round(b.start_minute / 60 + half_bin, 3) for b in bins]
    hover = [f"{b.start_minute // 60:02d}:{b.start_minute % 60:02d}" for b in bins]

    def line(name, attr, *, legend=True, **style):
        return {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": x,
            "y": [_value_or_none(getattr(b, attr), unit) for b in bins],
            "customdata": hover,
            "hovertemplate": f"%{{customdata}} · {name}: %{{y}} {unit}<extra></extra>",
            "showlegend": legend,
            **style,
        }

    outer = {"color": "rgba(13,110,253,0.35)", "width": 1}
    inner = {"color": "rgba(13,110,253,0.6)", "width": 1}
    traces = [
        line("5th percentile", "p5", legend=False, line=outer),
        line("5–95 %", "p95", line=outer, fill="tonexty", fillcolor="rgba(13,110,253,0.12)"),
        line("25th percentile", "p25", legend=False, line=inner),
        line("25–75 %", "p75", line=inner, fill="tonexty", fillcolor="rgba(13,110,253,0.30)"),
        line("Median", "p50", line={"color": "#0b3d91", "width": 3}),
    ]
    every = "15 minutes" if summary.agp_bin_minutes == 15 else "hour"
    layout = _layout(
        f"Glucose by local time of day (per {every})",
        unit,
        xaxis={
            "range": [0, 24],
            "tickvals": list(range(0, 25, 3)),
            "ticktext": [f"{h:02d}:00" for h in range(0, 25, 3)],
            "gridcolor": "#e9ecef",
        },
        shapes=[_target_band(summary.target_low, summary.target_high, unit)],
    )
    return {"data": traces, "layout": layout}


def time_in_ranges_figure(summary: stats.Summary) -> dict:
    """One stacked bar of the consensus ranges (percent of readings)."""
    labels = {
        "very_low": "Very low (<54 mg/dL)",
        "low": "Low (54–69)",
        "in_range": "In range (70–180)",
        "high": "High (181–250)",
        "very_high": "Very high (>250)",
    }
    traces = []
    for key in consensus.RANGE_KEYS:
        share = summary.ranges[key] or 0.0
        traces.append(
            {
                "type": "bar",
                "name": labels[key],
                "x": ["Readings"],
                "y": [share],
                "text": [format_percent(share)],
                "textposition": "inside",
                "marker": {"color": BAND_COLOURS[key]},
                "hovertemplate": f"{labels[key]}: %{{y:.1f}} %<extra></extra>",
            }
        )
    layout = _layout(
        "Time in ranges",
        barmode="stack",
        yaxis={"title": {"text": "% of readings"}, "range": [0, 100], "gridcolor": "#e9ecef"},
        legend={"traceorder": "reversed"},
        margin={"l": 56, "r": 16, "t": 48, "b": 24},
    )
    return {"data": traces, "layout": layout}


def context_means_figure(summary: stats.Summary, *, unit: str) -> dict:
    """Mean glucose per meal context, with the number of readings behind each bar."""
    labels = dict(Context.choices)
    groups = summary.by_context
    traces = [
        {
            "type": "bar",
            "name": "Mean",
            "x": [str(labels.get(g.key, g.key)) for g in groups],
            "y": [_value_or_none(g.mean, unit) for g in groups],
            "text": [f"n={g.count}" for g in groups],
            "textposition": "outside",
            "marker": {"color": "#0b3d91"},
            "hovertemplate": f"%{{x}}: %{{y}} {unit} (%{{text}})<extra></extra>",
        }
    ]
    layout = _layout(
        "Average by meal context",
        unit,
        shapes=[_target_band(summary.target_low, summary.target_high, unit)],
        showlegend=False,
        # Labels such as "Before a snack" are tilted on narrow charts; grow the bottom
        # margin to fit them rather than cutting them off.
        xaxis={"automargin": True},
    )
    return {"data": traces, "layout": layout}
