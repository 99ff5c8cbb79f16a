"""/api/v1/patients/...: a physician reads only actively linked patients, and every opening
of a patient's data is in that patient's access log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AdministratorFactory, PhysicianFactory
from clinic.selectors import roster_for_physician
from patients.grants import (
    physician_access_accept,
    physician_access_request,
    physician_access_revoke,
)
from patients.models import AccessLogEntry
from patients.tests.factories import PatientFactory
from readings.models import Kind
from readings.tests.factories import ReadingFactory, cgm_cycle
from readings.tests.test_api_readings import client_for

pytestmark = pytest.mark.django_db

ROSTER = "/api/v1/patients/"


def readings_url(record) -> str:
    return f"{ROSTER}{record.pk}/readings/"


def stats_url(record) -> str:
    return f"{ROSTER}{record.pk}/stats/"


def link(physician, patient, *, accept=True, mrn=""):
    """A physician grant made as people make them: the physician asks, the patient accepts."""
    requested = physician_access_request(physician=physician, patient_email=patient.email, mrn=mrn)
    return physician_access_accept(grant=requested, by=patient) if accept else requested


@pytest.fixture
def readings(patient):
    now = timezone.now()
    return [
        ReadingFactory(
            patient=patient.record,
            value_mgdl=value,
            kind=Kind.CGM,
            taken_at=now - timedelta(hours=hours),
        )
        for value, hours in ((45, 30), (65, 20), (120, 10), (200, 5), (300, 1))
    ]


@pytest.fixture
def cgm_day(patient):
    # 25 hours of 5-minute CGM cycling through one value per consensus band.
    return cgm_cycle(patient.record, [45, 65, 120, 200, 300])


@pytest.fixture
def doctor(physician):
    return client_for(physician)


def logged(patient):
    return list(
        AccessLogEntry.objects.filter(patient=patient.record).values_list("what", flat=True)
    )


# --- the roster -----------------------------------------------------------------------------


def test_the_roster_lists_active_links_with_the_14_day_figures(doctor, physician, patient, cgm_day):
    patient.record.timezone = "Asia/Kolkata"
    patient.record.save()
    link(physician, patient, mrn="MRN-7")
    waiting = PatientFactory(email="waiting@example.org")
    link(physician, waiting, accept=False)
    link(PhysicianFactory(), PatientFactory(email="someone-elses@example.org"))

    response = doctor.get(ROSTER)

    assert response.status_code == 200
    (row,) = response.json()
    (expected,) = roster_for_physician(physician=physician)
    assert row["id"] == str(patient.record.pk)
    assert (row["name"], row["email"], row["mrn"]) == ("Pat Ient", patient.email, "MRN-7")
    assert row["count"] == 300
    assert row["mean_14d"] == expected.mean_14d == 146.0
    assert (row["very_low_pct"], row["low_pct"], row["in_range_pct"]) == (20.0, 20.0, 20.0)
    assert row["below_70_pct"] == 40.0
    assert row["lv2_hypo_events"] == row["very_low_count"] == 0  # 5 minutes at a time
    assert row["active_pct"] == expected.active_pct < 70
    assert row["gmi"] is None and row["gmi_reason"].startswith("GMI needs a window")
    assert (row["gri"], row["gri_zone"]) == (expected.gri, expected.gri_zone) == (100.0, "E")
    assert row["last_reading_at"].endswith("+05:30")  # in the patient's zone
    assert set(row["missed_goals"]) == {goal.key for goal in expected.goal_flags}
    assert "below_54" in row["missed_goals"]
    assert {flag["key"] for flag in row["flags"]} == set(row["missed_goals"]) | {"wear"}
    assert len(row["goals"]) == 8  # five time-in-ranges goals, mean, GMI, CV
    assert row["preset"] == "standard"


def test_the_roster_is_sortable(doctor, physician, patient, cgm_day):
    link(physician, patient)
    calm = PatientFactory(email="calm@example.org", first_name="Zed", last_name="Calm")
    cgm_cycle(calm.record, [110])
    link(physician, calm)
    default = [row["name"] for row in doctor.get(ROSTER).json()]
    assert default == ["Pat Ient", "Zed Calm"]  # most time very low first
    by_name = [row["name"] for row in doctor.get(ROSTER, {"sort": "-name"}).json()]
    assert by_name == ["Zed Calm", "Pat Ient"]
    assert doctor.get(ROSTER, {"sort": "shoe_size"}).status_code == 400


def test_an_empty_roster(doctor):
    assert doctor.get(ROSTER).json() == []


# --- one patient's readings and statistics --------------------------------------------------


def test_a_linked_patients_readings_in_the_physicians_unit_and_logged(
    doctor, physician, patient, readings
):
    physician.unit = "mmol/L"
    physician.save()
    patient.record.timezone = "America/Chicago"
    patient.record.save()
    link(physician, patient)

    response = doctor.get(readings_url(patient.record), {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    newest = body["results"][0]
    assert newest["id"] == str(readings[-1].pk)
    assert (newest["value_mgdl"], newest["value"], newest["unit"]) == (300, 16.7, "mmol/L")
    assert newest["taken_at"][-6:] in ("-05:00", "-06:00")
    assert logged(patient) == [AccessLogEntry.API_READINGS]
    entry = AccessLogEntry.objects.get()
    assert entry.viewer == physician and entry.viewer_name == "Dr. Grace House"


def test_patient_readings_can_be_filtered(doctor, physician, patient, readings):
    link(physician, patient)
    start = (timezone.now() - timedelta(hours=12)).isoformat()
    response = doctor.get(readings_url(patient.record), {"start": start})
    assert [r["value_mgdl"] for r in response.json()["results"]] == [300, 200, 120]


def test_a_rejected_query_logs_nothing(doctor, physician, patient):
    link(physician, patient)
    assert doctor.get(readings_url(patient.record), {"kind": "implant"}).status_code == 400
    assert doctor.get(stats_url(patient.record), {"days": 0}).status_code == 400
    assert logged(patient) == []


def test_patient_stats_equal_the_patients_own_and_are_logged(doctor, physician, patient, readings):
    link(physician, patient)
    start = (timezone.now() - timedelta(days=2)).isoformat()
    end = timezone.now().isoformat()
    response = doctor.get(stats_url(patient.record), {"start": start, "end": end})
    assert response.status_code == 200
    own = client_for(patient).get("/api/v1/stats/", {"start": start, "end": end})
    assert response.json() == own.json()
    assert response.json()["count"] == 5
    assert logged(patient) == [AccessLogEntry.API_STATS]


@pytest.mark.parametrize("url", [readings_url, stats_url])
def test_no_access_without_an_active_link(doctor, physician, patient, readings, url):
    pending = link(physician, patient, accept=False)
    assert doctor.get(url(patient.record)).status_code == 404
    physician_access_accept(grant=pending, by=patient)
    assert doctor.get(url(patient.record)).status_code == 200
    physician_access_revoke(grant=pending, by=patient)
    response = doctor.get(url(patient.record))  # revocation takes effect at the next request
    assert response.status_code == 404
    assert response.json() == {"detail": "No such patient on your roster."}
    assert len(logged(patient)) == 1  # only the one allowed opening


@pytest.mark.parametrize("url", [readings_url, stats_url])
def test_another_physicians_patient_is_a_404(doctor, patient, readings, url):
    link(PhysicianFactory(), patient)
    assert doctor.get(url(patient.record)).status_code == 404
    assert logged(patient) == []


def test_unknown_and_malformed_patient_ids_are_a_404(doctor):
    class Nobody:
        pk = "00000000-0000-4000-8000-000000000000"

    assert doctor.get(readings_url(Nobody)).status_code == 404
    assert doctor.get(f"{ROSTER}not-a-uuid/readings/").status_code == 404


# --- who may call ---------------------------------------------------------------------------


def _all_urls(patient):
    return [ROSTER, readings_url(patient.record), stats_url(patient.record)]


def test_anonymous_callers_get_401(api_client, physician, patient):
    link(physician, patient)
    for url in _all_urls(patient):
        assert api_client.get(url).status_code == 401
    assert logged(patient) == []


@pytest.mark.parametrize(
    "make_user", [PatientFactory, AdministratorFactory], ids=["patient", "administrator"]
)
def test_accounts_that_are_not_physicians_get_403(physician, patient, make_user):
    link(physician, patient)
    client = client_for(make_user())
    for url in _all_urls(patient):
        response = client.get(url)
        assert response.status_code == 403
        assert "not a physician" in response.json()["detail"]


def test_the_patient_themself_cannot_use_the_physician_endpoints(patient, physician):
    link(physician, patient)
    for url in _all_urls(patient):
        assert client_for(patient).get(url).status_code == 403


def test_the_endpoints_are_read_only(doctor, physician, patient, readings):
    link(physician, patient)
    for url in _all_urls(patient):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(doctor, method)(url, {}, format="json").status_code == 405
    assert len(readings) == 5
    assert logged(patient) == []
