from datetime import date

import pytest
from django.urls import reverse

from accounts.models import MedicalProfile
from readings.models import Target

pytestmark = pytest.mark.django_db


def post(client, form, **fields):
    return client.post(
        reverse("accounts:profile"), {"form": form, **{f"{form}-{k}": v for k, v in fields.items()}}
    )


def test_profile_needs_sign_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_patient_sees_preferences_targets_and_medical_profile(client, patient):
    client.force_login(patient)

    html = client.get(reverse("accounts:profile")).content.decode()

    for label in (
        "Glucose unit",
        "Time zone",
        "Low target (mg/dL)",
        "Date of birth",
        "Diabetes type",
    ):
        assert label in html


def test_physician_sees_only_preferences(client, physician):
    client.force_login(physician)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert "Time zone" in html and "Low target" not in html and "Date of birth" not in html
    response = post(client, "targets", low="80", high="160")
    assert response.status_code == 302
    assert not Target.objects.exists()


def test_change_unit_and_time_zone(client, patient):
    client.force_login(patient)

    response = post(
        client,
        "preferences",
        first_name="Ada",
        last_name="L",
        unit="mmol/L",
        timezone="Asia/Kolkata",
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.first_name, patient.unit, patient.timezone) == ("Ada", "mmol/L", "Asia/Kolkata")


def test_unknown_time_zone_is_refused(client, patient):
    client.force_login(patient)

    response = post(client, "preferences", unit="mg/dL", timezone="Mars/Olympus_Mons")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    patient.refresh_from_db()
    assert patient.timezone == "UTC"


def test_targets_in_mmoll(client, patient):
    patient.unit = "mmol/L"
    patient.save()
    client.force_login(patient)

    post(client, "targets", low="4.4", high="8.0")

    target = Target.objects.get(owner=patient)
    assert (target.low_mgdl, target.high_mgdl) == (79, 144)
    html = client.get(reverse("accounts:profile")).content.decode()
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

    profile = MedicalProfile.objects.get(user=patient)
    assert (profile.date_of_birth, profile.diabetes_type) == (date(2012, 4, 1), "type_1")
    assert profile.age_on(date(2026, 3, 31)) == 13
    assert profile.age_on(date(2026, 4, 1)) == 14
    assert str(profile) == f"Medical profile {profile.pk}"


def test_birth_date_in_the_future_is_refused(client, patient):
    client.force_login(patient)

    response = post(client, "medical", date_of_birth="2999-01-01", diabetes_type="")

    assert "The date of birth is in the future." in response.content.decode()
    assert not MedicalProfile.objects.exists()
