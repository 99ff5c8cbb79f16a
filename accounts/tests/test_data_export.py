"""accounts:data-export: everything the site holds about the signed-in user, as JSON."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import MedicalProfile
from clinic.models import AccessLogEntry
from clinic.tests.factories import ClinicMembershipFactory, RosterLinkFactory
from readings import services
from readings.models import Kind, Reading, Source
from readings.tests.factories import ReadingFactory, TargetFactory

pytestmark = pytest.mark.django_db

URL = "/profile/data.json"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def download(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return response, body, json.loads(body)


@pytest.fixture
def full_patient(patient, physician):
    """A patient with something in every part of the export."""
    patient.timezone, patient.unit = "Europe/Paris", "mmol/L"
    patient.save()
    MedicalProfile.objects.create(
        user=patient, date_of_birth=date(1990, 5, 17), diabetes_type="type_1"
    )
    TargetFactory(owner=patient, low_mgdl=80, high_mgdl=160)
    services.upload_secret_rotate(user=patient)
    Token.objects.create(user=patient)
    ReadingFactory(
        owner=patient,
        taken_at=utc(2024, 7, 1, 6, 30),
        value_mgdl=99,
        notes='Café, "quoted"\nnew line',
    )
    ReadingFactory(
        owner=patient,
        taken_at=utc(2024, 1, 1, 23, 0),
        value_mgdl=180,
        kind=Kind.CGM,
        source=Source.NIGHTSCOUT,
        external_id="xdrip-7",
        direction="Flat",
    )
    RosterLinkFactory(physician=physician, patient=patient, mrn="MRN-0042")
    AccessLogEntry.objects.create(
        viewer=physician,
        viewer_name="Dr Grace House",
        patient=patient,
        what=AccessLogEntry.REPORT_PAGE,
        viewed_at=utc(2024, 7, 2, 9, 0),
    )
    return patient


def test_the_export_is_a_streamed_json_attachment(client, full_patient):
    client.force_login(full_patient)

    response, _, document = download(client)

    assert response.streaming
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="bgt-account-data-')
    assert response["Content-Disposition"].endswith('.json"')
    assert response["Cache-Control"] == "no-store"
    assert (document["format"], document["version"]) == ("bgt-account-data", 1)


def test_everything_about_the_patient_is_in_it(client, full_patient, physician):
    client.force_login(full_patient)

    _, _, document = download(client)

    account = document["account"]
    assert account["email"] == "patient@example.org"
    assert (account["first_name"], account["last_name"]) == ("Pat", "Ient")
    assert (account["unit"], account["timezone"]) == ("mmol/L", "Europe/Paris")
    assert account["roles"] == ["Patients"]
    assert account["date_joined"] == full_patient.date_joined.astimezone(
        full_patient.tzinfo
    ).isoformat(timespec="seconds")
    assert account["email_addresses"] == [
        {"email": "patient@example.org", "verified": True, "primary": True}
    ]
    assert document["medical_profile"]["date_of_birth"] == "1990-05-17"
    assert document["medical_profile"]["diabetes_type"] == "type_1"
    assert (document["targets"]["low_mgdl"], document["targets"]["high_mgdl"]) == (80, 160)
    assert document["device_upload_secret"]["exists"] is True
    assert [token["exists"] for token in document["api_tokens"]] == [True]
    assert document["roster_links"] == [
        {
            "your_side": "patient",
            "physician": {"name": "Grace House", "email": "doctor@example.org"},
            "status": "active",
            "initiated_by": "physician",
            "created_at": document["roster_links"][0]["created_at"],
            "responded_at": document["roster_links"][0]["responded_at"],
            "ended_at": None,
            "ended_by": "",
            "mrn": "MRN-0042",
        }
    ]
    assert document["access_log"] == [
        {
            "viewer": "Dr Grace House",
            "what": "report page",
            "viewed_at": "2024-07-02T11:00:00+02:00",
        }
    ]
    assert document["readings_count"] == 2
    first, second = document["readings"]  # oldest first, times in Paris
    assert {k: first[k] for k in ("taken_at", "value_mgdl", "value_mmoll", "kind", "source")} == {
        "taken_at": "2024-01-02T00:00:00+01:00",
        "value_mgdl": 180,
        "value_mmoll": 10.0,
        "kind": "cgm",
        "source": "nightscout",
    }
    assert (first["external_id"], first["trend"]) == ("xdrip-7", "Flat")
    assert second["taken_at"] == "2024-07-01T08:30:00+02:00"
    assert second["notes"] == 'Café, "quoted"\nnew line'
    assert (second["value_mgdl"], second["value_mmoll"]) == (99, 5.5)


def test_secrets_are_never_in_it(client, full_patient):
    client.force_login(full_patient)
    token = Token.objects.get(user=full_patient)
    digest = full_patient.upload_secret.digest
    password_hash = full_patient.password

    _, body, _ = download(client)

    assert token.key not in body
    assert digest not in body
    assert password_hash not in body
    assert client.session.session_key not in body


def test_another_patients_data_is_never_in_it(client, full_patient, other_patient):
    ReadingFactory(owner=other_patient, notes="someone else's note")
    client.force_login(full_patient)

    _, body, document = download(client)

    assert "someone else" not in body
    assert "other@example.org" not in body
    assert len(document["readings"]) == 2


def test_a_new_account_exports_empty_parts(client, other_patient):
    client.force_login(other_patient)

    _, _, document = download(client)

    assert document["medical_profile"] is None
    assert document["targets"] is None
    assert document["device_upload_secret"] == {"exists": False, "created_at": None}
    assert document["api_tokens"] == []
    assert document["roster_links"] == document["access_log"] == document["readings"] == []


def test_a_physicians_export_has_their_clinics_roster_and_views_but_no_mrn(
    client, full_patient, physician
):
    ClinicMembershipFactory(physician=physician, clinic__name="Lakeside Diabetes Clinic")
    client.force_login(physician)

    _, body, document = download(client)

    assert document["account"]["roles"] == ["Physicians"]
    assert [c["clinic"] for c in document["clinics"]] == ["Lakeside Diabetes Clinic"]
    assert document["roster_links"][0]["your_side"] == "physician"
    assert document["roster_links"][0]["patient"]["email"] == "patient@example.org"
    assert "MRN-0042" not in body
    assert [entry["what"] for entry in document["access_log_as_viewer"]] == ["report page"]
    assert document["readings"] == []


def test_many_readings_stream_in_chunks(client, patient):
    start = utc(2024, 1, 1)
    Reading.objects.bulk_create(
        Reading(owner=patient, value_mgdl=100 + i % 80, kind=Kind.CGM,
                taken_at=start + timedelta(minutes=5 * i))
        for i in range(4500)
    )  # fmt: skip
    client.force_login(patient)
    response = client.get(URL)

    chunks = list(response.streaming_content)

    assert len(chunks) == 4  # the head, then 2,000 + 2,000 + 500 readings
    document = json.loads(b"".join(chunks))
    assert document["readings_count"] == len(document["readings"]) == 4500
    assert document["readings"][-1]["taken_at"] == "2024-01-16T14:55:00+00:00"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_profile_page_links_the_export_and_deletion(client, patient):
    client.force_login(patient)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{URL}"' in page
    assert 'href="/profile/delete/"' in page
