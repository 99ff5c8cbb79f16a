"""Local wall-clock time for epoch seconds, DST-exact and vectorised (helpers, no figures)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from core import localtime

DAY = 86_400
UTC = ZoneInfo("UTC")


def local_seconds(epochs: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Unix seconds shifted to ``tz``'s wall clock (so // 86400 is the local day number)."""
    return localtime.local_seconds(np.asarray(epochs, dtype=np.int64), tz)


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
