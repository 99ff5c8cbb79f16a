"""Nightscout API v1 compatibility: what xDrip+ and Nightscout clients send and expect."""

import gzip
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.nightscout import credentials
from integrations.nightscout.views import EntriesView
from readings.models import Kind, Reading, Source
from readings.tests.factories import ReadingFactory
from readings.tests.test_api_readings import client_for

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/entries"
SGV = "/api/v1/entries/sgv.json"
DIRECTIONS = ["Flat", "FortyFiveUp", "SingleUp", "Flat", "FortyFiveDown", "SingleDown"]
PARIS = ZoneInfo("Europe/Paris")


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 (the protocol's hash)


@pytest.fixture
def secret(patient):
    return credentials.upload_secret_rotate(patient=patient.record)


@pytest.fixture
def uploader(secret):
    """An HTTP client that authenticates as xDrip+ does: the api-secret header."""
    client = APIClient()
    client.credentials(HTTP_API_SECRET=sha1(secret))
    return client


def xdrip_format(moment: datetime) -> str:
    """xDrip+'s dateString: SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ"), phone's zone."""
    local = moment.astimezone(PARIS)
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + (local.strftime("%z"))
    )


def xdrip_day(end: datetime | None = None) -> list[dict]:
    """A day of Dexcom G6 readings as xDrip+ uploads them: 288 sgv entries 5 minutes apart,
    then a meter reading and the calibration record xDrip+ sends with it."""
    end = (end or timezone.now()).replace(microsecond=0) - timedelta(minutes=1)
    entries = []
    for index in range(288):
        moment = end - timedelta(minutes=5 * (287 - index))
        sgv = 110 + int(60 * ((index % 48) - 24) / 24) + (index % 7)
        entries.append(
            {
                "device": "xDrip-DexcomG6",
                "date": int(moment.timestamp() * 1000),
                "dateString": xdrip_format(moment),
                "sgv": sgv,
                "delta": 1.234,
                "direction": DIRECTIONS[index % len(DIRECTIONS)],
                "type": "sgv",
                "filtered": sgv * 1000.0,
                "unfiltered": sgv * 1000.0,
                "rssi": 100,
                "noise": 1,
                "sysTime": xdrip_format(moment),
            }
        )
    meter = end - timedelta(minutes=32)
    entries.append(
        {
            "device": "xDrip-DexcomG6",
            "type": "mbg",
            "date": int(meter.timestamp() * 1000),
            "dateString": xdrip_format(meter),
            "mbg": 123.0,
            "sysTime": xdrip_format(meter),
        }
    )
    entries.append(
        {
            "device": "xDrip-DexcomG6",
            "type": "cal",
            "date": int(meter.timestamp() * 1000),
            "dateString": xdrip_format(meter),
            "slope": 1012.3,
            "intercept": -2200.1,
            "scale": 1,
            "sysTime": xdrip_format(meter),
        }
    )
    return entries


def post_gzip(client, entries, path=ENTRIES):
    return client.generic(
        "POST",
        path,
        gzip.compress(json.dumps(entries).encode()),
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )


# --- uploading ------------------------------------------------------------------------------


