"""patients.selectors: the gate between a login and a record (``patient_for``, which writes
nothing; openings are logged with patients.services.access_log_record), the sharing page's
reads, and the physician grants a user may answer or end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import PhysicianFactory
from clinic.tests import conftest as clinic_fixtures
from patients import selectors
from patients.models import AccessLogEntry, PatientAccess
from patients.selectors import PatientNotAvailable, patient_for
from patients.services import access_log_record
from patients.tests.factories import GrantFactory

pytestmark = pytest.mark.django_db

# The clinic tests' fixtures: a clinic with the shared physician, another clinic's
# physician, and physician grants of each status on the shared patient's record.
clinic = clinic_fixtures.clinic
other_clinic_physician = clinic_fixtures.other_clinic_physician
active_link = clinic_fixtures.active_link
pending_request = clinic_fixtures.pending_request
pending_offer = clinic_fixtures.pending_offer


def open_record(viewer, patient, what):
    """Open ``patient``'s record through the gate and log it, as the pages and API do."""
    record = patient_for(user=viewer, patient_id=patient.record.pk)
    access_log_record(grant=record.grant, what=what)
    return record


# --- the gate --------------------------------------------------------------------------------


def test_an_active_link_opens_the_patient_and_the_opening_is_logged_explicitly(
    physician, patient, active_link
):
    seen = patient_for(user=physician, patient_id=str(patient.record.pk))

    assert seen == patient.record and seen.grant == active_link
    assert not AccessLogEntry.objects.exists()  # the gate writes nothing itself
    access_log_record(grant=seen.grant, what="API: stats")
    entry = AccessLogEntry.objects.get()
    assert (entry.viewer, entry.patient, entry.what) == (physician, patient.record, "API: stats")
    assert entry.viewer_name == "Dr. Grace House"
    assert abs(entry.viewed_at - timezone.now()) < timedelta(seconds=10)


@pytest.mark.parametrize("status", ["pending", "declined", "revoked"])
def test_no_active_link_no_patient_and_no_log(physician, patient, status):
    GrantFactory(user=physician, patient=patient.record, status=status)

    with pytest.raises(PatientNotAvailable):
        patient_for(user=physician, patient_id=patient.record.pk)
    assert not AccessLogEntry.objects.exists()


def test_the_gate_refuses_other_physicians_patients_and_bad_ids(
    physician, patient, other_patient, other_clinic_physician, active_link
):
    attempts = [
        (other_clinic_physician, patient.record.pk),  # a physician without a link
        (other_patient, patient.record.pk),  # not a physician
        (physician, other_patient.record.pk),  # not on this roster
        (physician, "not-a-uuid"),
        (physician, None),
    ]
    for viewer, patient_id in attempts:
        with pytest.raises(PatientNotAvailable):
            patient_for(user=viewer, patient_id=patient_id)
    assert not AccessLogEntry.objects.exists()


def test_patient_not_available_is_a_404_kind_of_error():
    from django.core.exceptions import ObjectDoesNotExist

    assert issubclass(PatientNotAvailable, ObjectDoesNotExist)


# --- the patient's side ----------------------------------------------------------------------


def test_sharing_groups_links_and_hides_the_patients_own_pending_offers(
    physician, patient, clinic, other_clinic_physician
):
    active = GrantFactory(user=physician, patient=patient.record)
    asking = GrantFactory(
        user=other_clinic_physician, patient=patient.record, status="pending", responded_at=None
    )
    offered = PhysicianFactory()
    GrantFactory(
        user=offered,
        patient=patient.record,
        status="pending",
        initiated_by="patient",
        responded_at=None,
    )
    ended = GrantFactory(
        user=PhysicianFactory(),
        patient=patient.record,
        status="revoked",
        ended_at=timezone.now(),
    )

    sharing = selectors.sharing_for(patient=patient.record)

    assert [e.grant for e in sharing.active] == [active]
    assert sharing.active[0].title == "Dr. Grace House"
    assert sharing.active[0].clinics == ["Riverside Clinic"]
    assert [e.grant for e in sharing.requests] == [asking]
    assert sharing.requests[0].clinics == ["Hillside Clinic"]
    assert [e.grant for e in sharing.ended] == [ended]


def test_access_log_is_the_patients_own_newest_first(physician, patient, other_patient):
    GrantFactory(user=physician, patient=patient.record)
    GrantFactory(user=physician, patient=other_patient.record)
    open_record(physician, patient, "report page")
    open_record(physician, other_patient, "report page")
    open_record(physician, patient, "API: readings")

    log = list(selectors.access_log_for(patient=patient.record))

    assert [e.what for e in log] == ["API: readings", "report page"]


def test_offers_for_physician_lists_only_patients_offers(physician, patient, pending_offer):
    GrantFactory(user=physician, status="pending", responded_at=None)  # a request

    assert selectors.offers_for_physician(physician=physician) == [pending_offer]
    assert [o.patient_email for o in selectors.offers_for_physician(physician=physician)] == [
        patient.email
    ]
    assert selectors.offers_for_physician(physician=patient) == []


def test_links_to_answer_or_end_are_only_the_users_own(
    physician, patient, other_patient, pending_request, other_clinic_physician
):
    assert selectors.grant_to_answer(user=patient, grant_id=pending_request.pk)
    for user in (physician, other_patient, other_clinic_physician):  # asker, strangers
        with pytest.raises(PatientAccess.DoesNotExist):
            selectors.grant_to_answer(user=user, grant_id=pending_request.pk)
    with pytest.raises(PatientAccess.DoesNotExist):  # not active yet
        selectors.grant_to_end(user=patient, grant_id=pending_request.pk)
    with pytest.raises(PatientAccess.DoesNotExist):
        selectors.grant_to_answer(user=patient, grant_id="garbage")
