"""Nightscout ``cal`` entries: stored as sent, found as Nightscout finds them, never glucose."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.nightscout import credentials
from readings.models import Reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploader(patient):
    secret = credentials.upload_secret_rotate(patient=patient.record)
    client = APIClient()
    client.credentials(HTTP_API_SECRET=hashlib.sha1(secret.encode()).hexdigest())  # noqa: S324
    return client


def java_date(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def xdrip_batch(now):
    """An xDrip+ upload after a calibration: populateV1APIBGEntry and
    populateV1APICalibrationEntry (NightscoutFoundation/xDrip app/src/main/java/com/
    eveningoutpost/dexdrip/utilitymodels/NightscoutUploader.java: device, type "cal", date,
    dateString, slope, intercept, scale)."""
    sgv = {
        "device": "xDrip-DexcomG6",
        "date": int(now.timestamp() * 1000),
        "dateString": java_date(now),
        "sgv": 140,
        "direction": "Flat",
        "type": "sgv",
    }
    moment = now - timedelta(minutes=1)
    cal = {
        "device": "xDrip-DexcomG6",
        "type": "cal",
        "date": int(moment.timestamp() * 1000),
        "dateString": java_date(moment),
        "slope": 1000.0 / 0.85,
        "intercept": -25000,
        "scale": 1,
    }
    return [sgv, cal]


def test_an_uploaded_calibration_is_kept_and_found_but_is_no_reading(uploader, patient):
    now = timezone.now().replace(microsecond=0) - timedelta(minutes=2)
    batch = xdrip_batch(now)
    answer = uploader.post("/api/v1/entries", batch, format="json").json()
    assert [item["outcome"] for item in answer] == ["stored", "stored"]
    assert answer[1]["type"] == "cal" and answer[1]["slope"] == batch[1]["slope"]
    assert list(Reading.objects.values_list("value_mgdl", flat=True)) == [140]

    for path in ("/api/v1/entries/cal.json", "/api/v1/entries.json?find[type]=cal"):
        (found,) = uploader.get(path).json()
        for field, value in batch[1].items():
            assert found[field] == value and type(found[field]) is type(value), (path, field)
        assert isinstance(found["_id"], str)
    # Not glucose: never among the glucose entries a follower reads.
    assert [e["type"] for e in uploader.get("/api/v1/entries.json").json()] == ["sgv"]
    assert [e["sgv"] for e in uploader.get("/api/v1/entries/sgv.json").json()] == [140]
    dated = uploader.get(f"/api/v1/entries.json?find[date][$gte]={batch[1]['date']}").json()
    assert [e["type"] for e in dated] == ["sgv"]

    again = uploader.post("/api/v1/entries", batch, format="json").json()
    assert [item["outcome"] for item in again] == ["duplicate", "duplicate"]
    assert len(uploader.get("/api/v1/entries/cal.json?count=0").json()) == 1

    v3 = uploader.get("/api/v3/entries?type=cal").json()["result"]
    assert [(e["type"], e["scale"], e["isValid"]) for e in v3] == [("cal", 1, True)]
    history = uploader.get(f"/api/v3/entries/history/{batch[1]['date'] - 60_000}").json()
    assert sorted(e["type"] for e in history["result"]) == ["cal", "sgv"]


def test_a_calibration_far_ahead_is_skipped_with_the_reason(uploader):
    ahead = timezone.now() + timedelta(hours=1)
    (sgv, cal) = xdrip_batch(timezone.now() - timedelta(minutes=5))
    cal.update(date=int(ahead.timestamp() * 1000), dateString=java_date(ahead))
    answer = uploader.post("/api/v1/entries", [cal, sgv], format="json").json()
    assert answer[0] == {
        "type": "cal",
        "outcome": "skipped",
        "reason": "the time is more than 10 minutes in the future",
    }
    assert answer[1]["outcome"] == "stored"
    assert uploader.get("/api/v1/entries/cal.json").json() == []


def test_v3_posts_a_calibration_as_one(uploader):
    (_, cal) = xdrip_batch(timezone.now() - timedelta(minutes=5))
    created = uploader.post("/api/v3/entries", cal, format="json")
    assert created.status_code == 201
    assert uploader.post("/api/v3/entries", cal, format="json").json()["isDeduplication"] is True
    assert not Reading.objects.exists()
    assert [e["slope"] for e in uploader.get("/api/v1/entries/cal.json").json()] == [cal["slope"]]


def test_v3_last_modified_moves_with_a_calibration(uploader):
    """AndroidAPS (LoadLastModificationWorker) and xDrip+'s v3 follower load entries only
    when lastModified says they changed: a calibration alone must move it."""
    (_, cal) = xdrip_batch(timezone.now() - timedelta(minutes=5))
    assert "entries" not in uploader.get("/api/v3/lastModified").json()["result"]["collections"]
    assert uploader.post("/api/v3/entries", cal, format="json").status_code == 201
    modified = uploader.get("/api/v3/lastModified").json()["result"]["collections"]
    history = uploader.get(f"/api/v3/entries/history/{cal['date'] - 60_000}").json()["result"]
    assert modified["entries"] == max(e["srvModified"] for e in history)
