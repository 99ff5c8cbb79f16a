"""clinic.selectors: the roster's figures (the report's own, through
readings.selectors.reading_stats_many), its flags, fixed query count and order. The gate
to one record and the sharing page's reads are tested in
patients/tests/test_selectors.py."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import PhysicianFactory
from clinic.selectors import roster_for_physician
from patients.models import PatientAccess
from patients.services import patient_preset_set, patient_update
from patients.tests.factories import GrantFactory, PatientFactory
from readings import stats
from readings.models import Kind, Reading
from readings.selectors import reading_stats, report_bounds
from readings.tests.factories import TargetFactory, store

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


CGM_READINGS = 300  # 25 hours of 5-minute CGM: enough for CGM figures (24 h)


def add_readings(patient, values, *, hours_ago_start=1, kind=Kind.CGM, cadence=5, count=None):
    """5-minute CGM cycling through ``values`` (a whole number of cycles, >= 300 readings)
    going back from ``hours_ago_start`` hours ago, so each value's share of CGM time is its
    share of ``values``."""
    if not values:
        return
    n = count or len(values) * -(-CGM_READINGS // len(values))
    store(
        Reading(
            patient=patient.record,
            value_mgdl=values[i % len(values)],
            taken_at=NOW - timedelta(hours=hours_ago_start, minutes=cadence * i),
            kind=kind,
            cadence_min=cadence,
        )
        for i in range(n)
    )


def linked_patient(physician, values=(), *, hours_ago_start=1, count=None, **fields):
    patient = PatientFactory(**fields)
    GrantFactory(user=physician, patient=patient.record)
    add_readings(patient, values, hours_ago_start=hours_ago_start, count=count)
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
def test_roster_figures_equal_the_reports_on_the_same_readings(physician, name):
    values = CASES[name]
    patient = linked_patient(physician, values)
    TargetFactory(patient=patient.record, low_mgdl=90, high_mgdl=150)
    # Fingersticks and scans never count; older readings feed only the comparison.
    add_readings(patient, [40], hours_ago_start=30, kind=Kind.FINGERSTICK)
    add_readings(patient, [40], hours_ago_start=2, kind=Kind.SCAN)
    add_readings(patient, [300, 100], hours_ago_start=24 * 16)

    (row,) = roster_for_physician(physician=physician, now=NOW)

    start, end = report_bounds(patient=patient.record, days=14, now=NOW)
    report = reading_stats(patient=patient.record, start=start, end=end)
    f = report.figures
    time = stats.time_figures(f)
    assert row.count == f.cgm.count == len(values) * -(-CGM_READINGS // len(values))
    assert row.mean_14d == f.cgm.mean
    assert row.cv == f.cgm.cv
    assert row.active_pct == f.sufficiency.active_percent
    assert (row.gmi, row.gmi_reason) == (f.sufficiency.gmi, f.sufficiency.gmi_reason)
    assert row.in_range_pct == time["in_range"]
    assert row.below_70_pct == time["below_70"]
    assert row.very_low_pct == time["below_54"]
    assert (row.low_pct, row.high_pct) == (f.cgm.bands.low, f.cgm.bands.high)
    assert row.lv2_hypo_events == f.events["lv2_hypo"].total
    assert (row.gri, row.gri_zone) == (f.cgm.gri.value, f.cgm.gri.zone)
    assert row.tir_change == f.comparison["preset_in_range"].change
    assert row.goals == list(f.goals)
    assert [g.key for g in row.goal_flags] == [g.key for g in f.goals if g.met is False]


def test_goal_flags_name_each_missed_preset_goal_and_wear(physician):
    # 20 % very low, 10 % low, 40 % in range, 30 % above 250: every goal missed; 25 hours
    # of CGM in 14 days is far under 70 % wear.
    linked_patient(physician, [40, 45, 60, 100, 110, 120, 130, 300, 350, 400])

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert {flag.key for flag in row.flags} == {
        "in_range",
        "below_70",
        "below_54",
        "above_180",
        "above_250",
        "mean",
        "cv",
        "wear",
    }
    assert "CGM wear < 70 %: 7.4 %" in {flag.text for flag in row.flags}
    assert row.lv2_hypo_events == 0  # one 5-minute reading at a time: never 15 minutes


def test_the_preset_decides_the_goals(physician):
    patient = linked_patient(physician, [130] * 3 + [150])
    (before,) = roster_for_physician(physician=physician, now=NOW)
    patient_preset_set(patient=patient.record, preset="pregnancy_t1")

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert before.in_range_pct == 100.0  # 70-180 mg/dL
    assert row.in_range_pct == 75.0  # 63-140 mg/dL
    assert [g.key for g in row.goal_flags] == ["above_140"]


def test_a_level_2_hypo_event_and_a_tir_drop_are_flagged(physician):
    # Two weeks ago all in range; now a 30-minute low below 54 among highs.
    patient = linked_patient(physician, [100], hours_ago_start=24 * 14 + 2)
    add_readings(patient, [200] * 50 + [50] * 7 + [200] * 3)

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert row.lv2_hypo_events == 5  # one in each 60-reading cycle (35 min below 54)
    assert row.tir_change is not None and row.tir_change <= -15
    assert "tir_drop" in {flag.key for flag in row.flags}


def test_a_patient_without_recent_readings_has_no_figures_but_a_last_reading_time(physician):
    patient = linked_patient(physician)
    add_readings(patient, [120], hours_ago_start=24 * 30)

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert row.count == 0 and not row.has_recent_data
    assert row.mean_14d is None and row.in_range_pct is None and row.goal_flags == []
    assert [flag.key for flag in row.flags] == ["wear"]
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
        # An hour of CGM each: the roster reads their window rows whatever they hold.
        linked_patient(physician, [40 + i, 100, 200 + i], count=12)
    return physician


@pytest.mark.slow
def test_the_roster_costs_the_same_number_of_queries_for_3_and_for_50_patients(
    django_assert_num_queries,
):
    small, large = roster_of(3), roster_of(50)
    # Fresh objects: the role check (one query) is cached per user object.
    small = type(small).objects.get(pk=small.pk)
    large = type(large).objects.get(pk=large.pk)

    # role, grants(+newest), records, their own logins' emails (two: no join), the window
    # sums of every record (one query: all in one zone)
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
