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

from dataclasses import dataclass

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


def weighted_percent(mask: np.ndarray, cadences: np.ndarray) -> float:
    """100 * sum(c_i where mask) / sum(c_i); unrounded. Caller ensures readings exist."""
    return 100.0 * float(cadences[mask].sum()) / float(cadences.sum())


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
    p = cons.preset(preset)
    g = np.asarray(values, dtype=np.int64)
    c = np.asarray(cadences, dtype=np.int64)
    n = len(g)
    if n == 0:
        nothing = dict.fromkeys(
            "mean sd cv median min max quantiles bands minutes_per_day below_70 above_180 "
            "tight_range preset_in_range preset_below preset_above gri".split()
        )
        return CgmFigures(
            count=0, minutes=0, preset_key=p.key, goals=_goals(p, None, None, {}), **nothing
        )
    mean = float(g.mean())
    sd = float(g.std(ddof=1)) if n >= MIN_READINGS_FOR_SD else None
    cv = 100.0 * sd / mean if sd is not None else None
    qs = np.percentile(g, QUANTILES)

    masks = (
        g < cons.VERY_LOW_BELOW,
        (g >= cons.VERY_LOW_BELOW) & (g < cons.LOW_BELOW),
        (g >= cons.LOW_BELOW) & (g <= cons.HIGH_ABOVE),
        (g > cons.HIGH_ABOVE) & (g <= cons.VERY_HIGH_ABOVE),
        g > cons.VERY_HIGH_ABOVE,
    )
    exact = [weighted_percent(m, c) for m in masks]
    bands = Bands(*cons.largest_remainder([float(c[m].sum()) for m in masks]))
    lo, hi = cons.TIGHT_RANGE
    figures_by_key = {
        "in_range": weighted_percent((g >= p.range_low) & (g <= p.range_high), c),
        f"below_{p.range_low}": weighted_percent(g < p.range_low, c),
        f"above_{p.range_high}": weighted_percent(g > p.range_high, c),
        "below_54": exact[0],
        "above_250": exact[4],
    }
    vlow, low, _, high, vhigh = exact
    personal = None
    if personal_range is not None:
        lo_p, hi_p = personal_range
        shares = cons.largest_remainder(
            [float(c[m].sum()) for m in (g < lo_p, (g >= lo_p) & (g <= hi_p), g > hi_p)]
        )
        personal = dict(zip(("below", "in", "above"), shares, strict=True))
    return CgmFigures(
        count=n,
        minutes=int(c.sum()),
        mean=_r(mean),
        sd=_r(sd),
        cv=_r(cv),
        median=_r(float(np.median(g))),
        min=int(g.min()),
        max=int(g.max()),
        quantiles={q: _r(float(v)) for q, v in zip(QUANTILES, qs, strict=True)},
        bands=bands,
        minutes_per_day=bands.minutes_per_day(),
        below_70=_r(vlow + low),
        above_180=_r(high + vhigh),
        tight_range=_r(weighted_percent((g >= lo) & (g <= hi), c)),
        preset_key=p.key,
        preset_in_range=_r(figures_by_key["in_range"]),
        preset_below=_r(figures_by_key[f"below_{p.range_low}"]),
        preset_above=_r(figures_by_key[f"above_{p.range_high}"]),
        gri=gri_of(vlow, low, high, vhigh),
        goals=_goals(p, _r(mean), _r(cv), figures_by_key),
        personal=personal,
    )


def _goals(p: cons.Preset, mean, cv, figures_by_key) -> tuple[cons.Goal, ...]:
    """The preset's time-in-ranges goals, then the mean and CV goals (GMI: see summarize)."""
    ranges = tuple(spec.judge(_r(figures_by_key.get(spec.key))) for spec in p.goals)
    metric = {spec.key: spec for spec in cons.METRIC_GOALS}
    return ranges + (metric["mean"].judge(mean), metric["cv"].judge(cv))


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)
