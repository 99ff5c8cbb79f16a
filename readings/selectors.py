"""Reads of a record's readings that pages and API endpoints need. Each takes the patient
record, which the caller got through patients.selectors.patient_for (the access gate): a
reading of another record simply does not exist (404) here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from core import mongo
from core.expressions import EpochSeconds
from readings import figures, stats
from readings.figures import daily
from readings.figures.daily import DaySums
from readings.models import FUTURE_TOLERANCE, DaySummary, Reading, ReadingsVersion, Target
from readings.window_figures import WindowFigures, stored_in_range, sums_of, window_figures

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


# Enough readings before the newest to find a CGM reading 4-15 minutes older at 1-minute
# cadence (readings.now).
NEWEST_COUNT = 16


def reading_newest(*, patient, now: datetime | None = None) -> list[Reading]:
    """The record's newest readings (at most NEWEST_COUNT, newest first, none taken more than
    the 10 minutes a meter may run ahead of ``now``), for readings.now.latest_glucose. One
    query on the (patient, taken_at) index."""
    end = (now or timezone.now()) + FUTURE_TOLERANCE
    return list(
        Reading.objects.of(patient)
        .filter(taken_at__lte=end)
        .order_by("-taken_at")
        .only("value_mgdl", "taken_at", "kind", "direction")[:NEWEST_COUNT]
    )


@dataclass(frozen=True)
class DayPage:
    """A page of the readings table: whole local days, newest first."""

    readings: list[Reading]  # newest first
    first_day: date | None  # the page's days, in the record's zone; None: no readings
    last_day: date | None
    newer: date | None  # the last day of the newer page, None when this is the newest
    older: date | None  # the last day of the older page, None when this is the oldest


def reading_day_page(
    *,
    patient,
    days: int,
    last_day: date | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
) -> DayPage:
    """``days`` local days of the record's readings in [start, end) (with the filters),
    ending with ``last_day`` (default: the day of the newest reading), and where the pages
    on either side end. A newer or older page starts at the next day with readings, so a
    gap of months costs one click. Four queries."""
    tz = patient.tzinfo
    readings = reading_list(patient=patient, start=start, end=end, context=context, kind=kind)
    newest = readings.values_list("taken_at", flat=True).first()
    if newest is None:  # none at all (with these filters): no day to show
        return DayPage([], None, None, None, None)
    newest_day = timezone.localdate(newest, tz)
    last_day = last_day or newest_day
    first_day = last_day - timedelta(days=days - 1)
    window_start, window_end = figures.whole_days(days, last_day, tz)
    older = readings.filter(taken_at__lt=window_start).values_list("taken_at", flat=True).first()
    newer = (
        readings.filter(taken_at__gte=window_end)
        .order_by("taken_at")
        .values_list("taken_at", flat=True)
        .first()
    )
    return DayPage(
        readings=list(readings.between(window_start, window_end)),
        first_day=first_day,
        last_day=last_day,
        newer=(
            min(timezone.localdate(newer, tz) + timedelta(days=days - 1), newest_day)
            if newer
            else None
        ),
        older=timezone.localdate(older, tz) if older else None,
    )


class ReadingRow(NamedTuple):
    """What an API answer shows of a reading, read as plain values (no model instance);
    the attribute names are the model's, so code that shapes a Reading shapes a row too."""

    pk: object
    kind: str
    value_mgdl: int
    taken_at: datetime
    source: str
    device: str
    direction: str
    delta: float | None
    filtered: float | None
    unfiltered: float | None
    noise: int | None
    rssi: int | None


def reading_rows(readings: QuerySet[Reading]) -> list[ReadingRow]:
    """The rows of a reading_list queryset (filtered, ordered, sliced): one query of only
    ReadingRow's fields (core.mongo.rows)."""
    return list(map(ReadingRow._make, mongo.rows(readings.values_list(*ReadingRow._fields))))


def reading_get(*, patient, reading_id) -> Reading:
    """One of the record's readings; raises Reading.DoesNotExist for any other."""
    return Reading.objects.of(patient).get(pk=reading_id)


def target_get(*, patient) -> Target:
    """The record's target range; the defaults (70-180 mg/dL, unsaved) until one is set."""
    return Target.objects.filter(patient=patient).first() or Target(patient=patient)


