"""Security issue, finding 7: the roster shows each patient's figures (mean, GMI, time in
range, hypos), so opening it, as a page or through /api/v1/patients/, is an opening of
each listed record's data and goes into each patient's access log, which the patient
reads on their sharing page. A patient who has not accepted is neither listed nor
logged. The entries are written in one insert, whatever the roster's size, and once an
hour per patient however often the physician refreshes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.tests.test_api import link
from patients.models import AccessLogEntry
from patients.tests.factories import PatientFactory
from readings.tests.factories import cgm_cycle
from readings.tests.test_api_readings import client_for

pytestmark = pytest.mark.django_db


def log_of(user):
    return list(
        AccessLogEntry.objects.filter(patient=user.record).values_list("viewer_name", "what")
    )


@pytest.fixture
def roster(physician, patient, other_patient):
    link(physician, patient)
    link(physician, other_patient)
    pending = PatientFactory(email="pending@example.org")
    link(physician, pending, accept=False)
    cgm_cycle(patient.record, [120, 200])
    return {"listed": [patient, other_patient], "pending": pending}


def test_opening_the_roster_page_logs_each_listed_patient(client, physician, roster):
    client.force_login(physician)

    response = client.get(reverse("clinic:roster"))

    assert response.status_code == 200
    for patient in roster["listed"]:
        assert log_of(patient) == [("Dr. Grace House", "roster")]
    assert log_of(roster["pending"]) == []


def test_the_roster_api_logs_each_listed_patient(physician, roster):
    response = client_for(physician).get("/api/v1/patients/")

    assert response.status_code == 200 and len(response.json()) == 2
    for patient in roster["listed"]:
        assert log_of(patient) == [("Dr. Grace House", "API: patients")]
    assert log_of(roster["pending"]) == []


def test_the_patient_sees_the_roster_opening_on_their_sharing_page(
    client, physician, patient, roster
):
    client_for(physician).get("/api/v1/patients/")
    client.force_login(patient)

    html = client.get(reverse("patients:sharing")).content.decode()

    assert "Dr. Grace House" in html and "API: patients" in html


def test_logging_the_roster_costs_the_same_queries_for_two_patients_as_for_five(
    client, physician, roster
):
    client.force_login(physician)
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("clinic:roster"))
    AccessLogEntry.objects.all().delete()
    for i in range(3):
        link(physician, PatientFactory(email=f"more{i}@example.org"))
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("clinic:roster"))

    assert AccessLogEntry.objects.filter(what="roster").count() == 5
    assert len(five.captured_queries) == len(two.captured_queries)


def test_refreshing_the_roster_within_the_hour_logs_each_patient_once(
    client, physician, patient, roster
):
    client.force_login(physician)
    client.get(reverse("clinic:roster"))
    client.get(reverse("clinic:roster"))
    client_for(physician).get("/api/v1/patients/")

    assert sorted(log_of(patient)) == [
        ("Dr. Grace House", "API: patients"),
        ("Dr. Grace House", "roster"),
    ]


def test_an_hour_later_the_roster_is_logged_again(client, physician, patient, roster):
    client.force_login(physician)
    client.get(reverse("clinic:roster"))
    AccessLogEntry.objects.update(viewed_at=timezone.now() - timedelta(minutes=61))

    client.get(reverse("clinic:roster"))

    assert log_of(patient) == [("Dr. Grace House", "roster")] * 2
