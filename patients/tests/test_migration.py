"""The migration to health records apart from logins (patients.0002 and the migrations after
it), run on a database made with the schema and data as they were before it: every value
must arrive, on SQLite and on MongoDB."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("accounts", "0003_medicalprofile"),
    ("readings", "0003_device_and_covering_index"),
    ("clinic", "0001_initial"),
    ("patients", None),
    ("integrations", None),
]
# The same point as a state to read historical models from (an app "at zero" is no node).
BEFORE_STATE = [node for node in BEFORE if node[1] is not None]
PATIENT_ID = "6f1c9a52-1b7e-4f0e-9a55-0d2f6f1f3a01"
PHYSICIAN_ID = "0b8e4a43-88c5-4d8f-b3c1-5f6a7c7f6c02"
LOGIN_ONLY_ID = "9d2f0c11-3a4b-4c5d-8e6f-7a8b9c0d1e03"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def executor():
    """Migrates back to the schema before records; always forward again afterwards."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(latest)


def seed_the_old_schema(apps) -> dict:
    """Today's data, written with the models as they were: a patient login with readings
    (one with a device), targets, a medical profile, an upload secret, a roster link to a
    physician and an access-log entry; and a login with nothing medical."""
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    patients_group, _ = Group.objects.get_or_create(name="Patients")
    physicians_group, _ = Group.objects.get_or_create(name="Physicians")
    patient = User.objects.create(
        id=PATIENT_ID,
        email="ada@example.org",
        first_name="Ada",
        last_name="Lovelace",
        password="!",
        timezone="Europe/Paris",
        unit="mmol/L",
        date_joined=utc(2025, 1, 2, 3, 4, 5),
    )
    physician = User.objects.create(
        id=PHYSICIAN_ID, email="house@example.org", first_name="Greg", password="!"
    )
    User.objects.create(id=LOGIN_ONLY_ID, email="nobody@example.org", password="!")
    User.groups.through.objects.create(user_id=patient.pk, group_id=patients_group.pk)
    User.groups.through.objects.create(user_id=physician.pk, group_id=physicians_group.pk)
    apps.get_model("accounts", "MedicalProfile").objects.create(
        user=patient, date_of_birth=date(1990, 12, 10), diabetes_type="type_1"
    )
    Reading = apps.get_model("readings", "Reading")
    cgm = Reading.objects.create(
        owner=patient,
        value_mgdl=143,
        taken_at=utc(2025, 6, 1, 8, 15),
        kind="cgm",
        context="unspecified",
        notes="",
        source="nightscout",
        external_id="xdrip-42",
        direction="FortyFiveUp",
        device="xDrip-DexcomG6",
    )
    meter = Reading.objects.create(
        owner=patient,
        value_mgdl=62,
        taken_at=utc(2025, 6, 1, 12, 0),
        kind="fingerstick",
        context="before_meal",
        notes="felt shaky",
        source="web",
    )
    apps.get_model("readings", "Target").objects.create(owner=patient, low_mgdl=80, high_mgdl=160)
    apps.get_model("readings", "UploadSecret").objects.create(owner=patient, digest="d" * 64)
    link = apps.get_model("clinic", "RosterLink").objects.create(
        physician=physician,
        patient=patient,
        status="active",
        initiated_by="physician",
        mrn="MRN-0042",
        created_at=utc(2025, 2, 1),
        responded_at=utc(2025, 2, 2),
    )
    entry = apps.get_model("clinic", "AccessLogEntry").objects.create(
        viewer=physician,
        viewer_name="Dr. Greg",
        patient=patient,
        what="report page",
        viewed_at=utc(2025, 3, 1, 9, 30),
    )
    return {"cgm": cgm.pk, "meter": meter.pk, "link": link.pk, "entry": entry.pk}


def test_every_value_arrives_in_the_patient_record(executor):
    seeded = seed_the_old_schema(executor.loader.project_state(BEFORE_STATE).apps)

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from integrations.models import UploadSecret
    from patients.models import AccessLogEntry, Patient, PatientAccess
    from readings.models import Reading, Target

    record = Patient.objects.get(pk=PATIENT_ID)  # the login's own id
    assert (record.display_name, record.timezone) == ("Ada Lovelace", "Europe/Paris")
    assert (record.date_of_birth, record.diabetes_type) == (date(1990, 12, 10), "type_1")
    assert record.target_preset == "standard"
    own = PatientAccess.objects.get(patient=record, role="self")
    assert (str(own.user_id), own.status, own.created_at) == (
        PATIENT_ID,
        "active",
        utc(2025, 1, 2, 3, 4, 5),
    )
    cgm = Reading.objects.get(pk=seeded["cgm"])
    assert (
        cgm.patient_id,
        cgm.value_mgdl,
        cgm.taken_at,
        cgm.kind,
        cgm.source,
        cgm.external_id,
        cgm.direction,
        cgm.device,
    ) == (
        record.pk,
        143,
        utc(2025, 6, 1, 8, 15),
        "cgm",
        "nightscout",
        "xdrip-42",
        "FortyFiveUp",
        "xDrip-DexcomG6",
    )
    meter = Reading.objects.get(pk=seeded["meter"])
    assert (meter.patient_id, meter.value_mgdl, meter.context, meter.notes) == (
        record.pk,
        62,
        "before_meal",
        "felt shaky",
    )
    target = Target.objects.get(patient=record)
    assert (target.low_mgdl, target.high_mgdl) == (80, 160)
    assert UploadSecret.objects.get(patient=record).digest == "d" * 64
    grant = PatientAccess.objects.get(pk=seeded["link"])  # the link's own id
    assert (str(grant.user_id), grant.patient_id, grant.role, grant.status) == (
        PHYSICIAN_ID,
        record.pk,
        "physician",
        "active",
    )
    assert (grant.initiated_by, grant.mrn, grant.created_at, grant.responded_at) == (
        "physician",
        "MRN-0042",
        utc(2025, 2, 1),
        utc(2025, 2, 2),
    )
    entry = AccessLogEntry.objects.get(pk=seeded["entry"])
    assert (str(entry.viewer_id), entry.viewer_name, entry.patient_id, entry.what) == (
        PHYSICIAN_ID,
        "Dr. Greg",
        record.pk,
        "report page",
    )
    assert entry.viewed_at == utc(2025, 3, 1, 9, 30)
    # Logins with nothing medical get no record; a physician is not a patient.
    assert set(Patient.objects.values_list("pk", flat=True)) == {record.pk}
    assert PatientAccess.objects.count() == 2


def test_the_migrated_record_works_through_the_site(executor, client):
    """After the migration the patient signs in and sees the same readings and log."""
    seed_the_old_schema(executor.loader.project_state(BEFORE_STATE).apps)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from accounts.models import User

    client.force_login(User.objects.get(pk=PATIENT_ID))
    table = client.get("/readings/").content.decode()
    assert "felt shaky" in table and "3.4 mmol/L" in table  # 62 mg/dL, in the login's unit
    sharing = client.get("/sharing/").content.decode()
    assert "Dr. Greg viewed your report page" in sharing
