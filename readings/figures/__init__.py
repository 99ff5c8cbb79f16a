"""Clinical glucose figures: one pure entry point over plain arrays (DESIGN.md section 4).

``summarize`` takes parallel arrays of readings and a report window and returns a frozen
tree of every figure: CGM core figures (cgm.py), sufficiency and GMI (sufficiency.py),
events (events.py), the AGP curve and daily profiles (agp.py), the meter block (meter.py)
and the comparison with the previous window (compare.py). numpy only: no Django, no queries.
Definitions and their sources: CLINICAL.md sections A, B and D1-D11.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from core import consensus as cons

from .agp import AgpCurve, DailyProfile, agp_curve, daily_profiles
from .cgm import CgmFigures, cgm_figures
from .compare import Comparison, compare
from .compare import change as compare_change
from .events import EventSummary, build_grid, episodes
from .meter import MeterFigures, meter_figures
from .streams import CADENCES, FINGERSTICK, cgm_stream
from .sufficiency import (
    Sufficiency,
    Window,
    previous_window,
    report_window,
    sufficiency,
    whole_days,
)

__all__ = [
    "CADENCES",
    "Figures",
    "compare_change",
    "previous_window",
    "report_window",
    "summarize",
    "whole_days",
]


@dataclass(frozen=True)
class Figures:
    """Every figure of one report window.

    ``cgm``, ``events`` and ``agp`` are None when the figures must not be shown
    (``sufficiency.cgm_withheld_reason`` / ``agp_reason`` say why). ``goals`` are the
    preset's time-in-ranges goals, then mean, GMI and CV.
    """

    window: Window
    preset: str
    sufficiency: Sufficiency
    cgm: CgmFigures | None
    goals: tuple[cons.Goal, ...]
    events: dict[str, EventSummary] | None
    agp: AgpCurve | None
    daily: tuple[DailyProfile, ...]
    meter: MeterFigures
    comparison: Comparison | None


def summarize(
    epochs,
    values,
    kinds,
    cadences,
    sources,
    contexts,
    *,
    tz: ZoneInfo | str,
    start: datetime,
    end: datetime,
    preset: str = "standard",
    compare_previous: bool = True,
    personal_range: tuple[int, int] | None = None,
) -> Figures:
    """Every figure for readings in [start, end) (aware datetimes; whole local days in ``tz``).

    Arrays are parallel: epochs (Unix seconds), values (mg/dL), kinds ("cgm", "scan",
    "fingerstick"), cadences (minutes, 0 = unknown: inferred per source), sources, contexts
    (meal context of meter readings). Readings outside the window are ignored, except that
    with ``compare_previous`` the N days before ``start`` feed the comparison.
    ``personal_range`` (low, high mg/dL, inclusive) adds ``cgm.personal``: the share of CGM
    time below, in and above the patient's own target (never judged against a goal).
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    cons.preset(preset)  # fail early on an unknown preset
    arrays = (
        np.asarray(epochs, dtype=np.int64),
        np.asarray(values, dtype=np.int64),
        np.asarray(kinds, dtype=str),
        np.asarray(cadences, dtype=np.int64),
        np.asarray(sources, dtype=str),
        np.asarray(contexts, dtype=str) if len(contexts) else np.full(len(epochs), "", dtype=str),
    )
    window = report_window(start, end, zone)
    current = _window_figures(arrays, window, preset, personal_range)
    if not compare_previous:
        return current
    # The previous window only feeds the comparison: no AGP curve or daily profiles.
    previous = _window_figures(arrays, previous_window(window), preset, None, drawn=False)
    return replace(current, comparison=compare(current, previous))


def judged_goals(cgm: CgmFigures, suff: Sufficiency) -> tuple[cons.Goal, ...]:
    """The preset's time-in-ranges goals, then mean, GMI and CV, judged; all unjudged
    (None) under 24 h of CGM, where there is nothing to judge."""
    gmi_goal = next(s for s in cons.METRIC_GOALS if s.key == "gmi").judge(suff.gmi)
    goals = cgm.goals[:-1] + (gmi_goal, cgm.goals[-1])  # ..., mean, GMI, CV
    if not suff.cgm_shown:
        goals = tuple(replace(g, value=None, met=None) for g in goals)
    return goals


def _window_figures(
    arrays, window: Window, preset: str, personal_range=None, *, drawn: bool = True
) -> Figures:
    epochs, values, kinds, cadences, sources, contexts = arrays
    inside = (epochs >= window.start_epoch) & (epochs < window.end_epoch)
    stream = cgm_stream(
        epochs[inside], values[inside], kinds[inside], cadences[inside], sources[inside]
    )
    mean = float(stream.values.mean()) if len(stream) else None
    suff = sufficiency(stream, window, mean)
    cgm = cgm_figures(stream.values, stream.cadences, preset=preset, personal_range=personal_range)
    goals = judged_goals(cgm, suff)

    events = agp = None
    daily: tuple[DailyProfile, ...] = ()
    if suff.cgm_shown:
        grid = build_grid(stream.epochs, stream.values, stream.dominant_cadence(), window.tz)
        events = episodes(grid, window.tz)
        if suff.agp_shown and drawn:
            agp = agp_curve(grid)
        last_day = (window.end - timedelta(microseconds=1)).astimezone(window.tz).date()
        if drawn:
            daily = daily_profiles(
                stream.epochs, stream.values, window.tz, last_day, min(window.days, 14)
            )
    meter_rows = inside & (kinds == FINGERSTICK)
    meter = meter_figures(
        epochs[meter_rows], values[meter_rows], contexts[meter_rows], window.tz, window.days
    )
    return Figures(
        window=window,
        preset=preset,
        sufficiency=suff,
        cgm=cgm if suff.cgm_shown else None,
        goals=goals,
        events=events,
        agp=agp,
        daily=daily,
        meter=meter,
        comparison=None,
    )
