"""clinic.models: only physicians join clinics, and ``str()`` shows names and emails only.
The grants' constraints are tested in patients/tests/test_models.py."""

import pytest
from django.core.exceptions import ValidationError

from clinic.models import ClinicMembership

pytestmark = pytest.mark.django_db


def test_str_is_names_and_emails_only(physician, clinic):
    membership = ClinicMembership.objects.get()

    assert str(clinic) == "Riverside Clinic"
    assert str(membership) == "doctor@example.org at Riverside Clinic"


def test_only_physicians_can_join_a_clinic(patient, clinic):
    with pytest.raises(ValidationError, match="Physicians group"):
        ClinicMembership(clinic=clinic, physician=patient).full_clean()
