"""The international consensus on time in range: thresholds, bands, target presets, goals.

Shared by readings (the figures), reports, clinic and the API; no BGT imports (the core
layer). mg/dL and percent throughout. Sources:
- Ranges (inclusive integer bounds): very low < 54, low 54-69, in range 70-180, high
  181-250, very high > 250 [Battelino T et al. Clinical Targets for CGM Data Interpretation
  (Consensus 2019), Diabetes Care 2019;42:1593-1603, Table 1].
- Population presets and goals: Consensus 2019 (CLINICAL.md A.2), as encoded by Tidepool
  viz ``src/utils/constants.js`` and ``AGPConstants.js``.
- AGP report v5 (IDC, (c)2022): goals mean < 154 mg/dL and GMI < 7 % (CLINICAL.md A.5).
- CV <= 36 % (Danne T et al. Diabetes Care 2017;40:1631-1640).
- Time in tight range 70-140 mg/dL (Danne 2017, secondary range; Consensus 2023).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_noop

VERY_LOW_BELOW = 54  # < 54: level 2 hypoglycaemia
LOW_BELOW = 70  # 54-69: level 1 hypoglycaemia
HIGH_ABOVE = 180  # 181-250: level 1 hyperglycaemia
VERY_HIGH_ABOVE = 250  # > 250: level 2 hyperglycaemia
TIGHT_RANGE = (70, 140)

BAND_KEYS = ("very_low", "low", "in_range", "high", "very_high")


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

    # English, as every label here: the API and stored figures carry them as data; a page
    # shows gettext(label) (each is in core's catalog, RANGE_GOAL_LABELS and test_consensus_labels).
    LABELS = {
        VERY_LOW: gettext_noop("Very low"),
        LOW: gettext_noop("Low"),
        IN_RANGE: gettext_noop("In range"),
        HIGH: gettext_noop("High"),
        VERY_HIGH: gettext_noop("Very high"),
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


MEAN_GOAL_BELOW = 154.0  # mg/dL (AGP v5)
GMI_GOAL_BELOW = 7.0  # % (AGP v5)
CV_GOAL_AT_MOST = 36.0  # % (Danne 2017)


@dataclass(frozen=True)
class Goal:
    """A consensus target for one figure, e.g. time in range > 70 %.

    ``value`` is the figure (None when it could not be computed); ``met`` is None then too.
    """

    key: str
    label: str
    comparator: str  # ">", "<" or "<="
    threshold: float
    value: float | None
    met: bool | None


@dataclass(frozen=True)
class GoalSpec:
    key: str
    label: str
    comparator: str
    threshold: float

    def judge(self, value: float | None) -> Goal:
        met = None if value is None else _COMPARE[self.comparator](value, self.threshold)
        return Goal(self.key, self.label, self.comparator, self.threshold, value, met)


_COMPARE = {
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


@dataclass(frozen=True)
class Preset:
    """A population's target range and time-in-ranges goals (Consensus 2019, A.2).

    Goal keys name the figure they judge: ``in_range`` (the preset's range),
    ``below_<n>`` and ``above_<n>`` (percent of CGM time below/above n mg/dL).
    """

    key: str
    label: str
    range_low: int  # inclusive, mg/dL
    range_high: int  # inclusive, mg/dL
    goals: tuple[GoalSpec, ...]


def _range_goals(low, high, tir, below, below54, above, above250) -> tuple[GoalSpec, ...]:
    specs = [GoalSpec("in_range", f"Time in range ({low}–{high} mg/dL)", ">", tir)]
    specs.append(GoalSpec(f"below_{low}", f"Time below {low} mg/dL", "<", below))
    if below54 is not None:
        specs.append(GoalSpec("below_54", "Time below 54 mg/dL", "<", below54))
    specs.append(GoalSpec(f"above_{high}", f"Time above {high} mg/dL", "<", above))
    if above250 is not None:
        specs.append(GoalSpec("above_250", "Time above 250 mg/dL", "<", above250))
    return tuple(specs)


PRESETS: dict[str, Preset] = {
    "standard": Preset(
        "standard",
        gettext_noop("Goals for type 1 and type 2 diabetes"),
        70,
        180,
        _range_goals(70, 180, 70, 4, 1, 25, 5),
    ),
    # Older/high risk: no separate < 54 goal (Consensus 2019).
    "older_high_risk": Preset(
        "older_high_risk",
        gettext_noop("Goals for older or high-risk people with diabetes"),
        70,
        180,
        _range_goals(70, 180, 50, 1, None, 50, 10),
    ),
    # Pregnancy T1D: 63-140 with < 63 and > 140 goals; no > 250 goal.
    "pregnancy_t1": Preset(
        "pregnancy_t1",
        gettext_noop("Goals for pregnancy with type 1 diabetes"),
        63,
        140,
        _range_goals(63, 140, 70, 4, 1, 25, None),
    ),
    # GDM / T2D in pregnancy: range 63-140, goals not set ("n/a" in Tidepool).
    "pregnancy_gdm_t2": Preset(
        "pregnancy_gdm_t2",
        gettext_noop("Pregnancy with gestational or type 2 diabetes (no consensus goals)"),
        63,
        140,
        (),
    ),
}

METRIC_GOALS = (
    GoalSpec("mean", gettext_noop("Average glucose"), "<", MEAN_GOAL_BELOW),
    GoalSpec("gmi", gettext_noop("Glucose management indicator (GMI)"), "<", GMI_GOAL_BELOW),
    GoalSpec("cv", gettext_noop("Glucose variability (CV)"), "<=", CV_GOAL_AT_MOST),
)

# The range goals' labels, which _range_goals() builds from the presets' bounds: listed
# for makemessages, so that gettext(goal.label) shows each one translated.
RANGE_GOAL_LABELS = (
    gettext_noop("Time in range (70–180 mg/dL)"),
    gettext_noop("Time in range (63–140 mg/dL)"),
    gettext_noop("Time below 70 mg/dL"),
    gettext_noop("Time below 63 mg/dL"),
    gettext_noop("Time below 54 mg/dL"),
    gettext_noop("Time above 180 mg/dL"),
    gettext_noop("Time above 140 mg/dL"),
    gettext_noop("Time above 250 mg/dL"),
)


def preset(key: str) -> Preset:
    """The preset called ``key``; raises ValueError naming the known ones otherwise."""
    try:
        return PRESETS[key]
    except KeyError:
        raise ValueError(f"unknown preset {key!r}; known: {', '.join(PRESETS)}") from None


def largest_remainder(weights: Sequence[float]) -> tuple[float, ...]:
    """Weights as percentages of their total, rounded to 0.01 so they sum to exactly 100.

    Hamilton's method on hundredths of a percent (ties go to the earlier item). All zeros
    (or no weights) gives zeros: nothing to share out.
    """
    total = float(sum(weights))
    if total <= 0:
        return tuple(0.0 for _ in weights)
    exact = [w * 10_000 / total for w in weights]
    floors = [math.floor(x) for x in exact]
    shortfall = 10_000 - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:shortfall]:
        floors[i] += 1
    return tuple(f / 100 for f in floors)
