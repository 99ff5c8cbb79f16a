"""Daily totals in the record's local days, across a DST change (Europe/Berlin)."""

from datetime import UTC, date, datetime

import pytest

from patients.tests.factories import PatientRecordFactory
from treatments.selectors import daily_totals
from treatments.tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin():
    return PatientRecordFactory(timezone="Europe/Berlin")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_totals_follow_the_local_days_across_the_spring_change(berlin):
    # 2025-03-30: clocks go from 02:00 to 03:00 in Berlin; the day has 23 hours.
    add = TreatmentFactory
    add(patient=berlin, type="bolus", insulin_units=4, taken_at=utc(2025, 3, 29, 22, 30))  # 23:30
    add(patient=berlin, type="bolus", insulin_units=6, taken_at=utc(2025, 3, 29, 23, 30))  # 00:30
    add(patient=berlin, type="bolus", insulin_units=2, taken_at=utc(2025, 3, 30, 21, 59))  # 23:59
    add(patient=berlin, type="bolus", insulin_units=1, taken_at=utc(2025, 3, 30, 22, 1))  # 31st
    add(patient=berlin, type="basal", insulin_units=20, taken_at=utc(2025, 3, 30, 6, 0))
    add(
        patient=berlin,
        type="basal",
        insulin_units=None,  # a temporary rate: 1.5 U/h for 2 hours is 3 U
        basal_rate=1.5,
        duration_min=120,
        taken_at=utc(2025, 3, 30, 8),
    )
    add(patient=berlin, type="carbs", insulin_units=None, carbs_g=45, taken_at=utc(2025, 3, 30, 10))
    add(patient=berlin, type="carbs", insulin_units=None, carbs_g=30, taken_at=utc(2025, 3, 31, 10))

    totals = daily_totals(patient=berlin)

    assert [d.day for d in totals.days] == [date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31)]
    sunday = totals.of(date(2025, 3, 30))
    assert (sunday.bolus_units, sunday.basal_units, sunday.carbs_g) == (8, 23, 45)
    assert sunday.insulin_units == 31
    assert totals.of(date(2025, 3, 29)).insulin_units == 4
    assert totals.of(date(2025, 3, 29)).basal_units is None  # no basal known that day
    assert totals.of(date(2025, 3, 31)).insulin_units == 1
    # Averages over the days that have such entries: (4 + 31 + 1) / 3 and (45 + 30) / 2.
    assert totals.mean_insulin_units == 12
    assert totals.mean_carbs_g == 37.5


def test_autumn_change_day_has_25_hours_and_one_date(berlin):
    # 2025-10-26: 03:00 back to 02:00; 00:30 and 23:30 local are both that day.
    TreatmentFactory(
        patient=berlin, type="bolus", insulin_units=3, taken_at=utc(2025, 10, 25, 22, 30)
    )
    TreatmentFactory(
        patient=berlin, type="bolus", insulin_units=5, taken_at=utc(2025, 10, 26, 22, 30)
    )
    (day,) = daily_totals(patient=berlin).days
    assert (day.day, day.bolus_units, day.boluses) == (date(2025, 10, 26), 8, 2)


def test_a_period_bounds_the_totals_and_no_data_gives_none(berlin):
    assert daily_totals(patient=berlin).mean_insulin_units is None
    TreatmentFactory(patient=berlin, type="bolus", insulin_units=3, taken_at=utc(2025, 1, 1, 12))
    TreatmentFactory(patient=berlin, type="note", insulin_units=None, taken_at=utc(2025, 1, 2, 12))
    totals = daily_totals(patient=berlin, start=utc(2025, 1, 2), end=utc(2025, 1, 3))
    assert totals.days == () and totals.mean_carbs_g is None