@dataclass(frozen=True)
class Series:
    """A period's readings as parallel columns, oldest first (times in Unix seconds;
    cadence None where unknown)."""

    values_mgdl: tuple[int, ...]
    kinds: tuple[str, ...]
    contexts: tuple[str, ...]
    epochs: tuple[int, ...]
    cadences: tuple[int | None, ...] = ()
    sources: tuple[str, ...] = ()


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
    rows = mongo.rows(
        reading_list(patient=patient, start=start, end=end, context=context, kind=kind)
        .order_by("taken_at")
        .annotate(epoch=EpochSeconds("taken_at"))
        # The ORM's own column order (fields first, then the annotation).
        .values_list("value_mgdl", "kind", "context", "source", "cadence_min", "epoch")
    )
    values, kinds, contexts, sources, cadences, epochs = tuple(zip(*rows, strict=True)) or ((),) * 6
    return Series(values, kinds, contexts, epochs, cadences, sources)


def report_bounds(*, patient, days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The report window of ``days`` whole local days ending today in the record's zone:
    [local midnight days-1 days ago, next local midnight) (CLINICAL.md D2)."""
    tz = patient.tzinfo
    today = timezone.localdate(now or timezone.now(), tz)
    return figures.whole_days(days, today, tz)


def reading_stats(
    *,
    patient,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
    target: Target | None = None,
    compare: bool = True,
    series: Series | None = None,
) -> stats.ReadingStats:
    """Every section 4 figure of the record's readings in [start, end) (mg/dL), computed by
    readings.figures in the record's zone with the record's target preset, plus the
    readings list's plain summary (readings.stats). Give whole local days (report_bounds)
    for a report. With ``compare`` the previous window of equal length is read too, for the
    comparison (``series`` may be given already read from load_from(start, end))). Two
    queries (target, readings) whatever the period."""
    target = target or target_get(patient=patient)
    if series is None:
        first = load_from(patient=patient, start=start, end=end) if compare else start
        series = reading_series(patient=patient, start=first, end=end, context=context, kind=kind)
    return stats.compute(
        values=series.values_mgdl,
        epochs=series.epochs,
        kinds=series.kinds,
        contexts=series.contexts,
        cadences=series.cadences,
        sources=series.sources,
        tz=patient.tzinfo,
        start=start,
        end=end,
        preset=patient.target_preset,
        target_low=target.low_mgdl,
        target_high=target.high_mgdl,
        compare_previous=compare and start is not None and end is not None,
    )


def reading_stats_many(
    *, patients: list, days: int, now: datetime | None = None
) -> dict[object, stats.ReadingStats]:
    """reading_stats of ``days`` whole local days ending today, with the comparison, for
    each record in ``patients`` (its own zone, preset and target): the very computation
    the report does (stats.compute), so a roster cannot differ from the report.

    Three queries whatever the number of records: targets, and the readings of every record
    over both windows in one ordered query, split per record in memory.
    """
    if not patients:
        return {}
    bounds = {p.pk: report_bounds(patient=p, days=days, now=now) for p in patients}
    loads = {
        p.pk: load_from(patient=p, start=bounds[p.pk][0], end=bounds[p.pk][1]) for p in patients
    }
    targets = {t.patient_id: t for t in Target.objects.filter(patient__in=[p.pk for p in patients])}
    rows = (
        Reading.objects.filter(patient__in=[p.pk for p in patients])
        .between(min(loads.values()), max(end for _, end in bounds.values()))
        .order_by("patient", "taken_at")
        .annotate(epoch=EpochSeconds("taken_at"))
        .values_list("patient", "value_mgdl", "kind", "context", "source", "cadence_min", "epoch")
    )
    by_patient: dict = {}
    for row in rows:
        by_patient.setdefault(row[0], []).append(row[1:])
    result = {}
    for patient in patients:
        start, end = bounds[patient.pk]
        first = int(loads[patient.pk].timestamp())
        mine = [r for r in by_patient.get(patient.pk, ()) if r[5] >= first]
        values, kinds, contexts, sources, cadences, epochs = (
            tuple(zip(*mine, strict=True)) or ((),) * 6
        )
        target = targets.get(patient.pk) or Target(patient=patient)
        result[patient.pk] = stats.compute(
            values=values,
            epochs=epochs,
            kinds=kinds,
            contexts=contexts,
            cadences=cadences,
            sources=sources,
            tz=patient.tzinfo,
            start=start,
            end=end,
            preset=patient.target_preset,
            target_low=target.low_mgdl,
            target_high=target.high_mgdl,
        )
    return result


@dataclass(frozen=True)
class PeriodPair:
    """A window's figures, and the previous window's (of equal length) time in range."""

    current: WindowFigures
    previous_in_range: float | None  # None when the previous window has < 24 h of CGM

    @property
    def in_range_change(self) -> float | None:
        """Points of time in the preset's range against the previous window: compare()'s
        rule (None when the previous window has under 24 h of CGM)."""
        return figures.compare_change(self.current.preset_in_range, self.previous_in_range)


def period_figures_many(*, patients: list, now: datetime | None = None) -> dict[object, PeriodPair]:
    """For each record: its last DaySummary.ROSTER_DAYS whole local days and as many
    before, as the window rows the write services keep store them (readings.window_figures)
    rather than from the readings: what the roster shows, equal to reading_stats_many's
    figures (tested). One query per distinct local "today" among the records' zones (one
    or two in practice, three at most), whatever the number of records.
    """
    days = DaySummary.ROSTER_DAYS
    now = now or timezone.now()
    by_zone: dict = {}  # zone name -> (window, its last day): most records share a few zones
    windows = {}
    groups: dict = {}
    for p in patients:
        zone = p.timezone
        if zone not in by_zone:
            start, end = report_bounds(patient=p, days=days, now=now)
            last = start.astimezone(p.tzinfo).date() + timedelta(days=days - 1)
            by_zone[zone] = (figures.report_window(start, end, p.tzinfo), last)
        windows[p.pk], last = by_zone[zone]
        groups.setdefault(last, []).append(p.pk)
    stored: dict = {}  # (record pk, current?) -> its window row's stored figures
    for last, ids in groups.items():
        rows = DaySummary.objects.filter(
            patient__in=ids, span=days, day__in=[last, last - timedelta(days=days)]
        ).values_list("patient", "day", "figures")
        for patient_id, day, kept in rows:
            stored[(patient_id, day == last)] = kept
    presets = {p.pk: p.target_preset for p in patients}
    older = _older_windows(stored, windows, presets, days)
    empty: dict = {}  # (preset, window) -> the figures of a window without CGM data
    result = {}
    for p in patients:
        window, preset = windows[p.pk], p.target_preset
        current = WindowFigures.from_json(stored.get((p.pk, True)), preset=preset)
        if current is None and (p.pk, True) in older:  # kept by an older release
            with_data, sums = older[(p.pk, True)]
            current = window_figures(sums, days_with_data=with_data, window=window, preset=preset)
        elif current is None:
            if (preset, window) not in empty:
                empty[(preset, window)] = window_figures(
                    DaySums(), days_with_data=0, window=window, preset=preset
                )
            current = empty[(preset, window)]
        known, previous_in_range = stored_in_range(stored.get((p.pk, False)), preset=preset)
        if not known:
            sums = older.get((p.pk, False), (0, DaySums()))[1]
            previous_in_range = daily.previous_in_range(sums, preset=preset)
        result[p.pk] = PeriodPair(current, previous_in_range)
    return result


def _older_windows(stored: dict, windows: dict, presets: dict, days: int) -> dict:
    """(record pk, current?) -> (days with data, DaySums) of the window rows whose stored
    figures are missing, from another release (readings.window_figures.VERSION) or by
    another preset: their sums, to compute the figures from. One query when there are
    any, none otherwise."""
    wanted = [
        key for key, kept in stored.items() if not stored_in_range(kept, preset=presets[key[0]])[0]
    ]
    if not wanted:
        return {}
    ends = {}
    for pk, current in wanted:
        last = (windows[pk].end - timedelta(microseconds=1)).astimezone(windows[pk].tz).date()
        ends[(pk, last if current else last - timedelta(days=days))] = current
    rows = DaySummary.objects.filter(
        patient__in={pk for pk, _ in wanted}, span=days, day__in={day for _, day in ends}
    ).values_list("patient", "day", "days", *DaySummary.SUM_FIELDS)
    return {
        (pk, ends[(pk, day)]): (with_data, sums_of(columns))
        for pk, day, with_data, *columns in rows
        if (pk, day) in ends
    }


def load_from(*, patient, start: datetime | None, end: datetime | None) -> datetime | None:
    """Where the readings behind reading_stats begin: the previous window's start."""
    if start is None or end is None:
        return start
    window = figures.report_window(start, end, patient.tzinfo)
    return figures.previous_window(window).start


def period_bounds(days: int, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last ``days`` days up to now: [now - days, now]."""
    end = now or timezone.now()
    # A reading may be up to 10 minutes ahead of the server clock (a fast meter); include it.
    return end - timedelta(days=days), end + timedelta(minutes=10)


def reading_any(*, patient) -> bool:
    """Whether the record has any reading at all (a first visit has none)."""
    return Reading.objects.of(patient).exists()


def readings_version(*, patient) -> str:
    """A short token that changes whenever the record's readings change (add, edit, delete);
    the dashboard polls it to know when to redraw. The count of changes the write services
    keep (ReadingsVersion): one small row read, however many readings there are."""
    changes = mongo.rows(
        ReadingsVersion.objects.filter(patient=patient).values_list("changes", flat=True)
    )
    return str(changes[0]) if changes else "0"
