"""Data sufficiency: report window, % time CGM active, GMI gate, section gates (DESIGN.md 4.3).

Sources (CLINICAL.md D2, A.3, B.4):
- % time CGM active = 100 * min(1, sum of cadences / window minutes) over deduplicated CGM
  (Tidepool ``getSensorUsage``); equals iglu ``active_percent(range_type="manual")`` on
  single-cadence data in a zone without a DST change.
- GMI (%) = 3.31 + 0.02392 * mean (mg/dL) (Bergenstal et al., Diabetes Care 2018;41:2275),
  only when the window is >= 14 days AND CGM time >= 0.7 * 14 * 1440 = 14,112 min
  (Tidepool ``getGlucoseManagementIndicatorData``). eA1c is not produced for CGM (D11).
- Banner below 70 % active (Consensus 2019: "70 % of data from 14 days").
- CGM sections withheld below 24 h of CGM time (Tidepool MINIMUM_HOURS_OF_DATA).
- AGP curve: >= 7 local days with >= 1 h of readings AND the mean usage of the 7 best days
  >= 70 % (IDC rules in Tidepool ``AGPUtils.calculateCGMDataSufficiency``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from . import _time
from .streams import CgmStream

GMI_MIN_WINDOW_DAYS = 14
GMI_MIN_CGM_MINUTES = 14_112  # 0.7 * 14 * 1440
ACTIVE_BANNER_BELOW = 70.0
MIN_CGM_MINUTES = 24 * 60
AGP_MIN_DAYS = 7
AGP_MIN_DAY_MINUTES = 60
AGP_MIN_USAGE = 70.0
BANNER_TEXT = "Less than 70 % of possible CGM data: interpret with caution."


@dataclass(frozen=True)
class Window:
    """The report window [start, end): aware datetimes, usually local midnights."""

    start: datetime
    end: datetime
    tz: ZoneInfo
    days: int  # local dates the window touches (N for N whole local days)
    minutes: float  # elapsed minutes (23/25-hour DST days included as they are)

    @property
    def start_epoch(self) -> int:
        return _time.epoch_of(self.start)

    @property
    def end_epoch(self) -> int:
        return _time.epoch_of(self.end)


def report_window(start: datetime, end: datetime, tz: ZoneInfo) -> Window:
    """The window of aware ``start``/``end`` (end exclusive) for local days in ``tz``."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if end <= start:
        raise ValueError("end must be after start")
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    # Subtract in UTC: Python subtracts wall clocks when both sides share one tzinfo, which
    # would make a 23-hour DST day 24 hours long.
    elapsed = end.astimezone(_time.UTC) - start.astimezone(_time.UTC)
    return Window(start, end, tz, (last - first).days + 1, elapsed / timedelta(minutes=1))


