"""Readings for report tests, benchmarks and looking at the report: a CGM trace with a
daily rhythm, meal peaks and a few night-time lows; meter readings around meals."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils import timezone

from readings.models import Context, Kind, Reading, Source


def cgm_value(at: datetime, i: int) -> int:
    """A plausible glucose (mg/dL) at local time ``at``: meal peaks at 08, 13 and 19:30,
    noise from the index, and a dip to about 48 mg/dL from 03:00 for 40 minutes every
    fourth day (level 2 hypo events at night)."""
    hour = at.hour + at.minute / 60
    meal = sum(75 * math.exp(-(((hour - h) % 24) ** 2) / 1.2) for h in (8, 13, 19.5))
    value = 115 + meal + 18 * math.sin(i / 7.0) + 10 * math.sin(i / 2.3)
    if at.toordinal() % 4 == 0 and 3 <= hour < 3 + 40 / 60:
        value = 48 + 4 * math.sin(i)
    if at.toordinal() % 5 == 0 and 16 <= hour < 16.5:
        value = 62  # a level 1 low in the afternoon
    return int(min(400, max(40, value)))


def seed_cgm(record, *, days: float, cadence: int = 5, end: datetime | None = None) -> int:
    """CGM readings every ``cadence`` minutes over (end - days, end], end = now by default.
    Returns how many."""
    end = (end or timezone.now()).replace(second=0, microsecond=0)
    count = int(days * 1440 / cadence)
    tz = record.tzinfo
    rows = []
    for i in range(count):
        at = end - timedelta(minutes=cadence * (count - 1 - i))
        rows.append(
            Reading(
                patient=record,
                value_mgdl=cgm_value(at.astimezone(tz), i),
                taken_at=at,
                kind=Kind.CGM,
                cadence_min=cadence,
                source=Source.NIGHTSCOUT if cadence == 5 else Source.IMPORT,
            )
        )
    Reading.objects.bulk_create(rows, batch_size=2000)
    return count


# (local hour, minute, context, offset from the day's typical glucose)
METER_DAY = (
    (7, 10, Context.FASTING, -15),
    (12, 0, Context.BEFORE_MEAL, 0),
    (13, 45, Context.AFTER_MEAL, 70),
    (18, 30, Context.BEFORE_MEAL, 10),
    (20, 15, Context.AFTER_MEAL, 95),
    (22, 30, Context.BEDTIME, 25),
)


def seed_meter(record, *, days: int) -> int:
    """Six fingersticks a local day (fasting, meal pairs, bedtime) on the last ``days``
    local days, none in the future. Returns how many."""
    tz = record.tzinfo
    now = timezone.now()
    today = now.astimezone(tz).date()
    rows = []
    for back in range(days):
        day = today - timedelta(days=back)
        for n, (hour, minute, context, offset) in enumerate(METER_DAY):
            at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
            if at > now:
                continue
            value = 120 + offset + (day.toordinal() * 7 + n * 13) % 40 - 20
            rows.append(
                Reading(
                    patient=record,
                    value_mgdl=value,
                    taken_at=at,
                    kind=Kind.FINGERSTICK,
                    context=context,
                    source=Source.WEB,
                )
            )
    Reading.objects.bulk_create(rows)
    return len(rows)
