"""The consent flow, both ways, through patients.grants: who may do what, what each step
stores, who is emailed, and that unknown emails reveal nothing."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.tests.factories import AdministratorFactory, UserFactory
from clinic.tests import conftest as clinic_fixtures
from patients import grants
from patients.models import PatientAccess
from patients.selectors import PatientNotAvailable, patient_for
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# The clinic tests' fixtures: the physician's clinic and their active grant on the record.
clinic = clinic_fixtures.clinic
active_link = clinic_fixtures.active_link

Status = PatientAccess.Status


def physician_grants():
    """The physician grants (the links of the consent flow), not the records' own logins."""
    return PatientAccess.objects.filter(role=PatientAccess.Role.PHYSICIAN)


def can_see(physician, patient) -> bool:
    try:
        patient_for(user=physician, patient_id=patient.record.pk)
    except PatientNotAvailable:
        return False
    return True


def test_request_then_accept_grants_access_and_tells_each_side(physician, patient):
    link = grants.physician_access_request(
        physician=physician,
        patient_email=" Patient@Example.org ",
        mrn="MRN-77",
        base_url="https://bgt.example/",
    )

    assert link.status == Status.PENDING and link.initiated_by == "physician"
    assert link.mrn == "MRN-77"
    assert not can_see(physician, patient)
    assert [m.to for m in mail.outbox] == [["patient@example.org"]]
    assert "Dr. Grace House" in mail.outbox[0].subject
    assert "https://bgt.example/sharing/" in mail.outbox[0].body

    grants.physician_access_accept(grant=link, by=patient, base_url="https://bgt.example/")

    link.refresh_from_db()
    assert link.status == Status.ACTIVE and link.responded_at is not None
    assert can_see(physician, patient)
    assert mail.outbox[-1].to == ["doctor@example.org"]
    assert "accepted" in mail.outbox[-1].subject
    assert "https://bgt.example/clinic/" in mail.outbox[-1].body


def test_offer_then_accept_grants_access_and_the_physician_may_add_an_mrn(physician, patient):
    link = grants.physician_access_offer(
        patient=patient.record, by=patient, physician_email="DOCTOR@example.org"
    )

    assert link.status == Status.PENDING and link.initiated_by == "patient"
    assert mail.outbox[-1].to == ["doctor@example.org"]
    assert "Pat Ient" in mail.outbox[-1].subject
    assert not can_see(physician, patient)

    grants.physician_access_accept(grant=link, by=physician, mrn="  A-12 ")

    link.refresh_from_db()
    assert (link.status, link.mrn) == (Status.ACTIVE, "A-12")
    assert can_see(physician, patient)
    assert mail.outbox[-1].to == ["patient@example.org"]
    assert "accepted your offer" in mail.outbox[-1].subject


def test_only_the_other_side_can_accept_or_decline(physician, patient, other_patient):
    request = grants.physician_access_request(physician=physician, patient_email=patient.email)

    for by in (physician, other_patient):
        with pytest.raises(ValidationError):
            grants.physician_access_accept(grant=request, by=by)
        with pytest.raises(ValidationError):
            grants.physician_access_decline(grant=request, by=by)
    request.refresh_from_db()
    assert request.status == Status.PENDING

    offer = grants.physician_access_offer(
        patient=other_patient.record, by=other_patient, physician_email=physician.email
    )
    with pytest.raises(ValidationError, match="Only the physician"):
        grants.physician_access_accept(grant=offer, by=other_patient)


def test_decline_ends_the_request_and_tells_the_physician(physician, patient):
    link = grants.physician_access_request(physician=physician, patient_email=patient.email)

    grants.physician_access_decline(grant=link, by=patient)

    link.refresh_from_db()
    assert (link.status, link.ended_by) == (Status.DECLINED, "patient")
    assert link.ended_at is not None
    assert not can_see(physician, patient)
    assert mail.outbox[-1].to == ["doctor@example.org"]
    assert "declined" in mail.outbox[-1].subject
    with pytest.raises(ValidationError, match="no longer pending"):
        grants.physician_access_accept(grant=link, by=patient)


