"""Lenient Nightscout batches: one outcome per item, any size, what uploaders send kept."""

import hashlib
from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.nightscout import batches, credentials
from integrations.nightscout.tests.clients.juggluco import MAX_ITEMS, juggluco_batch
from readings.models import Kind, Reading
from readings.tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/entries"
SGV = "/api/v1/entries/sgv.json"


@pytest.fixture
def uploader(patient):
    secret = credentials.upload_secret_rotate(patient=patient.record)
    client = APIClient()
    client.credentials(HTTP_API_SECRET=hashlib.sha1(secret.encode()).hexdigest())  # noqa: S324
    return client


def loop_entry(moment, sgv, sync_id, direction="Flat"):
    """GlucoseEntry.dictionaryRepresentation of LoopKit/NightscoutKit
    (Sources/NightscoutKit/Models/GlucoseEntry.swift, commit aba31720): ``date`` is
    timeIntervalSince1970 * 1000, a Double with a fraction; ``_id`` the syncIdentifier."""
    return {
        "date": moment.timestamp() * 1000 + 0.736,
        "dateString": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "device": "REDACTED",
        "_id": sync_id,
        "type": "sgv",
        "sgv": float(sgv),
        "trend": 8 if direction == "NotComputable" else 4,
        "direction": direction,
        "trendRate": 0.1,
        "isCalibration": False,
    }


def test_loops_fractional_dates_and_spellings_are_stored_one_outcome_per_item(uploader, patient):
    now = timezone.now().replace(microsecond=0)
    entries = [
        loop_entry(now - timedelta(minutes=10), 121, "sync-a"),
        loop_entry(now - timedelta(minutes=5), 124.4, "sync-b", "NotComputable"),
        loop_entry(now - timedelta(minutes=1), 126, "sync-c", "RateOutOfRange"),
    ]
    body = uploader.post(ENTRIES, entries, format="json").json()
    assert len(body) == 3  # NightscoutKit refuses a response of another length
    assert [e["outcome"] for e in body] == ["stored"] * 3
    stored = {r.external_id: r for r in Reading.objects.of(patient.record)}
    assert stored["sync-b"].value_mgdl == 124
    assert stored["sync-b"].direction == "NotComputable"
    assert stored["sync-c"].direction == "RateOutOfRange"
    assert stored["sync-a"].taken_at == now - timedelta(minutes=10)  # the fraction dropped
    assert {e["_id"] for e in body} == {str(r.pk) for r in stored.values()}
    again = uploader.post(ENTRIES, entries, format="json").json()
    assert [e["outcome"] for e in again] == ["duplicate"] * 3
    assert [e["_id"] for e in again] == [e["_id"] for e in body]


def test_items_that_are_not_objects_are_skipped_not_fatal(uploader, patient):
    at = (timezone.now() - timedelta(minutes=3)).timestamp() * 1000
    body = uploader.post(
        ENTRIES, ["sgv", None, 5, {"sgv": True, "date": at}, {"sgv": 99, "date": at}], format="json"
    ).json()
    assert [e["outcome"] for e in body] == ["skipped"] * 4 + ["stored"]
    assert body[0]["reason"] == "not a JSON object"
    assert body[3]["reason"] == "no sgv value"  # a boolean is not a number
    assert Reading.objects.of(patient.record).get().value_mgdl == 99


def test_a_skipped_item_repeats_only_what_has_the_expected_type(uploader, patient):
    """Found by the schema fuzz: a numeric "type" came back as sent, breaking the answer's
    schema (and clients that read "type" as a string)."""
    at = (timezone.now() - timedelta(minutes=3)).timestamp() * 1000
    body = uploader.post(
        ENTRIES,
        [{"type": 205593630782, "date": at}, {"type": "food", "date": True, "dateString": 7}],
        format="json",
    ).json()

    assert body[0] == {
        "date": at,
        "outcome": "skipped",
        "reason": "type 205593630782 is not a glucose reading",
    }
    assert body[1] == {
        "type": "food",
        "outcome": "skipped",
        "reason": "type 'food' is not a glucose reading",
    }


def test_junk_beside_the_value_is_dropped_not_the_reading(uploader, patient):
    at = (timezone.now() - timedelta(minutes=3)).timestamp() * 1000
    body = (
        f'[{{"sgv": 99, "date": {at}, "delta": "up", "noise": 1000000000, "rssi": "x", '
        '"filtered": 1e999}]'
    )
    response = uploader.generic("POST", ENTRIES, body, content_type="application/json")
    (outcome,) = response.json()
    assert outcome["outcome"] == "stored"
    reading = Reading.objects.get()
    assert (reading.delta, reading.noise, reading.rssi, reading.filtered) == (None,) * 4


