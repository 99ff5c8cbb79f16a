"""The AGP curve, its display smoothing, and the 14 daily profiles (CLINICAL.md D5, D6).

- Numbers: per local time slot of the events grid (iglu ``CGMS2DayByDay``; slot j is
  (j + 1) * dt0 minutes past midnight), quantiles 5/25/50/75/95 over days of the non-NaN
  values (R type 7), NaN where fewer than 5 days contribute. Equals
  ``np.nanquantile(iglu.CGMS2DayByDay(df)[0], q, axis=0)`` masked the same way.
- Display only (never tested against iglu): 15-minute aggregation (mean of the slot values)
  then a circular 1-4-1 weighted average, 0-4-1 / 1-4-0 next to an empty neighbour
  (Tidepool ``AGPUtils.js`` 789-835, which applies it to hourly bins).
- Daily profiles: the last 14 local days, readings as they are, the line broken (None) at
  gaps > 45 min (iglu ``plot_daily``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from . import _time
from .events import INTER_GAP_MIN, Grid

QUANTILES = (5, 25, 50, 75, 95)
MIN_DAYS_PER_SLOT = 5
DISPLAY_BIN_MIN = 15
DAILY_PROFILE_DAYS = 14


@dataclass(frozen=True)
class AgpCurve:
    """Quantile curves per slot (None where fewer than 5 days contribute)."""

    dt0: int
    slot_minutes: tuple[int, ...]  # minutes past local midnight: dt0, 2*dt0, ..., 1440
    days_per_slot: tuple[int, ...]
    quantiles: dict[int, tuple[float | None, ...]]  # {5: (...), 25: ..., 95: ...}


def agp_curve(grid: Grid) -> AgpCurve:
    """Per-slot quantiles over the grid's days."""
    slots = 1440 // grid.dt0
    days = np.sum(~np.isnan(grid.values), axis=0) if grid.days else np.zeros(slots, dtype=int)
    if grid.days:
        q = nan_quantiles(grid.values, np.asarray(QUANTILES) / 100)
    else:
        q = np.full((len(QUANTILES), slots), np.nan)
    q[:, days < MIN_DAYS_PER_SLOT] = np.nan
    return AgpCurve(
        dt0=grid.dt0,
        slot_minutes=tuple(range(grid.dt0, 1441, grid.dt0)),
        days_per_slot=tuple(int(d) for d in days),
        quantiles={p: _tuple(q[i]) for i, p in enumerate(QUANTILES)},
    )


def nan_quantiles(values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per column of ``values`` (days x slots), R type 7 quantiles of the non-NaN entries:
    ``np.nanquantile(values, probs, axis=0)`` in one vectorised pass (nanquantile loops over
    the columns in Python, which cost a dashboard 60 ms). All-NaN columns give NaN."""
    ordered = np.sort(values, axis=0)  # NaN sorts last
    count = np.sum(~np.isnan(values), axis=0)
    out = np.full((len(probs), values.shape[1]), np.nan)
    has = count > 0
    if not has.any():
        return out
    cols = np.flatnonzero(has)
    k = count[cols]
    for i, p in enumerate(probs):
        h = (k - 1) * p
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, k - 1)
        a = ordered[lo, cols]
        b = ordered[hi, cols]
        t = h - lo
        # numpy's own linear interpolation (_lerp), so the numbers match nanquantile.
        diff = b - a
        out[i, cols] = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
    return out


def _quiet(f, *args, **kwargs):
    """``f`` without numpy's warnings for all-NaN slots (they are masked or kept as gaps)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return f(*args, **kwargs)


def smooth_for_display(curve: AgpCurve) -> dict[int, tuple[float | None, ...]]:
    """Each quantile curve as 96 15-minute points, circularly 1-4-1 smoothed (display only).

    A 15-minute point is the mean of its slots' values (None if all are missing). A missing
    point stays missing; beside a missing neighbour the kernel drops that side (0-4-1 or
    1-4-0), as Tidepool does for empty bins.
    """
    per_bin = max(1, DISPLAY_BIN_MIN // curve.dt0)
    out = {}
    for p, series in curve.quantiles.items():
        v = np.array([np.nan if x is None else x for x in series], dtype=float)
        v = v.reshape(-1, per_bin) if len(v) % per_bin == 0 else v.reshape(-1, 1)
        b = _quiet(np.nanmean, v, axis=1)
        prev, nxt = np.roll(b, 1), np.roll(b, -1)
        wp, wn = (~np.isnan(prev)).astype(float), (~np.isnan(nxt)).astype(float)
        num = 4 * b + np.nan_to_num(prev) * wp + np.nan_to_num(nxt) * wn
        out[p] = _tuple(num / (4 + wp + wn))
    return out


@dataclass(frozen=True)
class DailyProfile:
    """One local day's readings; None in both tuples marks a break in the line."""

    day: date
    times: tuple[datetime | None, ...]
    values: tuple[int | None, ...]


def daily_profiles(
    epochs: np.ndarray,
    values: np.ndarray,
    tz: ZoneInfo,
    last_day: date,
    days: int = DAILY_PROFILE_DAYS,
) -> tuple[DailyProfile, ...]:
    """The ``days`` local days ending with ``last_day``, oldest first (deduplicated CGM in)."""
    local = _time.local_seconds(np.asarray(epochs, dtype=np.int64), tz)
    day_of = local // _time.DAY
    out = []
    for offset in range(days - 1, -1, -1):
        d = last_day - timedelta(days=offset)
        idx = np.flatnonzero(day_of == _time.day_number(d))
        times: list[datetime | None] = []
        vals: list[int | None] = []
        prev = None
        for i in idx.tolist():
            t = int(epochs[i])
            if prev is not None and t - prev > INTER_GAP_MIN * 60:
                times.append(None)
                vals.append(None)
            times.append(datetime.fromtimestamp(t, tz=tz))
            vals.append(int(values[i]))
            prev = t
        out.append(DailyProfile(d, tuple(times), tuple(vals)))
    return tuple(out)


def _tuple(a: np.ndarray) -> tuple[float | None, ...]:
    return tuple(None if np.isnan(x) else round(float(x), 2) for x in a)
