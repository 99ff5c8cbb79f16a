"""Fixtures of the clinic tests: a clinic with the shared ``physician``, and physician grants
of each status between that physician and the shared ``patient``'s record."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PhysicianFactory
from accounts.tests.test_admin import admin_client  # noqa: F401 (administrator, superuser)
from clinic.tests.factories import ClinicFactory, ClinicMembershipFactory
from patients.models import PatientAccess
from patients.tests.factories import GrantFactory


@pytest.fixture
def api_client():
    """DRF's test client, signed in as nobody (use force_authenticate, a token or login)."""
    return APIClient()


@pytest.fixture
def clinic(physician):
    clinic = ClinicFactory(name="Riverside Clinic")
    ClinicMembershipFactory(clinic=clinic, physician=physician)
    return clinic


@pytest.fixture
def other_clinic_physician(db):
    """A physician of another clinic, with no grant on the shared patient's record."""
    doctor = PhysicianFactory(email="elsewhere@example.org", first_name="Ada", last_name="Far")
    ClinicMembershipFactory(clinic=ClinicFactory(name="Hillside Clinic"), physician=doctor)
    return doctor


@pytest.fixture
def active_link(physician, patient, clinic):
    return GrantFactory(user=physician, patient=patient.record, mrn="MRN-1001")


@pytest.fixture
def pending_request(physician, patient, clinic):
    """The physician asked; the patient has not answered."""
    return GrantFactory(
        user=physician,
        patient=patient.record,
        status=PatientAccess.Status.PENDING,
        initiated_by=PatientAccess.Side.PHYSICIAN,
        responded_at=None,
    )


@pytest.fixture
def pending_offer(physician, patient, clinic):
    """The patient offered; the physician has not answered."""
    return GrantFactory(
        user=physician,
        patient=patient.record,
        status=PatientAccess.Status.PENDING,
        initiated_by=PatientAccess.Side.PATIENT,
        responded_at=None,
    )
