"""The treatment log, its filters and daily totals, and the add, edit and delete pages, for
the record's own login, a caregiver, a follower (read-only) and another patient."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory
from patients.models import AccessLogEntry, PatientAccess
from treatments.models import Treatment
from treatments.tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db


def grant(user, record, role):
    return PatientAccess.objects.create(
        user=user, patient=record, role=role, status="active", initiated_by="patient"
    )


@pytest.fixture
def follower(patient):
    user = UserFactory(email="grandma@example.org", roles=[PATIENTS])
    grant(user, patient.record, "follower")
    return user


@pytest.fixture
def caregiver(patient):
    user = UserFactory(email="partner@example.org", roles=[PATIENTS])
    grant(user, patient.record, "caregiver")
    return user


def local_now(record):
    return timezone.now().astimezone(record.tzinfo) - timedelta(minutes=5)


def form_data(record, **values):
    now = local_now(record)
    return {
        "type": "bolus",
        "date": now.date().isoformat(),
        "time": now.strftime("%H:%M"),
        "insulin_units": "",
        "basal_rate": "",
        "insulin_name": "",
        "carbs_g": "",
        "duration_min": "",
        "event_type": "",
        "notes": "",
        **values,
    }


def test_adding_a_bolus_with_a_decimal_comma(client, patient):
    client.force_login(patient)
    response = client.post(
        reverse("treatments:create"),
        form_data(patient.record, insulin_units="4,5", insulin_name="Fiasp"),
    )
    assert response.status_code == 302
    bolus = Treatment.objects.get()
    assert (bolus.patient, bolus.insulin_units, bolus.insulin_name) == (
        patient.record,
        4.5,
        "Fiasp",
    )
    page = client.get(reverse("treatments:list")).content.decode()
    assert "4.5 U" in page and "Fiasp" in page


def test_the_form_shows_the_models_messages_on_the_right_fields(client, patient):
    client.force_login(patient)
    response = client.post(
        reverse("treatments:create"), form_data(patient.record, insulin_units="150")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["insulin_units"] == ["A bolus can be at most 100 units."]
    response = client.post(
        reverse("treatments:create"), form_data(patient.record, type="carbs", carbs_g="-3")
    )
    assert "Carbohydrates cannot be negative." in response.context["form"].errors["carbs_g"][0]
    assert not Treatment.objects.exists()


def test_edit_and_delete(client, patient):
    bolus = TreatmentFactory(patient=patient.record, insulin_units=3)
    client.force_login(patient)
    page = client.get(reverse("treatments:update", args=[bolus.pk]))
    assert page.context["form"].initial["insulin_units"] == 3
    client.post(
        reverse("treatments:update", args=[bolus.pk]),
        form_data(patient.record, insulin_units="6", notes="Correction"),
    )
    bolus.refresh_from_db()
    assert (bolus.insulin_units, bolus.notes) == (6, "Correction")
    assert "6 U" in client.get(reverse("treatments:delete", args=[bolus.pk])).content.decode()
    client.post(reverse("treatments:delete", args=[bolus.pk]))
    assert not Treatment.objects.exists()


def test_the_log_filters_by_type_and_period_and_sums_the_days(client, patient):
    record = patient.record
    now = timezone.now()
    TreatmentFactory(patient=record, insulin_units=4, taken_at=now - timedelta(hours=1))
    TreatmentFactory(
        patient=record,
        type="carbs",
        insulin_units=None,
        carbs_g=50,
        taken_at=now - timedelta(hours=2),
    )
    TreatmentFactory(patient=record, insulin_units=9, taken_at=now - timedelta(days=40))
    client.force_login(patient)

    all_rows = client.get(reverse("treatments:list")).context["rows"]
    assert len(all_rows) == 3
    carbs = client.get(reverse("treatments:list"), {"type": "carbs"}).context["rows"]
    assert [r.amount for r in carbs] == ["50 g"]
    recent = client.get(reverse("treatments:list"), {"days": "7"})
    assert len(recent.context["rows"]) == 2
    # The summary covers the chosen period (the last 14 days by default).
    assert recent.context["mean_carbs"] == "50"
    assert client.get(reverse("treatments:list")).context["mean_insulin"] == "4"
    old = client.get(
        reverse("treatments:list"),
        {"start": (now - timedelta(days=41)).date(), "end": (now - timedelta(days=39)).date()},
    )
    assert [r.amount for r in old.context["rows"]] == ["9 U"]
    assert old.context["mean_insulin"] == "9"


def test_a_caregiver_writes_on_the_record_and_is_logged(client, patient, caregiver):
    client.force_login(caregiver)
    response = client.post(
        reverse("treatments:create"), form_data(patient.record, type="carbs", carbs_g="30")
    )
    assert response.status_code == 302
    assert Treatment.objects.get().patient == patient.record
    client.get(reverse("treatments:list"))
    assert AccessLogEntry.objects.filter(viewer=caregiver, what="treatments").exists()


def test_a_follower_reads_the_log_but_cannot_write(client, patient, follower):
    bolus = TreatmentFactory(patient=patient.record, insulin_units=2, notes="Seen by grandma")
    client.force_login(follower)
    page = client.get(reverse("treatments:list"))
    assert page.status_code == 200
    assert "Seen by grandma" in page.content.decode()
    assert reverse("treatments:update", args=[bolus.pk]) not in page.content.decode()
    assert AccessLogEntry.objects.filter(viewer=follower, what="treatments").exists()
    assert client.get(reverse("treatments:create")).status_code == 403
    assert client.post(reverse("treatments:delete", args=[bolus.pk])).status_code == 403
    assert Treatment.objects.count() == 1


def test_another_patients_treatment_is_a_404(client, patient, other_patient):
    theirs = TreatmentFactory(patient=other_patient.record, notes="Not yours")
    client.force_login(patient)
    assert client.get(reverse("treatments:update", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("treatments:delete", args=[theirs.pk])).status_code == 404
    assert "Not yours" not in client.get(reverse("treatments:list")).content.decode()
    assert Treatment.objects.filter(pk=theirs.pk).exists()


def test_a_time_skipped_by_the_clocks_is_refused(client, patient):
    record = patient.record
    record.timezone = "Europe/Berlin"
    record.save()
    client.force_login(patient)
    response = client.post(
        reverse("treatments:create"),
        form_data(record, type="note", date="2025-03-30", time="02:30", notes="x"),
    )
    assert "did not exist" in response.context["form"].errors["time"][0]
    assert not Treatment.objects.exists()
