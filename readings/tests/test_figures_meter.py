"""The meter (fingerstick) block of readings.figures, hand-computed (CLINICAL.md D10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from readings.figures import summarize
from readings.figures.meter import meal_pairs, meter_figures

BERLIN = ZoneInfo("Europe/Berlin")


def _at(*hm, day=1, tz=UTC):
    return int(datetime(2024, 3, day, *hm, tzinfo=tz).timestamp())


@pytest.mark.parametrize(
    ("minutes", "paired"), [(59, False), (60, True), (180, True), (181, False)]
)
def test_meal_pairs_need_60_to_180_minutes(minutes, paired):
    pre = _at(8, 0)
    e = np.array([pre, pre + minutes * 60])
    pairs = meal_pairs(e, np.array(["before_meal", "after_meal"]), UTC, "before_meal", "after_meal")
    assert pairs == ([(0, 1)] if paired else [])


def test_meal_pairs_take_the_latest_before_reading_in_range():
    e = np.array([_at(7, 0), _at(7, 30), _at(8, 50), _at(9, 0)])
    contexts = np.array(["before_meal", "before_meal", "before_meal", "after_meal"])
    # 08:50 is only 10 minutes before: too close; 07:30 is the latest one 60-180 min earlier.
    assert meal_pairs(e, contexts, UTC, "before_meal", "after_meal") == [(1, 3)]


def test_meal_pairs_do_not_cross_local_midnight():
    e = np.array([_at(23, 0), _at(0, 30, day=2)])
    contexts = np.array(["before_meal", "after_meal"])
    assert meal_pairs(e, contexts, UTC, "before_meal", "after_meal") == []
    # The same instants are 00:00 and 01:30 on one day in Berlin (UTC+1).
    assert meal_pairs(e, contexts, BERLIN, "before_meal", "after_meal") == [(0, 1)]


def test_meal_slots_snacks_fasting_and_bedtime():
    rows = [
        # (time, value, context)
        (_at(7, 0), 100, "before_meal"), (_at(9, 0), 190, "after_meal"),  # breakfast +90
        (_at(7, 0, day=2), 120, "before_meal"), (_at(8, 30, day=2), 150, "after_meal"),  # +30
        (_at(12, 0), 110, "before_meal"), (_at(14, 0), 170, "after_meal"),  # lunch +60
        (_at(18, 0), 90, "before_meal"), (_at(19, 0), 200, "after_meal"),  # dinner +110
        (_at(22, 0), 95, "before_meal"), (_at(23, 30), 140, "after_meal"),  # 23:30: no slot
        (_at(15, 0), 100, "before_snack"), (_at(16, 30), 130, "after_snack"),
        (_at(6, 0), 85, "fasting"), (_at(6, 0, day=2), 140, "fasting"),
        (_at(22, 30), 128, "bedtime"),
    ]  # fmt: skip
    e, v, c = (np.array(x) for x in zip(*rows, strict=True))
    m = meter_figures(e, v, c, UTC, window_days=2)
    slots = {s.slot: s for s in m.meals}
    b = slots["breakfast"]
    assert (b.pairs, b.median_pre, b.median_post, b.median_rise, b.post_above_180) == (
        2, 110.0, 170.0, 60.0, 50.0,
    )  # fmt: skip
    assert (slots["lunch"].pairs, slots["lunch"].median_rise) == (1, 60.0)
    assert (slots["dinner"].pairs, slots["dinner"].post_above_180) == (1, 100.0)
    assert (slots["snack"].pairs, slots["snack"].median_rise) == (1, 30.0)
    f = m.fasting
    assert (f.count, f.mean, f.median, f.in_80_130) == (2, 112.5, 112.5, 50.0)
    assert (m.bedtime.count, m.bedtime.in_80_130) == (1, 100.0)
    assert (m.count, m.per_day, m.min, m.max, m.cv) == (15, 7.5, 85, 200, None)


def test_meter_bands_are_percent_of_readings_and_cv_needs_30():
    v = np.array([50, 60, 100] * 10)
    e = _at(0, 0) + np.arange(30) * 3600
    m = meter_figures(e, v, np.array(["unspecified"] * 30), UTC, window_days=2)
    assert m.bands == {
        "very_low": 33.34,
        "low": 33.33,
        "in_range": 33.33,
        "high": 0.0,
        "very_high": 0.0,
    }
    assert m.cv is not None and m.mean == 70.0
    assert meter_figures(e[:29], v[:29], np.array([""] * 29), UTC, 2).cv is None


def test_hourly_median_needs_3_readings_and_quartiles_5():
    e = np.array([_at(8, m) for m in (0, 10, 20, 30, 40)] + [_at(9, 0), _at(9, 30), _at(9, 50)])
    v = np.array([100, 110, 120, 130, 140, 90, 95, 200])
    m = meter_figures(e, v, np.array([""] * 8), UTC, 1)
    h8, h9, h10 = m.hourly[8], m.hourly[9], m.hourly[10]
    assert (h8.count, h8.median, h8.p25, h8.p75) == (5, 120.0, 110.0, 130.0)
    assert (h9.count, h9.median, h9.p25, h9.p75) == (3, 95.0, None, None)
    assert (h10.count, h10.median) == (0, None)
    assert meter_figures(e[:2], v[:2], np.array(["", ""]), UTC, 1).hourly[8].median is None


def test_fingersticks_never_enter_cgm_figures_and_cgm_never_the_meter_block():
    start = datetime(2024, 3, 1, tzinfo=UTC)
    e = int(start.timestamp()) + np.arange(288) * 300
    fs = int(start.timestamp()) + np.array([3600, 7200])
    f = summarize(
        np.concatenate([e, fs]), np.concatenate([np.full(288, 120), [40, 400]]),
        ["cgm"] * 288 + ["fingerstick"] * 2, [5] * 288 + [0, 0], ["g6"] * 288 + ["meter"] * 2,
        [""] * 288 + ["before_meal", "after_meal"],
        tz="UTC", start=start, end=start + timedelta(days=1),
    )  # fmt: skip
    assert f.cgm.count == 288 and f.cgm.min == 120 and f.cgm.max == 120
    assert (f.meter.count, f.meter.min, f.meter.max) == (2, 40, 400)
