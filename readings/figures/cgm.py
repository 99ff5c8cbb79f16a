"""Core CGM figures over deduplicated CGM readings, weighted by cadence (DESIGN.md 4.2).

Definitions (CLINICAL.md D1, D8, D9):
- mean and median are of readings; SD is the sample SD (n - 1); CV = 100 * SD / mean.
  SD and CV need n >= 30 (Tidepool ``getStandardDevData``, "per BGM AGP Spec").
- p5/p25/p50/p75/p95: linear interpolation between closest ranks (R type 7).
- band % = 100 * sum(c_i * [g_i in band]) / sum(c_i), inclusive integer bounds
  < 54, 54-69, 70-180, 181-250, > 250 (Consensus 2019); the five are rounded to 0.01 by
  largest remainder so they sum to exactly 100; combined < 70 and > 180 come from the
  unrounded sums so the display of a combined figure cannot flip. With a single cadence
  this equals iglu's count-based ``below_percent``/``in_range_percent``/``above_percent``.
- GRI = min(100, 3.0 VLow + 2.4 Low + 1.6 VHigh + 0.8 High) with hypo = VLow + 0.8 Low,
  hyper = VHigh + 0.5 High, zones A <= 20 < B <= 40 < C <= 60 < D <= 80 < E
  (Klonoff et al., J Diabetes Sci Technol 2023;17:1226-1242).
- minutes per day in a band = % * 14.4 (1 % of 1440 min).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import accumulate

import numpy as np

from core import consensus as cons

MIN_READINGS_FOR_SD = 30
QUANTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class Bands:
    """Percent of CGM time per consensus band, rounded (sum exactly 100)."""

    very_low: float
    low: float
    in_range: float
    high: float
    very_high: float

    def minutes_per_day(self) -> dict[str, float]:
        """Each band as minutes per day (% * 14.4), rounded to 0.1 min."""
        return {k: round(getattr(self, k) * 14.4, 1) for k in cons.BAND_KEYS}


@dataclass(frozen=True)
class Gri:
    value: float
    hypo: float  # VLow + 0.8 Low
    hyper: float  # VHigh + 0.5 High
    zone: str  # "A".."E"


@dataclass(frozen=True)
class CgmFigures:
    """Every core CGM figure; None where there are no readings (or n < 30 for SD/CV)."""

    count: int
    minutes: int  # sum of cadences
    mean: float | None
    sd: float | None
    cv: float | None
    median: float | None
    min: int | None
    max: int | None
    quantiles: dict[int, float] | None  # {5: p5, 25: p25, 50: p50, 75: p75, 95: p95}
    bands: Bands | None
    minutes_per_day: dict[str, float] | None
    below_70: float | None  # unrounded-sum combinations, rounded to 0.01 once
    above_180: float | None
    tight_range: float | None  # 70-140 mg/dL
    preset_key: str
    preset_in_range: float | None  # the preset's band, e.g. 63-140 for pregnancy
    preset_below: float | None  # below the preset's low bound
    preset_above: float | None  # above the preset's high bound
    gri: Gri | None
    goals: tuple[cons.Goal, ...]
    # The patient's own range (colouring, "in your target"): % of CGM time below / in /
    # above, by largest remainder; None without readings or without a range.
    personal: dict[str, float] | None = None


def gri_of(vlow: float, low: float, high: float, vhigh: float) -> Gri:
    """GRI from unrounded percentages of time (Klonoff 2023), rounded to 0.01."""
    hypo = vlow + 0.8 * low
    hyper = vhigh + 0.5 * high
    value = min(100.0, 3.0 * hypo + 1.6 * hyper)
    # Zones on the DTS calculator's bands; judged on the rounded value that is shown.
    shown = round(value, 2)
    zone = next(
        z for z, top in (("A", 20), ("B", 40), ("C", 60), ("D", 80), ("E", 101)) if shown <= top
    )
    return Gri(round(value, 2), round(hypo, 2), round(hyper, 2), zone)


# The cut points of every range a figure or a preset uses: "< n" for the lows, "<= n" for
# the highs. CgmSums keeps CGM minutes per interval between them, which is all the time
# figures need: the same figures come out of a window's readings or of per-day sums
# (readings/figures/daily.py, the roster).
LOW_CUTS = (cons.VERY_LOW_BELOW, 63, cons.LOW_BELOW)  # 63: the pregnancy presets' low bound
HIGH_CUTS = (cons.TIGHT_RANGE[1], cons.HIGH_ABOVE, cons.VERY_HIGH_ABOVE)  # 140, 180, 250
INTERVALS = len(LOW_CUTS) + len(HIGH_CUTS) + 1
# The interval index where each cut point begins: values < a low cut lie before its edge,
# values <= a high cut before its edge.
_LOW_EDGE = {cut: i + 1 for i, cut in enumerate(LOW_CUTS)}
_HIGH_EDGE = {cut: len(LOW_CUTS) + i + 1 for i, cut in enumerate(HIGH_CUTS)}


def interval_index(values: np.ndarray) -> np.ndarray:
    """The CgmSums interval of each value (0: < 54 ... 6: > 250)."""
    g = np.asarray(values, dtype=np.int64)
    return np.searchsorted(np.asarray(LOW_CUTS), g, side="right") + np.searchsorted(
        np.asarray(HIGH_CUTS), g, side="left"
    )


@dataclass(frozen=True)
class CgmSums:
    """Additive sums of deduplicated CGM readings: every core figure but the order
    statistics (median, quantiles, min, max) follows from them. Integers, so a sum of
    per-day sums is exactly the window's."""

    count: int = 0
    minutes: int = 0  # sum of cadences
    total: int = 0  # sum of values (mg/dL)
    squares: int = 0  # sum of squared values
    interval_minutes: tuple[int, ...] = (0,) * INTERVALS

    @classmethod
    def of(cls, values, cadences) -> CgmSums:
        g = np.asarray(values, dtype=np.int64)
        c = np.asarray(cadences, dtype=np.int64)
        per = np.bincount(interval_index(g), weights=c, minlength=INTERVALS)
        return cls(
            count=len(g),
            minutes=int(c.sum()),
            total=int(g.sum()),
            squares=int((g * g).sum()),
            interval_minutes=tuple(int(round(m)) for m in per),
        )

    def __add__(self, other: CgmSums) -> CgmSums:
        return CgmSums(
            self.count + other.count,
            self.minutes + other.minutes,
            self.total + other.total,
            self.squares + other.squares,
            tuple(
                a + b for a, b in zip(self.interval_minutes, other.interval_minutes, strict=True)
            ),
        )

    def minutes_where(
        self,
        *,
        below: int | None = None,
        at_least: int | None = None,
        at_most: int | None = None,
        above: int | None = None,
    ) -> int:
        """CGM minutes with value < below, >= at_least, <= at_most, > above (each optional;
        each bound must be a cut point)."""
        lo, hi = 0, INTERVALS  # interval indices [lo, hi)
        if below is not None:
            hi = min(hi, _LOW_EDGE[below])
        if at_least is not None:
            lo = max(lo, _LOW_EDGE[at_least])
        if at_most is not None:
            hi = min(hi, _HIGH_EDGE[at_most])
        if above is not None:
            lo = max(lo, _HIGH_EDGE[above])
        if lo >= hi:
            return 0
        cumulative = self._cumulative
        return cumulative[hi] - cumulative[lo]

    @cached_property
    def _cumulative(self) -> tuple[int, ...]:
        """Minutes in the intervals before each index: [0, i0, i0 + i1, ...]."""
        return tuple(accumulate(self.interval_minutes, initial=0))

    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def sd(self) -> float | None:
        """Sample SD (n - 1) from exact integer sums; None under MIN_READINGS_FOR_SD."""
        n = self.count
        if n < MIN_READINGS_FOR_SD:
            return None
        return math.sqrt((n * self.squares - self.total * self.total) / (n * (n - 1)))


