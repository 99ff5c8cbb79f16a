"""patients.models: the database's one-open-grant-per-pair rule for physician grants, and
``str()`` that never shows an MRN or what was viewed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.tests import conftest as clinic_fixtures
from patients.models import AccessLogEntry, PatientAccess
from patients.services import patient_create_for_self
from patients.tests.factories import GrantFactory

pytestmark = pytest.mark.django_db

clinic = clinic_fixtures.clinic  # the physician's clinic


def test_the_database_refuses_a_second_open_link_for_a_pair(physician, patient):
    GrantFactory(user=physician, patient=patient.record, status="pending")

    for status in ("pending", "active"):
        with pytest.raises(IntegrityError), transaction.atomic():
            GrantFactory(user=physician, patient=patient.record, status=status)
    assert PatientAccess.objects.filter(role=PatientAccess.Role.PHYSICIAN).count() == 1


def test_ended_links_do_not_block_a_new_one(physician, patient):
    GrantFactory(user=physician, patient=patient.record, status="revoked")
    GrantFactory(user=physician, patient=patient.record, status="declined")

    GrantFactory(user=physician, patient=patient.record, status="active")

    assert (
        PatientAccess.objects.filter(role=PatientAccess.Role.PHYSICIAN, status="active").count()
        == 1
    )


def test_str_never_shows_an_mrn_or_what_was_viewed(physician, patient, clinic):
    link = GrantFactory(user=physician, patient=patient.record, mrn="MRN-SENTINEL-42")
    entry = AccessLogEntry.objects.create(
        viewer=physician,
        viewer_name="Dr. Grace House",
        patient=patient.record,
        what="report page",
    )

    # The grant names its holder (a login's email) and the record (its name, "Pat Ient").
    assert str(link) == "doctor@example.org → Pat Ient (physician)"
    assert "MRN" not in str(link) and "report" not in str(entry)


def test_a_physician_cannot_be_linked_to_themselves(physician):
    own = patient_create_for_self(user=physician)  # a physician who is also a patient

    with pytest.raises(ValidationError, match="already has a pending or active grant"):
        PatientAccess(
            user=physician, patient=own, role="physician", initiated_by="physician"
        ).full_clean()
