"""Vector charts of the glucose profile report (AGP-style), drawn on the server as SVG.

matplotlib's SVG backend, through its object-oriented API (``Figure``, never pyplot: no
global state, safe in a threaded server). Pure functions of already-computed figures; no
queries. Text stays text in the SVG (``svg.fonttype = none``), set in the report's font,
so the PDF's charts are selectable and crisp at any zoom. Values in the viewer's unit,
times the patient's local wall clock as hours 0-24.

Numbers come from readings.figures alone (the AGP curve smoothed for display only, as the
dashboard draws it; the daily profiles as stored); the axis clamp and colours follow
CLINICAL.md A.5, D5 and D6.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from decimal import Decimal

import matplotlib as mpl
import matplotlib.patches
import matplotlib.path
import numpy as np
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from core import consensus
from core.units import MGDL_PER_MMOLL, Unit
from readings.figures.agp import AgpCurve, DailyProfile, smooth_for_display
from readings.figures.meter import MeterFigures

MM = 1 / 25.4  # inches per millimetre
AGP_TOP_MGDL = 350  # y axis clamp of the AGP (CLINICAL.md A.5)
DAILY_TOP_MGDL = 400
# The dashboard's colours (reports/charts.py), on white paper.
TARGET_FILL = "#dcefe3"
TARGET_LINE = "#146c43"
OUTER_BAND = "#c9dcfa"
INNER_BAND = "#7ea6ea"
MEDIAN = "#0b3d91"
ABOVE_FILL = "#f0ad00"
BELOW_FILL = "#c92a2a"
GRID = "#dee2e6"
INK = "#212529"
MUTED = "#495057"

_STYLE = {
    "svg.fonttype": "none",  # text as <text>, in the document's font
    "svg.hashsalt": "bgt-report",  # stable element ids: the same data gives the same SVG
    "font.family": "DejaVu Sans",
    "font.size": 7,
    "axes.edgecolor": MUTED,
    "axes.linewidth": 0.5,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.major.width": 0.5,
    "ytick.major.width": 0.5,
    "xtick.major.size": 2,
    "ytick.major.size": 2,
}


def _mmol(values_mgdl, unit: str) -> np.ndarray:
    values = np.asarray(values_mgdl, dtype=float)
    return values / float(MGDL_PER_MMOLL) if unit == Unit.MMOLL else values


def _tick_text(mgdl: int, unit: str) -> str:
    """A glucose tick in the reader's decimal mark ("3.9", German "3,9")."""
    if unit == Unit.MMOLL:
        return number_format(Decimal(f"{mgdl / float(MGDL_PER_MMOLL):.1f}"))
    return str(mgdl)


