"""Current window against the previous window of equal length (CLINICAL.md D7).

Change is current - previous, in percentage points for percentages and in the figure's
own unit otherwise (mg/dL for the mean, GMI points, GRI units, events per week). Every
change is None when the previous window has < 24 h of CGM data (Tidepool
``CGMDeltaSummary``, MINIMUM_HOURS_OF_DATA = 24); a figure missing on either side gives
None for that figure alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from . import Figures


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    current: float | None
    previous: float | None
    change: float | None


@dataclass(frozen=True)
class Comparison:
    previous_start: datetime
    previous_end: datetime
    reason: str | None  # why there are no changes, else None
    changes: tuple[Change, ...]

    def __getitem__(self, key: str) -> Change:
        for change in self.changes:
            if change.key == key:
                return change
        raise KeyError(key)  # templates try item lookup before attributes


def headline(f: Figures) -> dict[str, tuple[str, float | None]]:
    """The compared figures of one window: key -> (label, value)."""
    cgm, s, ev = f.cgm, f.sufficiency, f.events
    out: dict[str, tuple[str, float | None]] = {}
    labels = {
        "very_low": "Time < 54 mg/dL",
        "low": "Time 54–69 mg/dL",
        "in_range": "Time 70–180 mg/dL",
        "high": "Time 181–250 mg/dL",
        "very_high": "Time > 250 mg/dL",
    }
    for key, label in labels.items():
        out[key] = (label, getattr(cgm.bands, key) if cgm and cgm.bands else None)
    pairs = {
        "below_70": ("Time < 70 mg/dL", "below_70"),
        "above_180": ("Time > 180 mg/dL", "above_180"),
        "preset_in_range": ("Time in the preset's range", "preset_in_range"),
        "tight_range": ("Time in tight range 70–140 mg/dL", "tight_range"),
        "mean": ("Average glucose (mg/dL)", "mean"),
        "cv": ("CV (%)", "cv"),
    }
    for key, (label, attr) in pairs.items():
        out[key] = (label, getattr(cgm, attr) if cgm else None)
    out["gri"] = ("GRI", cgm.gri.value if cgm and cgm.gri else None)
    out["gmi"] = ("GMI (%)", s.gmi)
    out["active_percent"] = ("Time CGM active (%)", s.active_percent)
    for key, label in (
        ("lv1_hypo", "Level 1 hypo events per week"),
        ("lv2_hypo", "Level 2 hypo events per week"),
        ("lv1_hyper", "Level 1 hyper events per week"),
        ("lv2_hyper", "Level 2 hyper events per week"),
    ):
        out[f"{key}_per_week"] = (label, _r(ev[key].per_week) if ev else None)
    return out


def change(value: float | None, old: float | None) -> float | None:
    """current - previous, rounded to 0.01; None when either is missing."""
    return None if value is None or old is None else round(value - old, 2)


def compare(current: Figures, previous: Figures) -> Comparison:
    """Every headline figure of ``current`` against ``previous``."""
    reason = None
    if not previous.sufficiency.cgm_shown:
        reason = (
            "Insufficient data in the previous period: it has "
            f"{previous.sufficiency.cgm_hours:.1f} hours of CGM data; 24 are needed."
        )
    now, before = headline(current), headline(previous)
    changes = []
    for key, (label, value) in now.items():
        old = before[key][1] if reason is None else None
        delta = change(value, old)
        changes.append(Change(key, label, value, old, delta))
    return Comparison(previous.window.start, previous.window.end, reason, tuple(changes))


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
