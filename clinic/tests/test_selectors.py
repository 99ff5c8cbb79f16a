"""clinic.selectors: the roster's figures (against readings/stats.py), its fixed query
count and order. The gate to one record and the sharing page's reads are tested in
patients/tests/test_selectors.py."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.tests.factories import PhysicianFactory
from clinic.selectors import roster_for_physician
from patients.models import PatientAccess
from patients.services import patient_update
from patients.tests.factories import GrantFactory, PatientFactory
from readings import stats
from readings.models import Kind, Reading
from readings.selectors import period_bounds

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def add_readings(patient, values, *, hours_ago_start=1, step_hours=1, kind=Kind.FINGERSTICK):
    """Readings of ``values`` an hour apart going back from ``hours_ago_start`` hours ago."""
    Reading.objects.bulk_create(
        Reading(
            patient=patient.record,
            value_mgdl=value,
            taken_at=NOW - timedelta(hours=hours_ago_start + i * step_hours),
            kind=kind,
        )
        for i, value in enumerate(values)
    )


def linked_patient(physician, values=(), **fields):
    patient = PatientFactory(**fields)
    GrantFactory(user=physician, patient=patient.record)
    add_readings(patient, values)
    return patient


# --- figures ---------------------------------------------------------------------------------

CASES = {
    "mixed": [40, 50, 53, 54, 60, 69, 70, 120, 180, 181, 200, 250, 251, 300, 450],
    "all in range": [100, 110, 120, 130, 140, 150],
    "one reading": [45],
    "all equal": [180] * 7,
    "thirds": [50, 100, 300],  # 33.33 each: the largest remainder decides the last 0.01
    "high variability": [40, 400, 45, 390, 60, 350, 70, 300, 55, 280, 41, 399],
}


@pytest.mark.parametrize("name", list(CASES))
def test_roster_figures_equal_readings_stats_on_the_same_readings(physician, name):
    values = CASES[name]
    patient = linked_patient(physician, values)
    # Outside the 14 days: must not count (but is the "last reading" of nobody here).
    add_readings(patient, [500, 30], hours_ago_start=24 * 15)

    (row,) = roster_for_physician(physician=physician, now=NOW)

    start, end = period_bounds(14, now=NOW)
    window = Reading.objects.filter(patient=patient.record, taken_at__gte=start, taken_at__lt=end)
    summary = stats.summarize(
        [r.value_mgdl for r in window], [r.taken_at for r in window], tz=ZoneInfo("UTC")
    )
    assert row.count == summary.count == len(values)
    assert row.mean_14d == pytest.approx(summary.mean, abs=0.01)
    assert row.very_low_pct == pytest.approx(summary.very_low, abs=0.01)
    assert row.low_pct == pytest.approx(summary.low, abs=0.01)
    assert row.in_range_pct == pytest.approx(summary.in_range, abs=0.01)
    assert row.high_pct == pytest.approx(summary.high, abs=0.01)
    assert row.very_high_pct == pytest.approx(summary.very_high, abs=0.01)
    if summary.cv is None:
        assert row.cv is None
    else:
        assert row.cv == pytest.approx(summary.cv, abs=0.01)
    assert row.very_low_count == sum(v < 54 for v in values)
    assert [(g.key, g.met) for g in row.goals] == [(g.key, g.met) for g in summary.goals]
    assert [g.key for g in row.goal_flags] == [g.key for g in summary.goals if g.met is False]


def test_goal_flags_name_each_missed_consensus_goal(physician):
    # 2 of 10 very low (20 %), 1 low (10 %), 4 in range, 3 above 250: every goal missed.
    linked_patient(physician, [40, 45, 60, 100, 110, 120, 130, 300, 350, 400])

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert {g.key for g in row.goal_flags} == {
        "in_range",
        "low_or_below",
        "very_low",
        "high_or_above",
        "very_high",
        "cv",
    }
    assert row.very_low_count == 2


def test_a_patient_without_recent_readings_has_no_figures_but_a_last_reading_time(physician):
    patient = linked_patient(physician)
    add_readings(patient, [120], hours_ago_start=24 * 30)

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert row.count == 0 and not row.has_recent_data
    assert row.mean_14d is None and row.in_range_pct is None and row.goal_flags == []
    assert row.last_reading_at == NOW - timedelta(hours=24 * 30)


def test_row_carries_name_age_and_newest_reading(physician):
    patient = linked_patient(physician, [120, 130], first_name="Zoe", last_name="Quinn")
    patient_update(patient=patient.record, date_of_birth=date(2000, 1, 1), diabetes_type="type_1")

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert row.patient == patient.record and row.grant.patient_id == patient.record.pk
    assert row.name == "Zoe Quinn"
    assert row.email == patient.email  # the record's own login's address
    assert row.age == patient.record.age_on(timezone.localdate(NOW))
    assert row.last_reading_at == NOW - timedelta(hours=1)


def test_only_active_links_are_on_the_roster(physician, other_clinic_physician):
    shown = linked_patient(physician, [100])
    for status in (
        PatientAccess.Status.PENDING,
        PatientAccess.Status.DECLINED,
        PatientAccess.Status.REVOKED,
    ):
        GrantFactory(user=physician, patient=PatientFactory().record, status=status)
    GrantFactory(user=other_clinic_physician, patient=PatientFactory().record)
    linked_patient(physician, [100], is_active=False)  # a deactivated account's own record

    assert [row.patient for row in roster_for_physician(physician=physician)] == [shown.record]


def test_someone_who_is_no_longer_a_physician_has_no_roster(physician, patient, active_link):
    physician.groups.clear()
    physician = type(physician).objects.get(pk=physician.pk)  # fresh role cache

    assert roster_for_physician(physician=physician) == []


# --- query count -----------------------------------------------------------------------------


def roster_of(size):
    physician = PhysicianFactory()
    for i in range(size):
        linked_patient(physician, [40 + i, 100, 200 + i])
    return physician


def test_the_roster_costs_the_same_number_of_queries_for_3_and_for_50_patients(
    django_assert_num_queries,
):
    small, large = roster_of(3), roster_of(50)
    # Fresh objects: the role check (one query) is cached per user object.
    small = type(small).objects.get(pk=small.pk)
    large = type(large).objects.get(pk=large.pk)

    # role, grants(+newest), records, their own logins' emails (two: no join), grouped
    with django_assert_num_queries(6):
        assert len(roster_for_physician(physician=small)) == 3
    with django_assert_num_queries(6):
        assert len(roster_for_physician(physician=large)) == 50


# --- order -----------------------------------------------------------------------------------


def test_default_order_puts_who_needs_attention_first(physician):
    def patient(name, values, hours_ago=1):
        user = linked_patient(physician, first_name=name, last_name="X")
        add_readings(user, values, hours_ago_start=hours_ago)
        return name

    patient("Fine", [100] * 10)
    patient("MostlyHigh", [100] * 3 + [300] * 7)  # least in range, no lows
    patient("SomeLow", [60] * 2 + [100] * 8)  # 20 % low
    patient("VeryLow", [50] * 1 + [100] * 9)  # 10 % very low: first
    patient("MoreLow", [60] * 4 + [100] * 6)  # 40 % low
    patient("FineButStale", [100] * 10, hours_ago=24 * 10)
    patient("NoData", [])

    names = [row.name.split()[0] for row in roster_for_physician(physician=physician, now=NOW)]

    assert names == [
        "VeryLow",
        "MoreLow",
        "SomeLow",
        "NoData",
        "MostlyHigh",
        "FineButStale",
        "Fine",
    ]


def test_columns_sort_both_ways_with_missing_values_last(physician):
    linked_patient(physician, [100], first_name="Bo", last_name="A")
    linked_patient(physician, [200], first_name="Al", last_name="B")
    linked_patient(physician, [], first_name="Cy", last_name="C")

    def order(sort):
        return [r.name[:2] for r in roster_for_physician(physician=physician, sort=sort, now=NOW)]

    assert order("name") == ["Al", "Bo", "Cy"]
    assert order("-name") == ["Cy", "Bo", "Al"]
    assert order("mean") == ["Bo", "Al", "Cy"]
    assert order("-mean") == ["Al", "Bo", "Cy"]
    assert order("nonsense") == order(None)
