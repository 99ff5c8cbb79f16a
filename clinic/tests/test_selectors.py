"""clinic.selectors: the roster's figures (against readings/stats.py), its fixed query
count and order, and the gate that logs every opening of a patient's data."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.services import medical_profile_set
from accounts.tests.factories import PatientFactory, PhysicianFactory
from clinic import selectors
from clinic.models import AccessLogEntry, RosterLink
from clinic.selectors import PatientNotAvailable, patient_for_physician, roster_for_physician
from clinic.tests.factories import RosterLinkFactory
from readings import stats
from readings.models import Kind, Reading
from readings.selectors import period_bounds

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def add_readings(patient, values, *, hours_ago_start=1, step_hours=1, kind=Kind.FINGERSTICK):
    """Readings of ``values`` an hour apart going back from ``hours_ago_start`` hours ago."""
    Reading.objects.bulk_create(
        Reading(
            owner=patient,
            value_mgdl=value,
            taken_at=NOW - timedelta(hours=hours_ago_start + i * step_hours),
            kind=kind,
        )
        for i, value in enumerate(values)
    )


def linked_patient(physician, values=(), **fields):
    patient = PatientFactory(**fields)
    RosterLinkFactory(physician=physician, patient=patient)
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
    window = Reading.objects.filter(owner=patient, taken_at__gte=start, taken_at__lt=end)
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
    medical_profile_set(user=patient, date_of_birth=date(2000, 1, 1), diabetes_type="type_1")

    (row,) = roster_for_physician(physician=physician, now=NOW)

    assert row.patient == patient and row.link.patient_id == patient.pk
    assert row.name == "Zoe Quinn"
    assert row.age == patient.medical_profile.age_on(timezone.localdate(NOW))
    assert row.last_reading_at == NOW - timedelta(hours=1)


def test_only_active_links_are_on_the_roster(physician, other_clinic_physician):
    shown = linked_patient(physician, [100])
    for status in (
        RosterLink.Status.PENDING,
        RosterLink.Status.DECLINED,
        RosterLink.Status.REVOKED,
    ):
        RosterLinkFactory(physician=physician, patient=PatientFactory(), status=status)
    RosterLinkFactory(physician=other_clinic_physician, patient=PatientFactory())
    linked_patient(physician, [100], is_active=False)  # a deactivated account

    assert [row.patient for row in roster_for_physician(physician=physician)] == [shown]


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

    with django_assert_num_queries(5):  # role, links(+newest), patients, profiles, grouped
        assert len(roster_for_physician(physician=small)) == 3
    with django_assert_num_queries(5):
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


# --- the gate --------------------------------------------------------------------------------


def test_an_active_link_opens_the_patient_and_writes_the_access_log(
    physician, patient, active_link
):
    seen = patient_for_physician(physician=physician, patient_id=str(patient.pk), what="API: stats")

    assert seen == patient and seen.roster_link == active_link
    entry = AccessLogEntry.objects.get()
    assert (entry.viewer, entry.patient, entry.what) == (physician, patient, "API: stats")
    assert entry.viewer_name == "Dr. Grace House"
    assert abs(entry.viewed_at - timezone.now()) < timedelta(seconds=10)


@pytest.mark.parametrize("status", ["pending", "declined", "revoked"])
def test_no_active_link_no_patient_and_no_log(physician, patient, status):
    RosterLinkFactory(physician=physician, patient=patient, status=status)

    with pytest.raises(PatientNotAvailable):
        patient_for_physician(physician=physician, patient_id=patient.pk, what="report page")
    assert not AccessLogEntry.objects.exists()


def test_the_gate_refuses_other_physicians_patients_and_bad_ids(
    physician, patient, other_patient, other_clinic_physician, active_link
):
    attempts = [
        (other_clinic_physician, patient.pk),  # a physician without a link
        (other_patient, patient.pk),  # not a physician
        (physician, other_patient.pk),  # not on this roster
        (physician, "not-a-uuid"),
        (physician, None),
    ]
    for viewer, patient_id in attempts:
        with pytest.raises(PatientNotAvailable):
            patient_for_physician(physician=viewer, patient_id=patient_id, what="report page")
    assert not AccessLogEntry.objects.exists()


def test_patient_not_available_is_a_404_kind_of_error():
    from django.core.exceptions import ObjectDoesNotExist

    assert issubclass(PatientNotAvailable, ObjectDoesNotExist)


# --- the patient's side ----------------------------------------------------------------------


def test_sharing_groups_links_and_hides_the_patients_own_pending_offers(
    physician, patient, clinic, other_clinic_physician
):
    active = RosterLinkFactory(physician=physician, patient=patient)
    asking = RosterLinkFactory(
        physician=other_clinic_physician, patient=patient, status="pending", responded_at=None
    )
    offered = PhysicianFactory()
    RosterLinkFactory(
        physician=offered,
        patient=patient,
        status="pending",
        initiated_by="patient",
        responded_at=None,
    )
    ended = RosterLinkFactory(
        physician=PhysicianFactory(), patient=patient, status="revoked", ended_at=timezone.now()
    )

    sharing = selectors.sharing_for_patient(patient=patient)

    assert [e.link for e in sharing.active] == [active]
    assert sharing.active[0].title == "Dr. Grace House"
    assert sharing.active[0].clinics == ["Riverside Clinic"]
    assert [e.link for e in sharing.requests] == [asking]
    assert sharing.requests[0].clinics == ["Hillside Clinic"]
    assert [e.link for e in sharing.ended] == [ended]


def test_access_log_is_the_patients_own_newest_first(physician, patient, other_patient):
    RosterLinkFactory(physician=physician, patient=patient)
    RosterLinkFactory(physician=physician, patient=other_patient)
    patient_for_physician(physician=physician, patient_id=patient.pk, what="report page")
    patient_for_physician(physician=physician, patient_id=other_patient.pk, what="report page")
    patient_for_physician(physician=physician, patient_id=patient.pk, what="API: readings")

    log = list(selectors.access_log_for_patient(patient=patient))

    assert [e.what for e in log] == ["API: readings", "report page"]


def test_offers_for_physician_lists_only_patients_offers(physician, patient, pending_offer):
    RosterLinkFactory(physician=physician, status="pending", responded_at=None)  # a request

    assert selectors.offers_for_physician(physician=physician) == [pending_offer]
    assert selectors.offers_for_physician(physician=patient) == []


def test_links_to_answer_or_end_are_only_the_users_own(
    physician, patient, other_patient, pending_request, other_clinic_physician
):
    assert selectors.roster_link_to_answer(user=patient, link_id=pending_request.pk)
    for user in (physician, other_patient, other_clinic_physician):  # asker, strangers
        with pytest.raises(RosterLink.DoesNotExist):
            selectors.roster_link_to_answer(user=user, link_id=pending_request.pk)
    with pytest.raises(RosterLink.DoesNotExist):  # not active yet
        selectors.roster_link_to_end(user=patient, link_id=pending_request.pk)
    with pytest.raises(RosterLink.DoesNotExist):
        selectors.roster_link_to_answer(user=patient, link_id="garbage")
