"""readings.stats: the one result reading_stats returns. Clinical figures come from
readings.figures (tested against iglu in test_figures_*.py); here: what this layer adds or
decides (the readings list's plain summary, eA1c only for meter data, the window without
bounds, the patient's own range, the preset), hand-computed."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import consensus
from readings import stats

UTC_ZONE = ZoneInfo("UTC")
T0 = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)


def compute(rows, *, tz=UTC_ZONE, start=None, end=None, preset="standard", low=70, high=180):
    """rows: (value, aware time, kind[, context[, cadence]])."""
    rows = [(*r, *("unspecified", None)[len(r) - 3 :]) for r in rows]
    return stats.compute(
        values=[r[0] for r in rows],
        epochs=[int(r[1].timestamp()) for r in rows],
        kinds=[r[2] for r in rows],
        contexts=[r[3] for r in rows],
        cadences=[r[4] for r in rows],
        sources=["api"] * len(rows),
        tz=tz,
        start=start,
        end=end,
        preset=preset,
        target_low=low,
        target_high=high,
    )


def cgm_days(days, value=120, step=5, start=T0, **extra):
    n = days * 1440 // step
    return [
        (value, start + timedelta(minutes=step * i), "cgm", "unspecified", step) for i in range(n)
    ]


def test_no_readings_and_no_bounds_give_no_window():
    s = compute([])
    assert (s.count, s.mean, s.ea1c, s.figures) == (0, None, None, None)
    assert s.by_context == [] and s.by_day == []


def test_no_readings_in_a_window_give_figures_that_say_why():
    s = compute([], start=T0, end=T0 + timedelta(days=14))
    assert s.count == 0 and s.figures.cgm is None
    assert s.figures.sufficiency.gmi_reason == "GMI needs CGM data; this window has none."


def test_the_list_summary_is_every_kind_each_reading_once():
    rows = [
        (100, T0, "fingerstick", "fasting"),
        (200, T0 + timedelta(hours=1), "cgm", "unspecified"),
        (150, T0 + timedelta(hours=2), "scan", "unspecified"),
        (50, T0 + timedelta(days=1), "fingerstick", "fasting"),
    ]
    s = compute(rows)
    assert s.count == 4 and s.mean == 125.0  # (100 + 200 + 150 + 50) / 4
    assert [(g.key, g.count, g.mean) for g in s.by_context] == [
        ("fasting", 2, 75.0),
        ("unspecified", 2, 175.0),
    ]
    assert [(g.key, g.count) for g in s.by_day] == [("2026-01-05", 3), ("2026-01-06", 1)]


def test_without_bounds_the_window_is_the_whole_local_days_of_the_readings():
    tz = ZoneInfo("Europe/Berlin")
    # 23:30 UTC on 5 Jan is 00:30 on 6 Jan in Berlin.
    rows = [
        (120, datetime(2026, 1, 5, 23, 30, tzinfo=UTC), "cgm"),
        (130, T0 + timedelta(days=3), "cgm"),
    ]
    w = compute(rows, tz=tz).figures.window
    assert w.start == datetime(2026, 1, 6, tzinfo=tz) and w.end == datetime(2026, 1, 9, tzinfo=tz)
    assert w.days == 3


def test_readings_before_start_feed_the_comparison_only():
    before = cgm_days(14, value=100, start=T0 - timedelta(days=14))
    now = cgm_days(14, value=200)
    s = compute(before + now, start=T0, end=T0 + timedelta(days=14))
    assert s.count == len(now) and s.mean == 200.0 and s.figures.cgm.mean == 200.0
    assert s.figures.comparison["mean"].change == 100.0
    assert s.figures.comparison["in_range"].change == -100.0  # 100 % -> 0 %


def test_cgm_figures_ignore_fingersticks_and_scans():
    rows = cgm_days(2) + [
        (40, T0 + timedelta(hours=h, minutes=2), "fingerstick") for h in range(24)
    ]
    rows += [(45, T0 + timedelta(hours=h, minutes=1), "scan") for h in range(24)]
    f = compute(rows, start=T0, end=T0 + timedelta(days=2)).figures
    assert f.cgm.mean == 120.0 and f.cgm.bands.in_range == 100.0
    assert f.meter.count == 24 and f.meter.bands["very_low"] == 100.0


def test_the_patients_own_range_is_a_share_of_cgm_time():
    rows = cgm_days(1, value=100) + cgm_days(1, value=150, start=T0 + timedelta(days=1))
    f = compute(rows, start=T0, end=T0 + timedelta(days=2), low=80, high=120).figures
    assert f.cgm.personal == {"below": 0.0, "in": 50.0, "above": 50.0}


def test_the_preset_drives_range_and_goals():
    rows = cgm_days(14, value=150)
    f = compute(rows, start=T0, end=T0 + timedelta(days=14), preset="pregnancy_t1").figures
    assert f.preset == "pregnancy_t1"
    goals = {g.key: g for g in f.goals}
    assert goals["in_range"].threshold == 70 and goals["in_range"].value == 0.0  # 63-140
    assert goals["above_140"].value == 100.0 and goals["above_140"].met is False
    assert f.cgm.bands.in_range == 100.0  # the consensus bands stay 70-180


@pytest.mark.parametrize(("days", "expected"), [(13, None), (14, 5.81)])
def test_ea1c_only_for_meter_data_on_14_days(days, expected):
    rows = [(120, T0 + timedelta(days=d, hours=8), "fingerstick") for d in range(days)]
    s = compute(rows, start=T0, end=T0 + timedelta(days=14))
    assert s.ea1c == expected  # (120 + 46.7) / 28.7 = 5.808


def test_no_ea1c_when_there_is_cgm():
    rows = [(120, T0 + timedelta(days=d, hours=8), "fingerstick") for d in range(14)]
    rows.append((120, T0 + timedelta(hours=9), "cgm"))
    assert compute(rows, start=T0, end=T0 + timedelta(days=14)).ea1c is None


def test_by_day_follows_the_local_day_across_dst():
    tz = ZoneInfo("Europe/Berlin")
    # 29 March 2026: 23 hours in Berlin; 22:30 UTC on the 29th is 00:30 on the 30th.
    rows = [
        (100, datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "fingerstick"),  # 29th 00:30 CET
        (110, datetime(2026, 3, 29, 21, 30, tzinfo=UTC), "fingerstick"),  # 29th 23:30 CEST
        (120, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "fingerstick"),  # 30th 00:30
    ]
    s = compute(rows, tz=tz)
    assert [(g.key, g.count) for g in s.by_day] == [("2026-03-29", 2), ("2026-03-30", 1)]
    assert s.figures.window.start.date() == date(2026, 3, 29)


def test_band_of_a_reading_uses_own_targets_between_the_very_bands():
    assert consensus.band_of(53, 80, 140) == consensus.Band.VERY_LOW
    assert consensus.band_of(75, 80, 140) == consensus.Band.LOW
    assert consensus.band_of(150, 80, 140) == consensus.Band.HIGH
    assert consensus.band_of(251, 80, 300) == consensus.Band.VERY_HIGH