def cgm_figures(
    values: np.ndarray,
    cadences: np.ndarray,
    *,
    preset: str = "standard",
    personal_range: tuple[int, int] | None = None,
) -> CgmFigures:
    """The core figures of deduplicated CGM ``values`` (mg/dL) with ``cadences`` (min).

    Figures are rounded to 0.01 (bands by largest remainder). No readings: count 0, every
    figure None, goals judged as None. ``gmi`` goals are added by the caller (it needs the
    sufficiency gate), see figures.summarize.
    """
    g = np.asarray(values, dtype=np.int64)
    c = np.asarray(cadences, dtype=np.int64)
    figures = figures_from_sums(CgmSums.of(g, c), preset=preset)
    if figures.count == 0:
        return figures
    personal = None
    if personal_range is not None:
        lo_p, hi_p = personal_range
        shares = cons.largest_remainder(
            [float(c[m].sum()) for m in (g < lo_p, (g >= lo_p) & (g <= hi_p), g > hi_p)]
        )
        personal = dict(zip(("below", "in", "above"), shares, strict=True))
    qs = np.percentile(g, QUANTILES)
    return replace(
        figures,
        median=_r(float(np.median(g))),
        min=int(g.min()),
        max=int(g.max()),
        quantiles={q: _r(float(v)) for q, v in zip(QUANTILES, qs, strict=True)},
        personal=personal,
    )


