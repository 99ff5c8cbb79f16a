"""The blood-glucose meter (fingerstick) block, with meal-context pairs (CLINICAL.md D10).

Meter figures are "% of readings", never time, and never mix with CGM figures.
- count, readings per day (count / window days), mean, min, max; CV (sample SD) only with
  n >= 30 (Tidepool, "per BGM AGP Spec").
- % of readings per consensus band, rounded to 0.01 by largest remainder.
- Hourly modal day: median with >= 3 readings, quartiles with >= 5, no 5/95
  (Tidepool ``bloodglucose.js::calculateSmbgStatsForBin``).
- Meal pairs: each ``after_meal`` reading with the latest ``before_meal`` reading 60-180 min
  (inclusive) earlier on the same local day; ``after_snack``/``before_snack`` likewise.
  Slot by the post-meal reading's local time: breakfast 04:00-10:59, lunch 11:00-15:59,
  dinner 16:00-21:59 (others are not reported per slot). Rise = post - pre.
- Fasting and bedtime: count, mean, median, % in 80-130 mg/dL (ADA preprandial target).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from core import consensus as cons

from . import _time

MIN_READINGS_FOR_CV = 30
HOURLY_MEDIAN_MIN = 3
HOURLY_IQR_MIN = 5
PAIR_MIN_S = 60 * 60
PAIR_MAX_S = 180 * 60
POST_MEAL_HIGH = 180
SLOTS = (("breakfast", 4, 11), ("lunch", 11, 16), ("dinner", 16, 22))  # local hours [from, to)
PREPRANDIAL_TARGET = (80, 130)


@dataclass(frozen=True)
class HourBin:
    hour: int
    count: int
    median: float | None
    p25: float | None
    p75: float | None


@dataclass(frozen=True)
class MealSlot:
    slot: str  # breakfast, lunch, dinner, or "snack"
    pairs: int
    median_pre: float | None
    median_post: float | None
    median_rise: float | None
    post_above_180: float | None  # % of pairs


@dataclass(frozen=True)
class ContextBlock:
    context: str
    count: int
    mean: float | None
    median: float | None
    in_80_130: float | None  # % of readings


@dataclass(frozen=True)
class MeterFigures:
    count: int
    per_day: float | None
    mean: float | None
    min: int | None
    max: int | None
    cv: float | None
    bands: dict[str, float] | None  # % of readings
    hourly: tuple[HourBin, ...]
    meals: tuple[MealSlot, ...]  # breakfast, lunch, dinner, snack
    fasting: ContextBlock
    bedtime: ContextBlock


def meal_pairs(
    epochs: np.ndarray, contexts: np.ndarray, tz: ZoneInfo, before: str, after: str
) -> list[tuple[int, int]]:
    """(pre index, post index) pairs: each ``after`` reading with the latest ``before``
    reading 60-180 min earlier (inclusive) on the same local day."""
    epochs = np.asarray(epochs, dtype=np.int64)
    local = _time.local_seconds(epochs, tz)
    pre = np.flatnonzero(np.asarray(contexts) == before)
    pre = pre[np.argsort(epochs[pre], kind="stable")]
    pairs = []
    for j in np.flatnonzero(np.asarray(contexts) == after).tolist():
        dt = epochs[j] - epochs[pre]
        ok = (
            (dt >= PAIR_MIN_S)
            & (dt <= PAIR_MAX_S)
            & (local[pre] // _time.DAY == local[j] // _time.DAY)
        )
        if ok.any():
            pairs.append((int(pre[np.flatnonzero(ok)[-1]]), j))
    return pairs


def meter_figures(
    epochs: np.ndarray, values: np.ndarray, contexts: np.ndarray, tz: ZoneInfo, window_days: int
) -> MeterFigures:
    """The meter block for fingerstick readings inside the window (any order)."""
    epochs = np.asarray(epochs, dtype=np.int64)
    g = np.asarray(values, dtype=np.int64)
    contexts = np.asarray(contexts) if len(contexts) else np.zeros(0, dtype=str)
    n = len(g)
    local = _time.local_seconds(epochs, tz)
    hours = (local % _time.DAY) // 3600
    hourly = tuple(_hour_bin(h, g[hours == h]) for h in range(24))
    meals = []
    for name, lo, hi in SLOTS:
        pairs = [
            (a, b)
            for a, b in meal_pairs(epochs, contexts, tz, "before_meal", "after_meal")
            if lo <= hours[b] < hi
        ]
        meals.append(_meal_slot(name, g, pairs))
    meals.append(
        _meal_slot("snack", g, meal_pairs(epochs, contexts, tz, "before_snack", "after_snack"))
    )
    if n == 0:
        return MeterFigures(
            0, 0.0, None, None, None, None, None, hourly, tuple(meals),
            _context_block("fasting", g[:0]), _context_block("bedtime", g[:0]),
        )  # fmt: skip
    masks = (
        g < cons.VERY_LOW_BELOW,
        (g >= cons.VERY_LOW_BELOW) & (g < cons.LOW_BELOW),
        (g >= cons.LOW_BELOW) & (g <= cons.HIGH_ABOVE),
        (g > cons.HIGH_ABOVE) & (g <= cons.VERY_HIGH_ABOVE),
        g > cons.VERY_HIGH_ABOVE,
    )
    bands = dict(
        zip(cons.BAND_KEYS, cons.largest_remainder([int(m.sum()) for m in masks]), strict=True)
    )
    mean = float(g.mean())
    cv = 100.0 * float(g.std(ddof=1)) / mean if n >= MIN_READINGS_FOR_CV else None
    return MeterFigures(
        count=n,
        per_day=round(n / window_days, 2) if window_days else None,
        mean=round(mean, 2),
        min=int(g.min()),
        max=int(g.max()),
        cv=None if cv is None else round(cv, 2),
        bands=bands,
        hourly=hourly,
        meals=tuple(meals),
        fasting=_context_block("fasting", g[contexts == "fasting"]),
        bedtime=_context_block("bedtime", g[contexts == "bedtime"]),
    )


def _hour_bin(hour: int, g: np.ndarray) -> HourBin:
    n = len(g)
    median = round(float(np.median(g)), 2) if n >= HOURLY_MEDIAN_MIN else None
    if n >= HOURLY_IQR_MIN:
        p25, p75 = (round(float(x), 2) for x in np.percentile(g, (25, 75)))
    else:
        p25 = p75 = None
    return HourBin(hour, n, median, p25, p75)


def _meal_slot(name: str, g: np.ndarray, pairs: list[tuple[int, int]]) -> MealSlot:
    if not pairs:
        return MealSlot(name, 0, None, None, None, None)
    pre = np.array([g[a] for a, _ in pairs], dtype=float)
    post = np.array([g[b] for _, b in pairs], dtype=float)
    return MealSlot(
        slot=name,
        pairs=len(pairs),
        median_pre=float(np.median(pre)),
        median_post=float(np.median(post)),
        median_rise=float(np.median(post - pre)),
        post_above_180=round(100.0 * float(np.mean(post > POST_MEAL_HIGH)), 2),
    )


def _context_block(context: str, g: np.ndarray) -> ContextBlock:
    if len(g) == 0:
        return ContextBlock(context, 0, None, None, None)
    lo, hi = PREPRANDIAL_TARGET
    return ContextBlock(
        context=context,
        count=len(g),
        mean=round(float(g.mean()), 2),
        median=float(np.median(g)),
        in_80_130=round(100.0 * float(np.mean((g >= lo) & (g <= hi))), 2),
    )