def _svg(fig: Figure) -> str:
    """The figure as an SVG document."""
    out = io.StringIO()
    with mpl.rc_context(_STYLE):
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def data_uri(svg: str) -> str:
    """An SVG as a ``data:`` URI for an <img>: the browser and WeasyPrint draw it as a
    separate document (inline, its ~10,000 nodes would go through the page's CSS cascade,
    which costs WeasyPrint a second), still as vectors."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _figure(width_mm: float, height_mm: float) -> Figure:
    with mpl.rc_context(_STYLE):
        return Figure(figsize=(width_mm * MM, height_mm * MM))


def _hours_axis(ax, *, every: int = 3, labels: bool = True) -> None:
    ax.set_xlim(0, 24)
    ticks = list(range(0, 25, every))
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{h:02d}:00" if labels else "" for h in ticks])
    ax.grid(axis="x", color=GRID, linewidth=0.4)


def _glucose_axis(ax, unit: str, top_mgdl: int, ticks_mgdl: Sequence[int]) -> None:
    ax.set_ylim(0, float(_mmol([top_mgdl], unit)[0]))
    ax.set_yticks(_mmol(ticks_mgdl, unit))
    ax.set_yticklabels([_tick_text(t, unit) for t in ticks_mgdl])


def _target(ax, unit: str, low: int, high: int) -> None:
    lo, hi = _mmol([low, high], unit)
    ax.axhspan(lo, hi, color=TARGET_FILL, zorder=0, linewidth=0)
    for y in (lo, hi):
        ax.axhline(y, color=TARGET_LINE, linewidth=0.6, zorder=1)


def agp_svg(curve: AgpCurve, *, unit: str, width_mm: float = 180, height_mm: float = 62) -> str:
    """The ambulatory glucose profile: the 5-95 % and 25-75 % bands and the median by local
    time of day (15-minute points, 1-4-1 smoothed for display), the consensus target range
    70-180 mg/dL, y clamped at 350 mg/dL. Slots with fewer than 5 days are gaps."""
    smooth = {p: np.array([np.nan if v is None else v for v in s]) for p, s in
              smooth_for_display(curve).items()}  # fmt: skip
    points = len(smooth[50])
    x = (np.arange(points) + 0.5) * 24 / points
    top = AGP_TOP_MGDL
    fig = _figure(width_mm, height_mm)
    with mpl.rc_context(_STYLE):
        ax = fig.add_axes((0.065, 0.12, 0.91, 0.84))
        _target(ax, unit, consensus.LOW_BELOW, consensus.HIGH_ABOVE)
        clip = lambda p: np.minimum(_mmol(smooth[p], unit), _mmol([top], unit)[0])  # noqa: E731
        ax.fill_between(x, clip(5), clip(95), color=OUTER_BAND, linewidth=0, label="5–95 %")
        ax.fill_between(x, clip(25), clip(75), color=INNER_BAND, linewidth=0, label="25–75 %")
        ax.plot(x, clip(50), color=MEDIAN, linewidth=1.6, label=_("Median"))
        _hours_axis(ax)
        _glucose_axis(ax, unit, top, (54, 70, 180, 250, 350))
        ax.set_ylabel(unit)
    return _svg(fig)


def _wall_hours(times) -> np.ndarray:
    return np.array(
        [np.nan if t is None else t.hour + t.minute / 60 + t.second / 3600 for t in times],
        dtype=float,
    )


def daily_svg(
    profiles: Sequence[DailyProfile],
    *,
    unit: str,
    width_mm: float = 184,
    per_row: int = 7,
    row_height_mm: float = 64,
) -> str:
    """The daily profiles as small multiples, ``per_row`` to a row, each one local day
    midnight to midnight: the target band, the readings as a line broken at gaps over
    45 minutes (None in the profile), the area above 180 mg/dL shaded amber and below
    70 mg/dL red (CLINICAL.md D6).

    Drawn on one set of axes, each day in its own cell (x: hours + the cell's offset,
    y: glucose + the row's offset): fourteen matplotlib Axes cost a second per report.
    Values are clamped to the cells, so nothing is clipped (clip paths cost WeasyPrint)."""
    rows = max(1, -(-len(profiles) // per_row))
    top = float(_mmol([DAILY_TOP_MGDL], unit)[0])
    low, high = (float(v) for v in _mmol([consensus.LOW_BELOW, consensus.HIGH_ABOVE], unit))
    gap_x, gap_y = 1.6, 0.22 * top  # between cells, in data units (hours, glucose)
    cell_w, cell_h = 24 + gap_x, top + gap_y
    fig = _figure(width_mm, rows * row_height_mm)
    xs, ys = [], []
    fills = {1: [], -1: []}  # above the range, below it
    with mpl.rc_context(_STYLE):
        ax = fig.add_axes((0.045, 0.0, 0.955, 1.0))
        ax.set_axis_off()
        ax.set_xlim(-0.2, per_row * cell_w - gap_x + 0.2)
        ax.set_ylim(-(rows - 1) * cell_h - 0.16 * top, top + 0.16 * top)
        for n, profile in enumerate(profiles):
            x0, y0 = (n % per_row) * cell_w, -(n // per_row) * cell_h
            ax.add_patch(mpl.patches.Rectangle((x0, y0 + low), 24, high - low, color=TARGET_FILL,
                                               linewidth=0, zorder=0, clip_on=False))  # fmt: skip
            ax.add_patch(mpl.patches.Rectangle((x0, y0), 24, top, fill=False, edgecolor=MUTED,
                                               linewidth=0.4, zorder=3, clip_on=False))  # fmt: skip
            ax.text(x0 + 12, y0 + top + 0.03 * top, date_format(profile.day, "D j M"),
                    ha="center", va="bottom", fontsize=6.5, color=INK)  # fmt: skip
            for hour in (6, 12, 18):
                ax.plot([x0 + hour] * 2, [y0, y0 + top], color=GRID, linewidth=0.3, zorder=0,
                        clip_on=False)  # fmt: skip
                ax.text(x0 + hour, y0 - 0.02 * top, f"{hour:02d}", ha="center", va="top",
                        fontsize=5, color=MUTED)  # fmt: skip
            if n % per_row == 0:
                for mgdl in (70, 180, 250):
                    y = float(_mmol([mgdl], unit)[0])
                    ax.text(x0 - 0.4, y0 + y, _tick_text(mgdl, unit), ha="right",
                            va="center", fontsize=5, color=MUTED)  # fmt: skip
            x = _wall_hours(profile.times)
            y = np.minimum(_mmol([np.nan if v is None else v for v in profile.values], unit), top)
            if not len(x):
                ax.text(x0 + 12, y0 + top / 2, _("no CGM"), ha="center", va="center", color=MUTED,
                        fontsize=6)  # fmt: skip
                continue
            xs += [x + x0, [np.nan]]
            ys += [y + y0, [np.nan]]
            for bound, side in ((high, 1), (low, -1)):
                shaded = ax.fill_between(x + x0, y + y0, bound + y0, where=side * (y - bound) > 0,
                                         interpolate=True)  # fmt: skip
                fills[side] += shaded.get_paths()
                shaded.remove()
        # Each colour's excursions as one compound path: hundreds of small polygons would
        # each be an SVG element for WeasyPrint to draw.
        for side, colour in ((1, ABOVE_FILL), (-1, BELOW_FILL)):
            if fills[side]:
                ax.add_patch(mpl.patches.PathPatch(
                    mpl.path.Path.make_compound_path(*fills[side]), facecolor=colour,
                    linewidth=0, alpha=0.6, zorder=1, clip_on=False))  # fmt: skip
        if xs:
            ax.plot(np.concatenate(xs), np.concatenate(ys), color=INK, linewidth=0.6, zorder=2,
                    clip_on=False)  # fmt: skip
    return _svg(fig)


def meter_svg(
    meter: MeterFigures,
    *,
    unit: str,
    local_hours: Sequence[float],
    values_mgdl: Sequence[int],
    width_mm: float = 180,
    height_mm: float = 58,
) -> str:
    """Meter readings by local time of day: every reading a dot (the modal day), and per
    hour the median (>= 3 readings) with its interquartile range (>= 5 readings) as a bar
    (CLINICAL.md D5 rule 5, D10); the target range 70-180 mg/dL shaded."""
    values = np.asarray(values_mgdl, dtype=float)
    top = max(AGP_TOP_MGDL, int(values.max()) + 10 if len(values) else 0)
    fig = _figure(width_mm, height_mm)
    with mpl.rc_context(_STYLE):
        ax = fig.add_axes((0.065, 0.14, 0.91, 0.8))
        _target(ax, unit, consensus.LOW_BELOW, consensus.HIGH_ABOVE)
        ax.scatter(local_hours, _mmol(values, unit), s=5, color=MUTED, alpha=0.7, linewidths=0)
        shown = [b for b in meter.hourly if b.median is not None]
        if shown:
            centres = [b.hour + 0.5 for b in shown]
            ax.scatter(centres, _mmol([b.median for b in shown], unit), s=16, color=MEDIAN,
                       marker="D", zorder=3)  # fmt: skip
            for b in shown:
                if b.p25 is not None:
                    lo, hi = _mmol([b.p25, b.p75], unit)
                    ax.vlines(b.hour + 0.5, lo, hi, color=MEDIAN, linewidth=1.4, zorder=2)
        _hours_axis(ax)
        _glucose_axis(ax, unit, top, (54, 70, 180, 250))
        ax.set_ylabel(unit)
    return _svg(fig)
