"""/record/ (readings:record): the settings of the signed-in patient's own health record: its
name and time zone, the target range and the medical profile (moved from /profile/)."""

from datetime import date

import pytest
from django.urls import reverse

from readings.models import Target

pytestmark = pytest.mark.django_db

URL = "/record/"


def post(client, form, **fields):
    return client.post(
        reverse("readings:record"),
        {"form": form, **{f"{form}-{k}": v for k, v in fields.items()}},
    )


def test_the_url_is_unchanged():
    assert reverse("readings:record") == URL


def test_record_settings_need_sign_in(client):
    for response in (client.get(URL), post(client, "targets", low="80", high="160")):
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not Target.objects.exists()


def test_patient_sees_time_zone_targets_and_medical_profile(client, patient):
    client.force_login(patient)

    html = client.get(URL).content.decode()

    for label in (
        "Time zone",
        "Low target (mg/dL)",
        "Date of birth",
        "Diabetes type",
    ):
        assert label in html


def test_physician_has_no_record_settings(client, physician):
    client.force_login(physician)

    assert client.get(URL).status_code == 403
    response = post(client, "targets", low="80", high="160")
    assert response.status_code == 403
    assert not Target.objects.exists()


def test_change_time_zone(client, patient):
    client.force_login(patient)

    response = post(client, "record", display_name="Pat Ient", timezone="Asia/Kolkata")

    assert response.status_code == 302
    patient.record.refresh_from_db()
    assert (patient.record.display_name, patient.record.timezone) == ("Pat Ient", "Asia/Kolkata")


def test_unknown_time_zone_is_refused(client, patient):
    client.force_login(patient)

    response = post(client, "record", display_name="Pat Ient", timezone="Mars/Olympus_Mons")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    patient.record.refresh_from_db()
    assert patient.record.timezone == "UTC"


def test_targets_in_mmoll(client, patient):
    patient.unit = "mmol/L"
    patient.save()
    client.force_login(patient)

    post(client, "targets", low="4.4", high="8.0")

    target = Target.objects.get(patient=patient.record)
    assert (target.low_mgdl, target.high_mgdl) == (79, 144)
    html = client.get(URL).content.decode()
    assert 'value="4.4"' in html and 'value="8.0"' in html


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        ("180", "180", "The high target must be above the low target."),
        ("200", "100", "The high target must be above the low target."),
        ("10", "180", "Enter a value between 20 and 600 mg/dL."),
        ("low", "180", "Enter a number."),
    ],
)
def test_bad_targets_get_a_message_and_nothing_is_saved(client, patient, low, high, message):
    client.force_login(patient)

    response = post(client, "targets", low=low, high=high)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Target.objects.exists()


def test_medical_profile(client, patient):
    client.force_login(patient)

    post(client, "medical", date_of_birth="2012-04-01", diabetes_type="type_1")

    record = patient.record
    record.refresh_from_db()
    assert (record.date_of_birth, record.diabetes_type) == (date(2012, 4, 1), "type_1")
    assert record.age_on(date(2026, 3, 31)) == 13
    assert record.age_on(date(2026, 4, 1)) == 14
    assert str(record) == "Pat Ient"  # the name only, never a medical value (admin prints it)


def test_birth_date_in_the_future_is_refused(client, patient):
    client.force_login(patient)

    response = post(client, "medical", date_of_birth="2999-01-01", diabetes_type="")

    assert "The date of birth is in the future." in response.content.decode()
    patient.record.refresh_from_db()
    assert patient.record.date_of_birth is None
