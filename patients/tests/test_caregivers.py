"""A family looks after records: caregivers make them, invite a second parent and a
grandparent, switch between children, hand a record over; deleting follows who looks
after what."""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import roles
from accounts.models import User
from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory
from patients import data, grants, invitations, services
from patients.models import Invitation, Patient, PatientAccess
from patients.tests.factories import PatientFactory
from readings.models import Reading
from readings.tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(db):
    return UserFactory(email="parent@example.org", first_name="Sam", roles=[PATIENTS])


@pytest.fixture
def mia(parent):
    return services.patient_create_for_caregiver(
        user=parent, display_name="Mia", timezone_name="Europe/Paris"
    )


def grant_on(user, record, role):
    return PatientAccess.objects.create(
        user=user, patient=record, role=role, status="active", initiated_by="patient"
    )


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)


def test_signing_up_for_someone_else_only_makes_no_record_of_ones_own(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "carer@example.org",
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "records_for": "someone_else",
        },
    )
    user = User.objects.get(email="carer@example.org")
    assert not PatientAccess.objects.filter(user=user).exists()
    EmailAddress.objects.filter(user=user).update(verified=True)
    roles.grant_role(user, roles.PATIENTS)  # what confirming the address does
    client.force_login(user)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("patients:record-create")


def test_a_caregiver_makes_two_records_and_switches_between_them(client, parent):
    client.force_login(parent)
    for name in ("Mia", "Leo"):
        response = client.post(
            reverse("patients:record-create"),
            {"display_name": name, "timezone": "Europe/Paris", "diabetes_type": "type_1"},
        )
        assert response.status_code == 302
    mia, leo = Patient.objects.get(display_name="Mia"), Patient.objects.get(display_name="Leo")
    assert {g.role for g in PatientAccess.objects.filter(user=parent)} == {"caregiver"}
    ReadingFactory(patient=mia, notes="MIA-NOTE")
    ReadingFactory(patient=leo, notes="LEO-NOTE")

    page = client.get(reverse("readings:list")).content.decode()  # the last one made
    assert "LEO-NOTE" in page and "MIA-NOTE" not in page and 'id="record-switch"' in page
    client.post(reverse("patients:record-switch"), {"record": mia.pk, "next": "/readings/"})
    page = client.get(reverse("readings:list")).content.decode()
    assert "MIA-NOTE" in page and "LEO-NOTE" not in page
    assert "Record:" in page and "<strong>Mia</strong>" in page


def test_someone_with_one_record_never_sees_the_switcher(client, patient):
    client.force_login(patient)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="record-switch"' not in page and "Record:" in page


def test_switching_to_a_record_one_has_no_access_to_is_a_404(client, parent, mia, other_patient):
    client.force_login(other_patient)
    response = client.post(reverse("patients:record-switch"), {"record": mia.pk})
    assert response.status_code == 404


def test_inviting_a_known_and_an_unknown_email_answers_the_same(client, parent, mia):
    UserFactory(email="known@example.org")
    client.force_login(parent)
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        response = client.post(
            reverse("patients:invite"),
            {"invite-email": email, "invite-role": "caregiver"},
            follow=True,
        )
        text = response.content.decode().replace(email, "EMAIL")
        answers.append(re.search(r"An invitation is on its way to EMAIL[^<]*", text).group(0))
    assert answers[0] == answers[1]
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "unknown@example.org"]


def test_an_invitee_without_an_account_makes_one_and_becomes_caregiver(client, parent, mia):
    invitations.invitation_send(
        patient=mia, by=parent, email="second@example.org", role="caregiver", base_url="http://t/"
    )
    link = link_in(mail.outbox[-1])

    page = client.get(link).content.decode()
    assert "Make your BGT account to accept" in page
    response = client.post(
        link,
        {"answer": "accept", "password1": "another-long-pass", "password2": "another-long-pass"},
    )

    assert response.status_code == 302
    second = User.objects.get(email="second@example.org")
    assert EmailAddress.objects.get(user=second).verified
    grant = PatientAccess.objects.get(user=second, patient=mia)
    assert (grant.role, grant.status) == ("caregiver", "active")
    assert Invitation.objects.get().status == "accepted"
    assert mail.outbox[-1].to == ["parent@example.org"]  # the inviter is told
    assert client.get(link).status_code == 404  # a used link is spent


