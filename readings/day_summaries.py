"""The per-day sums the roster reads (DaySummary, readings.figures.daily), kept by the
readings write services (readings.services) as they store, change or delete readings, and
rebuilt from the readings after a change of time zone or by ``manage.py
rebuild_day_summaries``. Each 14-day window row also keeps its figures as the roster shows
them (readings.window_figures)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from core import mongo
from core.expressions import EpochSeconds
from readings import figures
from readings.figures import daily
from readings.models import DaySummary, Kind, Reading
from readings.window_figures import summary_sums, window_figures

HOUR = timedelta(hours=1)


def day_summaries_refresh(*, patient, readings: Iterable[Reading]) -> None:
    """Recompute the DaySummary rows that ``readings`` (just stored, changed or deleted;
    their kind and time are what count) can change: their local days and the days within
    LOOKBACK / LOOKAHEAD of them. Meter readings and scans change none."""
    tz = patient.tzinfo
    # By the hour: a 10,000-reading upload spans a few hundred hours, not 10,000 times.
    hours = {
        reading.taken_at.replace(minute=0, second=0, microsecond=0)
        for reading in readings
        if reading.kind == Kind.CGM
    }
    days = set()
    for hour in hours:
        for moment in (hour - daily.LOOKAHEAD, hour, hour + HOUR + daily.LOOKBACK):
            days.add(timezone.localdate(moment, tz))
    if days:
        _summaries_write(patient, sorted(days))


def day_summaries_rebuild(*, patient) -> int:
    """Recompute every DaySummary row of the record from its readings (after a change of
    time zone, or to repair); returns the number of days with CGM data."""
    span = Reading.objects.of(patient).filter(kind=Kind.CGM).order_by("taken_at")
    first, last = span.values_list("taken_at", flat=True).first(), None
    if first is not None:
        last = span.reverse().values_list("taken_at", flat=True).first()
    with transaction.atomic():
        DaySummary.objects.filter(patient=patient).delete()
        if first is None:
            return 0
        tz = patient.tzinfo
        day, end = timezone.localdate(first, tz), timezone.localdate(last, tz)
        days = [day + timedelta(days=n) for n in range((end - day).days + 1)]
        return _summaries_write(patient, days)


def _summaries_write(patient, days: list) -> int:
    """Replace ``days``' rows (sorted local dates) with sums of the stored readings: one
    read of the readings they need, one delete, one insert. Returns the days with data."""
    tz = patient.tzinfo
    start = daily.readings_span(days[0], tz)[0]
    end = daily.readings_span(days[-1], tz)[1]
    rows = mongo.rows(
        Reading.objects.of(patient)
        .filter(
            taken_at__gte=datetime.fromtimestamp(start, UTC),
            taken_at__lt=datetime.fromtimestamp(end, UTC),
        )
        .order_by("taken_at")
        .annotate(epoch=EpochSeconds("taken_at"))
        .values_list("value_mgdl", "kind", "source", "cadence_min", "epoch")
    )
    values, kinds, sources, cadences, epochs = (
        [np.asarray(c) for c in zip(*rows, strict=True)] if rows else [np.asarray([])] * 5
    )
    cadences = np.asarray([c or 0 for c in cadences.tolist()], dtype=np.int64)
    epochs = np.asarray(epochs, dtype=np.int64)
    summaries = []
    for day in days:
        lo, hi = np.searchsorted(epochs, daily.readings_span(day, tz))
        arrays = (epochs[lo:hi], values[lo:hi], kinds[lo:hi], cadences[lo:hi], sources[lo:hi])
        for fresh in (True, False):
            sums = daily.day_sums(*arrays, tz=tz, day=day, fresh=fresh)
            if sums.cgm.count:
                summaries.append(day_summary_row(patient, day, fresh, sums))
    with transaction.atomic():
        DaySummary.objects.filter(patient=patient, span=1, day__in=days).delete()
        DaySummary.objects.bulk_create(summaries)
        _windows_write(patient, days)
    return len({row.day for row in summaries})


def _windows_write(patient, days: list) -> None:
    """Replace the roster-window rows (span ROSTER_DAYS) that include any of ``days``,
    from the day rows: one read, one delete, one insert."""
    span = DaySummary.ROSTER_DAYS
    ends = sorted({day + timedelta(days=n) for day in days for n in range(span)})
    first = ends[0] - timedelta(days=span - 1)
    by_day: dict = {}
    for row in DaySummary.objects.filter(
        patient=patient, span=1, day__gte=first, day__lte=ends[-1]
    ).values_list("day", "fresh", *DaySummary.SUM_FIELDS):
        by_day[(row[0], row[1])] = row[2:]
    windows = window_rows(patient, by_day, ends)
    DaySummary.objects.filter(patient=patient, span=span, day__in=ends).delete()
    DaySummary.objects.bulk_create(windows)


def window_rows(patient, by_day: dict, ends: list) -> list[DaySummary]:
    """The roster-window rows ending on ``ends`` from day rows ``by_day``: (day, fresh) ->
    SUM_FIELDS values. A window is its first day fresh plus its other days continuing;
    each row keeps its figures as the roster shows them (readings.window_figures), in the
    record's zone and by its target preset."""
    span = DaySummary.ROSTER_DAYS
    tz, preset = patient.tzinfo, patient.target_preset
    windows = []
    for end in ends:
        start = end - timedelta(days=span - 1)
        parts = [by_day.get((start, True))]
        parts += [by_day.get((start + timedelta(days=n), False)) for n in range(1, span)]
        found = [part for part in parts if part is not None]
        if not found:
            continue
        sums = dict(zip(DaySummary.SUM_FIELDS, map(sum, zip(*found, strict=True)), strict=True))
        row = DaySummary(patient=patient, day=end, fresh=True, span=span, days=len(found), **sums)
        row.figures = window_figures(
            summary_sums(row),
            days_with_data=row.days,
            window=figures.report_window(*figures.whole_days(span, end, tz), tz),
            preset=preset,
        ).to_json()
        windows.append(row)
    return windows


def window_figures_refresh(*, patient) -> None:
    """Store the figures of every window row of the record again from its sums (after a
    change of target preset: the sums stay, the goals and the preset's range change)."""
    tz, span = patient.tzinfo, DaySummary.ROSTER_DAYS
    rows = list(DaySummary.objects.filter(patient=patient, span=span))
    for row in rows:
        row.figures = window_figures(
            summary_sums(row),
            days_with_data=row.days,
            window=figures.report_window(*figures.whole_days(span, row.day, tz), tz),
            preset=patient.target_preset,
        ).to_json()
    DaySummary.objects.bulk_update(rows, ["figures"], batch_size=500)


def day_summary_row(patient, day, fresh: bool, sums: daily.DaySums) -> DaySummary:
    fields = dict(zip(DaySummary.COUNT_FIELDS, sums.by_cadence, strict=True))
    fields |= dict(zip(DaySummary.INTERVAL_FIELDS, sums.cgm.interval_minutes, strict=True))
    fields |= dict(zip(DaySummary.LV2_FIELDS, sums.lv2_hypo, strict=True))
    return DaySummary(
        patient=patient,
        day=day,
        fresh=fresh,
        total=sums.cgm.total,
        squares=sums.cgm.squares,
        **fields,
    )