def test_a_day_of_xdrip_cgm_upload_is_stored_and_read_back(uploader, patient):
    entries = xdrip_day()
    response = post_gzip(uploader, entries)

    assert response.status_code == 200, response.content
    stored = Reading.objects.of(patient.record)
    assert stored.count() == 289  # 288 sgv + 1 mbg; the "cal" record is not a reading
    assert stored.filter(kind=Kind.CGM).count() == 288
    assert set(stored.values_list("source", flat=True)) == {Source.NIGHTSCOUT}
    meter = stored.get(kind=Kind.FINGERSTICK)
    assert meter.value_mgdl == 123
    first = stored.get(taken_at=datetime.fromtimestamp(entries[0]["date"] / 1000, tz=UTC))
    assert (first.value_mgdl, first.direction) == (entries[0]["sgv"], "Flat")

    body = response.json()
    assert len(body) == 290  # one element per item sent, in order
    assert [entry["outcome"] for entry in body] == ["stored"] * 290
    # The calibration is kept apart from the readings (calibrations.py).
    assert body[-1]["type"] == "cal" and body[-1]["slope"] == 1012.3
    assert body[0]["sgv"] == entries[0]["sgv"] and body[0]["date"] == entries[0]["date"]
    # What xDrip+ reported beside the value is kept and read back.
    assert {key: body[0][key] for key in ("delta", "filtered", "unfiltered", "noise", "rssi")} == {
        "delta": 1.234,
        "filtered": entries[0]["filtered"],
        "unfiltered": entries[0]["unfiltered"],
        "noise": 1,
        "rssi": 100,
    }
    assert response["Accept-Encoding"] == "gzip, deflate"

    # Read back as a Nightscout client does: sgv.json with count and date filters.
    newest = uploader.get(SGV).json()
    assert len(newest) == 10  # Nightscout's default count
    assert newest[0]["date"] == entries[287]["date"]
    assert [e["date"] for e in newest] == sorted((e["date"] for e in newest), reverse=True)
    everything = uploader.get(SGV, {"count": 1000}).json()
    assert [e["sgv"] for e in everything] == [e["sgv"] for e in reversed(entries[:288])]

    window = uploader.get(
        SGV,
        {
            "count": 1000,
            "find[date][$gte]": entries[100]["date"],
            "find[date][$lte]": entries[159]["date"],
        },
    ).json()
    assert len(window) == 60
    assert (window[0]["date"], window[-1]["date"]) == (entries[159]["date"], entries[100]["date"])
    open_ended = uploader.get(SGV, {"count": 1000, "find[date][$gt]": entries[280]["date"]}).json()
    assert len(open_ended) == 7


def test_an_entry_is_shaped_as_nightscout_shapes_it(uploader, patient):
    patient.record.timezone = "Europe/Paris"
    patient.record.save()
    moment = datetime(2025, 6, 1, 10, 30, tzinfo=UTC)
    entry = {
        "type": "sgv",
        "sgv": 142,
        "date": int(moment.timestamp() * 1000),
        "dateString": xdrip_format(moment),
        "direction": "SingleUp",
        "device": "xDrip-LibreReceiver",
    }
    uploader.post(ENTRIES, [entry], format="json")
    reading = Reading.objects.get()
    (returned,) = uploader.get(
        "/api/v1/entries.json", {"find[dateString][$gte]": "2025-06-01"}
    ).json()
    assert returned == {
        "_id": str(reading.pk),
        "type": "sgv",
        "sgv": 142,
        "date": 1748773800000,
        "dateString": "2025-06-01T10:30:00.000Z",
        "sysTime": "2025-06-01T10:30:00.000Z",
        "utcOffset": 120,
        "direction": "SingleUp",
        "device": "xDrip-LibreReceiver",  # kept as the uploader sent it
        "delta": 0.0,  # none sent, and no reading before it: 0, as pebble.js answers
    }


def test_reposting_the_same_entries_adds_nothing(uploader, patient):
    entries = xdrip_day()
    first = post_gzip(uploader, entries).json()
    again = post_gzip(uploader, entries)
    assert again.status_code == 200
    assert Reading.objects.of(patient.record).count() == 289
    assert [e.get("_id") for e in again.json()] == [e.get("_id") for e in first]
    assert [e["outcome"] for e in again.json()] == ["duplicate"] * 290
    # An overlapping next upload (xDrip+ resends its backlog) adds only the new minutes.
    newest = entries[287]
    new = {**newest, "date": newest["date"] + 300_000, "sgv": 131, "dateString": None}
    new.pop("dateString")
    response = post_gzip(uploader, [*entries[1:288], new])
    assert len(response.json()) == 288
    assert Reading.objects.of(patient.record).filter(kind=Kind.CGM).count() == 289


def test_an_uploaders_own_ids_make_uploads_idempotent(uploader, patient):
    at = int((timezone.now() - timedelta(hours=1)).timestamp() * 1000)
    first = {"type": "sgv", "sgv": 120, "date": at, "identifier": "trio-1"}
    uploader.post(ENTRIES, [first], format="json")
    # Same id, re-sent with a slightly different time: still the same reading.
    uploader.post(ENTRIES, [{**first, "date": at + 4000}], format="json")
    assert Reading.objects.of(patient.record).count() == 1
    assert Reading.objects.get().external_id == "trio-1"


