"""Clinic admin: clinics with their physicians, and physicians' access grants (patients.admin)
that administrators may end but never open (consent comes from the patient and the physician
only)."""

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import Clinic, ClinicMembership
from patients.models import PatientAccess

pytestmark = pytest.mark.django_db


def membership_form(prefix="memberships", rows=()):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, user in enumerate(rows):
        data[f"{prefix}-{i}-physician"] = str(user.pk)
    return data


def test_an_administrator_creates_a_clinic_with_a_physician(admin_client, physician):
    response = admin_client.post(
        reverse("admin:clinic_clinic_add"),
        {"name": "Lakeside Clinic", **membership_form(rows=[physician])},
    )

    assert response.status_code == 302
    clinic = Clinic.objects.get(name="Lakeside Clinic")
    assert list(clinic.physicians.all()) == [physician]


def test_only_physicians_are_offered_and_accepted_as_members(admin_client, physician, patient):
    page = admin_client.get(reverse("admin:clinic_clinic_add")).content.decode()
    assert physician.email in page and patient.email not in page

    response = admin_client.post(
        reverse("admin:clinic_clinic_add"),
        {"name": "Lakeside Clinic", **membership_form(rows=[patient])},
    )

    assert response.status_code == 200
    assert not ClinicMembership.objects.exists()


def test_roster_links_cannot_be_added_or_edited_in_admin(admin_client, active_link):
    assert admin_client.get(reverse("admin:patients_patientaccess_add")).status_code == 403

    change_url = reverse("admin:patients_patientaccess_change", args=[active_link.pk])
    response = admin_client.get(change_url)
    assert response.status_code == 200
    page = response.content.decode()
    admin_client.post(change_url, {"status": "revoked", "mrn": "changed"})

    active_link.refresh_from_db()
    assert (active_link.status, active_link.mrn) == ("active", "MRN-1001")
    assert "MRN" not in page and 'name="status"' not in page


def test_an_administrator_ends_links_with_an_action(admin_client, active_link):
    response = admin_client.post(
        reverse("admin:patients_patientaccess_changelist"),
        {"action": "end_grants", "_selected_action": [str(active_link.pk)]},
    )

    assert response.status_code == 302
    active_link.refresh_from_db()
    assert (active_link.status, active_link.ended_by) == ("revoked", "administrator")
    assert sorted(m.to[0] for m in mail.outbox) == ["doctor@example.org", "patient@example.org"]


def test_roster_link_list_shows_parties_and_status_not_the_mrn(admin_client, active_link):
    page = admin_client.get(reverse("admin:patients_patientaccess_changelist")).content.decode()

    assert "doctor@example.org" in page and "patient@example.org" in page
    assert "Pat Ient" in page  # the record the physician's grant is on
    assert "Active" in page
    assert "MRN-1001" not in page
    searched = admin_client.get(
        reverse("admin:patients_patientaccess_changelist"), {"q": "MRN-1001"}
    )
    assert searched.context["cl"].result_count == 0
    assert PatientAccess.objects.filter(role=PatientAccess.Role.PHYSICIAN).count() == 1
