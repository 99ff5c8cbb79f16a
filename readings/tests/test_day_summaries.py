"""The per-day sums the roster reads (readings.figures.daily, DaySummary) against the
raw computation the report does (reading_stats_many -> summarize), on varied data: the
roster may only be faster, never different. And the write services keep the sums equal to
a rebuild from the readings, whatever is written, changed or deleted."""

import json
import random
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from patients.services import patient_preset_set, patient_update
from patients.tests.factories import PatientRecordFactory
from readings import day_summaries, figures, services, stats, window_figures
from readings.figures import daily
from readings.figures.daily import DaySums
from readings.models import DaySummary, Kind, Reading, Source
from readings.selectors import period_figures_many, reading_stats_many, report_bounds
from readings.tests.factories import store
from readings.window_figures import WindowFigures, summary_sums

pytestmark = pytest.mark.django_db

# New York leaves DST on 2026-11-01 (current window), Berlin on 2026-10-25 (previous
# window); at 12:00 UTC it is already the 6th in Auckland, so the records' "today" differ.
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def series(record, rng, *, days=30, cadence=5, stored_cadence=True, source=Source.API):
    """CGM readings going back ``days`` from NOW: a daily curve with noise, a level 2 hypo
    around every fourth local midnight (23:40-00:35), a 2-day gap, short gaps of 20-40
    minutes, and a second uploader sending the same readings seconds apart for a day."""
    out = []
    t = NOW - timedelta(days=days)
    while t < NOW:
        local = t.astimezone(record.tzinfo)
        minute = local.hour * 60 + local.minute
        value = 140 + 60 * ((minute % 480) / 480) - 40 * (local.hour < 6) + rng.randint(-12, 12)
        day = local.toordinal()
        if day % 4 == 0 and minute >= 23 * 60 + 40 or day % 4 == 1 and minute < 35:
            value = 46 + rng.randint(0, 6)
        if day % 4 == 2 and 14 * 60 <= minute < 15 * 60:
            value = 300 + rng.randint(0, 40)
        gap = NOW - timedelta(days=20) <= t < NOW - timedelta(days=18)
        if not gap and rng.random() > 0.01:
            out.append(
                Reading(
                    patient=record,
                    value_mgdl=max(40, min(400, int(value))),
                    taken_at=t,
                    kind=Kind.CGM,
                    cadence_min=cadence if stored_cadence else None,
                    source=source,
                )
            )
            if NOW - timedelta(days=3) <= t < NOW - timedelta(days=2):
                out.append(
                    Reading(
                        patient=record,
                        value_mgdl=max(40, min(400, int(value) + 1)),
                        taken_at=t + timedelta(seconds=7),
                        kind=Kind.CGM,
                        cadence_min=cadence if stored_cadence else None,
                        source=Source.IMPORT,
                    )
                )
        step = cadence
        if rng.random() < 0.004:
            step = rng.randint(20, 40)  # a lost signal
        t += timedelta(minutes=step)
    # Scans and meter readings, which count in no CGM figure.
    for i in range(0, days * 24, 7):
        at = NOW - timedelta(hours=i, minutes=3)
        kind = Kind.SCAN if i % 2 else Kind.FINGERSTICK
        out.append(Reading(patient=record, value_mgdl=45 + i % 200, taken_at=at, kind=kind))
    return out


def records():
    rng = random.Random(20261105)
    made = []
    for zone, cadence, stored, preset in (
        ("America/New_York", 5, True, "standard"),
        ("Europe/Berlin", 15, True, "pregnancy_t1"),
        ("Pacific/Auckland", 5, False, "older_high_risk"),
        ("UTC", 1, True, "standard"),
    ):
        record = PatientRecordFactory(timezone=zone, target_preset=preset)
        # 1-minute data: 15 days (36 hours of the previous window) keep the test quick.
        days = 15 if cadence == 1 else 30
        readings = series(record, rng, days=days, cadence=cadence, stored_cadence=stored)
        if zone == "Europe/Berlin":  # switched to a 5-minute sensor for the last 9 days
            switch = NOW - timedelta(days=9)
            readings = [r for r in readings if r.kind != Kind.CGM or r.taken_at < switch]
            readings += [
                r
                for r in series(record, rng, days=9, cadence=5)
                if r.kind == Kind.CGM and r.taken_at >= switch
            ]
        store(readings)
        made.append(record)
    sparse = PatientRecordFactory(timezone="Asia/Kolkata")  # 20 hours of CGM: withheld
    store(series(sparse, rng, days=1)[:240])
    made.append(sparse)
    made.append(PatientRecordFactory(timezone="Europe/Paris"))  # no data at all
    return made