def test_one_entry_object_is_accepted_too(uploader, patient):
    at = timezone.now() - timedelta(minutes=20)
    response = uploader.post(
        "/api/v1/entries/",
        {"type": "mbg", "mbg": 98, "date": int(at.timestamp() * 1000)},
        format="json",
    )
    assert response.status_code == 200
    assert Reading.objects.get().kind == Kind.FINGERSTICK


def test_entries_json_takes_uploads_too(uploader):
    entries = xdrip_day()[:5]
    assert uploader.post("/api/v1/entries.json", entries, format="json").status_code == 200
    assert Reading.objects.count() == 5


def test_without_date_the_time_comes_from_date_string(uploader):
    response = uploader.post(
        ENTRIES,
        [
            {"type": "sgv", "sgv": 100, "dateString": "2025-06-01T12:00:00.000+0200"},
            {"type": "sgv", "sgv": 101, "dateString": "2025-06-01T12:05:00"},  # UTC
        ],
        format="json",
    )
    assert response.status_code == 200
    assert sorted(Reading.objects.values_list("taken_at", flat=True)) == [
        datetime(2025, 6, 1, 10, 0, tzinfo=UTC),
        datetime(2025, 6, 1, 12, 5, tzinfo=UTC),
    ]


def test_sensor_status_codes_and_unknown_types_are_skipped(uploader):
    at = int((timezone.now() - timedelta(hours=1)).timestamp() * 1000)
    response = uploader.post(
        ENTRIES,
        [
            {"type": "sgv", "sgv": 1, "date": at},  # Dexcom: sensor not active
            {"type": "sgv", "sgv": 115, "date": at + 300_000, "direction": "Sideways?"},
            {"type": "cal", "date": at, "slope": 1000},
            {"type": "etc", "date": at},
        ],
        format="json",
    )
    assert response.status_code == 200
    (reading,) = Reading.objects.all()
    assert (reading.value_mgdl, reading.direction) == (115, "")  # unknown trend not kept


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"sgv": 700}, "sgv 700 mg/dL is outside the meter range 20-600"),
        ({"sgv": "high"}, "no sgv value"),
        ({"sgv": None}, "no sgv value"),
        ({"date": None, "dateString": None}, "no date (epoch milliseconds) or dateString"),
        ({"date": 10**20}, "date is out of range"),
        ({"date": None, "dateString": "tomorrow"}, "dateString is not an ISO 8601 time"),
        ({"date": "FUTURE"}, "the time is more than 10 minutes in the future"),
        ({"type": None, "sgv": None}, "no type, sgv or mbg"),
        ({"type": "mbg", "sgv": None, "mbg": 0}, "mbg 0 mg/dL is outside the meter range"),
        ({"type": "mbg", "sgv": None, "mbg": 15}, "mbg 15 mg/dL is outside the meter range"),
    ],
)
def test_a_bad_entry_is_skipped_and_reported_and_the_rest_stored(uploader, patient, bad, reason):
    entries = xdrip_day()[:10]
    broken = entries[6]
    for key, value in bad.items():
        if value is None:
            broken.pop(key, None)
        elif value == "FUTURE":
            broken[key] = int((timezone.now() + timedelta(hours=2)).timestamp() * 1000)
        else:
            broken[key] = value
    response = uploader.post(ENTRIES, entries, format="json")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 10
    assert body[6]["outcome"] == "skipped" and body[6]["reason"].startswith(reason), body[6]
    assert "_id" not in body[6]
    assert [e["outcome"] for i, e in enumerate(body) if i != 6] == ["stored"] * 9
    assert Reading.objects.of(patient.record).count() == 9


def test_a_date_that_is_not_a_number_falls_back_to_date_string(uploader, patient):
    (entry,) = xdrip_day()[:1]
    uploader.post(ENTRIES, [{**entry, "date": "soon"}], format="json")
    expected = datetime.fromisoformat(entry["dateString"]).astimezone(UTC)
    assert Reading.objects.get().taken_at == expected


