"""What readings.selectors.reading_stats returns: the clinical figures of a report window
(readings.figures, DESIGN.md section 4) and the readings list's plain summary.

Pure functions over plain data (no queries). Two kinds of numbers, never mixed:

- ``figures``: every clinical figure of the window, computed by readings.figures alone
  (CGM only, deduplicated, cadence-weighted; events, AGP, meter block, comparison with
  the previous window). The dashboard, the physician's report, the roster and the API show
  these and nothing else.
- ``count``, ``mean``, ``by_context``, ``by_day``: a plain description of the readings a
  list shows (every kind, each reading once), e.g. "128 mg/dL on average over 40
  readings". Not a clinical figure: never labelled time in range, GMI or the like.
- eA1c (ADAG, Nathan et al., Diabetes Care 2008;31:1473-8) only for meter data: no CGM in
  the window and meter readings on >= 14 local days (CLINICAL.md D11); otherwise None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from core import consensus
from core.localtime import local_seconds
from readings import figures as figures_module
from readings.figures import Figures
from readings.figures.daily import PeriodFigures

EA1C_MIN_METER_DAYS = 14
_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class GroupMean:
    key: str  # a reading context, or an ISO date for days
    count: int
    mean: float


@dataclass(frozen=True)
class ReadingStats:
    """One record's readings in [start, end): figures plus the list's plain summary.

    ``figures`` is None only when there is no window (no bounds given and no readings).
    """

    start: datetime | None
    end: datetime | None
    tz: ZoneInfo
    preset: str
    target_low: int
    target_high: int
    count: int  # readings of every kind in [start, end)
    mean: float | None  # their plain mean, mg/dL (the readings list's summary)
    ea1c: float | None
    figures: Figures | None
    by_context: list[GroupMean] = field(default_factory=list)
    by_day: list[GroupMean] = field(default_factory=list)


def compute(
    *,
    values: Sequence[int],
    epochs: Sequence[int],
    kinds: Sequence[str],
    contexts: Sequence[str],
    cadences: Sequence[int | None],
    sources: Sequence[str],
    tz: ZoneInfo,
    start: datetime | None,
    end: datetime | None,
    preset: str,
    target_low: int,
    target_high: int,
    compare_previous: bool = True,
) -> ReadingStats:
    """The stats of parallel reading columns (mg/dL, Unix seconds, any order).

    Rows before ``start`` feed only the comparison with the previous window. Without
    ``start``/``end`` the window is the whole local days from the first to the last reading.
    """
    values_a = np.asarray(values, dtype=np.int64)
    epochs_a = np.asarray(epochs, dtype=np.int64)
    kinds_a = np.asarray(kinds, dtype=str)
    window_start, window_end = start, end
    if (start is None or end is None) and len(epochs_a):
        local = local_seconds(epochs_a, tz)
        first = date(1970, 1, 1) + timedelta(days=int(local.min() // _DAY_SECONDS))
        last = date(1970, 1, 1) + timedelta(days=int(local.max() // _DAY_SECONDS))
        whole_start, whole_end = figures_module.whole_days((last - first).days + 1, last, tz)
        window_start = start if start is not None else whole_start
        window_end = end if end is not None else whole_end
    figures = None
    if window_start is not None and window_end is not None:
        figures = figures_module.summarize(
            epochs_a,
            values_a,
            kinds_a,
            [c or 0 for c in cadences],
            list(sources),
            list(contexts),
            tz=tz,
            start=window_start,
            end=window_end,
            preset=preset,
            compare_previous=compare_previous,
            personal_range=(target_low, target_high),
        )

    inside = np.ones(len(epochs_a), dtype=bool)
    if start is not None:
        inside &= epochs_a >= int(start.timestamp())
    if end is not None:
        inside &= epochs_a < int(end.timestamp())
    values_in, epochs_in = values_a[inside], epochs_a[inside]
    contexts_in = [c for c, keep in zip(contexts, inside.tolist(), strict=True) if keep]
    local_in = local_seconds(epochs_in, tz)
    n = len(values_in)
    return ReadingStats(
        start=start,
        end=end,
        tz=tz,
        preset=preset,
        target_low=target_low,
        target_high=target_high,
        count=n,
        mean=round(float(values_in.mean()), 2) if n else None,
        ea1c=_ea1c(figures, values_in, kinds_a[inside], local_in),
        figures=figures,
        by_context=_group_means(values_in, contexts_in),
        by_day=_day_means(values_in, local_in),
    )


def _ea1c(figures, values, kinds, local) -> float | None:
    """ADAG eA1c (%) of meter readings, only without CGM and with >= 14 meter days."""
    if figures is None or figures.sufficiency.cgm_minutes > 0:
        return None
    meter = kinds == "fingerstick"
    if len(np.unique(local[meter] // _DAY_SECONDS)) < EA1C_MIN_METER_DAYS:
        return None
    return round((float(values[meter].mean()) + 46.7) / 28.7, 2)


def _group_means(values: np.ndarray, keys: Sequence[str]) -> list[GroupMean]:
    if not len(values):
        return []
    names = sorted(set(keys))
    code_of = {name: code for code, name in enumerate(names)}
    codes = np.fromiter(map(code_of.__getitem__, keys), dtype=np.int64, count=len(keys))
    counts = np.bincount(codes, minlength=len(names))
    sums = np.bincount(codes, weights=values, minlength=len(names))
    return [
        GroupMean(key=name, count=int(counts[i]), mean=round(float(sums[i] / counts[i]), 2))
        for i, name in enumerate(names)
    ]


def _day_means(values: np.ndarray, local: np.ndarray) -> list[GroupMean]:
    if not len(values):
        return []
    days, inverse, counts = np.unique(
        local // _DAY_SECONDS, return_inverse=True, return_counts=True
    )
    sums = np.bincount(inverse, weights=values)
    epoch_day = date(1970, 1, 1)
    return [
        GroupMean(
            key=(epoch_day + timedelta(days=int(day))).isoformat(),
            count=int(count),
            mean=round(float(total / count), 2),
        )
        for day, count, total in zip(days, counts, sums, strict=True)
    ]


def time_figures(figures: Figures | PeriodFigures) -> dict[str, float | None]:
    """The time-in-ranges figures as every page shows them (% of CGM time), one rule for
    the report's cards and the roster so they cannot disagree: a figure the preset has a
    goal for is the goal's value (from unrounded sums), else the figure itself.

    Keys: in_range (the preset's range), below_low / above_high (its bounds), below_70,
    below_54, above_250, tight_range. All None when CGM figures are withheld.
    """
    cgm = figures.cgm
    keys = ("in_range", "below_low", "above_high", "below_70", "below_54", "above_250")
    if cgm is None:
        return dict.fromkeys((*keys, "tight_range"))
    preset = consensus.preset(figures.preset)
    goals = {goal.key: goal.value for goal in figures.goals}
    return {
        "in_range": goals.get("in_range", cgm.preset_in_range),
        "below_low": goals.get(f"below_{preset.range_low}", cgm.preset_below),
        "above_high": goals.get(f"above_{preset.range_high}", cgm.preset_above),
        "below_70": goals.get("below_70", cgm.below_70),
        "below_54": goals.get("below_54", cgm.bands.very_low),
        "above_250": goals.get("above_250", cgm.bands.very_high),
        "tight_range": cgm.tight_range,
    }
