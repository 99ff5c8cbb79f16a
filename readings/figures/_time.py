"""Local wall-clock time for epoch seconds, DST-exact and vectorised (helpers, no figures)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

DAY = 86_400
UTC = ZoneInfo("UTC")


def utc_offsets(epochs: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """The zone's UTC offset (seconds) at each instant, without a per-reading zone lookup.

    Copied from readings/stats.py: offsets change only at transitions, months apart, so sample
    the zone daily between the first and last instant, bisect each change to the second, then
    look every instant up with one vectorised search.
    """
    if len(epochs) == 0:
        return np.zeros(0, dtype=np.int64)
    first, last = int(epochs.min()), int(epochs.max())
    change_points = [first]
    offsets = [_offset_at(first, tz)]
    t = first
    while t < last:
        nxt = min(t + DAY, last)
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
    return int(
        datetime.fromtimestamp(int(epoch), tz=UTC).astimezone(tz).utcoffset().total_seconds()
    )


def local_seconds(epochs: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Unix seconds shifted to ``tz``'s wall clock (so // 86400 is the local day number)."""
    epochs = np.asarray(epochs, dtype=np.int64)
    return epochs + utc_offsets(epochs, tz)


def day_number(d: date) -> int:
    """Days since 1970-01-01 (the local day number used with local_seconds)."""
    return (d - date(1970, 1, 1)).days


def date_of(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day))


def local_midnight(d: date, tz: ZoneInfo) -> datetime:
    """The aware instant the local day ``d`` begins (zoneinfo resolves any DST gap)."""
    return datetime.combine(d, time(0), tzinfo=tz)


def epoch_of(dt: datetime) -> int:
    return int(dt.timestamp())


def wall_to_aware(wall_seconds: int, tz: ZoneInfo) -> datetime:
    """A local wall-clock second count (see local_seconds) as an aware datetime in ``tz``."""
    naive = datetime(1970, 1, 1) + timedelta(seconds=int(wall_seconds))  # noqa: DTZ001
    return naive.replace(tzinfo=tz)
