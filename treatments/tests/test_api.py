"""/api/v1/treatments/: the readings API's conventions for treatments."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory
from patients.models import AccessLogEntry, PatientAccess
from treatments.models import Treatment
from treatments.tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/treatments/"


def iso(minutes_ago=5):
    return (timezone.now() - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()


def as_user(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_one_treatment_is_created_and_a_retry_returns_the_stored_one(patient_client, patient):
    body = {
        "type": "bolus",
        "taken_at": iso(),
        "insulin_units": 4.5,
        "carbs_g": 40,
        "insulin_name": "Fiasp",
        "event_type": "Meal Bolus",
        "external_id": "app-1",
    }
    first = patient_client.post(URL, body, format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert (data["insulin_units"], data["carbs_g"], data["source"]) == (4.5, 40, "api")
    assert data["event_type"] == "Meal Bolus"
    again = patient_client.post(URL, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    # Same measurement without an id: also recognised.
    no_id = patient_client.post(URL, {**body, "external_id": None}, format="json")
    assert no_id.status_code == 200 and no_id.json()["id"] == data["id"]
    assert Treatment.objects.filter(patient=patient.record).count() == 1


def test_a_bulk_is_all_or_nothing_and_names_the_failing_items(patient_client):
    items = [
        {"type": "carbs", "taken_at": iso(30), "carbs_g": 20},
        {"type": "bolus", "taken_at": iso(20), "insulin_units": 150},
        {"type": "carbs", "taken_at": iso(10), "carbs_g": -1},
        {"type": "note", "taken_at": "2025-01-01T10:00:00"},
    ]
    response = patient_client.post(URL, items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert [item["index"] for item in body["items"]] == [1, 2, 3]
    assert body["items"][0]["errors"]["insulin_units"] == ["A bolus can be at most 100 units."]
    assert "UTC offset" in body["items"][2]["errors"]["taken_at"][0]
    assert not Treatment.objects.exists()


def test_a_bulk_upload_twice_adds_nothing_the_second_time(patient_client):
    items = [
        {"type": "bolus", "taken_at": iso(60 - n), "insulin_units": 1 + n, "external_id": f"e{n}"}
        for n in range(4)
    ] + [{"type": "site_change", "taken_at": iso(100)}]
    first = patient_client.post(URL, items, format="json")
    assert first.status_code == 201 and first.json()["created"] == 5
    second = patient_client.post(URL, items, format="json")
    assert second.status_code == 200
    assert (second.json()["created"], second.json()["duplicates"]) == (0, 5)
    assert Treatment.objects.count() == 5


def test_a_time_too_far_ahead_is_a_field_error(patient_client):
    future = (timezone.now() + timedelta(minutes=15)).isoformat()
    response = patient_client.post(
        URL, {"type": "carbs", "taken_at": future, "carbs_g": 10}, format="json"
    )
    assert response.status_code == 400
    assert "10 minutes" in response.json()["taken_at"][0]


def test_list_filters_retrieve_update_and_delete(patient_client, patient):
    record = patient.record
    bolus = TreatmentFactory(patient=record, insulin_units=3)
    TreatmentFactory(patient=record, type="carbs", insulin_units=None, carbs_g=30)
    listed = patient_client.get(URL, {"type": "carbs"}).json()
    assert [t["carbs_g"] for t in listed["results"]] == [30]
    assert patient_client.get(URL, {"type": "nope"}).status_code == 400
    one = patient_client.get(f"{URL}{bolus.pk}/").json()
    assert one["insulin_units"] == 3 and one["taken_at"].endswith("+00:00")
    patched = patient_client.patch(f"{URL}{bolus.pk}/", {"insulin_units": 7}, format="json")
    assert patched.status_code == 200 and patched.json()["insulin_units"] == 7
    bad = patient_client.patch(f"{URL}{bolus.pk}/", {"insulin_units": 101}, format="json")
    assert bad.status_code == 400 and "at most 100" in bad.json()["insulin_units"][0]
    put = patient_client.put(
        f"{URL}{bolus.pk}/",
        {"type": "exercise", "taken_at": iso(), "duration_min": 45},
        format="json",
    )
    assert put.status_code == 200
    assert (put.json()["type"], put.json()["insulin_units"], put.json()["duration_min"]) == (
        "exercise",
        None,
        45,
    )
    assert patient_client.delete(f"{URL}{bolus.pk}/").status_code == 204
    assert not Treatment.objects.filter(pk=bolus.pk).exists()


def test_another_records_treatment_is_a_404(patient_client, other_patient):
    theirs = TreatmentFactory(patient=other_patient.record)
    assert patient_client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert patient_client.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert patient_client.get(URL, {"patient": other_patient.record.pk}).status_code == 404
    assert patient_client.get(f"{URL}not-a-uuid/").status_code == 404
    assert Treatment.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("role", "read", "write"), [("caregiver", 200, 201), ("follower", 200, 403)]
)
def test_grants_decide_what_others_may_do(api_client, patient, role, read, write):
    user = UserFactory(roles=[PATIENTS])
    PatientAccess.objects.create(
        user=user, patient=patient.record, role=role, status="active", initiated_by="patient"
    )
    TreatmentFactory(patient=patient.record)
    as_user(api_client, user)
    query = f"?patient={patient.record.pk}"
    assert api_client.get(URL + query).status_code == read
    created = api_client.post(
        URL + query, {"type": "carbs", "taken_at": iso(), "carbs_g": 12}, format="json"
    )
    assert created.status_code == write
    assert AccessLogEntry.objects.filter(viewer=user, what="API: treatments").exists()
    assert api_client.get(URL).status_code == 403  # no record of their own


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401
