"""The record's device upload secret: made, rotated, revoked."""

import pytest

from integrations.nightscout import credentials

pytestmark = pytest.mark.django_db


def test_upload_secret_rotation_replaces_the_previous_secret(patient):
    import hashlib

    first = credentials.upload_secret_rotate(patient=patient.record)
    second = credentials.upload_secret_rotate(patient=patient.record)

    def record_of(secret):
        return credentials.upload_secret_record(
            api_secret_sha1_hex=hashlib.sha1(secret.encode(), usedforsecurity=False).hexdigest()
        )

    assert len(first) >= 12 and first != second
    assert record_of(first) is None
    assert record_of(second) == patient.record
    credentials.upload_secret_revoke(patient=patient.record)
    assert record_of(second) is None