def test_a_physician_declines_an_offer(physician, patient):
    link = grants.physician_access_offer(
        patient=patient.record, by=patient, physician_email=physician.email
    )

    grants.physician_access_decline(grant=link, by=physician)

    assert link.status == Status.DECLINED
    assert mail.outbox[-1].to == ["patient@example.org"]
    assert "declined your offer" in mail.outbox[-1].subject


@pytest.mark.parametrize("side", ["patient", "physician"])
def test_either_side_revokes_and_access_ends_at_once(physician, patient, active_link, side):
    assert can_see(physician, patient)
    by = patient if side == "patient" else physician

    grants.physician_access_revoke(grant=active_link, by=by)

    active_link.refresh_from_db()
    assert (active_link.status, active_link.ended_by) == (Status.REVOKED, side)
    assert not can_see(physician, patient)  # the very next call, no cache
    other = physician if side == "patient" else patient
    assert [m.to for m in mail.outbox] == [[other.email]]
    if side == "patient":
        assert "stopped sharing" in mail.outbox[0].body
    else:
        assert "removed you from their roster" in mail.outbox[0].body


def test_an_administrator_can_end_a_link_and_both_sides_are_told(physician, patient, active_link):
    grants.physician_access_revoke(grant=active_link, by=AdministratorFactory())

    assert active_link.status == Status.REVOKED and active_link.ended_by == "administrator"
    assert sorted(m.to[0] for m in mail.outbox) == ["doctor@example.org", "patient@example.org"]


def test_a_stranger_cannot_revoke(physician, patient, other_patient, active_link):
    with pytest.raises(ValidationError):
        grants.physician_access_revoke(grant=active_link, by=other_patient)

    active_link.refresh_from_db()
    assert active_link.status == Status.ACTIVE


def test_revoking_twice_changes_nothing_and_sends_one_email(patient, active_link):
    grants.physician_access_revoke(grant=active_link, by=patient)
    ended_at = active_link.ended_at

    grants.physician_access_revoke(grant=active_link, by=patient)

    assert active_link.ended_at == ended_at
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "email",
    [
        "nobody@example.org",  # no account
        "doctor2@example.org",  # a physician, not a patient
        "plain@example.org",  # an account without a role
        "inactive@example.org",  # a deactivated patient
        "doctor@example.org",  # oneself
    ],
)
def test_a_request_to_an_email_that_is_not_a_patient_sends_nothing(physician, email):
    from accounts.tests.factories import PhysicianFactory

    PhysicianFactory(email="doctor2@example.org")
    UserFactory(email="plain@example.org")
    PatientFactory(email="inactive@example.org", is_active=False)

    assert grants.physician_access_request(physician=physician, patient_email=email) is None

    assert mail.outbox == []
    assert not physician_grants().exists()


@pytest.mark.parametrize("email", ["nobody@example.org", "other@example.org"])
def test_an_offer_to_an_email_that_is_not_a_physician_sends_nothing(patient, other_patient, email):
    assert (
        grants.physician_access_offer(patient=patient.record, by=patient, physician_email=email)
        is None
    )

    assert mail.outbox == []
    assert not physician_grants().exists()


def test_only_physicians_request_and_only_patients_offer(physician, patient, other_patient):
    with pytest.raises(ValidationError):
        grants.physician_access_request(physician=other_patient, patient_email=patient.email)
    from accounts.tests.factories import PhysicianFactory

    offered = PhysicianFactory(email="doctor2@example.org")
    # Only the record's side offers: not a physician, nor another record's patient.
    for by in (physician, other_patient):
        with pytest.raises(ValidationError):
            grants.physician_access_offer(
                patient=patient.record, by=by, physician_email=offered.email
            )
    assert not physician_grants().exists()