@pytest.mark.parametrize("data", [b'"sgv"', b"42", b"{}", b"not json"])
def test_a_body_that_is_not_entries_is_a_400(uploader, data):
    response = uploader.generic("POST", ENTRIES, data, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_a_chunked_gzip_upload_is_read(secret, patient):
    """xDrip+ gzips with an unknown length; gunicorn passes it on de-chunked."""
    data = gzip.compress(json.dumps(xdrip_day()[:12]).encode())
    request = RequestFactory().generic(
        "POST",
        ENTRIES,
        data,
        content_type="application/json",
        HTTP_CONTENT_ENCODING="gzip",
        HTTP_TRANSFER_ENCODING="chunked",
        HTTP_API_SECRET=sha1(secret),
    )
    del request.META["CONTENT_LENGTH"]
    request.META["wsgi.input"] = io.BytesIO(data)
    request.META["wsgi.input_terminated"] = True
    response = EntriesView.as_view()(request)
    assert response.status_code == 200
    assert Reading.objects.of(patient.record).count() == 12


# --- reading --------------------------------------------------------------------------------


def test_entries_json_has_every_type_and_typed_paths_filter(uploader, patient):
    post_gzip(uploader, xdrip_day())
    both = uploader.get("/api/v1/entries.json", {"count": 400}).json()
    assert len(both) == 289
    mbg = uploader.get("/api/v1/entries/mbg.json").json()
    assert [e["type"] for e in mbg] == ["mbg"] and mbg[0]["mbg"] == 123
    assert "sgv" not in mbg[0]
    assert uploader.get("/api/v1/entries/sgv", {"count": 3}).status_code == 200
    typed = uploader.get("/api/v1/entries.json", {"find[type]": "mbg"}).json()
    assert [e["type"] for e in typed] == ["mbg"]
    (current,) = uploader.get("/api/v1/entries/current.json").json()
    assert current["type"] == "sgv"
    assert current["date"] == max(e["date"] for e in both)


def test_date_string_filters(uploader, patient):
    entries = xdrip_day()
    post_gzip(uploader, entries)
    low = datetime.fromtimestamp(entries[10]["date"] / 1000, tz=UTC)
    high = datetime.fromtimestamp(entries[29]["date"] / 1000, tz=UTC)
    found = uploader.get(
        SGV,
        {
            "count": 100,
            "find[dateString][$gte]": low.isoformat(),
            "find[dateString][$lte]": high.astimezone(PARIS).isoformat(),
        },
    ).json()
    assert len(found) == 20
    # Clients that leave the offset's "+" unescaped send a space; it still works.
    unescaped = high.astimezone(PARIS).isoformat().replace("+", " ")
    assert (
        len(
            uploader.get(
                SGV,
                {
                    "count": 100,
                    "find[dateString][$lte]": unescaped,
                    "find[dateString][$gte]": low.isoformat(),
                },
            ).json()
        )
        == 20
    )


def test_value_filters(uploader):
    post_gzip(uploader, xdrip_day())
    found = uploader.get(SGV, {"count": 500, "find[sgv][$gte]": 160}).json()
    assert found and all(e["sgv"] >= 160 for e in found)


def test_without_a_date_filter_only_the_last_4_days_are_searched(uploader, patient):
    ReadingFactory(
        patient=patient.record, kind=Kind.CGM, taken_at=timezone.now() - timedelta(days=5)
    )
    recent = ReadingFactory(
        patient=patient.record, kind=Kind.CGM, taken_at=timezone.now() - timedelta(days=3)
    )
    assert [e["_id"] for e in uploader.get(SGV).json()] == [str(recent.pk)]
    week = int((timezone.now() - timedelta(days=7)).timestamp() * 1000)
    assert len(uploader.get(SGV, {"find[date][$gte]": week}).json()) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"count": "ten"},
        {"count": -1},
        {"find[date][$regex]": "x"},
        {"find[notes]": "x"},
        {"find[date][$gte]": "someday"},
        {"find[sgv][$gte]": "high"},
        {"find[sgv][$gte]": "1e400"},
        {"find[mbg][$lt]": "-5"},
        {"find[date][$gte]": "9" * 30},
        {"find": "x"},
    ],
)
def test_unsupported_queries_are_a_400(uploader, params):
    response = uploader.get(SGV, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_count_is_capped(uploader, patient, settings):
    settings.BGT_NIGHTSCOUT_MAX_COUNT = 5
    post_gzip(uploader, xdrip_day()[:20])
    assert len(uploader.get(SGV, {"count": 1_000_000}).json()) == 5


def test_only_the_secret_owners_entries_are_seen(uploader, other_patient):
    ReadingFactory(patient=other_patient.record, kind=Kind.CGM)
    assert uploader.get(SGV).json() == []
    post_gzip(uploader, xdrip_day()[:3])
    assert not Reading.objects.of(other_patient.record).filter(source=Source.NIGHTSCOUT).exists()


def test_status_json(uploader, patient):
    patient.unit = "mmol/L"
    patient.save()
    body = uploader.get("/api/v1/status.json").json()
    assert body["status"] == "ok"
    assert body["apiEnabled"] is True
    assert body["settings"]["units"] == "mmol"
    assert body["settings"]["thresholds"] == {
        "bgHigh": 250,
        "bgTargetTop": 180,
        "bgTargetBottom": 70,
        "bgLow": 54,
    }
    assert abs(body["serverTimeEpoch"] / 1000 - timezone.now().timestamp()) < 60
    assert uploader.get("/api/v1/status").status_code == 200


# --- authentication -------------------------------------------------------------------------

READ_PATHS = [
    "/api/v1/entries.json",
    "/api/v1/entries",
    SGV,
    "/api/v1/entries/current.json",
    "/api/v1/status.json",
]


def test_a_missing_secret_is_a_401(api_client, secret):
    for path in READ_PATHS:
        response = api_client.get(path)
        assert response.status_code == 401, path
    assert post_gzip(api_client, xdrip_day()[:3]).status_code == 401
    assert not Reading.objects.exists()


@pytest.mark.parametrize(
    "credentials",
    [
        {"HTTP_API_SECRET": sha1("not-the-secret")},
        {"HTTP_API_SECRET": "plain text"},
        {"HTTP_API_SECRET": ""},
    ],
)
def test_a_wrong_secret_is_a_401(secret, credentials):
    client = APIClient()
    client.credentials(**credentials)
    response = client.get(SGV)
    assert response.status_code == 401
    assert "upload secret" in response.json()["detail"]
    assert post_gzip(client, xdrip_day()[:3]).status_code == 401
    assert not Reading.objects.exists()


def test_the_plain_secret_works_as_token_and_its_hash_as_secret(api_client, secret):
    assert api_client.get(SGV, {"token": secret}).status_code == 200
    assert api_client.get(SGV, {"secret": sha1(secret)}).status_code == 200
    assert api_client.get(SGV, {"token": secret + "x"}).status_code == 401
    response = api_client.post(f"{ENTRIES}?token={secret}", xdrip_day()[:4], format="json")
    assert response.status_code == 200
    assert Reading.objects.count() == 4


def test_a_revoked_secret_stops_working_at_once(uploader, patient):
    assert uploader.get(SGV).status_code == 200
    credentials.upload_secret_revoke(patient=patient.record)
    assert uploader.get(SGV).status_code == 401
    assert post_gzip(uploader, xdrip_day()[:3]).status_code == 401


def test_a_rotated_secret_replaces_the_old_one_at_once(uploader, patient):
    new_secret = credentials.upload_secret_rotate(patient=patient.record)
    assert uploader.get(SGV).status_code == 401
    client = APIClient()
    client.credentials(HTTP_API_SECRET=sha1(new_secret).upper())  # hex case does not matter
    assert client.get(SGV).status_code == 200


def test_a_deactivated_patients_secret_stops_working(uploader, patient):
    patient.is_active = False
    patient.save()
    assert uploader.get(SGV).status_code == 401


def test_the_secret_opens_only_the_nightscout_endpoints(uploader):
    assert uploader.get("/api/v1/readings/").status_code == 401
    assert uploader.get("/api/v1/me/").status_code == 401


def test_a_signed_in_patient_can_read_their_entries_with_a_token(patient):
    ReadingFactory(
        patient=patient.record,
        kind=Kind.CGM,
        value_mgdl=77,
        taken_at=timezone.now() - timedelta(hours=1),
    )
    assert client_for(patient).get(SGV).json()[0]["sgv"] == 77


def test_accounts_without_readings_get_403(physician):
    assert client_for(physician).get(SGV).status_code == 403


def test_a_linked_physician_cannot_read_or_upload_entries(patient, physician):
    from patients.tests.factories import GrantFactory

    GrantFactory(user=physician, patient=patient.record)
    ReadingFactory(patient=patient.record, kind=Kind.CGM)
    client = client_for(physician)
    assert client.get(SGV).status_code == 403
    assert client.post(ENTRIES, xdrip_day()[:2], format="json").status_code == 403
    assert Reading.objects.count() == 1


def test_the_uploaders_device_name_is_kept_and_returned(client, patient):
    import hashlib
    import json

    secret = credentials.upload_secret_rotate(patient=patient.record)
    header = {"HTTP_API_SECRET": hashlib.sha1(secret.encode(), usedforsecurity=False).hexdigest()}
    entry = {"type": "sgv", "sgv": 123, "date": 1_767_600_000_000, "device": "xDrip-DexcomG6"}

    posted = client.post(
        "/api/v1/entries", json.dumps([entry]), content_type="application/json", **header
    )
    read = client.get("/api/v1/entries.json?find[date][$gte]=1767500000000", **header)

    assert posted.status_code in (200, 201)
    assert [e["device"] for e in read.json()] == ["xDrip-DexcomG6"]


@pytest.mark.parametrize(
    "params",
    [
        {"find[sgv][$gte]": "1e1000000"},  # int() of it: a million digits, ~50 s of CPU
        {"find[sgv][$gte]": "9" * 5000},
        {"find[date][$gte]": "1" * 5000},
        {"count": "²"},  # "²".isdigit() is True; int("²") raises
        {"count": "1e9"},
        {"find[dateString][$gte]": "0001-01-01T00:00:00+14:00"},  # before year 1 in UTC
        {"find[date][$gte]": "0001-01-01T00:00+14:00"},
    ],
)
def test_crafted_numbers_are_refused_quickly_with_a_400(uploader, params):
    import time

    started = time.perf_counter()
    response = uploader.get(SGV, params)
    assert response.status_code == 400, response.content
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("path", ["/api/v1/devicestatus.json", "/api/v1/profile"])
@pytest.mark.parametrize("key", ["bad\x00key", "$where"])
def test_a_document_no_database_can_hold_is_a_400_and_nothing_of_the_batch_is_stored(
    uploader, path, key
):
    from integrations.models import NightscoutDocument

    batch = [{"device": "fine", "created_at": "2026-01-01T00:00:00Z"}, {"loop": {key: 1}}]
    response = uploader.post(path, json.dumps(batch), content_type="application/json")

    assert response.status_code == 400, response.content
    assert "cannot be stored" in response.json()["non_field_errors"][0]
    assert not NightscoutDocument.objects.exists()


def test_numbers_beyond_64_bits_are_kept_as_floats_and_broken_unicode_is_a_400(uploader):
    from integrations.models import NightscoutDocument

    big = '[{"created_at": "2026-01-01T00:00:00Z", "pump": {"n": 4240431228336193729986560}}]'
    stored = uploader.generic("POST", "/api/v1/devicestatus", big, content_type="application/json")
    surrogate = '[{"created_at": "2026-01-01T00:00:00Z", "note": "\\ud8c0"}]'
    refused = uploader.generic(
        "POST", "/api/v1/devicestatus", surrogate, content_type="application/json"
    )
    huge = '[{"n": ' + "9" * 400 + "}]"
    too_big = uploader.generic(
        "POST", "/api/v1/devicestatus", huge, content_type="application/json"
    )

    assert stored.status_code == 200, stored.content
    assert NightscoutDocument.objects.get().document["pump"]["n"] == 4.2404312283361937e24
    assert (refused.status_code, too_big.status_code) == (400, 400)
