"""Hand-computed edge cases for readings.figures (no oracle: the numbers are worked out here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from core.consensus import PRESETS, largest_remainder
from readings.figures import summarize
from readings.figures.agp import AgpCurve, daily_profiles, smooth_for_display
from readings.figures.cgm import cgm_figures, gri_of
from readings.figures.events import build_grid, episodes, event_runs
from readings.figures.streams import CgmStream, deduplicate, fill_cadences, infer_cadence
from readings.figures.sufficiency import report_window, sufficiency

BERLIN = ZoneInfo("Europe/Berlin")
T0 = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp())


def _run(e, v, *, kinds=None, cadences=None, start, end, tz="UTC", **kw):
    n = len(e)
    return summarize(
        np.asarray(e, dtype=np.int64), np.asarray(v), kinds or ["cgm"] * n,
        cadences if cadences is not None else [5] * n, ["s"] * n, [""] * n,
        tz=tz, start=start, end=end, **kw,
    )  # fmt: skip


def _days(n, start=datetime(2024, 3, 1, tzinfo=UTC)):
    return start, start + timedelta(days=n)


def _stream(minutes_each, value=150):
    """A hand-built deduplicated stream (the gate only sums cadences)."""
    c = np.asarray(minutes_each, dtype=np.int64)
    e = T0 + np.concatenate(([0], np.cumsum(c[:-1]) * 60))
    return CgmStream(e, np.full(len(c), value), c)


# --- streams -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval_s", "expected"), [(60, 1), (300, 5), (290, 5), (900, 15), (600, 5), (720, 15)]
)
def test_infer_cadence_snaps_the_median_interval(interval_s, expected):
    assert infer_cadence(T0 + np.arange(10) * interval_s) == expected


def test_infer_cadence_defaults_to_5_without_an_interval():
    assert infer_cadence(np.array([T0])) == 5
    assert infer_cadence(np.array([], dtype=np.int64)) == 5


def test_fill_cadences_per_source_keeps_known_ones():
    e = np.array([0, 900, 1800, 0, 300, 600, 5]) + T0
    kinds = np.array(["cgm"] * 6 + ["fingerstick"])
    filled = fill_cadences(e, kinds, np.array([0, 0, 0, 0, 0, 1, 0]), np.array(list("aaabbbc")))
    assert filled.tolist() == [15, 15, 15, 5, 5, 1, 0]


def test_deduplicate_is_tidepools_blackout_rule():
    # cadence 5 min: blackout = t + 290 s. 289 s is inside, 290 s is not.
    e = T0 + np.array([580, 0, 289, 290, 870, 871])
    kept = deduplicate(e, np.zeros(6), np.full(6, 5))
    assert (e[kept] - T0).tolist() == [0, 290, 580, 870]


def test_deduplicate_uses_each_kept_readings_own_cadence():
    # A 15-minute reading blanks 890 s; a 5-minute one at the same time would blank 290 s.
    e = T0 + np.array([0, 300, 600, 890])
    assert deduplicate(e, np.zeros(4), np.array([15, 5, 5, 5])).tolist() == [0, 3]


# --- core CGM figures ----------------------------------------------------------------------


def test_no_readings():
    f = _run([], [], start=_days(14)[0], end=_days(14)[1])
    assert f.cgm is None and f.events is None and f.agp is None and f.daily == ()
    s = f.sufficiency
    assert (s.active_percent, s.days_with_data, s.cgm_minutes, s.gmi) == (0.0, 0, 0, None)
    assert "none" in s.gmi_reason and s.banner and s.cgm_withheld_reason
    assert f.meter.count == 0 and f.meter.bands is None
    empty = cgm_figures(np.array([]), np.array([]))
    assert empty.count == 0 and empty.mean is None and empty.bands is None and empty.gri is None
    assert all(goal.met is None for goal in empty.goals)


def test_one_reading():
    f = cgm_figures(np.array([100]), np.array([5]))
    assert (f.count, f.mean, f.median, f.min, f.max, f.sd, f.cv) == (
        1,
        100.0,
        100.0,
        100,
        100,
        None,
        None,
    )
    assert f.quantiles == {5: 100.0, 25: 100.0, 50: 100.0, 75: 100.0, 95: 100.0}
    assert f.bands.in_range == 100.0 and f.bands.low == 0.0
    assert f.minutes_per_day["in_range"] == 1440.0
    assert (f.gri.value, f.gri.zone) == (0.0, "A")


def test_all_equal_readings_have_zero_sd():
    f = cgm_figures(np.full(30, 120), np.full(30, 5))
    assert (f.mean, f.sd, f.cv, f.tight_range, f.below_70) == (120.0, 0.0, 0.0, 100.0, 0.0)


def test_cv_needs_30_readings():
    # 100 and 200 alternating: mean 150, sample SD = 50 * sqrt(n / (n - 1)).
    assert cgm_figures(np.array([100, 200] * 14 + [150]), np.full(29, 5)).cv is None
    f = cgm_figures(np.array([100, 200] * 15), np.full(30, 5))
    assert f.sd == 50.85  # 50 * sqrt(30/29) = 50.8548
    assert f.cv == 33.9  # 100 * 50.8548 / 150 = 33.903


def test_band_bounds_are_inclusive_integers():
    f = cgm_figures(np.array([53, 54, 69, 70, 180, 181, 250, 251]), np.full(8, 5))
    b = f.bands
    assert (b.very_low, b.low, b.in_range, b.high, b.very_high) == (12.5, 25.0, 25.0, 25.0, 12.5)
    assert (f.below_70, f.above_180, f.tight_range) == (37.5, 37.5, 12.5)  # only 70 is 70-140


def test_bands_sum_to_100_by_largest_remainder_and_combined_come_from_exact_sums():
    # Three readings: 1/3 each of very low, low, in range.
    f = cgm_figures(np.array([50, 60, 100]), np.full(3, 5))
    b = f.bands
    assert (b.very_low, b.low, b.in_range) == (33.34, 33.33, 33.33)
    assert f.below_70 == 66.67  # from 2/3 exactly, not 33.34 + 33.33 = 66.67 by luck only
    assert largest_remainder([1, 1, 1, 1, 1, 1, 1]) == (
        14.29,
        14.29,
        14.29,
        14.29,
        14.28,
        14.28,
        14.28,
    )
    assert sum(largest_remainder([1, 1, 1, 1, 1, 1, 1])) == pytest.approx(100)
    assert largest_remainder([0, 0]) == (0.0, 0.0)


def test_gri_components_and_zones():
    g = gri_of(vlow=1, low=3, high=20, vhigh=5)  # 3*1 + 2.4*3 + 1.6*5 + 0.8*20 = 34.2
    assert (g.value, g.hypo, g.hyper, g.zone) == (34.2, 3.4, 15.0, "B")
    assert gri_of(100, 0, 0, 0).value == 100.0  # 300, capped
    assert gri_of(100, 0, 0, 0).zone == "E"
    assert [gri_of(0, 0, h, 0).zone for h in (25, 25.01, 50, 75, 100, 101)] == list("ABBCDE")


def test_presets_pregnancy_range_and_goals():
    v = np.array([60, 63, 140, 141, 100])
    f = cgm_figures(v, np.full(5, 5), preset="pregnancy_t1")
    assert (f.preset_in_range, f.preset_below, f.preset_above) == (60.0, 20.0, 20.0)
    goals = {g.key: g for g in f.goals}
    assert set(goals) == {"in_range", "below_63", "below_54", "above_140", "mean", "cv"}
    assert goals["in_range"].met is False and goals["below_63"].met is False
    gdm = cgm_figures(v, np.full(5, 5), preset="pregnancy_gdm_t2")
    assert [g.key for g in gdm.goals] == ["mean", "cv"] and gdm.preset_in_range == 60.0
    older = {g.key: g.threshold for g in PRESETS["older_high_risk"].goals}
    assert older == {"in_range": 50, "below_70": 1, "above_180": 50, "above_250": 10}
    with pytest.raises(ValueError, match="unknown preset"):
        cgm_figures(v, np.full(5, 5), preset="nope")


# --- sufficiency ---------------------------------------------------------------------------


def test_gmi_gate_at_14111_and_14112_minutes():
    window = report_window(*_days(14), UTC)
    short = sufficiency(_stream([14_000, 111]), window, 150.0)
    assert short.gmi is None
    assert "235.2 hours" in short.gmi_reason and "14 days and 235.2 hours" in short.gmi_reason
    assert sufficiency(_stream([14_000, 112]), window, 150.0).gmi == 6.9  # 3.31 + 0.02392*150


def test_gmi_gate_window_13_vs_14_days():
    e = T0 + np.arange(13 * 288) * 300
    v = np.full(len(e), 150)
    thirteen = _run(e, v, start=_days(13)[0], end=_days(13)[1])
    assert thirteen.sufficiency.gmi is None and "13 days" in thirteen.sufficiency.gmi_reason
    fourteen = _run(e, v, start=_days(14)[0], end=_days(14)[1])  # 13 of 14 days worn: 93 %
    assert fourteen.sufficiency.gmi == 6.9
    assert fourteen.sufficiency.active_percent == 92.86 and fourteen.sufficiency.banner is None
    assert {g.key: g.met for g in fourteen.goals}["gmi"] is True


def test_banner_below_70_percent_active_and_24_hour_minimum():
    e = T0 + np.arange(287) * 300  # 1435 minutes of CGM
    f = _run(e, np.full(287, 120), start=_days(2)[0], end=_days(2)[1])
    assert f.cgm is None and "23.9 hours" in f.sufficiency.cgm_withheld_reason
    assert all(goal.value is None and goal.met is None for goal in f.goals)
    assert f.sufficiency.banner.startswith("Less than 70 %")
    e = T0 + np.arange(288) * 300
    f = _run(e, np.full(288, 120), start=_days(2)[0], end=_days(2)[1])
    assert f.cgm is not None and f.sufficiency.active_percent == 50.0
    assert f.agp is None and "7 days" in f.sufficiency.agp_reason


def test_agp_gate_needs_7_days_and_70_percent_on_the_best_7():
    day = np.arange(288) * 300
    seven = np.concatenate([T0 + d * 86400 + day for d in range(7)])
    f = _run(seven, np.full(len(seven), 120), start=_days(14)[0], end=_days(14)[1])
    assert f.sufficiency.agp_shown and f.agp is not None
    six = seven[: 6 * 288]
    assert not _run(
        six, np.full(len(six), 120), start=_days(14)[0], end=_days(14)[1]
    ).sufficiency.agp_shown
    # Seven days 06:00-18:00. The first day counts from 06:00 (12 of 18 h), the last to 18:05
    # (12 of 18 h), the five between 12 of 24 h: (2 * 2/3 + 5 * 1/2) / 7 = 54.8 %.
    half = np.concatenate([T0 + d * 86400 + 21600 + np.arange(144) * 300 for d in range(7)])
    f = _run(half, np.full(len(half), 120), start=_days(14)[0], end=_days(14)[1])
    assert "have 55 %" in f.sufficiency.agp_reason


def test_agp_gate_counts_the_first_and_last_day_from_the_first_and_last_reading():
    # Sensor from noon on day 0 to noon on day 7: all 8 days fully used while worn.
    e = T0 + 43200 + np.arange(7 * 288) * 300
    f = _run(e, np.full(len(e), 120), start=_days(14)[0], end=_days(14)[1])
    assert f.sufficiency.agp_shown and f.sufficiency.days_with_data == 8


@pytest.mark.parametrize(
    ("day", "hours"), [(datetime(2024, 3, 31), 23), (datetime(2024, 10, 27), 25)]
)
def test_dst_days_in_berlin_are_23_and_25_hours(day, hours):
    start = day.replace(tzinfo=BERLIN)
    end = (day + timedelta(days=1)).replace(tzinfo=BERLIN)
    e = int(start.timestamp()) + np.arange(hours * 12) * 300
    f = _run(e, np.full(len(e), 120), start=start, end=end, tz=BERLIN, compare_previous=False)
    s = f.sufficiency
    assert (f.window.days, f.window.minutes) == (1, hours * 60)
    assert (s.days_with_data, s.cgm_minutes, s.active_percent) == (1, hours * 60, 100.0)
    # Under 24 h of CGM (the 23-hour day) withholds the CGM sections (Tidepool's minimum).
    assert (f.cgm is None) == (hours < 24)
    (profile,) = daily_profiles(e, np.full(len(e), 120), BERLIN, day.date(), days=1)
    assert profile.day == day.date() and len(profile.values) == hours * 12
    assert None not in profile.values


def test_grid_on_the_spring_dst_day_leaves_the_missing_hour_empty():
    start = datetime(2024, 3, 31, tzinfo=BERLIN)
    e = int(start.timestamp()) + np.arange(23 * 12) * 300
    grid = build_grid(e, np.full(len(e), 100), 5, BERLIN)
    row = grid.values[0]
    # Slots 02:05 .. 02:55 (j = 24 .. 34) do not exist on the wall clock; 02:00 and 03:00 do
    # not lie strictly inside the 01:55 -> 03:00 gap (65 wall minutes > 45).
    assert np.isnan(row[24:35]).all() and not np.isnan(row[:23]).any() and row[35] == 100


# --- events --------------------------------------------------------------------------------


def test_event_runs_start_after_k_points_and_end_before_the_first_k_back():
    beyond = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1], dtype=bool)
    g = np.where(beyond, 60.0, 100.0)
    assert event_runs(g, beyond, 3, 3) == [(0, 5)]  # 2 points back is not an end
    assert event_runs(g, beyond, 2, 3) == [(0, 5), (9, 10)]  # a NaN gap (run end) ends it
    assert event_runs(g, beyond, 4, 3) == []


def _grid_events(values, start_s=0, tz=UTC):
    e = T0 + start_s + np.arange(len(values)) * 300
    return episodes(build_grid(e, np.asarray(values), 5, tz), tz)


def test_a_15_minute_low_is_an_event_and_10_minutes_is_not():
    # Readings at 00:00..; grid points at 00:05..: values on the grid equal the readings.
    ev = _grid_events([100] * 10 + [60] * 4 + [100] * 10)
    assert ev["lv1_hypo"].total == 1 and ev["lv1_hypo"].events[0].duration_min == 20
    assert ev["lv1_hypo"].events[0].extreme == 60.0 and ev["lv2_hypo"].total == 0
    assert ev["lv1_excl_hypo"].total == 1
    ev = _grid_events([100] * 10 + [60] * 2 + [100] * 10)
    assert ev["lv1_hypo"].total == 0 and ev["lv1_hypo"].per_day is not None


def test_nocturnal_means_starting_before_06_00_local():
    # One reading every 5 minutes from 05:00 UTC = 06:00 in Berlin (CET, +1).
    values = [100] * 10 + [60] * 6 + [100] * 10  # the low starts at 05:50 UTC
    assert _grid_events(values, start_s=5 * 3600)["lv1_hypo"].nocturnal == 1
    berlin = _grid_events(values, start_s=5 * 3600, tz=BERLIN)["lv1_hypo"]
    assert berlin.total == 1 and berlin.nocturnal == 0  # 06:50 local
    assert berlin.events[0].start == datetime(2024, 3, 1, 6, 50, tzinfo=BERLIN)


def test_extended_hypo_needs_more_than_120_minutes():
    assert _grid_events([100] * 5 + [60] * 25 + [100] * 5)["extended_hypo"].total == 1
    assert _grid_events([100] * 5 + [60] * 24 + [100] * 5)["extended_hypo"].total == 0


# --- AGP display and daily profiles --------------------------------------------------------


def test_display_smoothing_is_circular_1_4_1_and_skips_empty_neighbours():
    n = 96
    values = [None] * n
    values[0], values[1], values[95] = 100.0, 160.0, 40.0
    curve = AgpCurve(15, tuple(range(15, 1441, 15)), (5,) * n, {50: tuple(values)})
    out = smooth_for_display(curve)[50]
    assert out[0] == pytest.approx((40 + 4 * 100 + 160) / 6)  # wraps around midnight
    assert out[1] == pytest.approx((100 + 4 * 160) / 5)  # 1-4-0: next is empty
    assert out[95] == pytest.approx((4 * 40 + 100) / 5)  # 0-4-1
    assert out[50] is None


def test_daily_profiles_break_at_gaps_over_45_minutes():
    e = T0 + np.array([0, 300, 300 + 45 * 60, 300 + 45 * 60 + 46 * 60])
    (p,) = daily_profiles(e, np.array([1, 2, 3, 4]), UTC, datetime(2024, 3, 1).date(), days=1)
    assert p.values == (1, 2, 3, None, 4)


# --- comparison ----------------------------------------------------------------------------


def test_comparison_with_the_previous_window():
    e = T0 + np.arange(14 * 288) * 300
    v = np.where(np.arange(len(e)) < 7 * 288, 60, 120)  # first week low, second in range
    start = datetime(2024, 3, 8, tzinfo=UTC)
    f = _run(e, v, start=start, end=start + timedelta(days=7))
    c = f.comparison
    assert (c.previous_start, c.reason) == (datetime(2024, 3, 1, tzinfo=UTC), None)
    assert (c["in_range"].current, c["in_range"].previous, c["in_range"].change) == (
        100.0,
        0.0,
        100.0,
    )
    assert c["mean"].change == 60.0 and c["active_percent"].change == 0.0
    assert c["gmi"].change is None  # 7-day windows: no GMI on either side


def test_no_comparison_when_the_previous_window_has_under_24_hours():
    e = T0 + 7 * 86400 + np.arange(7 * 288) * 300
    start = datetime(2024, 3, 8, tzinfo=UTC)
    f = _run(e, np.full(len(e), 120), start=start, end=start + timedelta(days=7))
    assert "0.0 hours" in f.comparison.reason
    assert all(ch.change is None for ch in f.comparison.changes)
    assert f.comparison["in_range"].current == 100.0


def test_vectorised_agp_quantiles_equal_numpys_nanquantile():
    import warnings

    from readings.figures.agp import nan_quantiles

    rng = np.random.default_rng(0)
    probs = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    for _ in range(100):
        v = rng.integers(40, 400, size=(int(rng.integers(1, 30)), 288)).astype(float)
        v[rng.random(v.shape) < 0.3] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanquantile(v, probs, axis=0)
        np.testing.assert_allclose(nan_quantiles(v, probs), expected, rtol=0, atol=1e-9)