def whole_days(days: int, last_day, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the ``days`` whole local days ending with ``last_day`` (a date):
    local midnights, DST days as long as they are (CLINICAL.md D2)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    start = _time.local_midnight(last_day - timedelta(days=days - 1), tz)
    return start, _time.local_midnight(last_day + timedelta(days=1), tz)


def previous_window(w: Window) -> Window:
    """The w.days local days immediately before ``w`` (Tidepool blip ``getOpts``)."""
    first = w.start.astimezone(w.tz).date()
    start = _time.local_midnight(first - timedelta(days=w.days), w.tz)
    return report_window(start, w.start, w.tz)


@dataclass(frozen=True)
class Sufficiency:
    window_days: int
    days_with_data: int  # local dates with >= 1 deduplicated CGM reading
    cgm_minutes: int
    cgm_hours: float
    active_percent: float  # 0-100, rounded to 0.01
    gmi: float | None  # %, rounded to 0.01
    gmi_reason: str | None  # why GMI is None
    banner: str | None  # low-data warning, None when >= 70 % active
    cgm_withheld_reason: str | None  # set when CGM sections must not be shown
    agp_reason: str | None  # set when the AGP curve must not be drawn

    @property
    def cgm_shown(self) -> bool:
        return self.cgm_withheld_reason is None

    @property
    def agp_shown(self) -> bool:
        return self.agp_reason is None


def sufficiency(stream: CgmStream, window: Window, mean: float | None) -> Sufficiency:
    """The gates for ``stream`` (deduplicated CGM inside ``window``); ``mean`` unrounded mg/dL."""
    local = _time.local_seconds(stream.epochs, window.tz)
    days_with_data = len(np.unique(local // _time.DAY))
    gates = sufficiency_of(
        minutes=stream.minutes, mean=mean, days_with_data=days_with_data, window=window
    )
    if gates.agp_reason is None:
        gates = replace(gates, agp_reason=agp_gate(stream, window.tz))
    return gates


def sufficiency_of(
    *, minutes: int, mean: float | None, days_with_data: int, window: Window
) -> Sufficiency:
    """The gates that follow from the CGM minutes, the mean and the days with data (the
    per-day sums of readings/figures/daily.py carry exactly these). ``agp_reason`` is only
    the 24-hour rule here; sufficiency() adds the AGP's own gate from the readings."""
    hours = minutes / 60
    active = 100.0 * min(1.0, minutes / window.minutes)
    gmi = gmi_reason = None
    if mean is None:
        gmi_reason = "GMI needs CGM data; this window has none."
    elif window.days < GMI_MIN_WINDOW_DAYS or minutes < GMI_MIN_CGM_MINUTES:
        gmi_reason = (
            f"GMI needs a window of at least {GMI_MIN_WINDOW_DAYS} days with at least "
            f"{GMI_MIN_CGM_MINUTES / 60:.1f} hours of CGM data; this window has "
            f"{window.days} days and {hours:.1f} hours."
        )
    else:
        gmi = round(3.31 + 0.02392 * mean, 2)
    withheld = None
    if minutes < MIN_CGM_MINUTES:
        withheld = (
            f"CGM figures need at least 24 hours of CGM data; this window has {hours:.1f} hours."
        )
    return Sufficiency(
        window_days=window.days,
        days_with_data=days_with_data,
        cgm_minutes=minutes,
        cgm_hours=round(hours, 2),
        active_percent=round(active, 2),
        gmi=gmi,
        gmi_reason=gmi_reason,
        banner=BANNER_TEXT if active < ACTIVE_BANNER_BELOW else None,
        cgm_withheld_reason=withheld,
        agp_reason=withheld,
    )


def day_usage(stream: CgmStream, tz: ZoneInfo) -> dict[int, tuple[int, float]]:
    """Per local day number: (CGM minutes, usage 0-1).

    Usage = minutes / possible minutes of that day, where the possible minutes of the first
    and last day run only from the first reading / to the last reading plus its cadence
    (IDC via Tidepool: a sensor started at noon is not "50 % used" that day).
    """
    if len(stream) == 0:
        return {}
    local = _time.local_seconds(stream.epochs, tz)
    days = local // _time.DAY
    first = int(stream.epochs[0])
    last = int(stream.epochs[-1]) + int(stream.cadences[-1]) * 60
    out = {}
    for day in np.unique(days).tolist():
        d = _time.date_of(day)
        day_start = _time.epoch_of(_time.local_midnight(d, tz))
        day_end = _time.epoch_of(_time.local_midnight(d + timedelta(days=1), tz))
        possible = (min(day_end, last) - max(day_start, first)) / 60
        mins = int(stream.cadences[days == day].sum())
        out[day] = (mins, min(1.0, mins / possible) if possible > 0 else 1.0)
    return out


def agp_gate(stream: CgmStream, tz: ZoneInfo) -> str | None:
    """None when the AGP curve may be drawn, else the reason."""
    usage = day_usage(stream, tz)
    full = sorted((u for mins, u in usage.values() if mins >= AGP_MIN_DAY_MINUTES), reverse=True)
    if len(full) < AGP_MIN_DAYS:
        return (
            f"Insufficient CGM data to draw the profile: it needs {AGP_MIN_DAYS} days with at "
            f"least 1 hour of data each; there are {len(full)}."
        )
    best = 100.0 * float(np.mean(full[:AGP_MIN_DAYS]))
    if best < AGP_MIN_USAGE:
        return (
            "Insufficient CGM data to draw the profile: the 7 best days have "
            f"{best:.0f} % sensor use; it needs {AGP_MIN_USAGE:.0f} %."
        )
    return None
