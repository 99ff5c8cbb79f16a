"""The API's throttles on the Nightscout paths count each record's devices apart."""

import hashlib

import pytest
from rest_framework.test import APIClient

from integrations.nightscout.credentials import upload_secret_rotate

pytestmark = pytest.mark.django_db


def device_of(record) -> APIClient:
    secret = upload_secret_rotate(patient=record)
    client = APIClient()
    client.credentials(HTTP_API_SECRET=hashlib.sha1(secret.encode()).hexdigest())  # noqa: S324
    return client


@pytest.fixture
def two_a_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/minute", "anon": "60/minute"},
    }


def test_each_records_devices_are_throttled_on_their_own(two_a_minute, patient, other_patient):
    mine, theirs = device_of(patient.record), device_of(other_patient.record)
    assert [mine.get("/api/v1/entries.json").status_code for _ in range(3)] == [200, 200, 429]
    # Another record's uploader from the same address is not held back by this one.
    assert theirs.get("/api/v1/entries.json").status_code == 200


def test_a_signed_in_person_counts_per_login(two_a_minute, patient, other_patient):
    me, them = APIClient(), APIClient()
    me.force_authenticate(patient)
    them.force_authenticate(other_patient)
    assert [me.get("/api/v1/entries.json").status_code for _ in range(3)] == [200, 200, 429]
    assert them.get("/api/v1/entries.json").status_code == 200
