"""The international consensus on time in range: thresholds, bands, goals.

Ranges (inclusive integer bounds, mg/dL) by the international consensus on time in range
[Battelino et al., Diabetes Care 2019;42:1593-1603]: very low < 54, low 54-69, in range
70-180, high 181-250, very high > 250. Goals beside each figure (Battelino 2019; CV <= 36 %,
Danne et al., Diabetes Care 2017;40:1631-1640).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

VERY_LOW_BELOW = 54  # < 54 mg/dL: level 2 hypoglycaemia
LOW_BELOW = 70  # 54-69: level 1 hypoglycaemia
HIGH_ABOVE = 180  # 181-250: level 1 hyperglycaemia
VERY_HIGH_ABOVE = 250  # > 250: level 2 hyperglycaemia

RANGE_KEYS = ("very_low", "low", "in_range", "high", "very_high")


class Band:
    """How one reading is labelled in tables and charts.

    The consensus "very" thresholds always apply; between them the patient's own targets
    decide low / in range / high (with default targets 70-180 this is the consensus scale).
    """

    VERY_LOW = "very_low"
    LOW = "low"
    IN_RANGE = "in_range"
    HIGH = "high"
    VERY_HIGH = "very_high"

    LABELS = {
        VERY_LOW: "Very low",
        LOW: "Low",
        IN_RANGE: "In range",
        HIGH: "High",
        VERY_HIGH: "Very high",
    }


def band_of(value_mgdl: int, target_low: int = 70, target_high: int = 180) -> str:
    if value_mgdl < VERY_LOW_BELOW:
        return Band.VERY_LOW
    if value_mgdl > VERY_HIGH_ABOVE:
        return Band.VERY_HIGH
    if value_mgdl < target_low:
        return Band.LOW
    if value_mgdl > target_high:
        return Band.HIGH
    return Band.IN_RANGE


@dataclass(frozen=True)
class Goal:
    """A consensus target for one figure, e.g. time in range > 70 %."""

    key: str
    label: str
    comparator: str  # ">", "<" or "<="
    threshold: float
    value: float | None
    met: bool | None  # None when there is nothing to judge


def percentages(counts: Sequence[int]) -> list[float]:
    """Counts as percentages of their total, rounded to 0.01 by largest remainder.

    The rounded shares always add up to exactly 100 (Hamilton's method on hundredths).
    """
    total = sum(counts)
    if total == 0:
        return [0.0] * len(counts)
    exact = [count * 10_000 / total for count in counts]  # in hundredths of a percent
    floors = [math.floor(x) for x in exact]
    shortfall = 10_000 - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in by_remainder[:shortfall]:
        floors[i] += 1
    return [f / 100 for f in floors]


def consensus_goals(ranges: dict[str, float | None], cv: float | None) -> list[Goal]:
    """The consensus goals next to each figure (Battelino 2019; CV <= 36 %, Danne 2017)."""

    def total(*keys):
        if any(ranges.get(k) is None for k in keys):
            return None
        return round(sum(ranges[k] for k in keys), 2)

    specs = [
        ("in_range", "Time in range (70–180 mg/dL)", ">", 70, total("in_range")),
        ("low_or_below", "Time below 70 mg/dL", "<", 4, total("low", "very_low")),
        ("very_low", "Time below 54 mg/dL", "<", 1, total("very_low")),
        ("high_or_above", "Time above 180 mg/dL", "<", 25, total("high", "very_high")),
        ("very_high", "Time above 250 mg/dL", "<", 5, total("very_high")),
        ("cv", "Glucose variability (CV)", "<=", 36, cv),
    ]
    compare = {">": float.__gt__, "<": float.__lt__, "<=": float.__le__}
    return [
        Goal(
            key=key,
            label=label,
            comparator=op,
            threshold=threshold,
            value=value,
            met=None if value is None else compare[op](float(value), float(threshold)),
        )
        for key, label, op, threshold, value in specs
    ]
