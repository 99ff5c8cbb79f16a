"""The newest glucose reading with its trend and change, as the dashboard's "now" card and
its tab title show them (DESIGN.md section 3).

Pure: plain readings in (newest first), plain values out; no queries. Trend names are
Nightscout's ``direction`` values (cgm-remote-monitor ``lib/plugins/direction.js``), which
uploaders send and ``Reading.direction`` stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.utils.translation import gettext_lazy as _

# A CGM delta or computed trend needs a reading at most this much before the newest one
# (Nightscout's bgnow.js: 15 minutes).
CGM_MAX_GAP = timedelta(minutes=15)
# A trend computed from 1-minute CGM (Libre 3, Dexcom ONE+ via some uploaders) uses the
# reading at least this much before the newest, so one noisy minute does not make an arrow.
SLOPE_MIN_GAP = timedelta(minutes=4)

# Nightscout direction -> (arrow, words: translated when shown). "NONE" and unknown names
# count as absent.
TRENDS = {
    "DoubleUp": ("⇈", _("rising fast")),
    "SingleUp": ("↑", _("rising")),
    "FortyFiveUp": ("↗", _("rising slowly")),
    "Flat": ("→", _("steady")),
    "FortyFiveDown": ("↘", _("falling slowly")),
    "SingleDown": ("↓", _("falling")),
    "DoubleDown": ("⇊", _("falling fast")),
    "NOT COMPUTABLE": ("", _("trend not computable")),
    "NotComputable": ("", _("trend not computable")),
    "RATE OUT OF RANGE": ("⇕", _("changing faster than the sensor can follow")),
    "RateOutOfRange": ("⇕", _("changing faster than the sensor can follow")),
}


class ReadingLike(Protocol):
    value_mgdl: int
    taken_at: datetime
    kind: str
    direction: str


@dataclass(frozen=True)
class Latest:
    """The newest reading. ``direction``: a key of TRENDS or "" (unknown);
    ``direction_computed``: it came from the readings, not the uploader. ``delta_mgdl``
    (mg/dL, newest minus previous) over ``delta_minutes``; None without a previous reading
    to compare with."""

    value_mgdl: int
    taken_at: datetime
    kind: str
    direction: str = ""
    direction_computed: bool = False
    delta_mgdl: int | None = None
    delta_minutes: float | None = None

    @property
    def arrow(self) -> str:
        return TRENDS.get(self.direction, ("", ""))[0]

    @property
    def trend_words(self) -> str:
        return TRENDS.get(self.direction, ("", ""))[1]


def slope_direction(mgdl_per_minute: float) -> str:
    """The trend name of a rate of change, with the thresholds xDrip+ and AndroidAPS use
    (xDrip+ ``BgReading.slopeName``, AndroidAPS ``GlucoseStatus``: mg/dL per minute)."""
    for limit, name in (
        (-3.5, "DoubleDown"),
        (-2, "SingleDown"),
        (-1, "FortyFiveDown"),
        (1, "Flat"),
        (2, "FortyFiveUp"),
        (3.5, "SingleUp"),
        (40, "DoubleUp"),
    ):
        if mgdl_per_minute <= limit:
            return name
    return "RATE OUT OF RANGE"


def _minutes(later: ReadingLike, earlier: ReadingLike) -> float:
    return (later.taken_at - earlier.taken_at).total_seconds() / 60


def latest_glucose(readings: Sequence[ReadingLike]) -> Latest | None:
    """The newest of ``readings`` (newest first; None when there are none) with:

    - its trend: the uploader's stored direction when it is a known name; else, for a CGM
      reading, computed from the CGM reading before it (at least SLOPE_MIN_GAP and at most
      CGM_MAX_GAP earlier); meter readings and scans get no computed arrow;
    - its delta: against the previous CGM reading (at most CGM_MAX_GAP earlier) for CGM,
      against the previous reading of any kind for a meter reading or a scan.
    """
    if not readings:
        return None
    newest, earlier = readings[0], readings[1:]
    is_cgm = newest.kind == "cgm"
    if is_cgm:
        previous = next((r for r in earlier if r.kind == "cgm"), None)
        if previous is not None and newest.taken_at - previous.taken_at > CGM_MAX_GAP:
            previous = None
    else:
        previous = next(iter(earlier), None)
    delta = delta_minutes = None
    if previous is not None and newest.taken_at > previous.taken_at:
        delta = newest.value_mgdl - previous.value_mgdl
        delta_minutes = _minutes(newest, previous)

    direction = newest.direction if newest.direction in TRENDS else ""
    computed = False
    if not direction and is_cgm:
        base = next(
            (
                r
                for r in earlier
                if r.kind == "cgm" and newest.taken_at - r.taken_at >= SLOPE_MIN_GAP
            ),
            None,
        )
        if base is not None and newest.taken_at - base.taken_at <= CGM_MAX_GAP:
            direction = slope_direction(
                (newest.value_mgdl - base.value_mgdl) / _minutes(newest, base)
            )
            computed = True
    return Latest(
        value_mgdl=newest.value_mgdl,
        taken_at=newest.taken_at,
        kind=newest.kind,
        direction=direction,
        direction_computed=computed,
        delta_mgdl=delta,
        delta_minutes=delta_minutes,
    )