def figures_from_sums(sums: CgmSums, *, preset: str = "standard") -> CgmFigures:
    """Every core figure that follows from ``sums``; the order statistics (median,
    quantiles, min, max) and ``personal`` are None (cgm_figures adds them from the
    readings). The one computation behind the report, the API and the roster."""
    p = cons.preset(preset)
    if sums.count == 0:
        nothing = dict.fromkeys(
            "mean sd cv median min max quantiles bands minutes_per_day below_70 above_180 "
            "tight_range preset_in_range preset_below preset_above gri".split()
        )
        return CgmFigures(
            count=0, minutes=0, preset_key=p.key, goals=_goals(p, None, None, {}), **nothing
        )
    mean = sums.mean()
    sd = sums.sd()
    cv = 100.0 * sd / mean if sd is not None else None
    band_minutes = [
        sums.minutes_where(below=cons.VERY_LOW_BELOW),
        sums.minutes_where(at_least=cons.VERY_LOW_BELOW, below=cons.LOW_BELOW),
        sums.minutes_where(at_least=cons.LOW_BELOW, at_most=cons.HIGH_ABOVE),
        sums.minutes_where(above=cons.HIGH_ABOVE, at_most=cons.VERY_HIGH_ABOVE),
        sums.minutes_where(above=cons.VERY_HIGH_ABOVE),
    ]
    total = float(sums.minutes)

    def percent(minutes: int) -> float:
        return 100.0 * float(minutes) / total

    exact = [percent(m) for m in band_minutes]
    bands = Bands(*cons.largest_remainder([float(m) for m in band_minutes]))
    lo, hi = cons.TIGHT_RANGE
    figures_by_key = {
        "in_range": _preset_in_range(sums, p),
        f"below_{p.range_low}": percent(sums.minutes_where(below=p.range_low)),
        f"above_{p.range_high}": percent(sums.minutes_where(above=p.range_high)),
        "below_54": exact[0],
        "above_250": exact[4],
    }
    vlow, low, _, high, vhigh = exact
    return CgmFigures(
        count=sums.count,
        minutes=sums.minutes,
        mean=_r(mean),
        sd=_r(sd),
        cv=_r(cv),
        median=None,
        min=None,
        max=None,
        quantiles=None,
        bands=bands,
        minutes_per_day=bands.minutes_per_day(),
        below_70=_r(vlow + low),
        above_180=_r(high + vhigh),
        tight_range=_r(percent(sums.minutes_where(at_least=lo, at_most=hi))),
        preset_key=p.key,
        preset_in_range=_r(figures_by_key["in_range"]),
        preset_below=_r(figures_by_key[f"below_{p.range_low}"]),
        preset_above=_r(figures_by_key[f"above_{p.range_high}"]),
        gri=gri_of(vlow, low, high, vhigh),
        goals=_goals(p, _r(mean), _r(cv), figures_by_key),
    )


def _preset_in_range(sums: CgmSums, p: cons.Preset) -> float:
    """% of CGM time in the preset's range, unrounded (sums.minutes > 0)."""
    inside = sums.minutes_where(at_least=p.range_low, at_most=p.range_high)
    return 100.0 * float(inside) / float(sums.minutes)


def preset_in_range_of(sums: CgmSums, *, preset: str) -> float | None:
    """figures_from_sums(sums).preset_in_range alone (the roster's previous window)."""
    return _r(_preset_in_range(sums, cons.preset(preset))) if sums.count else None


_METRIC_GOALS = {spec.key: spec for spec in cons.METRIC_GOALS}


def _goals(p: cons.Preset, mean, cv, figures_by_key) -> tuple[cons.Goal, ...]:
    """The preset's time-in-ranges goals, then the mean and CV goals (GMI: see summarize)."""
    ranges = tuple(spec.judge(_r(figures_by_key.get(spec.key))) for spec in p.goals)
    return ranges + (_METRIC_GOALS["mean"].judge(mean), _METRIC_GOALS["cv"].judge(cv))


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)
