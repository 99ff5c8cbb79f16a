import gzip
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from readings.models import Kind
from readings.services import reading_create

pytestmark = pytest.mark.django_db

GZIP = {"accept-encoding": "gzip, deflate, br"}


@pytest.fixture
def day_of_cgm(patient):
    now = timezone.now()
    for n in range(60):
        reading_create(
            patient=patient.record,
            value_mgdl=100 + n,
            taken_at=now - timedelta(minutes=5 * n),
            kind=Kind.CGM,
        )
    return patient


def test_api_json_is_gzipped_for_a_client_that_accepts_it(client, day_of_cgm):
    client.force_login(day_of_cgm)
    url = "/api/v1/entries/sgv.json?count=60"

    plain = client.get(url)
    packed = client.get(url, headers=GZIP)

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(packed.content) < len(plain.content) / 3


def test_pages_are_gzipped_too(client, day_of_cgm):
    client.force_login(day_of_cgm)

    page = client.get(reverse("reports:dashboard"), headers=GZIP)

    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(page.content)


def test_a_page_showing_a_new_secret_is_never_compressed(client, patient):
    # BREACH: a one-time secret is not sent compressed (core/compression.py).
    client.force_login(patient)

    page = client.post(reverse("nightscout:secret-rotate"), headers=GZIP)

    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in page
    assert b"</html>" in page.content