def test_a_known_invitee_must_sign_in_with_the_invited_email(client, parent, mia, patient):
    invitations.invitation_send(patient=mia, by=parent, email=patient.email, role="follower")
    link = link_in(mail.outbox[-1]) if "http" in mail.outbox[-1].body else None
    invitation = Invitation.objects.get()
    other = UserFactory(email="someone@example.org")
    with pytest.raises(ValidationError, match="sign in with that address"):
        invitations.invitation_accept(invitation=invitation, user=other)
    grant = invitations.invitation_accept(invitation=invitation, user=patient)
    assert (grant.role, grant.status) == ("follower", "active")
    assert link is None or link.startswith("/invitations/")


def test_only_who_may_share_can_invite(parent, mia):
    follower = UserFactory(email="grandma@example.org")
    PatientAccess.objects.create(
        user=follower, patient=mia, role="follower", status="active", initiated_by="patient"
    )
    with pytest.raises(ValidationError):
        invitations.invitation_send(
            patient=mia, by=follower, email="x@example.org", role="follower"
        )
    assert not Invitation.objects.exists()


def test_nobody_can_remove_the_records_own_login_but_it_can_remove_anyone(patient):
    carer = UserFactory(email="carer@example.org")
    carer_grant = PatientAccess.objects.create(
        user=carer,
        patient=patient.record,
        role="caregiver",
        status="active",
        initiated_by="patient",
    )
    own = PatientAccess.objects.get(user=patient, role="self")
    with pytest.raises(ValidationError, match="Nobody can remove"):
        services.grant_revoke(grant=own, by=carer)
    services.grant_revoke(grant=carer_grant, by=patient)
    carer_grant.refresh_from_db()
    assert carer_grant.status == "revoked"


def test_a_hand_over_makes_the_grown_up_the_records_own_login(client, parent, mia):
    ReadingFactory(patient=mia, notes="MIA-NOTE")
    invitations.invitation_send(
        patient=mia, by=parent, email="mia@example.org", role="self", base_url="http://t/"
    )
    link = link_in(mail.outbox[-1])
    client.post(
        link, {"answer": "accept", "password1": "mias-own-pass-1", "password2": "mias-own-pass-1"}
    )

    mia_login = User.objects.get(email="mia@example.org")
    assert PatientAccess.objects.get(patient=mia, role="self").user == mia_login
    assert PatientAccess.objects.get(user=parent, patient=mia).status == "active"  # stays
    assert "MIA-NOTE" in client.get(reverse("readings:list")).content.decode()
    with pytest.raises(ValidationError, match="already has its own login"):
        invitations.invitation_send(patient=mia, by=parent, email="x@example.org", role="self")


def test_a_hand_over_can_end_the_caregivers_access(parent, mia):
    invitations.invitation_send(
        patient=mia, by=parent, email="mia@example.org", role="self", keep_caregivers=False
    )
    grown_up = UserFactory(email="mia@example.org")
    invitations.invitation_accept(invitation=Invitation.objects.get(), user=grown_up)
    assert PatientAccess.objects.get(user=parent, patient=mia).status == "revoked"


def test_deleting_a_login_deletes_the_records_it_alone_looks_after(parent, mia):
    leo = services.patient_create_for_caregiver(user=parent, display_name="Leo")
    second = UserFactory(email="second@example.org")
    PatientAccess.objects.create(
        user=second, patient=leo, role="caregiver", status="active", initiated_by="patient"
    )
    ReadingFactory(patient=mia)
    ReadingFactory(patient=leo)
    summary = data.account_summary(user=parent)
    assert [r.display_name for r in summary.records] == ["Mia"]
    assert [r.display_name for r in summary.kept_records] == ["Leo"]

    data.account_delete(user=parent)

    assert not Patient.objects.filter(pk=mia.pk).exists()
    assert not Reading.objects.filter(patient=mia.pk).exists()
    assert (
        Patient.objects.filter(pk=leo.pk).exists() and Reading.objects.filter(patient=leo).exists()
    )


