"""Plotly figures (as plain dicts, the plotly.js JSON schema) for the dashboard and reports.

Pure functions of already-computed data; no queries. Values are shown in the viewer's
unit; times are the patient's local wall-clock times (sent to plotly as "naive" epoch
milliseconds, which it displays as-is). Every band is told apart by name and marker
symbol as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _

from core import consensus
from core.formatting import format_percent
from core.units import MGDL_PER_MMOLL, Unit
from readings.figures.agp import AgpCurve, DailyProfile, smooth_for_display
from readings.figures.cgm import CgmFigures
from readings.figures.meter import MeterFigures
from reports import labels

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


def band_name(key: str) -> str:
    """ "Very low" ... "Very high" in the reader's language (core.consensus.Band's keys)."""
    return str(labels.IN_RANGE_NAME if key == "in_range" else labels.RANGE_NAMES[key])


def _layout(title: str, unit: str | None = None, **extra) -> dict:
    layout = {
        "title": {"text": str(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        # The reader's decimal mark and digit grouping: ",." in German, ", " in French.
        "separators": get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR"),
        "font": FONT,
        "margin": {"l": 56, "r": 16, "t": 48, "b": 48},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    if unit:
        layout["yaxis"] = {
            "title": {"text": _("Glucose (%(unit)s)") % {"unit": unit}},
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
            "name": _("All readings"),
            "x": local_ms.tolist(),
            "y": in_unit(values_mgdl, unit),
            "line": {"color": "#6c757d" if many else "#adb5bd", "width": 1},
            "hoverinfo": "skip",
            "showlegend": many,
        }
    ]
    for band in consensus.Band.LABELS:
        label = band_name(band)
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
        _("Readings over time"),
        unit,
        xaxis={"type": "date", "gridcolor": "#e9ecef"},
        shapes=[_target_band(target_low, target_high, unit)],
    )
    return {"data": traces, "layout": layout}


def _empty(title: str, message: str) -> dict:
    """A figure with no data and the reason in its middle."""
    return {
        "data": [],
        "layout": _layout(
            title,
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": message,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "showarrow": False,
                    "font": {"size": 13, "color": "#495057"},
                }
            ],
        ),
    }


AGP_CLAMP_MGDL = 350  # y axis clamp (CLINICAL.md D5)


def agp_figure(curve: AgpCurve | None, *, unit: str, reason: str | None = None) -> dict:
    """The ambulatory glucose profile: median, 25-75 % and 5-95 % of CGM values by local
    time of day, over 15-minute points smoothed for display (readings.figures.agp; the
    tested numbers are the unsmoothed curve). Slots with fewer than 5 days are gaps (null),
    never bridged. No curve (the AGP gate): an empty chart saying why."""
    title = _("Glucose profile (AGP), CGM")
    if curve is None:
        return _empty(title, reason or _("Insufficient CGM data to draw the profile."))
    smooth = smooth_for_display(curve)
    points = len(smooth[50])
    step_h = 24 / points
    x = [round((i + 0.5) * step_h, 3) for i in range(points)]
    hover = [f"{int(i * step_h):02d}:{int(i * step_h * 60) % 60:02d}" for i in range(points)]

    def line(name, p, *, legend=True, **style):
        return {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": x,
            "y": [_value_or_none(v, unit) for v in smooth[p]],
            "connectgaps": False,
            "customdata": hover,
            "hovertemplate": f"%{{customdata}} · {name}: %{{y}} {unit}<extra></extra>",
            "showlegend": legend,
            **style,
        }

    outer = {"color": "rgba(13,110,253,0.35)", "width": 1}
    inner = {"color": "rgba(13,110,253,0.6)", "width": 1}
    traces = [
        line("5th percentile", 5, legend=False, line=outer),
        line("5–95 %", 95, line=outer, fill="tonexty", fillcolor="rgba(13,110,253,0.12)"),
        line("25th percentile", 25, legend=False, line=inner),
        line("25–75 %", 75, line=inner, fill="tonexty", fillcolor="rgba(13,110,253,0.30)"),
        line(_("Median"), 50, line={"color": "#0b3d91", "width": 3}),
    ]
    top = in_unit([AGP_CLAMP_MGDL], unit)[0]
    layout = _layout(
        title,
        unit,
        xaxis={
            "range": [0, 24],
            "tickvals": list(range(0, 25, 3)),
            "ticktext": [f"{h:02d}:00" for h in range(0, 25, 3)],
            "gridcolor": "#e9ecef",
        },
        shapes=[_target_band(consensus.LOW_BELOW, consensus.HIGH_ABOVE, unit)],
    )
    layout["yaxis"]["range"] = [0, top]
    return {"data": traces, "layout": layout}


def range_legend(unit: str) -> dict[str, str]:
    """The legend's ranges, "Very low (<54 mg/dL)", "Low (54–69)": the consensus' bounds."""
    out = {}
    for key in consensus.BAND_KEYS:
        low, high = labels.range_limits(key, unit)
        bounds = f">{high}" if low is None else f"<{low}" if high is None else f"{low}–{high}"
        out[key] = f"{band_name(key)} ({bounds}{f' {unit}' if key == 'very_low' else ''})"
    return out


def time_in_ranges_figure(cgm: CgmFigures | None, *, unit: str = Unit.MGDL) -> dict:
    """One stacked bar of the five consensus ranges, in % of CGM time; the legend's
    bounds in ``unit``."""
    legend = range_legend(unit)
    title = _("Time in ranges (CGM)")
    if cgm is None or cgm.bands is None:
        return _empty(title, _("Not enough CGM data in this period."))
    cgm_time = _("%(percent)s of CGM time") % {"percent": "%"}
    traces = []
    for key in consensus.BAND_KEYS:
        share = getattr(cgm.bands, key)
        traces.append(
            {
                "type": "bar",
                "name": legend[key],
                "x": [_("CGM time")],
                "y": [share],
                "text": [format_percent(share)],
                "textposition": "inside",
                "marker": {"color": BAND_COLOURS[key]},
                "hovertemplate": f"{legend[key]}: %{{y:.1f}} {cgm_time}<extra></extra>",
            }
        )
    layout = _layout(
        title,
        barmode="stack",
        yaxis={"title": {"text": cgm_time}, "range": [0, 100], "gridcolor": "#e9ecef"},
        legend={"traceorder": "reversed"},
        margin={"l": 56, "r": 16, "t": 48, "b": 24},
    )
    return {"data": traces, "layout": layout}


def meter_hourly_figure(
    meter: MeterFigures,
    *,
    unit: str,
    local_hours: Sequence[float] = (),
    values_mgdl: Sequence[int] = (),
) -> dict:
    """Meter readings by local time of day: every reading as a dot (the modal day), and per
    hour the median (>= 3 readings) with the interquartile range (>= 5 readings) as error
    bars (CLINICAL.md D5 rule 5, D10). ``local_hours``/``values_mgdl``: the fingersticks."""
    title = _("Meter readings by hour of day")
    if meter.count == 0:
        return _empty(title, _("No meter readings in this period."))
    dots = {
        "type": "scatter",
        "mode": "markers",
        "name": _("Readings"),
        "x": [round(float(h), 3) for h in local_hours],
        "y": in_unit(values_mgdl, unit),
        "marker": {"color": "rgba(108,117,125,0.6)", "size": 5},
        "hovertemplate": f"%{{y}} {unit}<extra></extra>",
    }
    shown = [b for b in meter.hourly if b.median is not None]
    x = [b.hour + 0.5 for b in shown]
    values = [_value_or_none(b.median, unit) for b in shown]
    median = _("median")
    plus = [
        None if b.p75 is None else round(_value_or_none(b.p75, unit) - m, 1)
        for b, m in zip(shown, values, strict=True)
    ]
    minus = [
        None if b.p25 is None else round(m - _value_or_none(b.p25, unit), 1)
        for b, m in zip(shown, values, strict=True)
    ]
    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Median (25–75 % bars)"),
            "x": x,
            "y": values,
            "text": [f"n={b.count}" for b in shown],
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [p or 0 for p in plus],
                "arrayminus": [m or 0 for m in minus],
                "color": "#0b3d91",
            },
            "marker": {"color": "#0b3d91", "size": 8},
            "hovertemplate": f"%{{x:.0f}} h: {median} %{{y}} {unit} (%{{text}})<extra></extra>",
        }
    ]
    traces = [dots] + (traces if shown else [])
    layout = _layout(
        title,
        unit,
        xaxis={
            "range": [0, 24],
            "tickvals": list(range(0, 25, 3)),
            "ticktext": [f"{h:02d}:00" for h in range(0, 25, 3)],
            "gridcolor": "#e9ecef",
        },
        shapes=[_target_band(consensus.LOW_BELOW, consensus.HIGH_ABOVE, unit)],
        showlegend=False,
    )
    return {"data": traces, "layout": layout}


def overlay_figure(daily: Sequence[DailyProfile], *, unit: str, days: int = 14) -> dict:
    """The last ``days`` local days of CGM laid over one another by local time of day: one
    line per day (readings.figures' daily profiles: deduplicated CGM, broken at gaps over
    45 minutes), the newest darkest and widest, each named by its date so the legend can
    hide or show it; the consensus target range 70-180 mg/dL shaded."""
    title = _("The last %(days)s days by time of day (CGM)") % {"days": days}
    shown = [p for p in daily[-days:] if p.values]
    if not shown:
        return _empty(title, _("No CGM readings on these days."))
    traces = []
    for n, profile in enumerate(shown):
        age = (len(shown) - 1 - n) / max(1, len(shown) - 1)  # 0 newest, 1 oldest
        x = [
            None if t is None else round(t.hour + t.minute / 60 + t.second / 3600, 3)
            for t in profile.times
        ]
        y = [None if v is None else _value_or_none(v, unit) for v in profile.values]
        name = date_format(profile.day, "D j M")
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": x,
                "y": y,
                "connectgaps": False,
                "line": {
                    # Newest day dark blue, older days lighter (lightness 25 % to 78 %).
                    "color": f"hsl(218, 75%, {25 + 53 * age:.0f}%)",
                    "width": 2.2 if age == 0 else 1,
                },
                "hovertemplate": f"{name} %{{x:.2f}} h: %{{y}} {unit}<extra></extra>",
            }
        )
    layout = _layout(
        title,
        unit,
        xaxis={
            "range": [0, 24],
            "tickvals": list(range(0, 25, 3)),
            "ticktext": [f"{h:02d}:00" for h in range(0, 25, 3)],
            "gridcolor": "#e9ecef",
        },
        shapes=[_target_band(consensus.LOW_BELOW, consensus.HIGH_ABOVE, unit)],
        # Under the plot: beside it, fourteen dates would squeeze the curves on a phone.
        legend={"orientation": "h", "y": -0.15, "font": {"size": 11}},
    )
    layout["yaxis"]["range"] = [0, in_unit([AGP_CLAMP_MGDL], unit)[0]]
    return {"data": traces, "layout": layout}