def test_a_juggluco_batch_of_10440_is_stored_whole(uploader, patient):
    """Juggluco's largest upload (uploader.cpp maxitems=10440): a week of 1-minute Libre
    readings in one request must be stored, so that Juggluco stops re-sending it."""
    end = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    response = uploader.generic(
        "POST", ENTRIES, juggluco_batch(end), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body) == MAX_ITEMS
    assert {e["outcome"] for e in body} == {"stored"}
    assert Reading.objects.of(patient.record).filter(kind=Kind.CGM).count() == MAX_ITEMS
    # Sent again (Juggluco retries until it sees 200): all duplicates, nothing added.
    again = uploader.generic("POST", ENTRIES, juggluco_batch(end), content_type="application/json")
    assert {e["outcome"] for e in again.json()} == {"duplicate"}
    assert Reading.objects.of(patient.record).count() == MAX_ITEMS


def test_batches_are_written_in_slices(patient, monkeypatch):
    monkeypatch.setattr(batches, "SLICE", 4)
    now = timezone.now().replace(microsecond=0)
    items = [
        {"sgv": 100 + n, "date": (now - timedelta(minutes=n)).timestamp() * 1000} for n in range(10)
    ]
    items.insert(5, {"type": "cal"})
    outcomes = batches.entries_upload(patient=patient.record, items=items + items[:3])
    assert [o.outcome for o in outcomes] == ["stored"] * 5 + ["skipped"] + ["stored"] * 5 + [
        "duplicate"
    ] * 3
    assert outcomes[-1].reading.pk == outcomes[2].reading.pk


def test_count_0_is_every_entry_as_nightscout_answers_it(uploader, patient, settings):
    for minutes in range(15):
        ReadingFactory(
            patient=patient.record,
            kind=Kind.CGM,
            taken_at=timezone.now() - timedelta(minutes=5 * minutes + 1),
        )
    assert len(uploader.get(SGV, {"count": 0}).json()) == 15
    settings.BGT_NIGHTSCOUT_MAX_COUNT = 12
    assert len(uploader.get(SGV, {"count": 0}).json()) == 12


def test_an_sgv_without_delta_gets_one_from_the_reading_before(uploader, patient):
    now = timezone.now().replace(microsecond=0)
    for minutes, value in ((1, 130), (6, 124), (11, 120), (40, 90)):
        ReadingFactory(
            patient=patient.record,
            kind=Kind.CGM,
            value_mgdl=value,
            taken_at=now - timedelta(minutes=minutes),
        )
    entries = uploader.get(SGV, {"count": 3}).json()
    assert [e["sgv"] for e in entries] == [130, 124, 120]
    assert (entries[0]["delta"], entries[1]["delta"]) == (6.0, 4.0)
    assert entries[2]["delta"] == 0.0  # the reading before it is 29 minutes older
    assert uploader.get(SGV, {"count": 1}).json()[0]["delta"] == 6.0


def test_trio_deletes_an_entry_by_its_id_or_date_string(uploader, patient):
    """Trio NightscoutAPI.deleteGlucose (Trio/Sources/Services/Network/Nightscout/
    NightscoutAPI.swift line 191): DELETE entries.json?find[$or][0][id][$eq]=<id>&
    find[$or][1][dateString][$eq]=<ISO with milliseconds>."""
    now = timezone.now().replace(microsecond=0)
    kept, gone_by_id, gone_by_date = (
        {
            "sgv": 100 + n,
            "date": (now - timedelta(minutes=5 * n + 1)).timestamp() * 1000,
            "_id": f"trio-{n}",
        }
        for n in range(3)
    )
    uploader.post(ENTRIES, [kept, gone_by_id, gone_by_date], format="json")
    by_id = uploader.delete(
        "/api/v1/entries.json?find[$or][0][id][$eq]=trio-1&find[$or][1][dateString][$eq]=2001-01-01T00:00:00.000Z"
    )
    assert by_id.json()["n"] == 1
    moment = (now - timedelta(minutes=11)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    by_date = uploader.delete(
        f"/api/v1/entries.json?find[$or][0][id][$eq]=unknown&find[$or][1][dateString][$eq]={moment}"
    )
    assert by_date.json()["n"] == 1
    assert [r.external_id for r in Reading.objects.of(patient.record)] == ["trio-0"]
    assert uploader.delete("/api/v1/entries.json").status_code == 400  # never "delete all"
    assert Reading.objects.of(patient.record).count() == 1


def test_a_date_before_year_1_in_utc_is_skipped_with_a_reason(uploader, patient):
    at = (timezone.now() - timedelta(minutes=3)).timestamp() * 1000
    body = uploader.post(
        ENTRIES,
        [{"sgv": 120, "dateString": "0001-01-01T00:00:00+14:00"}, {"sgv": 99, "date": at}],
        format="json",
    ).json()
    assert [e["outcome"] for e in body] == ["skipped", "stored"]
    assert body[0]["reason"] == "dateString is out of range"