def test_the_confirmation_names_the_records_that_go(client, parent, mia, password):
    client.force_login(parent)
    page = client.get(reverse("patients:account-delete")).content.decode()
    assert "the health record <strong>Mia</strong>" in page


def test_a_record_is_deleted_by_its_caregiver_only_when_it_has_no_own_login(
    client, parent, mia, patient
):
    client.force_login(parent)
    assert client.post(reverse("patients:record-delete")).status_code == 302
    assert not Patient.objects.filter(pk=mia.pk).exists()
    carer = UserFactory(email="carer@example.org", roles=[PATIENTS])
    PatientAccess.objects.create(
        user=carer,
        patient=patient.record,
        role="caregiver",
        status="active",
        initiated_by="patient",
    )
    client.force_login(carer)
    assert client.post(reverse("patients:record-delete")).status_code == 403
    assert Patient.objects.filter(pk=patient.record.pk).exists()


def test_a_caregivers_export_holds_the_records_they_look_after_marked_as_such(parent, mia, patient):
    ReadingFactory(patient=mia, value_mgdl=171)
    document = json.loads("".join(data.account_data_export(user=parent)))
    (record,) = document["records"]
    assert record["your_role"] == "caregiver"
    assert record["record"]["display_name"] == "Mia"
    assert [r["value_mgdl"] for r in record["readings"]] == [171]
    own = json.loads("".join(data.account_data_export(user=patient)))
    assert [r["your_role"] for r in own["records"]] == ["self"]


def test_a_caregiver_can_offer_a_physician_access(parent, mia, physician):
    grant = grants.physician_access_offer(patient=mia, by=parent, physician_email=physician.email)
    assert (grant.user, grant.patient, grant.status) == (physician, mia, "pending")
    grants.physician_access_accept(grant=grant, by=physician)
    grant.refresh_from_db()
    assert grant.status == "active"


def test_a_followers_post_to_add_a_reading_is_refused(client, mia):
    follower = PatientFactory(email="grandpa@example.org")  # also has a record of his own
    PatientAccess.objects.create(
        user=follower, patient=mia, role="follower", status="active", initiated_by="patient"
    )
    client.force_login(follower)
    client.post(reverse("patients:record-switch"), {"record": mia.pk})
    page = client.get(reverse("readings:list")).content.decode()
    assert "Add a reading" not in page and "read-only" in page
    response = client.post(reverse("readings:create"), {"value": "120"})
    assert response.status_code == 403
    assert not Reading.objects.filter(patient=mia).exists()


def test_a_caregiver_starts_recording_their_own_diabetes_from_the_profile(client, parent, mia):
    client.force_login(parent)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Start recording my own diabetes" in profile and "Mia" in profile

    response = client.post(reverse("patients:record-own"))

    assert response.status_code == 302
    own = PatientAccess.objects.get(user=parent, role="self").patient
    assert own.timezone == "Europe/Paris"  # the zone of the record they already keep
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Your dashboard" in page and 'id="record-switch"' in page
    assert (
        "Start recording my own diabetes"
        not in client.get(reverse("accounts:profile")).content.decode()
    )


def test_the_last_caregiver_cannot_leave_a_record_without_a_login(client, parent, mia):
    grant = PatientAccess.objects.get(user=parent, patient=mia)
    with pytest.raises(ValidationError, match="last person looking after"):
        services.grant_revoke(grant=grant, by=parent)
    second = UserFactory(email="second@example.org")
    grant_on(second, mia, "caregiver")
    services.grant_revoke(grant=grant, by=parent)  # now someone else looks after Mia
    grant.refresh_from_db()
    assert grant.status == "revoked"
