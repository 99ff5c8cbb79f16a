"""The latest entries kept in the serving process (integrations.nightscout.latest): served
again only while the record's change counter and the 4-day window say they are the answer."""

import gzip
import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.nightscout import latest
from integrations.nightscout.credentials import upload_secret_rotate
from readings import services
from readings.models import Kind

pytestmark = pytest.mark.django_db

SGV = "/api/v1/entries/sgv.json?count=3"
READINGS = re.compile(r"\breadings_reading[\".]")


@pytest.fixture(autouse=True)
def _nothing_kept():
    latest.forget()
    yield
    latest.forget()


@pytest.fixture
def device(patient):
    secret = upload_secret_rotate(patient=patient.record)
    client = APIClient()
    client.credentials(HTTP_API_SECRET=hashlib.sha1(secret.encode()).hexdigest())  # noqa: S324
    return client


def cgm(record, value, minutes_ago):
    return services.reading_create(
        patient=record,
        value_mgdl=value,
        taken_at=timezone.now().replace(microsecond=0) - timedelta(minutes=minutes_ago),
        kind=Kind.CGM,
    )


def values(response) -> list[int]:
    assert response.status_code == 200
    return [entry["sgv"] for entry in response.json()]


def readings_read(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    # SQL names the table "readings_reading", MongoDB's log db.readings_reading.aggregate.
    return sum(bool(READINGS.search(q["sql"])) for q in captured.captured_queries)


def test_the_kept_answer_is_served_until_the_record_changes(device, patient):
    cgm(patient.record, 100, 10)
    cgm(patient.record, 110, 5)
    assert values(device.get(SGV)) == [110, 100]
    # Nothing changed: the counter is read, the readings are not.
    assert readings_read(lambda: device.get(SGV)) == 0
    assert values(device.get(SGV)) == [110, 100]
    # An upload through the API is in the next answer.
    posted = device.post(
        "/api/v1/entries",
        [{"type": "sgv", "sgv": 120, "date": int(timezone.now().timestamp() * 1000)}],
        format="json",
    )
    assert posted.json()[0]["outcome"] == "stored"
    assert values(device.get(SGV)) == [120, 110, 100]


def test_a_write_by_another_worker_is_seen_through_the_counter(device, patient):
    """Another gunicorn worker shares nothing kept with this one, only the database: a
    write service there bumps the counter this process reads."""
    first = cgm(patient.record, 100, 10)
    assert values(device.get(SGV)) == [100]
    cgm(patient.record, 130, 2)  # as another process would store it
    assert values(device.get(SGV)) == [130, 100]
    services.reading_delete(reading=first)
    assert values(device.get(SGV)) == [130]


def test_a_kept_answer_ends_when_its_oldest_reading_leaves_the_4_day_window(
    device, patient, monkeypatch
):
    cgm(patient.record, 100, 4 * 24 * 60 - 3)  # 3 minutes inside the window
    cgm(patient.record, 150, 30)
    assert values(device.get(SGV)) == [150, 100]
    later = timezone.now() + timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert values(device.get(SGV)) == [150]


def test_the_gzipped_answer_is_the_plain_one_and_each_count_type_and_zone_its_own(device, patient):
    cgm(patient.record, 100, 10)
    cgm(patient.record, 110, 5)
    plain = device.get(SGV)
    packed = device.get(SGV, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert values(device.get("/api/v1/entries/sgv.json?count=1")) == [110]
    assert device.get("/api/v1/entries/mbg.json?count=3").json() == []
    offset = plain.json()[0]["utcOffset"]
    patient.record.timezone = "Asia/Kathmandu" if offset != 345 else "UTC"
    patient.record.save(update_fields=["timezone"])
    assert device.get(SGV).json()[0]["utcOffset"] != offset


def test_a_find_is_never_answered_from_what_is_kept(device, patient):
    cgm(patient.record, 100, 10)
    device.get(SGV)
    since = int((timezone.now() - timedelta(hours=1)).timestamp() * 1000)
    assert readings_read(lambda: device.get(f"{SGV}&find[date][$gte]={since}")) == 1


def test_what_is_kept_stays_within_its_bytes(device, patient, monkeypatch):
    cgm(patient.record, 100, 10)
    size = len(device.get(SGV).content)
    device.get("/api/v1/entries/sgv.json?count=1")
    assert readings_read(lambda: device.get(SGV)) == 0  # both kept
    latest.forget()
    monkeypatch.setattr(latest, "MAX_BYTES", size + 10)  # room for one of them
    device.get(SGV)
    device.get("/api/v1/entries/sgv.json?count=1")  # kept: the other one goes
    assert readings_read(lambda: device.get(SGV)) == 1
    assert values(device.get(SGV)) == [100]
