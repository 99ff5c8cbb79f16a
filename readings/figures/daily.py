"""Per-day sums of a record's CGM readings, and a window's roster figures from them.

A roster of 2,000 records x 28 days (14 days and the 14 before, for the change in time in
range) cannot be computed from ~16 million readings in the 300 ms DESIGN.md section 8 allows
(CLINICAL.md D12). So the write services keep, per record and local day, the integer sums that
every figure the roster shows follows from (``DaySums``), and ``period_figures`` turns a
window's sums into the figures with the same functions summarize() uses (figures_from_sums,
sufficiency_of, judged_goals). Summing integers is exact, so the roster equals the report.

A day is summed two ways, because a window computed from readings (summarize) starts afresh
at its first midnight and carries on across the others:
- ``fresh``: as the first day of a window: deduplication and events start at midnight;
- continuing (``fresh=False``): as a later day: the LOOKBACK before midnight decides which
  readings just after it are duplicates and whether a level 2 hypo was already under way
  (an event counts on the day it starts).
A window's sums are its first day fresh plus its other days continuing.

Where the sums can differ from summarize() (never in the tests' data, which include
duplicates from two sources, scans, gaps, events across midnight and a DST week): a chain of
near-duplicate readings with no gap of a cadence for longer than LOOKBACK before a midnight; a
level 2 hypo merging with one more than LOOKBACK away; and CGM readings stored without a
cadence whose source's median interval on the day differs from the window's (the cadence is
then inferred per day; every importer and uploader that knows it stores it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from core import consensus as cons

from . import _time
from .cgm import CgmFigures, CgmSums, figures_from_sums
from .events import build_grid, find_events
from .streams import CADENCES, cgm_stream
from .sufficiency import Sufficiency, Window, sufficiency_of

LOOKBACK = timedelta(hours=2)  # before a continuing day's midnight
LOOKAHEAD = timedelta(hours=2)  # after the day: an event starting at 23:55 is confirmed later


@dataclass(frozen=True)
class DaySums:
    """One local day's deduplicated CGM readings as integer sums."""

    cgm: CgmSums = field(default_factory=CgmSums)
    by_cadence: tuple[int, ...] = (0,) * len(CADENCES)  # readings per cadence 1/5/15 min
    # Level 2 hypo events starting this day, found on the 1-, 5- and 15-minute grids (a
    # window uses the grid of its most common cadence).
    lv2_hypo: tuple[int, ...] = (0,) * len(CADENCES)

    def __add__(self, other: DaySums) -> DaySums:
        return DaySums(
            self.cgm + other.cgm,
            _add(self.by_cadence, other.by_cadence),
            _add(self.lv2_hypo, other.lv2_hypo),
        )

    def dominant_cadence(self) -> int:
        """The most common cadence (ties: the shorter), as CgmStream.dominant_cadence."""
        best = max(self.by_cadence)
        return CADENCES[self.by_cadence.index(best)] if best else CADENCES[1]

    @property
    def lv2_hypo_events(self) -> int:
        return self.lv2_hypo[CADENCES.index(self.dominant_cadence())]


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def day_bounds(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """[start, end) of a local day in Unix seconds (23 or 25 hours on DST days)."""
    start = _time.local_midnight(day, tz)
    return _time.epoch_of(start), _time.epoch_of(_time.local_midnight(day + timedelta(days=1), tz))


def readings_span(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """The readings day_sums needs for ``day`` (either way): [start, end) in Unix seconds."""
    start, end = day_bounds(day, tz)
    return start - int(LOOKBACK.total_seconds()), end + int(LOOKAHEAD.total_seconds())


def day_sums(epochs, values, kinds, cadences, sources, *, tz: ZoneInfo, day: date, fresh: bool):
    """``day``'s DaySums from readings covering at least readings_span(day, tz) (parallel
    arrays as for summarize; readings outside that span are ignored)."""
    start, end = day_bounds(day, tz)
    first, last = readings_span(day, tz)
    epochs = np.asarray(epochs, dtype=np.int64)
    keep = (epochs >= (start if fresh else first)) & (epochs < last)
    stream = cgm_stream(
        epochs[keep],
        np.asarray(values, dtype=np.int64)[keep],
        np.asarray(kinds, dtype=str)[keep],
        np.asarray(cadences, dtype=np.int64)[keep],
        np.asarray(sources, dtype=str)[keep],
    )
    today = stream.between(start, end)
    if len(today) == 0:
        return DaySums()
    by_cadence = tuple(int((today.cadences == c).sum()) for c in CADENCES)
    if not (stream.values < cons.VERY_LOW_BELOW).any():  # no point of any grid below 54
        return DaySums(CgmSums.of(today.values, today.cadences), by_cadence)
    lv2 = []
    day_wall = _time.day_number(day) * _time.DAY  # the day's midnight on the wall clock
    for dt0 in CADENCES:
        grid = build_grid(stream.epochs, stream.values, dt0, tz)
        wall = grid.wall_seconds()
        starts = [wall[first] for first, _ in find_events(grid, "lv2_hypo")]
        lv2.append(sum(1 for s in starts if day_wall <= s < day_wall + _time.DAY))
    return DaySums(CgmSums.of(today.values, today.cadences), by_cadence, tuple(lv2))


@dataclass(frozen=True)
class PeriodFigures:
    """What a roster row shows of one window, from its day sums. ``cgm`` has no order
    statistics (median, quantiles): sums cannot give them and the roster does not show them.
    Duck-compatible with Figures for readings.stats.time_figures (cgm, preset, goals)."""

    window: Window
    preset: str
    sufficiency: Sufficiency
    cgm: CgmFigures | None
    goals: tuple[cons.Goal, ...]
    lv2_hypo_events: int | None  # None when CGM figures are withheld


def period_figures(
    sums: DaySums, *, days_with_data: int, window: Window, preset: str
) -> PeriodFigures:
    """A window's figures from the sum of its days' DaySums (the first day fresh)."""
    from . import judged_goals  # the package imports this module

    cgm = figures_from_sums(sums.cgm, preset=preset)
    suff = sufficiency_of(
        minutes=sums.cgm.minutes, mean=sums.cgm.mean(), days_with_data=days_with_data, window=window
    )
    return PeriodFigures(
        window=window,
        preset=preset,
        sufficiency=suff,
        cgm=cgm if suff.cgm_shown else None,
        goals=judged_goals(cgm, suff),
        lv2_hypo_events=sums.lv2_hypo_events if suff.cgm_shown else None,
    )
