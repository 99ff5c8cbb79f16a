"""patients:data-export: everything the site holds about the signed-in login and the records it
looks after, as JSON (format version 2: ``account`` and ``records``, every row every concrete
field of its model, foreign keys as ``<name>_id``, times in UTC)."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic.tests.factories import ClinicMembershipFactory
from core.personal_data import Owner, entries
from integrations.files import jobs
from integrations.files.importers import parse_file
from integrations.nightscout import credentials, documents, tokens
from patients import invitations
from patients.models import AccessLogEntry
from patients.services import patient_update
from patients.tests.factories import GrantFactory
from readings.models import Kind, Reading, Source
from readings.tests.factories import ReadingFactory, TargetFactory
from treatments import services as treatment_services
from treatments.tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db

URL = "/profile/data.json"
ACCOUNT_SECTIONS = {
    "email_addresses",
    "api_tokens",
    "grants_held",
    "access_log_as_viewer",
    "clinic_memberships",
}
RECORD_SECTIONS = {
    "record",
    "access_grants",
    "invitations",
    "access_log",
    "targets",
    "device_upload_secret",
    "readings",
    "treatments",
    "day_summaries",
    "nightscout_documents",
    "nightscout_access_tokens",
    "nightscout_deletions",
    "unfinished_imports",
    "unfinished_import_rows",
}


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def download(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return response, body, json.loads(body)


def expected_fields(entry) -> set[str]:
    """Every concrete field of the entry's model (foreign keys as ``<name>_id``) but the
    owner's own key; a credential only as "exists"; in a login's sections, no medical field
    (a physician's grants held carry no MRN: it is the record's)."""
    names = {
        field.attname
        for field in entry.model._meta.concrete_fields
        if field.name != entry.owner_field
    }
    if entry.owner == Owner.LOGIN:
        names -= set(entry.medical_fields)
    if entry.secret_fields:
        names = (names - set(entry.secret_fields)) | {"exists"}
    return names


def own_record(document) -> dict:
    (record,) = [r for r in document["records"] if r["your_role"] == "self"]
    return record


@pytest.fixture
def full_patient(patient, physician):
    """A patient with something in every part of the export."""
    patient.unit = "mmol/L"
    patient.save()
    patient_update(
        patient=patient.record,
        timezone="Europe/Paris",
        date_of_birth=date(1990, 5, 17),
        diabetes_type="type_1",
    )
    TargetFactory(patient=patient.record, low_mgdl=80, high_mgdl=160)
    credentials.upload_secret_rotate(patient=patient.record)
    tokens.access_token_create(patient=patient.record, name="Follower", role="readable")
    documents.document_store(
        patient=patient.record, collection="devicestatus", doc={"uploaderBattery": 50}
    )
    Token.objects.create(user=patient)
    jobs.import_job_create(  # a file import left unfinished
        user=patient,
        patient=patient.record,
        parsed=parse_file(b"taken_at,value_mgdl\n2024-07-01T05:00:00Z,101\n", tz=UTC),
        file_name="readings.csv",
    )
    TreatmentFactory(
        patient=patient.record, type="carbs", insulin_units=None, carbs_g=45, notes="Lunch"
    )
    treatment_services.treatment_delete(  # the deletion is kept for Nightscout API v3
        treatment=TreatmentFactory(patient=patient.record, type="carbs", carbs_g=20)
    )
    ReadingFactory(
        patient=patient.record,
        taken_at=utc(2024, 7, 1, 6, 30),
        value_mgdl=99,
        notes='Café, "quoted"\nnew line',
    )
    ReadingFactory(
        patient=patient.record,
        taken_at=utc(2024, 1, 1, 23, 0),
        value_mgdl=180,
        kind=Kind.CGM,
        source=Source.NIGHTSCOUT,
        external_id="xdrip-7",
        direction="Flat",
    )
    GrantFactory(user=physician, patient=patient.record, mrn="MRN-0042")
    invitations.invitation_send(
        patient=patient.record, by=patient, email="grandma@example.org", role="follower"
    )
    AccessLogEntry.objects.create(
        viewer=physician,
        viewer_name="Dr Grace House",
        patient=patient.record,
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
    assert (document["format"], document["version"]) == ("bgt-account-data", 2)


def test_every_field_of_every_section_is_in_it(client, full_patient, physician):
    ClinicMembershipFactory(physician=physician)
    client.force_login(full_patient)
    _, _, document = download(client)
    client.force_login(physician)
    _, _, physicians = download(client)

    account_entries = entries(owner=Owner.LOGIN)
    record_entries = entries(owner=Owner.RECORD)
    assert {entry.section for entry in account_entries} == ACCOUNT_SECTIONS
    assert {entry.section for entry in record_entries} == RECORD_SECTIONS
    for account in (document["account"], physicians["account"]):
        assert set(account) == {
            "id",
            "email",
            "first_name",
            "last_name",
            "unit",
            "roles",
            "date_joined",
            "last_login",
            *ACCOUNT_SECTIONS,
        }
    for entry in account_entries:
        # Not vacuous: one of the two logins has rows in every section.
        rows = document["account"][entry.section] + physicians["account"][entry.section]
        assert rows, entry.section
        for row in rows:
            assert set(row) == expected_fields(entry), entry.section
    (record,) = document["records"]
    assert set(record) == {"your_role", *RECORD_SECTIONS}
    for entry in record_entries:
        rows = [record["record"]] if entry.owner_field == "pk" else record[entry.section]
        assert rows, entry.section
        for row in rows:
            assert set(row) == expected_fields(entry), entry.section


def test_everything_about_the_patient_is_in_it(client, full_patient, physician):
    client.force_login(full_patient)

    _, _, document = download(client)

    account = document["account"]
    assert account["id"] == str(full_patient.pk)
    assert account["email"] == "patient@example.org"
    assert (account["first_name"], account["last_name"]) == ("Pat", "Ient")
    assert account["unit"] == "mmol/L"
    assert account["roles"] == ["Patients"]
    assert account["date_joined"] == full_patient.date_joined.astimezone(UTC).isoformat(
        timespec="seconds"
    )
    assert [
        {k: address[k] for k in ("email", "verified", "primary")}
        for address in account["email_addresses"]
    ] == [{"email": "patient@example.org", "verified": True, "primary": True}]
    assert [token["exists"] for token in account["api_tokens"]] == [True]
    assert [(g["patient_id"], g["role"], g["status"]) for g in account["grants_held"]] == [
        (str(full_patient.record.pk), "self", "active")
    ]
    assert account["access_log_as_viewer"] == account["clinic_memberships"] == []

    record = own_record(document)
    assert record["record"]["id"] == str(full_patient.record.pk)
    assert record["record"]["display_name"] == "Pat Ient"
    assert record["record"]["timezone"] == "Europe/Paris"
    assert record["record"]["date_of_birth"] == "1990-05-17"
    assert record["record"]["diabetes_type"] == "type_1"
    assert [(t["low_mgdl"], t["high_mgdl"]) for t in record["targets"]] == [(80, 160)]
    assert [secret["exists"] for secret in record["device_upload_secret"]] == [True]
    physician_grant = next(g for g in record["access_grants"] if g["role"] == "physician")
    assert physician_grant == {
        "id": physician_grant["id"],
        "user_id": str(physician.pk),
        "role": "physician",
        "status": "active",
        "initiated_by": "physician",
        "mrn": "MRN-0042",
        "created_at": physician_grant["created_at"],
        "responded_at": physician_grant["responded_at"],
        "ended_at": None,
        "ended_by": "",
    }
    assert [
        {k: e[k] for k in ("viewer_name", "what", "viewed_at")} for e in record["access_log"]
    ] == [
        {
            "viewer_name": "Dr Grace House",
            "what": "report page",
            "viewed_at": "2024-07-02T09:00:00+00:00",
        }
    ]
    first, second = record["readings"]  # oldest first, times in UTC
    assert {k: first[k] for k in ("taken_at", "value_mgdl", "kind", "source")} == {
        "taken_at": "2024-01-01T23:00:00+00:00",
        "value_mgdl": 180,
        "kind": "cgm",
        "source": "nightscout",
    }
    assert (first["external_id"], first["direction"]) == ("xdrip-7", "Flat")
    assert second["taken_at"] == "2024-07-01T06:30:00+00:00"
    assert second["notes"] == 'Café, "quoted"\nnew line'
    assert second["value_mgdl"] == 99


def test_secrets_are_never_in_it(client, full_patient):
    secret = credentials.upload_secret_rotate(patient=full_patient.record)
    client.force_login(full_patient)
    token = Token.objects.get(user=full_patient)
    digest = credentials.upload_secret_of(patient=full_patient.record).digest
    password_hash = full_patient.password

    _, body, _ = download(client)

    assert token.key not in body
    assert digest not in body
    assert secret not in body
    assert password_hash not in body
    assert client.session.session_key not in body


def test_another_patients_data_is_never_in_it(client, full_patient, other_patient):
    ReadingFactory(patient=other_patient.record, notes="someone else's note")
    client.force_login(full_patient)

    _, body, document = download(client)

    assert "someone else" not in body
    assert "other@example.org" not in body
    assert str(other_patient.pk) not in body
    assert str(other_patient.record.pk) not in body
    assert [record["record"]["id"] for record in document["records"]] == [
        str(full_patient.record.pk)
    ]
    assert len(own_record(document)["readings"]) == 2


def test_a_new_account_exports_empty_parts(client, other_patient):
    client.force_login(other_patient)

    _, _, document = download(client)

    account = document["account"]
    assert account["api_tokens"] == []
    assert account["access_log_as_viewer"] == account["clinic_memberships"] == []
    record = own_record(document)
    assert record["record"]["date_of_birth"] is None
    assert record["record"]["diabetes_type"] == ""
    assert record["targets"] == []
    assert record["device_upload_secret"] == []
    assert [grant["role"] for grant in record["access_grants"]] == ["self"]
    assert record["access_log"] == record["readings"] == []


def test_a_physicians_export_has_their_clinics_grants_and_views_but_no_mrn(
    client, full_patient, physician
):
    membership = ClinicMembershipFactory(
        physician=physician, clinic__name="Lakeside Diabetes Clinic"
    )
    client.force_login(physician)

    _, body, document = download(client)

    account = document["account"]
    assert account["roles"] == ["Physicians"]
    assert [c["clinic_id"] for c in account["clinic_memberships"]] == [str(membership.clinic_id)]
    assert [(g["patient_id"], g["role"]) for g in account["grants_held"]] == [
        (str(full_patient.record.pk), "physician")
    ]
    assert "MRN-0042" not in body
    assert [entry["what"] for entry in account["access_log_as_viewer"]] == ["report page"]
    assert document["records"] == []  # a physician looks after no record: no readings


def test_many_readings_stream_in_chunks(client, patient):
    start = utc(2024, 1, 1)
    Reading.objects.bulk_create(
        Reading(patient=patient.record, value_mgdl=100 + i % 80, kind=Kind.CGM,
                taken_at=start + timedelta(minutes=5 * i))
        for i in range(4500)
    )  # fmt: skip
    client.force_login(patient)
    response = client.get(URL)

    chunks = list(response.streaming_content)

    # The readings come in chunks of 2,000 + 2,000 + 500, never all at once.
    per_chunk = [chunk.count(b'"value_mgdl"') for chunk in chunks]
    assert [n for n in per_chunk if n] == [2000, 2000, 500]
    document = json.loads(b"".join(chunks))
    readings = own_record(document)["readings"]
    assert len(readings) == 4500
    assert readings[-1]["taken_at"] == "2024-01-16T14:55:00+00:00"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_profile_page_links_the_export_and_deletion(client, patient):
    client.force_login(patient)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("patients:data-export") == URL
    assert f'href="{URL}"' in page
    assert 'href="/profile/delete/"' in page
