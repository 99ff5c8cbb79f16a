"""Local time: a patient's days and clocks in their IANA zone, DST included.

Glucose figures count "days" and "hours of the day" on the patient's own wall clock
(DESIGN.md section 2); these helpers turn stored UTC instants into that clock and back.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DAY_SECONDS = 86_400


def validate_timezone(value: str) -> None:
    """An IANA zone name such as Europe/Paris; ValidationError otherwise."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone; pick one like Europe/Paris."),
            code="invalid_timezone",
            params={"value": value},
        )


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA zone as a form choice, "America/New York" for America/New_York."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def local_datetime(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A wall-clock date and time in ``tz`` as an aware datetime.

    Raises ValidationError for a time skipped by a DST change; for a repeated time (clocks
    going back) it takes the first occurrence.
    """
    moment = datetime.combine(day, clock).replace(tzinfo=tz, fold=0)
    round_trip = moment.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s did not exist on %(day)s in %(zone)s (the clocks moved forward)."),
            code="nonexistent_time",
            params={"time": clock.strftime("%H:%M"), "day": day.isoformat(), "zone": tz.key},
        )
    return moment


def local_iso(moment: datetime | None, tz) -> str | None:
    """ISO 8601 in ``tz`` with its offset, to the second; None stays None."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(microsecond=0).isoformat()


def local_seconds(epochs: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Unix seconds shifted to ``tz``'s wall clock (so // 86400 is the local day)."""
    epochs = np.asarray(epochs, dtype=np.int64)
    return epochs + _utc_offsets(epochs, tz)


def from_epoch(seconds) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=ZoneInfo("UTC"))


def _utc_offsets(epochs: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """The zone's UTC offset (seconds) at each instant, without a per-reading zone lookup.

    Offsets change only at transitions, months apart: sample the zone daily between the
    first and last instant, bisect each change to the second, then look every instant up
    with one vectorised search.
    """
    if len(epochs) == 0:
        return np.zeros(0, dtype=np.int64)
    first, last = int(epochs.min()), int(epochs.max())
    change_points = [first]
    offsets = [_offset_at(first, tz)]
    t = first
    while t < last:
        nxt = min(t + _DAY_SECONDS, last)
        off = _offset_at(nxt, tz)
        if off != offsets[-1]:
            lo, hi = t, nxt  # the old offset holds at lo, the new one at hi
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset_at(mid, tz) == offsets[-1]:
                    lo = mid
                else:
                    hi = mid
            change_points.append(hi)
            offsets.append(off)
        t = nxt
    index = np.searchsorted(np.asarray(change_points), epochs, side="right") - 1
    return np.asarray(offsets, dtype=np.int64)[index]


def _offset_at(epoch: int, tz: ZoneInfo) -> int:
    return int(from_epoch(epoch).astimezone(tz).utcoffset().total_seconds())
