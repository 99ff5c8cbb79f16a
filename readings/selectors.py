"""Reads of a record's readings that pages and API endpoints need. Each takes the patient
record, which the caller got through patients.selectors.patient_for (the access gate): a
reading of another record simply does not exist (404) here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from core.expressions import EpochSeconds
from readings import stats
from readings.models import Reading, Target

DASHBOARD_PERIODS = (7, 14, 30, 90)  # days


def reading_list(
    *,
    patient,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
) -> QuerySet[Reading]:
    """The record's readings in [start, end), newest first, optionally of one context/kind."""
    qs = Reading.objects.of(patient).between(start, end)
    if context:
        qs = qs.filter(context=context)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-taken_at")


def reading_get(*, patient, reading_id) -> Reading:
    """One of the record's readings; raises Reading.DoesNotExist for any other."""
    return Reading.objects.of(patient).get(pk=reading_id)


def target_get(*, patient) -> Target:
    """The record's target range; the defaults (70-180 mg/dL, unsaved) until one is set."""
    return Target.objects.filter(patient=patient).first() or Target(patient=patient)


@dataclass(frozen=True)
class Series:
    """A period's readings as parallel columns, oldest first (times in Unix seconds)."""

    values_mgdl: tuple[int, ...]
    kinds: tuple[str, ...]
    contexts: tuple[str, ...]
    epochs: tuple[int, ...]


def reading_series(
    *,
    patient,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
) -> Series:
    """One query. Times come from the database as integers: parsing ~26,000 datetimes in
    the ORM would cost more than all the statistics (DESIGN.md section 8 budget)."""
    rows = (
        reading_list(patient=patient, start=start, end=end, context=context, kind=kind)
        .order_by("taken_at")
        .annotate(epoch=EpochSeconds("taken_at"))
        .values_list("value_mgdl", "kind", "context", "epoch")  # the ORM's own column order
    )
    columns = tuple(zip(*rows, strict=True)) or ((), (), (), ())
    return Series(*columns)


def reading_stats(
    *,
    patient,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
    target: Target | None = None,
    series: Series | None = None,
) -> stats.Summary:
    """Section 4 figures (mg/dL) over the record's readings in [start, end), in its time
    zone and against their targets. Two queries (target, readings) whatever the period."""
    target = target or target_get(patient=patient)
    if series is None:
        series = reading_series(patient=patient, start=start, end=end, context=context, kind=kind)
    return stats.summarize(
        series.values_mgdl,
        series.epochs,
        kinds=series.kinds,
        contexts=series.contexts,
        tz=patient.tzinfo,
        start=start,
        end=end,
        target_low=target.low_mgdl,
        target_high=target.high_mgdl,
    )


def period_bounds(days: int, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last ``days`` days up to now: [now - days, now]."""
    end = now or timezone.now()
    # A reading may be up to 10 minutes ahead of the server clock (a fast meter); include it.
    return end - timedelta(days=days), end + timedelta(minutes=10)


def readings_version(*, patient) -> str:
    """A short token that changes whenever the record's readings change (add, edit, delete);
    the dashboard polls it to know when to redraw."""
    agg = Reading.objects.of(patient).aggregate(n=Count("pk"), last=Max("updated_at"))
    last = agg["last"].isoformat() if agg["last"] else "-"
    return f"{agg['n']}:{last}"