def test_a_repeated_request_opens_no_second_link_and_sends_no_second_email(physician, patient):
    first = grants.physician_access_request(physician=physician, patient_email=patient.email)
    again = grants.physician_access_request(physician=physician, patient_email=patient.email)

    assert again.pk == first.pk
    assert physician_grants().count() == 1
    assert len(mail.outbox) == 1


def test_a_request_to_a_patient_already_on_the_roster_changes_nothing(
    physician, patient, active_link
):
    again = grants.physician_access_request(physician=physician, patient_email=patient.email)

    assert again.pk == active_link.pk and again.status == Status.ACTIVE
    assert physician_grants().count() == 1 and mail.outbox == []


def test_asking_back_accepts_what_the_other_side_asked(physician, patient):
    offer = grants.physician_access_offer(
        patient=patient.record, by=patient, physician_email=physician.email
    )

    result = grants.physician_access_request(
        physician=physician, patient_email=patient.email, mrn="B-7"
    )

    assert result.pk == offer.pk
    assert (result.status, result.mrn) == (Status.ACTIVE, "B-7")
    assert physician_grants().count() == 1
    assert mail.outbox[-1].to == ["patient@example.org"]


def test_a_racing_second_insert_is_refused_by_the_database(physician, patient):
    """Two requests that both looked before either inserted: the partial unique index lets
    one in and the loser gets the winner's link (no second open link, no second email)."""
    first, created = grants._create(physician, patient.record, initiated_by="physician", mrn="")
    second, created_again = grants._create(
        physician, patient.record, initiated_by="physician", mrn=""
    )

    assert created and not created_again
    assert second.pk == first.pk
    assert physician_grants().count() == 1


def test_accepting_twice_is_a_no_op_and_a_new_link_may_follow_an_ended_one(physician, patient):
    link = grants.physician_access_request(physician=physician, patient_email=patient.email)
    grants.physician_access_accept(grant=link, by=patient)
    sent = len(mail.outbox)

    grants.physician_access_accept(grant=link, by=patient)
    assert len(mail.outbox) == sent

    grants.physician_access_revoke(grant=link, by=patient)
    fresh = grants.physician_access_request(physician=physician, patient_email=patient.email)
    assert fresh.pk != link.pk and fresh.status == Status.PENDING
    assert list(physician_grants().order_by("created_at").values_list("status", flat=True)) == [
        Status.REVOKED,
        Status.PENDING,
    ]


def test_a_revoked_link_cannot_be_accepted_again(physician, patient):
    link = grants.physician_access_request(physician=physician, patient_email=patient.email)
    grants.physician_access_revoke(grant=link, by=physician)  # withdrawn before an answer

    with pytest.raises(ValidationError):
        grants.physician_access_accept(grant=link, by=patient)
    assert not can_see(physician, patient)
    assert "withdrew their request" in mail.outbox[-1].body


def test_an_overlong_mrn_is_refused_with_a_clear_message(physician, patient):
    with pytest.raises(ValidationError, match="at most 64 characters"):
        grants.physician_access_request(
            physician=physician, patient_email=patient.email, mrn="X" * 65
        )
    assert not physician_grants().exists()


def test_emails_carry_no_medical_value(physician, patient):
    from patients.services import patient_update
    from readings.tests.factories import ReadingFactory

    ReadingFactory(patient=patient.record, value_mgdl=487, notes="SENTINEL-NOTE")
    patient_update(patient=patient.record, date_of_birth=None, diabetes_type="type_1")
    link = grants.physician_access_request(
        physician=physician, patient_email=patient.email, mrn="MRN-SENTINEL-42"
    )
    grants.physician_access_accept(grant=link, by=patient)
    grants.physician_access_revoke(grant=link, by=patient)

    for message in mail.outbox:
        text = message.subject + message.body
        for sentinel in ("487", "SENTINEL-NOTE", "MRN-SENTINEL-42", "Type 1"):
            assert sentinel not in text
