"""What a roster row shows of one window: computed once, when the write services store the
window's sums (readings.services), and kept with the window row (``DaySummary.figures``).

A roster of 2,000 records then reads 2,000 stored figure sets instead of computing them on
every request (DESIGN.md section 8: 300 ms). They are the report's own numbers: built by
``of()`` from readings.figures' result, whether that came from a window's readings (the
report) or its sums (readings.figures.daily.period_figures, here); the tests hold the two
equal on varied data. The stored form carries VERSION: a row kept by an older release (or
without figures) is computed afresh when read, and ``manage.py rebuild_day_summaries``
stores them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from core import consensus
from readings import stats
from readings.figures.cgm import CgmSums
from readings.figures.daily import DaySums, PeriodFigures, period_figures
from readings.figures.streams import CADENCES
from readings.figures.sufficiency import Window
from readings.models import DaySummary

# Raise when what is stored, or how it is computed, changes: older rows are then ignored.
VERSION = 1


@dataclass(frozen=True)
class WindowFigures:
    """A window's figures as the roster shows them (percentages of CGM time, mg/dL).
    Every CGM figure is None when they are withheld (under 24 h of CGM)."""

    count: int  # deduplicated CGM readings (0 when withheld)
    active_percent: float  # % time CGM active
    gmi: float | None
    gmi_reason: str | None
    mean: float | None
    cv: float | None
    in_range: float | None  # readings.stats.time_figures: the preset's range
    below_70: float | None
    below_54: float | None
    low: float | None  # 54-69, band
    high: float | None  # 181-250, band
    very_high: float | None  # > 250, band
    preset_in_range: float | None  # what a comparison compares
    lv2_hypo_events: int | None  # >= 15 min below 54 (2023 consensus)
    gri: float | None
    gri_zone: str | None
    preset: str  # the target preset the goals are judged by
    # Each goal's (value, met), in goal_specs(preset) order: the preset's, mean, GMI, CV.
    judged: tuple[tuple[float | None, bool | None], ...]

    @cached_property
    def goals(self) -> tuple[consensus.Goal, ...]:
        return tuple(_goal(spec, *outcome) for spec, outcome in self._judged_specs())

    def missed_goals(self) -> list[consensus.Goal]:
        """The goals not met (built alone: a roster needs only these for its flags)."""
        return [
            _goal(spec, *outcome) for spec, outcome in self._judged_specs() if outcome[1] is False
        ]

    def _judged_specs(self):
        return zip(goal_specs(self.preset), self.judged, strict=True)

    @classmethod
    def of(cls, figures) -> WindowFigures:
        """From readings.figures.Figures (the report) or daily.PeriodFigures (sums)."""
        cgm, suff = figures.cgm, figures.sufficiency
        time = stats.time_figures(figures)
        return cls(
            count=cgm.count if cgm else 0,
            active_percent=suff.active_percent,
            gmi=suff.gmi,
            gmi_reason=suff.gmi_reason,
            mean=cgm.mean if cgm else None,
            cv=cgm.cv if cgm else None,
            in_range=time["in_range"],
            below_70=time["below_70"],
            below_54=time["below_54"],
            low=cgm.bands.low if cgm else None,
            high=cgm.bands.high if cgm else None,
            very_high=cgm.bands.very_high if cgm else None,
            preset_in_range=cgm.preset_in_range if cgm else None,
            lv2_hypo_events=_lv2_hypo_events(figures),
            gri=cgm.gri.value if cgm else None,
            gri_zone=cgm.gri.zone if cgm else None,
            preset=figures.preset,
            judged=tuple((goal.value, goal.met) for goal in figures.goals),
        )

    def to_json(self) -> list:
        """A flat list, VERSION first (a roster decodes 4,000 of them per request)."""
        return [VERSION, *(getattr(self, name) for name in _FIELDS)]

    @classmethod
    def from_json(cls, stored: list | None, *, preset: str) -> WindowFigures | None:
        """The stored figures when they are this VERSION's and judged by ``preset``;
        None otherwise (absent, from another release, or another preset)."""
        if not stored or stored[0] != VERSION or stored[_PRESET_AT] != preset:
            return None
        figures = cls(*stored[1:])
        object.__setattr__(figures, "judged", tuple(map(tuple, figures.judged)))
        return figures


def _goal(spec: consensus.GoalSpec, value, met) -> consensus.Goal:
    return consensus.Goal(spec.key, spec.label, spec.comparator, spec.threshold, value, met)


_FIELDS = tuple(WindowFigures.__dataclass_fields__)
_IN_RANGE_AT = 1 + _FIELDS.index("preset_in_range")
_PRESET_AT = 1 + _FIELDS.index("preset")


def stored_in_range(stored: list | None, *, preset: str) -> tuple[bool, float | None]:
    """(found, preset_in_range) of stored figures, without building them: what the
    previous window contributes to a comparison. found is False when absent, from another
    VERSION or judged by another preset."""
    if not stored or stored[0] != VERSION or stored[_PRESET_AT] != preset:
        return False, None
    return True, stored[_IN_RANGE_AT]


def goal_specs(preset: str) -> tuple[consensus.GoalSpec, ...]:
    """The goals a window is judged by, in readings.figures.judged_goals' order: the
    preset's time-in-ranges goals, then mean, GMI and CV."""
    return consensus.preset(preset).goals + consensus.METRIC_GOALS


def sums_of(columns) -> DaySums:
    """DaySums from a DaySummary row's SUM_FIELDS values, in that order."""
    n, intervals = len(CADENCES), len(DaySummary.INTERVAL_FIELDS)
    by_cadence = tuple(columns[:n])
    cgm = CgmSums(
        count=sum(by_cadence),
        minutes=sum(c * k for c, k in zip(CADENCES, by_cadence, strict=True)),
        total=columns[n],
        squares=columns[n + 1],
        interval_minutes=tuple(columns[n + 2 : n + 2 + intervals]),
    )
    return DaySums(cgm, by_cadence, tuple(columns[n + 2 + intervals :]))


def summary_sums(row: DaySummary) -> DaySums:
    return sums_of([getattr(row, name) for name in DaySummary.SUM_FIELDS])


def window_figures(sums: DaySums, *, days_with_data: int, window: Window, preset: str):
    """The figures of a window from the sum of its days' sums."""
    return WindowFigures.of(
        period_figures(sums, days_with_data=days_with_data, window=window, preset=preset)
    )


def _lv2_hypo_events(figures) -> int | None:
    if isinstance(figures, PeriodFigures):
        return figures.lv2_hypo_events
    return figures.events["lv2_hypo"].total if figures.events else None