def shown(f):
    """What the roster shows of one window's figures."""
    cgm, s = f.cgm, f.sufficiency
    return {
        "count": cgm.count if cgm else 0,
        "minutes": s.cgm_minutes,
        "active": s.active_percent,
        "days_with_data": s.days_with_data,
        "gmi": s.gmi,
        "gmi_reason": s.gmi_reason,
        "withheld": s.cgm_withheld_reason,
        "mean": cgm and cgm.mean,
        "sd": cgm and cgm.sd,
        "cv": cgm and cgm.cv,
        "bands": cgm and cgm.bands,
        "tight": cgm and cgm.tight_range,
        "gri": cgm and cgm.gri,
        "time": stats.time_figures(f),
        "goals": [(g.key, g.value, g.met) for g in f.goals],
    }


def from_sums(record):
    """The figures of the record's current window from its stored window row's sums."""
    start, end = report_bounds(patient=record, days=14, now=NOW)
    window = figures.report_window(start, end, record.tzinfo)
    row = DaySummary.objects.filter(
        patient=record, span=14, day=(end - timedelta(days=1)).astimezone(record.tzinfo).date()
    ).first()
    sums, days = (summary_sums(row), row.days) if row else (DaySums(), 0)
    return daily.period_figures(
        sums, days_with_data=days, window=window, preset=record.target_preset
    )


@pytest.mark.slow
def test_the_roster_sums_equal_the_reports_computation_on_varied_data():
    made = records()
    raw = reading_stats_many(patients=made, days=14, now=NOW)
    summed = period_figures_many(patients=made, now=NOW)

    for record in made:
        report, roster = raw[record.pk].figures, summed[record.pk]
        # What the roster shows (stored with the window rows) is the report's figures...
        assert roster.current == WindowFigures.of(report), record.timezone
        # ... and every figure the sums give is too (SD, bands, tight range, minutes).
        assert shown(from_sums(record)) == shown(report), record.timezone
        lv2 = report.events["lv2_hypo"].total if report.events else None
        assert roster.current.lv2_hypo_events == lv2, record.timezone
        assert roster.in_range_change == report.comparison["preset_in_range"].change
    # The data exercise what they claim: events, a withheld record, a GMI, a comparison.
    figures = [raw[r.pk].figures for r in made]
    assert sum(f.events["lv2_hypo"].total for f in figures if f.events) >= 8
    assert [f.cgm is None for f in figures] == [False, False, False, False, True, True]
    assert any(f.sufficiency.gmi is not None for f in figures)
    assert all(f.comparison["preset_in_range"].change is not None for f in figures[:4])


def test_a_window_starting_inside_a_hypo_counts_it_as_the_report_does():
    """The fresh rows: the report starts afresh at its window's first midnight, so a hypo
    under way then is an event of the window; a later day's continues from before."""
    record = PatientRecordFactory(timezone="UTC")
    start = datetime(2026, 10, 23, tzinfo=UTC)  # the 14-day window's first midnight
    readings = [
        Reading(
            patient=record,
            value_mgdl=48
            if start - timedelta(minutes=30) <= t < start + timedelta(minutes=30)
            else 130,
            taken_at=t,
            kind=Kind.CGM,
            cadence_min=5,
        )
        for t in (start - timedelta(days=2) + timedelta(minutes=5 * i) for i in range(16 * 288))
    ]
    store(readings)

    report = reading_stats_many(patients=[record], days=14, now=NOW)[record.pk].figures
    roster = period_figures_many(patients=[record], now=NOW)[record.pk]

    assert report.events["lv2_hypo"].total == 1
    assert roster.current.lv2_hypo_events == 1


def rows(record):
    return sorted(
        (
            (*row[:-1], json.dumps(row[-1], sort_keys=True))
            for row in DaySummary.objects.filter(patient=record).values_list(
                "span", "day", "fresh", "days", *DaySummary.SUM_FIELDS, "figures"
            )
        ),
        key=lambda row: row[:3],
    )


