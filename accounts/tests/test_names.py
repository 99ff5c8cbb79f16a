"""Security issue, finding 15: names are one line of plain text.

Names reach emails sent to other people (a physician's title in a patient's mail, a
record's name in a caregiver's), so a line break lets their author write paragraphs of
their own into BGT's mail; bidi and zero-width characters disguise text. Every way a
name comes in refuses them: the profile page, the /me API, admin, and a record's name.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.test_admin import ADMIN_KINDS, make_admin
from core.text import one_line, validate_name
from patients.grants import physician_access_request
from patients.models import Patient

pytestmark = pytest.mark.django_db

INJECTED = "House\n\nYour account is locked. Confirm your password at https://evil.example"
BAD_NAMES = [
    INJECTED,
    "Pat\rIent",
    "Pat\tIent",
    "Pat\u2028Ient",  # line separator
    "Pat\u202eexe.gpj",  # right-to-left override
    "Pat\u200bIent",  # zero-width space
    "Pat\x07",  # bell
    "see www.evil.example",
]
GOOD_NAMES = ["Zoë O'Brien-Łukasiewicz", "محمد", "نیما\u200cرضایی", "李小龙", "José María", ""]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_profile_page_refuses_a_name_that_is_not_one_line(client, patient, name):
    client.force_login(patient)

    response = client.post(
        reverse("accounts:profile"),
        {
            "preferences-first_name": name,
            "preferences-last_name": "Ient",
            "preferences-unit": "mg/dL",
        },
    )

    assert response.status_code == 200
    assert "A name cannot contain" in response.content.decode()
    assert User.objects.get(pk=patient.pk).first_name == "Pat"


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_in_any_script_are_kept(client, patient, name):
    client.force_login(patient)

    response = client.post(
        reverse("accounts:profile"),
        {"preferences-first_name": name, "preferences-last_name": "", "preferences-unit": "mg/dL"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=patient.pk).first_name == name.strip()


@pytest.mark.parametrize("name", [INJECTED, "Pat\u202eIent"])
def test_the_me_api_refuses_such_a_name(patient, name):
    client = APIClient()
    client.force_authenticate(patient)

    response = client.patch("/api/v1/me/", {"last_name": name}, format="json")

    assert response.status_code == 400
    assert "last_name" in response.json()
    assert User.objects.get(pk=patient.pk).last_name == "Ient"


@pytest.mark.parametrize("kind", ADMIN_KINDS)
def test_admin_refuses_such_a_name(client, patient, kind):
    client.force_login(make_admin(kind))

    response = client.post(
        reverse("admin:accounts_user_change", args=[patient.pk]),
        {
            "email": patient.email,
            "first_name": INJECTED,
            "last_name": "Ient",
            "is_active": "on",
            "groups": [g.pk for g in patient.groups.all()],
        },
    )

    assert response.status_code == 200
    assert "A name cannot contain" in response.content.decode()


def test_a_new_records_name_is_one_line(client, patient):
    client.force_login(patient)
    before = Patient.objects.count()

    response = client.post(
        reverse("patients:record-create"),
        {"display_name": "Kid\nClick https://evil.example", "timezone": "UTC"},
    )

    assert response.status_code == 200
    assert "A name cannot contain" in response.content.decode()
    assert Patient.objects.count() == before


def test_a_name_stored_before_the_check_reaches_mail_on_one_line(patient, physician):
    User.objects.filter(pk=physician.pk).update(last_name=INJECTED)  # as if stored long ago
    physician.refresh_from_db()
    mail.outbox.clear()

    physician_access_request(physician=physician, patient_email=patient.email)

    (message,) = [m for m in mail.outbox if m.to == [patient.email]]
    line = next(line for line in message.body.splitlines() if "Dr. Grace House" in line)
    assert "Your account is locked" in line  # the text stays on the name's own line
    assert "\n\nYour account is locked" not in message.body


def test_validate_name_and_one_line_agree():
    for name in BAD_NAMES:
        with pytest.raises(ValidationError):
            validate_name(name)
    for name in BAD_NAMES[1:-1]:  # control characters only: what one_line leaves is valid
        validate_name(one_line(name))
    for name in GOOD_NAMES:
        validate_name(name)
        assert one_line(name) == name


def test_names_stored_before_the_check_reach_invitation_mail_on_one_line(patient):
    from patients import invitations

    record = patient.record
    Patient.objects.filter(pk=record.pk).update(display_name="Mia" + INJECTED)
    User.objects.filter(pk=patient.pk).update(first_name="Ann" + INJECTED)
    record.refresh_from_db()
    patient.refresh_from_db()
    mail.outbox.clear()

    invitations.invitation_send(
        patient=record, by=patient, email="gran@example.org", role="follower"
    )

    (message,) = mail.outbox
    assert "\n" not in message.subject
    assert "\n\nYour account is locked" not in message.body
    line = next(line for line in message.body.splitlines() if "invites you" in line)
    assert line.count("Your account is locked") == 2  # both names, each kept on this line
