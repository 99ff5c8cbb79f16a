"""Security issue, finding 11: the account export does not tell whether an email is a
BGT patient's or a physician's.

A physician's request to an email that is not a patient's makes no grant, one to a
patient's makes a pending grant; the roster never lists the physician's own pending
requests, but /profile/data.json did, so a physician could ask for any email and read
the answer in their export. The same for a record's unanswered offers to a physician.
Answered grants (active, declined, revoked) stay in both exports: the other person
answered, and the pages say so.
"""

import json

import pytest

from patients.grants import (
    physician_access_accept,
    physician_access_offer,
    physician_access_request,
)

pytestmark = pytest.mark.django_db


def export_of(client, user) -> dict:
    client.force_login(user)
    response = client.get("/profile/data.json")
    return json.loads(b"".join(response.streaming_content))


def test_a_physicians_export_is_the_same_whether_the_email_was_a_patients_or_not(
    client, patient, physician
):
    before = export_of(client, physician)["account"]["grants_held"]

    physician_access_request(physician=physician, patient_email=patient.email)
    physician_access_request(physician=physician, patient_email="nobody@example.org")
    after = export_of(client, physician)["account"]["grants_held"]

    assert before == after == []


def test_a_records_export_does_not_tell_whether_an_offered_email_is_a_physicians(
    client, patient, physician
):
    offer = physician_access_offer(
        patient=patient.record, by=patient, physician_email=physician.email
    )
    assert offer is not None  # the offer was made: the physician's side can answer it

    (record,) = export_of(client, patient)["records"]
    roles = [grant["role"] for grant in record["access_grants"]]

    assert roles == ["self"]


def test_answered_grants_are_in_both_exports(client, patient, physician):
    request = physician_access_request(physician=physician, patient_email=patient.email)
    physician_access_accept(grant=request, by=patient)

    held = export_of(client, physician)["account"]["grants_held"]
    (record,) = export_of(client, patient)["records"]

    assert [(g["role"], g["status"]) for g in held] == [("physician", "active")]
    assert sorted(g["role"] for g in record["access_grants"]) == ["physician", "self"]


def test_offers_made_to_a_physician_are_in_the_physicians_export(client, patient, physician):
    """The physician sees those on the roster page, so their export lists them too."""
    physician_access_offer(patient=patient.record, by=patient, physician_email=physician.email)

    held = export_of(client, physician)["account"]["grants_held"]

    assert [(g["status"], g["initiated_by"]) for g in held] == [("pending", "patient")]


def test_deleting_the_account_still_deletes_unanswered_requests(client, physician, patient):
    from patients.data import account_delete
    from patients.models import PatientAccess

    physician_access_request(physician=physician, patient_email=patient.email)

    account_delete(user=physician)

    assert not PatientAccess.objects.filter(role="physician").exists()
