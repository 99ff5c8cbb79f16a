"""/profile/: the login's own preferences (names, glucose unit). The health record's
settings (name, time zone, targets, medical profile) are on /record/, tested in
readings/tests/test_record_settings.py."""

import pytest
from django.urls import reverse

from readings.models import Target

pytestmark = pytest.mark.django_db


def post(client, form, **fields):
    return client.post(
        reverse("accounts:profile"), {"form": form, **{f"{form}-{k}": v for k, v in fields.items()}}
    )


def test_profile_needs_sign_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_patient_sees_preferences_and_a_link_to_the_record_settings(client, patient):
    client.force_login(patient)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert "Glucose unit" in html
    assert f'href="{reverse("readings:record")}"' in html


def test_physician_sees_only_preferences(client, physician):
    client.force_login(physician)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert "Glucose unit" in html
    assert "Time zone" not in html and "Low target" not in html and "Date of birth" not in html
    assert f'href="{reverse("readings:record")}"' not in html
    post(client, "targets", low="80", high="160")
    assert not Target.objects.exists()


def test_change_names_and_unit(client, patient):
    client.force_login(patient)

    response = post(client, "preferences", first_name="Ada", last_name="L", unit="mmol/L")

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name, patient.unit) == ("Ada", "L", "mmol/L")


def test_unknown_unit_is_refused(client, patient):
    client.force_login(patient)

    response = post(client, "preferences", first_name="Ada", unit="mg/L")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    patient.refresh_from_db()
    assert (patient.first_name, patient.unit) == ("Pat", "mg/dL")