def test_the_write_services_keep_the_sums_equal_to_a_rebuild():
    record = PatientRecordFactory(timezone="Europe/Berlin")
    rng = random.Random(7)
    recent = [r for r in series(record, rng, days=4) if r.kind == Kind.CGM]
    services.readings_bulk_create(patient=record, readings=recent[:700])
    for reading in recent[700:760]:
        services.reading_create(
            patient=record,
            value_mgdl=reading.value_mgdl,
            taken_at=reading.taken_at,
            kind=Kind.CGM,
            source=Source.API,
        )
    stored = list(Reading.objects.filter(patient=record).order_by("taken_at"))
    services.reading_update(reading=stored[10], value_mgdl=45)
    services.reading_update(reading=stored[20], taken_at=stored[20].taken_at + timedelta(days=1))
    services.reading_update(reading=stored[30], kind=Kind.FINGERSTICK)
    services.reading_delete(reading=stored[40])
    services.reading_create(  # a meter reading changes no sum
        patient=record, value_mgdl=300, taken_at=stored[50].taken_at, kind=Kind.FINGERSTICK
    )
    kept = rows(record)
    assert len(kept) >= 6  # three days, fresh and continuing

    day_summaries.day_summaries_rebuild(patient=record)

    assert rows(record) == kept


def test_a_new_time_zone_moves_the_days():
    record = PatientRecordFactory(timezone="UTC")
    t = datetime(2026, 11, 4, 23, 30, tzinfo=UTC)
    services.reading_create(patient=record, value_mgdl=100, taken_at=t, kind=Kind.CGM)
    assert {day for span, day, *_ in rows(record) if span == 1} == {t.date()}

    patient_update(patient=record, timezone="Asia/Tokyo")

    assert {day for span, day, *_ in rows(record) if span == 1} == {t.date() + timedelta(days=1)}


def test_the_rebuild_command_sums_readings_written_behind_the_services_back():
    record = PatientRecordFactory(timezone="America/New_York")
    readings = [r for r in series(record, random.Random(3), days=3) if r.kind == Kind.CGM]
    Reading.objects.bulk_create(readings)  # as a restore from a backup would
    assert rows(record) == []

    call_command("rebuild_day_summaries", stdout=StringIO())

    summed = rows(record)
    spans = [span for span, *_ in summed]
    assert spans.count(1) == 8  # 3 days from NOW - 3 d touch 4 local dates, fresh and continuing
    assert spans.count(14) == 4 + 13  # the roster windows ending on those days and 13 after
    day_summaries.day_summaries_rebuild(patient=record)
    assert rows(record) == summed


def test_the_roster_reads_the_stored_figures_and_computes_rows_of_an_older_release():
    record = PatientRecordFactory(timezone="Europe/Berlin")
    store([r for r in series(record, random.Random(5), days=15) if r.kind == Kind.CGM])
    report = reading_stats_many(patients=[record], days=14, now=NOW)[record.pk].figures
    windows = DaySummary.objects.filter(patient=record, span=14)
    assert all(row.figures[0] == window_figures.VERSION for row in windows)

    windows.update(figures=[window_figures.VERSION - 1, 1, 2, 3])
    older = period_figures_many(patients=[record], now=NOW)[record.pk]
    windows.update(figures=None)
    without = period_figures_many(patients=[record], now=NOW)[record.pk]

    assert older.current == without.current == WindowFigures.of(report)
    assert older.current.mean != 1


def test_a_new_target_preset_judges_the_stored_windows_by_it():
    record = PatientRecordFactory(timezone="UTC")
    store([r for r in series(record, random.Random(9), days=15) if r.kind == Kind.CGM])
    standard = period_figures_many(patients=[record], now=NOW)[record.pk].current

    patient_preset_set(patient=record, preset="pregnancy_t1")

    stored = period_figures_many(patients=[record], now=NOW)[record.pk].current
    report = reading_stats_many(patients=[record], days=14, now=NOW)[record.pk].figures
    assert report.preset == "pregnancy_t1"
    assert stored == WindowFigures.of(report)
    assert stored.in_range != standard.in_range  # 63-140 now, not 70-180
    assert [g.key for g in stored.goals][:3] == ["in_range", "below_63", "below_54"]


def test_an_unknown_preset_is_refused_and_changes_nothing():
    record = PatientRecordFactory(timezone="UTC")
    with pytest.raises(ValidationError):
        patient_preset_set(patient=record, preset="athletes")
    record.refresh_from_db()
    assert record.target_preset == "standard"
