"""Glucose statistics: the one implementation behind every page and API figure.

Pure functions over plain data (no queries). Everything is in mg/dL and unweighted by time:
each reading counts once. Definitions (DESIGN.md section 4):

- mean; ``sd`` is the sample standard deviation (n-1); ``cv`` = 100 * sd / mean (%).
- percentiles use linear interpolation between closest ranks (numpy's default, R type 7,
  Excel PERCENTILE.INC); the median is p50.
- GMI (%) = 3.31 + 0.02392 * mean [Bergenstal et al., Diabetes Care 2018;41:2275-2280].
  Reported only with >= 14 days of CGM data covering >= 70 % of the period (Tidepool's
  rule), otherwise None with the reason.
- eA1c (%) = (mean + 46.7) / 28.7 [Nathan et al., ADAG study, Diabetes Care 2008;31:1473-8].
- Ranges (inclusive integer bounds) by the international consensus on time in range
  [Battelino et al., Diabetes Care 2019;42:1593-1603]: very low < 54, low 54-69,
  in range 70-180, high 181-250, very high > 250. Percentages of readings, rounded to 0.01
  by largest remainder so that the five always sum to exactly 100.
- "Day" and "time of day" are the patient's local ones, DST included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from core.consensus import (
    HIGH_ABOVE,
    LOW_BELOW,
    RANGE_KEYS,
    VERY_HIGH_ABOVE,
    VERY_LOW_BELOW,
    Goal,
    consensus_goals,
    percentages,
)
from core.localtime import from_epoch, local_seconds

PERCENTILES = (5, 25, 50, 75, 95)

GMI_MIN_CGM_DAYS = 14
GMI_MIN_CGM_COVERAGE = 70.0  # percent of the period
CGM_INTERVAL_MINUTES = 5  # the sampling interval coverage is counted in (Dexcom, Libre 2/3)

CGM_AGP_BIN_MINUTES = 15
FINGERSTICK_AGP_BIN_MINUTES = 60

TARGET_KEYS = ("below_target", "in_target", "above_target")

_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class GroupMean:
    key: str  # a reading context, or an ISO date for days
    count: int
    mean: float


@dataclass(frozen=True)
class AgpBin:
    start_minute: int  # local minutes after midnight
    count: int
    p5: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p95: float | None


@dataclass(frozen=True)
class Summary:
    start: datetime | None
    end: datetime | None
    count: int
    mean: float | None
    sd: float | None
    cv: float | None
    median: float | None
    min: int | None
    max: int | None
    p5: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p95: float | None
    gmi: float | None
    gmi_unavailable_reason: str | None
    ea1c: float | None
    very_low: float | None
    low: float | None
    in_range: float | None
    high: float | None
    very_high: float | None
    below_target: float | None
    in_target: float | None
    above_target: float | None
    target_low: int
    target_high: int
    cgm_days: int
    cgm_coverage: float | None
    by_context: list[GroupMean] = field(default_factory=list)
    by_day: list[GroupMean] = field(default_factory=list)
    agp_bin_minutes: int = CGM_AGP_BIN_MINUTES
    agp: list[AgpBin] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)

    @property
    def ranges(self) -> dict[str, float | None]:
        return {key: getattr(self, key) for key in RANGE_KEYS}


def summarize(
    values_mgdl: Sequence[int],
    times: Sequence[datetime] | Sequence[int],
    *,
    tz: ZoneInfo,
    kinds: Sequence[str] | None = None,
    contexts: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    target_low: int = 70,
    target_high: int = 180,
) -> Summary:
    """Every figure of DESIGN.md section 4 over one period's readings.

    ``values_mgdl``, ``times`` (aware datetimes, or whole seconds since the Unix epoch),
    ``kinds`` ("cgm"/"fingerstick") and ``contexts`` are parallel sequences.
    ``start``/``end`` bound the period ([start, end)); they decide CGM coverage for the GMI
    rule and default to the first and last reading. With no readings, count is 0 and every
    figure is None.
    """
    n = len(values_mgdl)
    values = np.fromiter(values_mgdl, dtype=np.int64, count=n)
    epochs = _epochs(times)
    local = local_seconds(epochs, tz)
    if n == 0:
        return _empty_summary(start, end, target_low, target_high)

    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else None
    cv = 100.0 * sd / mean if sd is not None else None
    pct = np.percentile(values, PERCENTILES)
    percentiles = dict(
        zip(("p5", "p25", "p50", "p75", "p95"), (float(p) for p in pct), strict=True)
    )

    range_counts = [
        int(np.count_nonzero(values < VERY_LOW_BELOW)),
        int(np.count_nonzero((values >= VERY_LOW_BELOW) & (values < LOW_BELOW))),
        int(np.count_nonzero((values >= LOW_BELOW) & (values <= HIGH_ABOVE))),
        int(np.count_nonzero((values > HIGH_ABOVE) & (values <= VERY_HIGH_ABOVE))),
        int(np.count_nonzero(values > VERY_HIGH_ABOVE)),
    ]
    target_counts = [
        int(np.count_nonzero(values < target_low)),
        int(np.count_nonzero((values >= target_low) & (values <= target_high))),
        int(np.count_nonzero(values > target_high)),
    ]
    ranges = dict(zip(RANGE_KEYS, percentages(range_counts), strict=True))
    targets = dict(zip(TARGET_KEYS, percentages(target_counts), strict=True))

    is_cgm = (
        np.fromiter(map("cgm".__eq__, kinds), dtype=bool, count=n)
        if kinds is not None
        else np.zeros(n, dtype=bool)
    )
    period_start = start if start is not None else from_epoch(epochs.min())
    period_end = end if end is not None else from_epoch(epochs.max())
    cgm_days = len(np.unique(local[is_cgm] // _DAY_SECONDS))
    cgm_coverage = _cgm_coverage(int(is_cgm.sum()), period_start, period_end)
    gmi_reason = _gmi_unavailable_reason(cgm_days, cgm_coverage)
    gmi = None if gmi_reason else 3.31 + 0.02392 * mean

    agp_bin_minutes, agp = _agp(values, local, is_cgm)
    cv_rounded = _round(cv)
    summary_figures = {
        "count": n,
        "mean": _round(mean),
        "sd": _round(sd),
        "cv": cv_rounded,
        "median": _round(percentiles["p50"]),
        "min": int(values.min()),
        "max": int(values.max()),
        **{key: _round(value) for key, value in percentiles.items()},
        "gmi": _round(gmi),
        "gmi_unavailable_reason": gmi_reason,
        "ea1c": _round((mean + 46.7) / 28.7),
        **ranges,
        **targets,
    }
    return Summary(
        start=start,
        end=end,
        target_low=target_low,
        target_high=target_high,
        cgm_days=cgm_days,
        cgm_coverage=_round(cgm_coverage),
        by_context=_group_means(values, contexts) if contexts is not None else [],
        by_day=_day_means(values, local),
        agp_bin_minutes=agp_bin_minutes,
        agp=agp,
        goals=consensus_goals(ranges, cv_rounded),
        **summary_figures,
    )


# --- internals ------------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _empty_summary(start, end, target_low, target_high) -> Summary:
    figures = {
        name: None
        for name in (
            "mean sd cv median min max p5 p25 p50 p75 p95 gmi ea1c cgm_coverage".split()
            + list(RANGE_KEYS)
            + list(TARGET_KEYS)
        )
    }
    return Summary(
        start=start,
        end=end,
        count=0,
        gmi_unavailable_reason="There are no readings in this period.",
        target_low=target_low,
        target_high=target_high,
        cgm_days=0,
        goals=consensus_goals(dict.fromkeys(RANGE_KEYS), None),
        **figures,
    )


def _epochs(times) -> np.ndarray:
    """Whole seconds since the Unix epoch, as int64."""
    if len(times) and isinstance(times[0], datetime):
        return np.fromiter(
            (t.timestamp() for t in times), dtype=np.float64, count=len(times)
        ).astype(np.int64)
    return np.fromiter(times, dtype=np.int64, count=len(times))


def _cgm_coverage(cgm_count: int, start: datetime, end: datetime) -> float | None:
    minutes = (end - start) / timedelta(minutes=1)
    if minutes <= 0:
        return None
    return min(100.0, 100.0 * cgm_count * CGM_INTERVAL_MINUTES / minutes)


def _gmi_unavailable_reason(cgm_days: int, coverage: float | None) -> str | None:
    if cgm_days < GMI_MIN_CGM_DAYS:
        return (
            f"GMI needs CGM data on at least {GMI_MIN_CGM_DAYS} days; this period has {cgm_days}."
        )
    if coverage is None or coverage < GMI_MIN_CGM_COVERAGE:
        return (
            f"GMI needs CGM readings covering at least {GMI_MIN_CGM_COVERAGE:.0f} % of the "
            f"period; they cover {coverage or 0:.0f} %."
        )
    return None


def _group_means(values: np.ndarray, keys: Sequence[str]) -> list[GroupMean]:
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


def _agp(values: np.ndarray, local: np.ndarray, is_cgm: np.ndarray) -> tuple[int, list[AgpBin]]:
    """Percentiles by local time of day: 15-minute bins of CGM readings when there are any,
    otherwise hourly bins of fingersticks. Empty bins have count 0 and no percentiles."""
    if is_cgm.any():
        bin_minutes, values, local = CGM_AGP_BIN_MINUTES, values[is_cgm], local[is_cgm]
    else:
        bin_minutes = FINGERSTICK_AGP_BIN_MINUTES
    bins = (local % _DAY_SECONDS) // (bin_minutes * 60)
    # One sort orders by bin, then by value within the bin (values are < 2**10 mg/dL).
    packed = np.sort((bins << 10) | values)
    sorted_bins, sorted_values = packed >> 10, (packed & 1023).astype(np.float64)
    bounds = np.searchsorted(sorted_bins, np.arange(_DAY_SECONDS // (bin_minutes * 60) + 1))
    result = []
    for b in range(len(bounds) - 1):
        chunk = sorted_values[bounds[b] : bounds[b + 1]]
        p = (
            [round(_sorted_percentile(chunk, q), 2) for q in PERCENTILES]
            if len(chunk)
            else [None] * 5
        )
        result.append(AgpBin(b * bin_minutes, len(chunk), *p))
    return bin_minutes, result


def _sorted_percentile(ordered: np.ndarray, q: float) -> float:
    """Linear-interpolation percentile of an already sorted array (same as np.percentile)."""
    rank = q / 100 * (len(ordered) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return float(ordered[lo] + (rank - lo) * (ordered[hi] - ordered[lo]))
