"""Hypo- and hyperglycaemia events on iglu's interpolated grid (DESIGN.md 4.4, CLINICAL.md D4).

The grid is iglu's ``CGMS2DayByDay`` (iglu-python 0.4.3, R-compatible mode):
- step dt0 = the CGM cadence (minutes; 1440 must be a multiple of it);
- rows are local days from the first reading's local midnight to the last reading's (a last
  reading exactly at midnight ends the grid there); slot j (0-based) is (j + 1) * dt0
  minutes past the row's midnight, so the first point is 00:00 + dt0;
- values are linearly interpolated between readings; points before the first reading, after
  the last, and strictly inside a gap > 45 min between consecutive readings are NaN.
The grid runs on the local wall clock, as iglu does with naive times. On a DST change day
the skipped spring hour is a gap (NaN) and in the repeated autumn hour only the first pass
is used (the wall clock must increase for interpolation).

Events follow iglu's ``episode_calculation`` (Battelino 2023; Danne 2017): within each run
of non-NaN points, an event starts at a run of >= k = ceil(15 / dt0) points beyond the
threshold (< for hypo, > for hyper) and ends at the point before the first later run of
>= k points back across it, or at the end of the run (a NaN gap ends it). Starts before the
same end merge into one event. Extended hypo needs int(120 / dt0) + 1 points < 70 to start.
Level 2 events are a subset of level 1; "lv1_excl" are level 1 events with no level 2 point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from . import _time

INTER_GAP_MIN = 45
DURATION_MIN = 15  # to start, and to end (Danne 2017)
EXTENDED_HYPO_MIN = 120
NOCTURNAL_END_HOUR = 6  # start 00:00-05:59 local (Danne 2017 "sleep" block)

# (key, kind, threshold): iglu's summary rows, in iglu's order.
EVENT_TYPES = (
    ("lv1_hypo", "hypo", 70),
    ("lv2_hypo", "hypo", 54),
    ("extended_hypo", "hypo", 70),
    ("lv1_hyper", "hyper", 180),
    ("lv2_hyper", "hyper", 250),
    ("lv1_excl_hypo", "hypo", 70),
    ("lv1_excl_hyper", "hyper", 180),
)


@dataclass(frozen=True)
class Grid:
    """Values (mg/dL, NaN = no data) on a days x (1440 / dt0) local wall-clock grid."""

    dt0: int  # minutes
    first_day: date | None  # local date of row 0
    values: np.ndarray  # float64, shape (days, 1440 // dt0)
    wall_start: int  # local wall seconds (see _time.local_seconds) of row 0's midnight

    @property
    def days(self) -> int:
        return self.values.shape[0]

    def wall_seconds(self) -> np.ndarray:
        """Wall-clock second count of every point, flattened row by row."""
        n = self.values.size
        return self.wall_start + (np.arange(n, dtype=np.int64) + 1) * self.dt0 * 60


def build_grid(
    epochs: np.ndarray, values: np.ndarray, dt0: int, tz: ZoneInfo, inter_gap: int = INTER_GAP_MIN
) -> Grid:
    """iglu's CGMS2DayByDay grid of readings (deduplicated CGM, any order) in zone ``tz``.

    No readings: a 0-day grid. ``dt0`` must divide 1440.
    """
    if 1440 % dt0:
        raise ValueError(f"dt0 must divide 1440 minutes, got {dt0}")
    slots = 1440 // dt0
    if len(epochs) == 0:
        return Grid(dt0, None, np.zeros((0, slots)), 0)
    order = np.argsort(epochs, kind="stable")
    wall = _time.local_seconds(np.asarray(epochs, dtype=np.int64)[order], tz)
    g = np.asarray(values, dtype=np.float64)[order]
    # Keep a strictly increasing wall clock (drops the repeated autumn hour's second pass).
    keep = wall > np.maximum.accumulate(np.concatenate(([wall[0] - 1], wall[:-1])))
    wall, g = wall[keep], g[keep]
    first_day = int(wall[0] // _time.DAY)
    last_day = -(-int(wall[-1]) // _time.DAY)  # ceil: a reading at midnight ends there
    days = max(last_day - first_day, 0)
    start = first_day * _time.DAY
    x = (np.arange(days * slots, dtype=np.int64) + 1) * dt0 * 60  # seconds after start
    xp = wall - start
    grid = np.interp(x, xp, g, left=np.nan, right=np.nan)
    # NaN strictly inside gaps longer than inter_gap (iglu: "> inter_gap * 60" seconds).
    gap = np.flatnonzero(np.diff(xp) > inter_gap * 60)
    if len(gap):
        lo = np.searchsorted(x, xp[gap], side="right")
        hi = np.searchsorted(x, xp[gap + 1], side="left")
        mark = np.zeros(len(x) + 1, dtype=np.int64)
        np.add.at(mark, lo, 1)
        np.add.at(mark, hi, -1)
        grid[np.cumsum(mark[:-1]) > 0] = np.nan
    return Grid(dt0, _time.date_of(first_day), grid.reshape(days, slots), start)


@dataclass(frozen=True)
class Event:
    start: datetime  # aware, local zone: the first grid point of the event
    end: datetime  # the last grid point of the event
    duration_min: int  # points * dt0
    extreme: float  # nadir for hypo, peak for hyper (mg/dL, interpolated grid value)
    mean: float  # mg/dL over the event's grid points
    nocturnal: bool  # starts 00:00-05:59 local


@dataclass(frozen=True)
class EventSummary:
    key: str
    total: int
    per_day: float | None  # events / (non-NaN points * dt0 / 1440); None without data
    per_week: float | None
    mean_duration_min: float | None  # None without events
    mean_glucose: float | None  # mean of per-event means (iglu's avg_ep_gl)
    nocturnal: int
    events: tuple[Event, ...]


def event_runs(
    g: np.ndarray, beyond: np.ndarray, start_points: int, end_points: int
) -> list[tuple[int, int]]:
    """(first, last) point indices of the events in one NaN-free run (iglu's event_class)."""
    n = len(g)
    if n == 0:
        return []
    change = np.flatnonzero(np.diff(beyond.astype(np.int8))) + 1
    run_starts = np.concatenate(([0], change))
    run_lengths = np.diff(np.concatenate((run_starts, [n])))
    run_beyond = beyond[run_starts]
    starts = run_starts[run_beyond & (run_lengths >= start_points)]
    ends = np.concatenate((run_starts[~run_beyond & (run_lengths >= end_points)], [n]))
    events: list[tuple[int, int]] = []
    for s in starts.tolist():
        last = int(ends[np.searchsorted(ends, s, side="right")]) - 1
        if events and events[-1][1] == last:
            continue  # a later start before the same end: one event (iglu drops duplicates)
        events.append((s, last))
    return events


def grid_segments(grid: Grid) -> list[tuple[int, int]]:
    """[start, end) point indices of the grid's contiguous non-NaN runs (iglu's segments)."""
    ok = ~np.isnan(grid.values.ravel())
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def find_events(grid: Grid, key: str, segments=None) -> list[tuple[int, int]]:
    """(first, last) flat point indices of the events of one of the first five
    EVENT_TYPES (lv1/lv2 hypo, extended hypo, lv1/lv2 hyper) on ``grid``."""
    kind, threshold = next((k, t) for name, k, t in EVENT_TYPES if name == key)
    k = math.ceil(DURATION_MIN / grid.dt0)
    start_points = int(EXTENDED_HYPO_MIN / grid.dt0) + 1 if key == "extended_hypo" else k
    flat = grid.values.ravel()
    runs = []
    for a, b in grid_segments(grid) if segments is None else segments:
        seg = flat[a:b]
        beyond = seg < threshold if kind == "hypo" else seg > threshold
        runs += [(a + s, a + e) for s, e in event_runs(seg, beyond, start_points, k)]
    return runs


def episodes(grid: Grid, tz: ZoneInfo) -> dict[str, EventSummary]:
    """Every event type of EVENT_TYPES on ``grid``, keyed as there."""
    dt0 = grid.dt0
    flat = grid.values.ravel()
    wall = grid.wall_seconds()
    days_of_data = float((~np.isnan(flat)).sum()) * dt0 / 1440
    segments = grid_segments(grid)
    found = {key: find_events(grid, key, segments) for key, _, _ in EVENT_TYPES[:5]}
    for kind in ("hypo", "hyper"):
        lv2 = np.zeros(len(flat), dtype=bool)
        for s, e in found[f"lv2_{kind}"]:
            lv2[s : e + 1] = True
        found[f"lv1_excl_{kind}"] = [
            (s, e) for s, e in found[f"lv1_{kind}"] if not lv2[s : e + 1].any()
        ]
    return {
        key: _summary(key, kind, found[key], flat, wall, dt0, days_of_data, tz)
        for key, kind, _ in EVENT_TYPES
    }


def _summary(key, kind, runs, flat, wall, dt0, days_of_data, tz) -> EventSummary:
    events = tuple(
        Event(
            start=_time.wall_to_aware(wall[s], tz),
            end=_time.wall_to_aware(wall[e], tz),
            duration_min=(e - s + 1) * dt0,
            extreme=round(float((np.min if kind == "hypo" else np.max)(flat[s : e + 1])), 2),
            mean=float(flat[s : e + 1].mean()),
            nocturnal=(int(wall[s]) % _time.DAY) < NOCTURNAL_END_HOUR * 3600,
        )
        for s, e in runs
    )
    per_day = len(events) / days_of_data if days_of_data else None
    return EventSummary(
        key=key,
        total=len(events),
        per_day=per_day,
        per_week=None if per_day is None else per_day * 7,
        mean_duration_min=float(np.mean([e.duration_min for e in events])) if events else None,
        mean_glucose=float(np.mean([e.mean for e in events])) if events else None,
        nocturnal=sum(e.nocturnal for e in events),
        events=events,
    )
