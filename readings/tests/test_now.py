"""readings.now: the newest reading's trend and change (pure; no database)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from readings.now import latest_glucose, slope_direction

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def reading(value, minutes_before, kind="cgm", direction=""):
    return SimpleNamespace(
        value_mgdl=value,
        taken_at=T0 - timedelta(minutes=minutes_before),
        kind=kind,
        direction=direction,
    )


def test_no_readings_is_none():
    assert latest_glucose([]) is None


def test_the_uploaders_direction_is_shown_with_the_change_since_the_previous_reading():
    latest = latest_glucose([reading(142, 0, direction="FortyFiveUp"), reading(136, 5)])

    assert (latest.value_mgdl, latest.arrow, latest.trend_words) == (142, "↗", "rising slowly")
    assert not latest.direction_computed
    assert (latest.delta_mgdl, latest.delta_minutes) == (6, 5)


@pytest.mark.parametrize(
    ("previous", "arrow", "words"),
    [
        (100, "→", "steady"),  # 0 mg/dL a minute
        (95, "→", "steady"),  # +1: xDrip+'s "<= 1" is still flat
        (94, "↗", "rising slowly"),  # +1.2
        (90, "↗", "rising slowly"),  # +2
        (89, "↑", "rising"),  # +2.2
        (83, "↑", "rising"),  # +3.4
        (82, "⇈", "rising fast"),  # +3.6
        (105, "↘", "falling slowly"),  # -1
        (112, "↓", "falling"),  # -2.4
        (120, "⇊", "falling fast"),  # -4
    ],
)
def test_without_a_stored_direction_the_trend_is_computed_from_the_readings(previous, arrow, words):
    latest = latest_glucose([reading(100, 0), reading(previous, 5)])

    assert (latest.arrow, latest.trend_words) == (arrow, words)
    assert latest.direction_computed


@pytest.mark.parametrize(
    ("per_minute", "name"),
    [
        (-3.6, "DoubleDown"),
        (-3.5, "DoubleDown"),
        (-2.1, "SingleDown"),
        (-2, "SingleDown"),
        (-1.5, "FortyFiveDown"),
        (-1, "FortyFiveDown"),
        (0, "Flat"),
        (1, "Flat"),
        (1.5, "FortyFiveUp"),
        (2, "FortyFiveUp"),
        (3, "SingleUp"),
        (3.5, "SingleUp"),
        (3.6, "DoubleUp"),
        (40, "DoubleUp"),
        (41, "RATE OUT OF RANGE"),
    ],
)
def test_slope_thresholds_are_xdrips(per_minute, name):
    assert slope_direction(per_minute) == name


def test_one_minute_cgm_takes_the_trend_over_at_least_four_minutes():
    # 1-minute readings: 100, 99, 101, 98, 92 (newest first). The last minute alone is
    # +1 (flat); over the four minutes back to 92 it is +2/min (rising slowly).
    readings = [reading(v, m) for m, v in enumerate([100, 99, 101, 98, 92])]

    latest = latest_glucose(readings)

    assert latest.direction == "FortyFiveUp" and latest.direction_computed
    assert (latest.delta_mgdl, latest.delta_minutes) == (1, 1)


def test_a_gap_over_15_minutes_gives_no_trend_and_no_change():
    latest = latest_glucose([reading(150, 0), reading(100, 20)])

    assert latest.direction == "" and latest.arrow == "" and latest.delta_mgdl is None


@pytest.mark.parametrize("stored", ["", "NONE", "something new"])
def test_an_absent_or_unknown_stored_direction_is_computed(stored):
    latest = latest_glucose([reading(115, 0, direction=stored), reading(100, 5)])

    assert latest.direction == "SingleUp" and latest.direction_computed  # +3 a minute


def test_not_computable_from_the_uploader_is_kept_in_words_without_an_arrow():
    latest = latest_glucose([reading(120, 0, direction="NOT COMPUTABLE"), reading(100, 5)])

    assert latest.arrow == "" and latest.trend_words == "trend not computable"
    assert not latest.direction_computed


def test_a_meter_reading_has_no_computed_arrow_and_its_change_is_against_any_reading():
    latest = latest_glucose(
        [reading(180, 0, kind="fingerstick"), reading(150, 90, kind="cgm"), reading(90, 95)]
    )

    assert latest.direction == ""
    assert (latest.delta_mgdl, latest.delta_minutes) == (30, 90)


def test_cgm_change_skips_meter_readings_in_between():
    latest = latest_glucose([reading(130, 0), reading(200, 2, kind="fingerstick"), reading(124, 5)])

    assert (latest.delta_mgdl, latest.delta_minutes) == (6, 5)
    assert latest.direction == "FortyFiveUp"  # +1.2/min
