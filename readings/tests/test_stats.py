"""readings.stats against hand-computed figures (DESIGN.md section 4, to 0.01)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import consensus
from readings import stats

UTC_ZONE = ZoneInfo("UTC")
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def at(*values, step=timedelta(hours=1), start=T0):
    """Readings ``values`` spaced ``step`` apart from ``start``: (values, times)."""
    return list(values), [start + i * step for i in range(len(values))]


def summarize(values, times, tz=UTC_ZONE, **kwargs):
    return stats.summarize(values, times, tz=tz, **kwargs)


def test_no_readings_gives_count_zero_and_no_figures():
    s = summarize([], [])

    assert s.count == 0
    for name in ("mean", "sd", "cv", "median", "min", "max", "p5", "p95", "gmi", "ea1c"):
        assert getattr(s, name) is None, name
    assert s.ranges == dict.fromkeys(consensus.RANGE_KEYS)
    assert s.gmi_unavailable_reason == "There are no readings in this period."
    assert s.by_day == [] and s.agp == []
    assert all(goal.met is None for goal in s.goals)


def test_one_reading():
    s = summarize(*at(100))

    assert (s.count, s.mean, s.median, s.min, s.max) == (1, 100.0, 100.0, 100, 100)
    assert s.sd is None and s.cv is None  # sample SD needs two readings
    assert (s.p5, s.p25, s.p75, s.p95) == (100.0, 100.0, 100.0, 100.0)
    assert s.ea1c == 5.11  # (100 + 46.7) / 28.7 = 5.1115
    assert s.in_range == 100.0 and s.very_low == 0.0
    assert s.in_target == 100.0


def test_all_equal_values_have_no_spread():
    s = summarize(*at(*[120] * 10))

    assert (s.mean, s.sd, s.cv, s.median) == (120.0, 0.0, 0.0, 120.0)
    assert (s.p5, s.p95) == (120.0, 120.0)


def test_hand_computed_spread_and_percentiles():
    s = summarize(*at(160, 80, 140, 100, 120))  # order must not matter

    assert s.mean == 120.0
    assert s.sd == 31.62  # sqrt((1600 + 400 + 0 + 400 + 1600) / 4) = 31.6228
    assert s.cv == 26.35  # 100 * 31.6228 / 120
    # Linear interpolation: p5 at rank 0.2 -> 80 + 0.2 * 20; p95 at rank 3.8 -> 140 + 0.8 * 20
    assert (s.p5, s.p25, s.p50, s.p75, s.p95) == (84.0, 100.0, 120.0, 140.0, 156.0)
    assert s.median == 120.0
    assert s.ea1c == 5.81  # (120 + 46.7) / 28.7 = 5.8084


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (53, "very_low"),
        (54, "low"),
        (69, "low"),
        (70, "in_range"),
        (180, "in_range"),
        (181, "high"),
        (250, "high"),
        (251, "very_high"),
    ],
)
def test_range_edges_are_inclusive_integer_bounds(value, band):
    s = summarize(*at(value))

    assert s.ranges == {key: 100.0 if key == band else 0.0 for key in consensus.RANGE_KEYS}


def test_ranges_over_all_edges_at_once():
    s = summarize(*at(53, 54, 69, 70, 180, 181, 250, 251))

    assert s.ranges == {
        "very_low": 12.5,
        "low": 25.0,
        "in_range": 25.0,
        "high": 25.0,
        "very_high": 12.5,
    }


def test_percentages_round_by_largest_remainder_and_sum_to_100():
    assert consensus.percentages([1, 1, 1, 0, 0]) == [33.34, 33.33, 33.33, 0.0, 0.0]
    assert consensus.percentages([2, 1]) == [66.67, 33.33]
    assert consensus.percentages([0, 0]) == [0.0, 0.0]
    shares = consensus.percentages([7, 13, 101, 3, 29])
    assert round(sum(shares), 2) == 100.0
    assert all(
        abs(s - c * 100 / 153) < 0.01 for s, c in zip(shares, [7, 13, 101, 3, 29], strict=True)
    )


def test_own_targets_are_reported_beside_the_consensus_ranges():
    s = summarize(*at(75, 85, 150, 175), target_low=80, target_high=160)

    assert (s.below_target, s.in_target, s.above_target) == (25.0, 50.0, 25.0)
    assert s.in_range == 100.0  # consensus ranges do not move with the targets


@pytest.mark.parametrize(
    ("value", "low", "high", "band"),
    [
        (75, 80, 160, "low"),  # in the consensus range but below this patient's target
        (170, 80, 160, "high"),
        (53, 50, 160, "very_low"),  # the consensus "very" bands always win
        (260, 80, 300, "very_high"),
        (100, 70, 180, "in_range"),
    ],
)
def test_band_of_a_reading_uses_own_targets_between_the_very_bands(value, low, high, band):
    assert consensus.band_of(value, low, high) == band


def test_means_per_context():
    s = summarize(
        [100, 140, 200, 90],
        [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0 + timedelta(hours=3)],
        contexts=["before_meal", "after_meal", "after_meal", "fasting"],
    )

    assert [(g.key, g.count, g.mean) for g in s.by_context] == [
        ("after_meal", 2, 170.0),
        ("before_meal", 1, 100.0),
        ("fasting", 1, 90.0),
    ]


def cgm_days(days, *, every_minutes=5, value=154, start=T0):
    step = timedelta(minutes=every_minutes)
    count = int(days * 24 * 60 / every_minutes)
    return [value] * count, [start + i * step for i in range(count)], ["cgm"] * count


def test_gmi_with_fourteen_days_of_full_cgm_coverage():
    values, times, kinds = cgm_days(14)

    s = summarize(values, times, kinds=kinds, start=T0, end=T0 + timedelta(days=14))

    assert s.cgm_days >= 14
    assert s.cgm_coverage == 100.0
    assert s.gmi == 6.99  # 3.31 + 0.02392 * 154 = 6.9937
    assert s.gmi_unavailable_reason is None


def test_gmi_needs_fourteen_days_of_cgm():
    midnight = datetime(2026, 1, 5, tzinfo=UTC)
    values, times, kinds = cgm_days(13, start=midnight)  # 13 whole local days

    s = summarize(values, times, kinds=kinds, start=midnight, end=midnight + timedelta(days=13))

    assert s.gmi is None
    assert "at least 14 days" in s.gmi_unavailable_reason
    assert "has 13" in s.gmi_unavailable_reason
    assert s.ea1c is not None  # eA1c has no such rule


def test_gmi_needs_seventy_percent_coverage():
    values, times, kinds = cgm_days(14, every_minutes=10)  # half the readings a CGM makes

    s = summarize(values, times, kinds=kinds, start=T0, end=T0 + timedelta(days=14))

    assert s.cgm_coverage == 50.0
    assert s.gmi is None
    assert "70 %" in s.gmi_unavailable_reason and "cover 50 %" in s.gmi_unavailable_reason


def test_fingersticks_never_give_a_gmi():
    values, times, _ = cgm_days(20, every_minutes=240)

    s = summarize(values, times, start=T0, end=T0 + timedelta(days=20))

    assert s.gmi is None and s.cgm_days == 0


def test_day_and_hour_follow_the_spring_forward_dst_change():
    ny = ZoneInfo("America/New_York")  # 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC)
    times = [
        datetime(2026, 3, 8, 6, 30, tzinfo=UTC),  # 01:30 EST, Mar 8
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # 03:30 EDT, Mar 8
        datetime(2026, 3, 9, 3, 30, tzinfo=UTC),  # 23:30 EDT, Mar 8
        datetime(2026, 3, 9, 4, 30, tzinfo=UTC),  # 00:30 EDT, Mar 9
    ]

    s = summarize([100, 110, 120, 200], times, tz=ny)

    assert [(d.key, d.count, d.mean) for d in s.by_day] == [
        ("2026-03-08", 3, 110.0),
        ("2026-03-09", 1, 200.0),
    ]
    assert s.agp_bin_minutes == 60
    filled = {b.start_minute // 60: b.p50 for b in s.agp if b.count}
    assert filled == {0: 200.0, 1: 100.0, 3: 110.0, 23: 120.0}


def test_the_repeated_hour_of_fall_back_is_one_local_hour():
    ny = ZoneInfo("America/New_York")  # 2026-11-01 01:00-02:00 happens twice
    times = [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # 01:30 EST
    ]

    s = summarize([100, 140], times, tz=ny)

    assert [(d.key, d.count) for d in s.by_day] == [("2026-11-01", 2)]
    assert [(b.start_minute, b.count, b.p50) for b in s.agp if b.count] == [(60, 2, 120.0)]


@pytest.mark.parametrize(
    ("zone", "times", "days"),
    [
        # UTC+13 (Tonga): 10:30 UTC is 23:30 the same day; 11:30 UTC is 00:30 the next day.
        (
            "Pacific/Tongatapu",
            [datetime(2026, 1, 10, 10, 30, tzinfo=UTC), datetime(2026, 1, 10, 11, 30, tzinfo=UTC)],
            [("2026-01-10", 1, 23), ("2026-01-11", 1, 0)],
        ),
        # UTC-10 (Hawaii): 09:30 UTC is 23:30 the previous day; 10:30 UTC is 00:30.
        (
            "Pacific/Honolulu",
            [datetime(2026, 1, 11, 9, 30, tzinfo=UTC), datetime(2026, 1, 11, 10, 30, tzinfo=UTC)],
            [("2026-01-10", 1, 23), ("2026-01-11", 1, 0)],
        ),
    ],
)
def test_days_and_hours_are_local_in_far_time_zones(zone, times, days):
    s = summarize([100, 150], times, tz=ZoneInfo(zone))

    assert [(d.key, d.count) for d in s.by_day] == [(day, count) for day, count, _ in days]
    hours = sorted(b.start_minute // 60 for b in s.agp if b.count)
    assert hours == sorted(hour for _, _, hour in days)


def test_agp_of_cgm_uses_quarter_hour_bins_with_percentiles():
    base = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    # Five days, each with one CGM reading at 08:00-08:14 UTC: values 100..140.
    times = [base + timedelta(days=d, minutes=d) for d in range(5)]

    s = summarize([100, 110, 120, 130, 140], times, kinds=["cgm"] * 5)

    assert s.agp_bin_minutes == 15 and len(s.agp) == 96
    filled = [b for b in s.agp if b.count]
    assert len(filled) == 1
    b = filled[0]
    assert (b.start_minute, b.count) == (8 * 60, 5)
    assert (b.p5, b.p25, b.p50, b.p75, b.p95) == (102.0, 110.0, 120.0, 130.0, 138.0)


def test_agp_uses_only_cgm_readings_when_there_are_some():
    times = [T0, T0 + timedelta(minutes=1)]

    s = summarize([100, 300], times, kinds=["cgm", "fingerstick"])

    assert [(b.count, b.p50) for b in s.agp if b.count] == [(1, 100.0)]


def test_consensus_goals_are_judged():
    # 10 readings: 1 very low (10 %), 1 low, 7 in range (70 %), 1 very high (10 %).
    s = summarize(*at(50, 60, 100, 100, 100, 100, 100, 100, 100, 300))

    goals = {g.key: g for g in s.goals}
    assert goals["in_range"].value == 70.0 and goals["in_range"].met is False  # needs > 70
    assert goals["low_or_below"].value == 20.0 and goals["low_or_below"].met is False
    assert goals["very_low"].met is False
    assert goals["high_or_above"].value == 10.0 and goals["high_or_above"].met is True
    assert goals["very_high"].value == 10.0 and goals["very_high"].met is False
    assert goals["cv"].comparator == "<=" and goals["cv"].threshold == 36
