"""What a deletion keeps for the clients that sync the record (deletions.py), and for how
long: the API v3 document as it was, for 100 days (AndroidAPS's look-back), then only the
identifier and the time."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.models import DeletedRecord
from integrations.nightscout import credentials, deletions
from treatments import services
from treatments.models import Treatment, TreatmentType

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploader(patient):
    secret = credentials.upload_secret_rotate(patient=patient.record)
    client = APIClient()
    client.credentials(HTTP_API_SECRET=hashlib.sha1(secret.encode()).hexdigest())  # noqa: S324
    return client


def _carbs(patient, grams: float, **fields) -> Treatment:
    return Treatment.objects.create(
        patient=patient.record,
        type=TreatmentType.CARBS,
        carbs_g=grams,
        taken_at=timezone.now().replace(microsecond=0) - timedelta(minutes=5),
        **fields,
    )


def test_a_deletion_keeps_the_document_for_100_days_then_only_its_identifier(patient):
    treatment = _carbs(patient, 30, notes="pizza")
    identifier = str(treatment.pk)
    services.treatment_delete(treatment=treatment)
    (kept,) = DeletedRecord.objects.all()
    assert (kept.document["carbs"], kept.document["notes"]) == (30, "pizza")
    assert kept.document["identifier"] == identifier

    later = kept.srv_modified + timedelta(days=99)
    shown = deletions.tombstone_of(kept, now=later)
    assert (shown["carbs"], shown["identifier"], shown["isValid"]) == (30, identifier, False)
    assert shown["srvModified"] == int(kept.srv_modified.timestamp() * 1000)

    too_late = kept.srv_modified + timedelta(days=100, seconds=1)
    assert deletions.tombstone_of(kept, now=too_late) == {
        "identifier": identifier,
        "srvModified": shown["srvModified"],
        "isValid": False,
    }
    assert deletions.deletion_documents_expire(now=later) == 0
    assert deletions.deletion_documents_expire(now=too_late) == 1
    kept.refresh_from_db()
    assert kept.document is None and kept.identifier == identifier


def test_each_deletion_clears_the_documents_older_than_100_days(patient, other_patient):
    old = _carbs(patient, 30)
    services.treatment_delete(treatment=old)
    DeletedRecord.objects.update(srv_modified=timezone.now() - timedelta(days=101))
    services.treatment_delete(treatment=_carbs(other_patient, 12))  # any record's deletion
    documents = {row.patient_id: row.document for row in DeletedRecord.objects.all()}
    assert documents[patient.record.pk] is None
    assert documents[other_patient.record.pk]["carbs"] == 12


def test_v1_treatments_never_list_deleted_ones(uploader, patient):
    """cgm-remote-monitor's v1 treatments would list a document API v3 soft-deleted
    (lib/server/treatments.js list() never filters isValid), but v1 readers do not read
    isValid (Trio's carbs, xDrip+'s NightscoutTreatments, NightscoutKit): the carbs would
    count again. BGT's v1 lists only the treatments that exist; v3 history has the
    deletion."""
    kept, deleted = _carbs(patient, 10, external_id="REDACTED-1"), _carbs(patient, 20)
    start = int(timezone.now().timestamp() * 1000) - 60_000
    assert uploader.delete(f"/api/v3/treatments/{deleted.pk}").status_code == 200
    listed = uploader.get("/api/v1/treatments.json?find[carbs][$exists]=true").json()
    assert [t["carbs"] for t in listed] == [10]
    found = uploader.get(f"/api/v1/treatments.json?find[_id]={deleted.pk}").json()
    assert found == []
    history = uploader.get(f"/api/v3/treatments/history/{start}").json()["result"]
    assert [(t["carbs"], t["isValid"]) for t in history] == [(10, True), (20, False)]
    assert kept.external_id == history[0]["identifier"]
