import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.models import AccessLogEntry, ClinicMembership, RosterLink
from clinic.tests.factories import RosterLinkFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_open_link_for_a_pair(physician, patient):
    RosterLinkFactory(physician=physician, patient=patient, status="pending")

    for status in ("pending", "active"):
        with pytest.raises(IntegrityError), transaction.atomic():
            RosterLinkFactory(physician=physician, patient=patient, status=status)
    assert RosterLink.objects.count() == 1


def test_ended_links_do_not_block_a_new_one(physician, patient):
    RosterLinkFactory(physician=physician, patient=patient, status="revoked")
    RosterLinkFactory(physician=physician, patient=patient, status="declined")

    RosterLinkFactory(physician=physician, patient=patient, status="active")

    assert RosterLink.objects.filter(status="active").count() == 1


def test_str_never_shows_an_mrn_or_what_was_viewed(physician, patient, clinic):
    link = RosterLinkFactory(physician=physician, patient=patient, mrn="MRN-SENTINEL-42")
    entry = AccessLogEntry.objects.create(
        viewer=physician, viewer_name="Dr. Grace House", patient=patient, what="report page"
    )
    membership = ClinicMembership.objects.get()

    assert str(link) == "doctor@example.org → patient@example.org"
    assert "MRN" not in str(link) and "report" not in str(entry)
    assert str(clinic) == "Riverside Clinic"
    assert str(membership) == "doctor@example.org at Riverside Clinic"


def test_only_physicians_can_join_a_clinic(patient, clinic):
    with pytest.raises(ValidationError, match="Physicians group"):
        ClinicMembership(clinic=clinic, physician=patient).full_clean()


def test_a_physician_cannot_be_linked_to_themselves(physician):
    with pytest.raises(ValidationError, match="themselves"):
        RosterLink(physician=physician, patient=physician, initiated_by="physician").full_clean()
