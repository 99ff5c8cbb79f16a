"""Fixtures of the clinic tests: a clinic with the shared ``physician``, and links of each
status between that physician and the shared ``patient``."""

import pytest

from accounts.tests.factories import PhysicianFactory
from accounts.tests.test_admin import admin_client  # noqa: F401 (administrator, superuser)
from clinic.models import RosterLink
from clinic.tests.factories import ClinicFactory, ClinicMembershipFactory, RosterLinkFactory


@pytest.fixture
def clinic(physician):
    clinic = ClinicFactory(name="Riverside Clinic")
    ClinicMembershipFactory(clinic=clinic, physician=physician)
    return clinic


@pytest.fixture
def other_clinic_physician(db):
    """A physician of another clinic, with no link to the shared patient."""
    doctor = PhysicianFactory(email="elsewhere@example.org", first_name="Ada", last_name="Far")
    ClinicMembershipFactory(clinic=ClinicFactory(name="Hillside Clinic"), physician=doctor)
    return doctor


@pytest.fixture
def active_link(physician, patient, clinic):
    return RosterLinkFactory(physician=physician, patient=patient, mrn="MRN-1001")


@pytest.fixture
def pending_request(physician, patient, clinic):
    """The physician asked; the patient has not answered."""
    return RosterLinkFactory(
        physician=physician,
        patient=patient,
        status=RosterLink.Status.PENDING,
        initiated_by=RosterLink.Side.PHYSICIAN,
        responded_at=None,
    )


@pytest.fixture
def pending_offer(physician, patient, clinic):
    """The patient offered; the physician has not answered."""
    return RosterLinkFactory(
        physician=physician,
        patient=patient,
        status=RosterLink.Status.PENDING,
        initiated_by=RosterLink.Side.PATIENT,
        responded_at=None,
    )
