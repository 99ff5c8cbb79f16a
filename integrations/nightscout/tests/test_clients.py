"""Each Nightscout client's own request sequence, replayed against a live BGT server.

Every test replays what one client's source sends (paths, headers, query keys, bodies, as
the docstring cites them: repository, file, commit and line) over real HTTP, and checks that
each answer has the fields and types that client parses. python-nightscout and
py-nightscout are used as the libraries themselves.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone

from integrations.nightscout import credentials
from integrations.nightscout.tests.clients import aaps, loop
from integrations.nightscout.tests.clients.juggluco import MAX_ITEMS, juggluco_batch
from readings.models import Kind, Reading
from treatments.models import Treatment, TreatmentType

pytestmark = pytest.mark.django_db(transaction=True)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 (the protocol's hash)


@pytest.fixture
def site(live_server, patient):
    """The patient's BGT site as a client is set up with it: URL and API secret."""
    secret = credentials.upload_secret_rotate(patient=patient.record)
    session = requests.Session()
    session.base_url = live_server.url
    session.secret = secret
    session.record = patient.record
    yield session
    # Close keep-alive connections while the server's test database is still shared with
    # its request threads (else a thread closes it after the test, from the wrong thread).
    session.close()


def url(site, path: str) -> str:
    return site.base_url + path


def java_date(moment: datetime) -> str:
    """SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ") in the phone's zone (UTC here)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def iso_ms(moment: datetime) -> str:
    """ISO 8601 with milliseconds, UTC (Swift's iso8601withFractionalSeconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def assert_entry(entry: dict) -> None:
    """What NightscoutKit's GlucoseEntry(rawValue:) and xDrip+'s nsfollow Entry require."""
    assert isinstance(entry["_id"], str)
    assert isinstance(entry["date"], int | float)
    assert isinstance(entry["dateString"], str) and isinstance(entry["sysTime"], str)
    assert isinstance(entry.get("sgv", entry.get("mbg")), int | float)
    assert entry["type"] in ("sgv", "mbg")


def test_xdrip_uploader(site):
    """xDrip+ REST uploader, NightscoutFoundation/xDrip commit c2a0ba1a,
    app/src/main/java/com/eveningoutpost/dexdrip/utilitymodels/NightscoutUploader.java:
    Retrofit paths lines 130-159; entries from populateV1APIBGEntry (line 662) and
    populateV1APIMeterReadingEntry (line 710) POSTed gzip'd (checkGzipSupport reads our
    Accept-Encoding); postDeviceStatus (line 1119) one object per POST; treatments upserted
    with PUT (postTreatments, line 808), found by find[uuid] and deleted by _id."""
    headers = {"api-secret": sha1(site.secret)}
    now = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    entries = []
    for n in range(12):
        moment = now - timedelta(minutes=5 * n)
        entries.append(
            {
                "device": "xDrip-DexcomG6",
                "date": int(moment.timestamp() * 1000),
                "dateString": java_date(moment),
                "sgv": 120 + n,
                "delta": -1.0,
                "direction": "Flat",
                "type": "sgv",
                "filtered": 120000.0 + n,
                "unfiltered": 121000.0 + n,
                "rssi": 100,
                "noise": 1,
                "sysTime": java_date(moment),
            }
        )
    meter = now - timedelta(minutes=3)
    entries.append(
        {
            "device": "xDrip-DexcomG6",
            "type": "mbg",
            "date": int(meter.timestamp() * 1000),
            "dateString": java_date(meter),
            "mbg": 131.0,
            "sysTime": java_date(meter),
        }
    )
    status = site.get(url(site, "/api/v1/status.json"), headers=headers)
    assert status.status_code == 200 and status.json()["settings"]["units"] in ("mg/dl", "mmol")
    first = site.post(
        url(site, "/api/v1/entries"),
        data=json.dumps(entries),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert first.status_code == 200
    assert "gzip" in first.headers["Accept-Encoding"]  # xDrip+ gzips from now on
    again = site.post(
        url(site, "/api/v1/entries"),
        data=gzip.compress(json.dumps(entries).encode()),
        headers={**headers, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert again.status_code == 200
    assert Reading.objects.of(site.record).count() == 13
    battery = site.post(
        url(site, "/api/v1/devicestatus"),
        json={"device": "Phone", "uploader": {"battery": 64, "batteryVoltage": 3783}},
        headers=headers,
    )
    assert battery.status_code == 200
    treatment = {
        "timestamp": int(now.timestamp() * 1000),
        "eventType": "Snack Bolus",
        "enteredBy": "xdrip",
        "notes": "",
        "uuid": "REDACTED-0001",
        "carbs": 12,
        "insulin": 1.2,
        "created_at": iso_ms(now),
        "sysTime": java_date(now),
    }
    upsert = site.put(url(site, "/api/v1/treatments"), json=[treatment], headers=headers)
    assert upsert.status_code == 200
    lookup = site.get(
        url(site, "/api/v1/treatments.json"),
        params={"find[uuid]": "REDACTED-0001"},
        headers=headers,
    )
    (found,) = lookup.json()
    assert isinstance(found["_id"], str)
    deleted = site.delete(url(site, f"/api/v1/treatments/{found['_id']}"), headers=headers)
    assert deleted.status_code == 200
    assert not Treatment.objects.exists()


def test_xdrip_follower(site):
    """xDrip+ Nightscout follower, NightscoutFoundation/xDrip commit c2a0ba1a,
    app/src/main/java/com/eveningoutpost/dexdrip/cgm/nsfollow/NightscoutFollow.java lines
    52-62 (entries.json with count and rr, then find[date][$gt]; treatments;
    devicestatus.json?count=1) parsed into messages/Entry.java (lines 14-39: double date,
    double delta, int noise, int rssi, int sgv, double filtered/unfiltered)."""
    headers = {"api-secret": sha1(site.secret)}
    now = timezone.now().replace(microsecond=0)
    for n in range(4):
        Reading.objects.create(
            patient=site.record,
            kind=Kind.CGM,
            value_mgdl=110 + n,
            taken_at=now - timedelta(minutes=5 * n + 1),
            direction="Flat",
            filtered=110000.0,
            unfiltered=111000.0,
            noise=1,
            rssi=100,
        )
    newest = site.get(
        url(site, "/api/v1/entries.json"), params={"count": 24, "rr": 12345}, headers=headers
    ).json()
    assert len(newest) == 4
    for entry in newest:
        assert_entry(entry)
        assert isinstance(entry["delta"], float) and isinstance(entry["noise"], int)
        assert isinstance(entry["rssi"], int) and isinstance(entry["unfiltered"], float)
    since = site.get(
        url(site, "/api/v1/entries.json") + f"?count=24&find[date][$gt]={newest[1]['date']}&rr=1",
        headers=headers,
    ).json()
    assert [e["date"] for e in since] == [newest[0]["date"]]
    # utilitymodels/NightscoutTreatments.processTreatmentResponse: getString("_id") and
    # getString("created_at") (tolerantFromISODateString) on each, or the rest is lost;
    # carbs and insulin by getDouble; enteredBy tells its own from others'.
    Treatment.objects.create(
        patient=site.record, type=TreatmentType.CARBS, carbs_g=15, taken_at=now, notes="toast"
    )
    Treatment.objects.create(
        patient=site.record, type=TreatmentType.BOLUS, insulin_units=1.5, taken_at=now
    )
    treatments = site.get(url(site, "/api/v1/treatments"), headers=headers).json()
    assert {(t["carbs"], t["insulin"]) for t in treatments} == {(None, 1.5), (15, None)}
    for treatment in treatments:
        assert isinstance(treatment["_id"], str) and isinstance(treatment["enteredBy"], str)
        assert datetime.fromisoformat(treatment["created_at"].replace("Z", "+00:00")) == now
    site.post(
        url(site, "/api/v1/devicestatus"),
        json={"device": "REDACTED", "uploaderBattery": 57, "created_at": iso_ms(now)},
        headers=headers,
    )
    statuses = site.get(url(site, "/api/v1/devicestatus.json?count=1"), headers=headers)
    assert [s["uploaderBattery"] for s in statuses.json()] == [57]


def test_loop(site):
    """Loop, LoopKit/NightscoutKit Sources/NightscoutKit/NightscoutClient.swift (commit
    248762cd): checkAuth GETs /api/v1/experiments/test; uploadEntries, uploadDeviceStatuses
    and upload(treatments) POST arrays and refuse an answer whose length differs
    (postToNS); fetchGlucose uses find[dateString][$gte|$lte]; fetchCurrentProfile
    /api/v1/profile/current; entries from Models/GlucoseEntry.swift dictionaryRepresentation
    (fractional ms date, _id = sync id). fetchTreatments (commit 4ec9fd12) uses
    find[created_at][$gte|$lte] and keeps what NightscoutTreatment.fromServer parses
    (clients/loop.py): its own carbs and the treatments typed into BGT come back with a
    `timestamp` it reads (an ISO 8601 string)."""
    headers = {"api-secret": sha1(site.secret), "Accept": "application/json"}
    wrong = site.get(url(site, "/api/v1/experiments/test"), headers={"api-secret": sha1("no")})
    assert wrong.status_code == 401  # Loop shows "unauthorized"
    assert site.get(url(site, "/api/v1/experiments/test"), headers=headers).status_code == 200
    now = timezone.now().replace(microsecond=0)
    entries = [
        {
            "date": (now - timedelta(minutes=5 * n)).timestamp() * 1000 + 0.736,
            "dateString": iso_ms(now - timedelta(minutes=5 * n)),
            "device": "loop://REDACTED",
            "_id": f"REDACTED-sync-{n}",
            "type": "sgv",
            "sgv": 140.0 - n,
            "trend": 8,
            "direction": "NotComputable",
            "trendRate": 0.0,
            "isCalibration": False,
        }
        for n in range(3)
    ] + [{"date": now.timestamp() * 1000 + 3_600_000, "type": "sgv", "sgv": 99.0, "_id": "x"}]
    posted = site.post(url(site, "/api/v1/entries"), json=entries, headers=headers).json()
    assert len(posted) == len(entries)  # the answer has as many objects as were sent
    assert all(isinstance(e.get("_id", "NA"), str) for e in posted)
    assert posted[-1]["outcome"] == "skipped"  # an hour ahead: skipped, the rest stored
    statuses = [
        {"device": "loop://REDACTED", "created_at": iso_ms(now), "loop": {"iob": {"iob": 0.4}}}
    ]
    assert (
        len(site.post(url(site, "/api/v1/devicestatus"), json=statuses, headers=headers).json())
        == 1
    )
    carbs = [
        {
            "eventType": "Carb Correction",
            "carbs": 25.0,
            "created_at": iso_ms(now),
            "enteredBy": "loop://REDACTED",
            "absorptionTime": 180,
            "syncIdentifier": "REDACTED-carb-1",
        }
    ]
    (carb,) = site.post(url(site, "/api/v1/treatments"), json=carbs, headers=headers).json()
    glucose = site.get(
        url(site, "/api/v1/entries"),
        params={
            "find[dateString][$gte]": iso_ms(now - timedelta(hours=1)),
            "find[dateString][$lte]": iso_ms(now + timedelta(minutes=1)),
        },
        headers=headers,
    ).json()
    assert len(glucose) == 3
    for entry in glucose:
        assert_entry(entry)
        assert entry["direction"] == "NotComputable"
    typed = [  # entered on BGT's pages: no eventType, no timestamp of a client's
        Treatment.objects.create(
            patient=site.record, taken_at=now - timedelta(minutes=n + 1), **fields
        )
        for n, fields in enumerate(
            [
                {"type": TreatmentType.NOTE, "notes": "site sore"},
                {"type": TreatmentType.CARBS, "carbs_g": 12},
                {"type": TreatmentType.BOLUS, "insulin_units": 2.5},
            ]
        )
    ]
    treatments = site.get(
        url(site, "/api/v1/treatments"),
        params={
            "find[created_at][$gte]": loop.query_time(now - timedelta(hours=1)),
            "find[created_at][$lte]": loop.query_time(now + timedelta(minutes=1)),
            "count": 50,
        },
        headers=headers,
    ).json()
    by_id = {t["_id"]: t for t in treatments}
    assert set(by_id) == {carb["_id"], *(str(t.pk) for t in typed)}
    assert (by_id[carb["_id"]]["carbs"], loop.reads(by_id[carb["_id"]])) == (25, "Carb Correction")
    assert loop.reads(by_id[str(typed[0].pk)]) == "Note"
    for treatment in treatments:
        assert loop.base_parses(treatment), treatment  # _id, eventType, timestamp, enteredBy
    profile = site.get(url(site, "/api/v1/profile/current"), headers=headers).json()
    assert isinstance(profile["store"], dict) and profile["defaultProfile"] in profile["store"]
    deleted = site.delete(url(site, "/api/v1/treatments/REDACTED-carb-1"), headers=headers)
    assert deleted.status_code == 200
    assert set(Treatment.objects.values_list("pk", flat=True)) == {t.pk for t in typed}


def test_trio(site):
    """Trio, nightscout/Trio Trio/Sources/Services/Network/Nightscout/NightscoutAPI.swift:
    checkConnection (lines 45-66) POSTs a Note to /api/v1/treatments.json; fetchLastGlucose
    (line 68) GETs entries/sgv.json?count=1600&find[dateString][$gte]; fetchCarbs (line 118)
    find[carbs][$exists] + find[created_at][$gt] + find[$and][n][enteredBy][$ne];
    fetchTempTargets (line 258) find[eventType]=Temporary+Target; uploadGlucose (line 345)
    POSTs entries.json; uploadDeviceStatus (line 381) devicestatus.json; uploadProfile
    (line 416) and importSettings (line 522) profile.json, which needs a JSON answer whose
    first item has store["default"]."""
    headers = {"api-secret": sha1(site.secret), "Content-Type": "application/json"}
    check = site.post(
        url(site, "/api/v1/treatments.json"),
        data=json.dumps({"eventType": "Note", "enteredBy": "Trio", "notes": "Trio connected"}),
        headers=headers,
    )
    assert check.status_code == 200
    now = timezone.now().replace(microsecond=0)
    glucose = [
        {
            "_id": f"REDACTED-{n}",
            "sgv": 150 - n,
            "direction": "Flat",
            "date": int((now - timedelta(minutes=5 * n)).timestamp() * 1000),
            "dateString": iso_ms(now - timedelta(minutes=5 * n)),
            "type": "sgv",
            "device": "Trio",
        }
        for n in range(3)
    ]
    assert (
        site.post(
            url(site, "/api/v1/entries.json"), data=json.dumps(glucose), headers=headers
        ).status_code
        == 200
    )
    fetched = site.get(
        url(site, "/api/v1/entries/sgv.json"),
        params={"count": 1600, "find[dateString][$gte]": iso_ms(now - timedelta(days=1))},
        headers=headers,
    ).json()
    assert [e["sgv"] for e in fetched] == [150, 149, 148]
    for entry in fetched:
        assert_entry(entry)
    site.post(
        url(site, "/api/v1/treatments.json"),
        data=json.dumps(
            [
                {
                    "eventType": "Carb Correction",
                    "carbs": 30,
                    "created_at": iso_ms(now - timedelta(minutes=30)),
                    "enteredBy": "Trio",
                },
                {
                    "eventType": "Carb Correction",
                    "carbs": 10,
                    "created_at": iso_ms(now - timedelta(minutes=20)),
                    "enteredBy": "REDACTED-follower",
                },
                {
                    "eventType": "Temporary Target",
                    "duration": 60,
                    "targetTop": 120,
                    "targetBottom": 120,
                    "created_at": iso_ms(now - timedelta(minutes=10)),
                    "enteredBy": "Trio",
                },
            ]
        ),
        headers=headers,
    )
    carbs = site.get(
        url(site, "/api/v1/treatments.json")
        + "?find[carbs][$exists]=true&find[$and][0][enteredBy][$ne]=Trio"
        + f"&find[created_at][$gt]={iso_ms(now - timedelta(days=1))}",
        headers=headers,
    ).json()
    assert [(t["carbs"], t["enteredBy"]) for t in carbs] == [(10, "REDACTED-follower")]
    targets = site.get(
        url(site, "/api/v1/treatments.json")
        + "?find[eventType]=Temporary+Target&find[duration][$exists]=true",
        headers=headers,
    ).json()
    assert [t["duration"] for t in targets] == [60]
    # Trio's TempTarget (Trio/Sources/Models/TempTarget.swift, nightscout/Trio commit
    # 29350e31) decodes targetTop and targetBottom: the range comes back as sent.
    assert [(t["targetTop"], t["targetBottom"]) for t in targets] == [(120, 120)]
    status = {
        "device": "Trio",
        "openaps": {"iob": {"iob": 1.1}, "suggested": {"COB": 8}},
        "uploader": {"battery": 90},
        "created_at": iso_ms(now),
    }
    assert (
        site.post(
            url(site, "/api/v1/devicestatus.json"), data=json.dumps(status), headers=headers
        ).status_code
        == 200
    )
    profile = {
        "defaultProfile": "default",
        "startDate": iso_ms(now),
        "units": "mg/dl",
        "enteredBy": "Trio",
        "store": {
            "default": {
                "dia": 10,
                "timezone": "Europe/Paris",
                "units": "mg/dl",
                "basal": [{"time": "00:00", "value": 0.9, "timeAsSeconds": 0}],
                "sens": [{"time": "00:00", "value": 50, "timeAsSeconds": 0}],
                "carbratio": [{"time": "00:00", "value": 10, "timeAsSeconds": 0}],
                "target_low": [{"time": "00:00", "value": 100, "timeAsSeconds": 0}],
                "target_high": [{"time": "00:00", "value": 100, "timeAsSeconds": 0}],
            }
        },
    }
    assert (
        site.post(
            url(site, "/api/v1/profile.json"), data=json.dumps(profile), headers=headers
        ).status_code
        == 200
    )
    imported = site.get(url(site, "/api/v1/profile.json"), params={"count": 1}, headers=headers)
    assert imported.headers["Content-Type"].startswith("application/json")
    assert imported.json()[0]["store"]["default"]["basal"][0]["value"] == 0.9


def test_juggluco_v1(site):
    """Juggluco v1 uploader, j-kaltes/Juggluco commit 00f5e155,
    Common/src/main/cpp/net/watchserver/uploader.cpp: uploadCGM sends up to maxitems=10440
    items made by mkuploaditem (line ~150) in one POST to /api/v1/entries with the secret's
    SHA-1, and succeeds only on HTTP 200."""
    end = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    response = site.post(
        url(site, "/api/v1/entries"),
        data=juggluco_batch(end),
        headers={"api-secret": sha1(site.secret), "Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 200
    assert len(response.json()) == MAX_ITEMS
    assert Reading.objects.of(site.record).count() == MAX_ITEMS


def test_juggluco_v1_treatments(site):
    """Juggluco's v1 treatments, j-kaltes/Juggluco commit 4e2a5f29: uploadtreatment.cpp
    sendtreatment PUTs (uploader.cpp nightuploadTreatments, put=true) one object made by
    watchserver.cpp writetreatment (line 2145) with an _id from mkid ("ba<base>e<pos>"
    padded with "b" to 24 characters: the shape of a MongoDB ObjectId); when the amount is
    removed on the phone, deletetreatment DELETEs /api/v1/treatments/<that _id>, and
    NightPost.deleteUrl takes anything but 200 as a failure that stops the upload loop."""
    headers = {"api-secret": sha1(site.secret), "Content-Type": "application/json"}
    moment = timezone.now().replace(microsecond=0) - timedelta(minutes=20)
    seconds = int(moment.timestamp())
    juggluco_id = "ba0e12".ljust(24, "b")
    body = (
        f'{{"_id":"{juggluco_id}","date":{seconds}000,"eventType":"<none>",'
        f'"enteredBy":"Juggluco","created_at":"{moment.strftime("%Y-%m-%dT%H:%M:%S")}.000Z",'
        '"notes":"Rapid-Acting","carbs":null,"insulin":4.5,"insulinType":"Fiasp"}'
    )
    stored = site.put(url(site, "/api/v1/treatments"), data=body, headers=headers)
    assert stored.status_code == 200 and stored.json()[0]["outcome"] == "stored"
    assert Treatment.objects.get().insulin_units == 4.5
    deleted = site.delete(url(site, f"/api/v1/treatments/{juggluco_id}"), headers=headers)
    assert deleted.status_code == 200 and deleted.json()["n"] == 1
    assert not Treatment.objects.exists()
    # Sent again (its answer was lost on the way): still a 200, nothing left to delete.
    again = site.delete(url(site, f"/api/v1/treatments/{juggluco_id}"), headers=headers)
    assert again.status_code == 200 and again.json()["n"] == 0


def test_glucodatahandler(site):
    """GlucoDataHandler, pachi81/GlucoDataHandler commit 114460bc,
    common/src/main/java/de/michelinside/glucodatahandler/common/tasks/NightscoutSourceTask.kt:
    getGraphData GETs GRAPHDATA_ENDPOINT (line 33, sgv.json?find[date][$gt]=..&count=..);
    getValue GETs /pebble (line 101), handlePebbleResponse (line 230) needs bgs[0] with
    datetime, sgv and trend/direction; then entries/current.json (line 104),
    handleEntriesResponse needs type sgv, date and sgv. The secret is sent as its SHA-1 in
    api-secret (line 126), a token as ?token= (getUrl, line 155)."""
    headers = {"api-secret": sha1(site.secret)}
    now = timezone.now().replace(microsecond=0)
    for n in range(3):
        Reading.objects.create(
            patient=site.record,
            kind=Kind.CGM,
            value_mgdl=100 + 5 * n,
            taken_at=now - timedelta(minutes=5 * (2 - n) + 1),
            direction="SingleUp",
        )
    first = int((now - timedelta(minutes=30)).timestamp() * 1000)
    graph = site.get(
        url(site, f"/api/v1/entries/sgv.json?find[date][$gt]={first}&count=30"),
        headers=headers,
    ).json()
    assert [e["sgv"] for e in graph] == [110, 105, 100]
    pebble = site.get(url(site, "/pebble"), headers=headers).json()
    bg = pebble["bgs"][0]
    assert float(bg["sgv"]) == 110 and isinstance(bg["datetime"], int)
    assert bg["trend"] == 2 and bg["direction"] == "SingleUp"
    (current,) = site.get(url(site, "/api/v1/entries/current.json"), headers=headers).json()
    assert current["type"] == "sgv" and current["sgv"] == 110 and isinstance(current["date"], int)
    by_token = site.get(url(site, "/pebble") + f"?token={site.secret}")
    assert by_token.status_code == 200


def test_nightguard(site):
    """Nightguard, nightscout/nightguard nightguard/external/NightscoutService.swift:
    entries.json?count=20 (line 37) read as sgv/date Double and direction String (line 244);
    status.json settings.units (line 86); api/v2/properties (line 429) read by
    extractApiV2PropertiesData: bgnow.last, bgnow.mills, bgnow.sgvs[0].direction,
    delta.display (String), delta.mgdl, upbat.display (String), iob.display (String), cob.display
    (Double); treatments by find[eventType] + find[created_at][$gte] + count=1 (line 620);
    devicestatus.json?count=5 (line 1202). The token rides in the URL (?token=)."""
    token = f"?token={site.secret}"
    now = timezone.now().replace(microsecond=0)
    for n in range(2):
        Reading.objects.create(
            patient=site.record,
            kind=Kind.CGM,
            value_mgdl=140 - 4 * n,
            taken_at=now - timedelta(minutes=5 * n + 1),
            direction="FortyFiveDown",
        )
    Treatment.objects.create(
        patient=site.record,
        type="site_change",
        event_type="Site Change",
        taken_at=now - timedelta(days=2),
    )
    site.post(
        url(site, "/api/v1/devicestatus") + token,
        json={
            "device": "REDACTED",
            "uploaderBattery": 55,
            "loop": {"iob": {"iob": 2.5}, "cob": {"cob": 20}},
        },
    )
    entries = site.get(url(site, "/api/v1/entries.json") + token + "&count=20").json()
    assert all(
        isinstance(e["sgv"], int | float) and isinstance(e["date"], int | float) for e in entries
    )
    assert isinstance(entries[0]["direction"], str)
    assert site.get(url(site, "/api/v1/status.json") + token).json()["settings"]["units"] == "mg/dl"
    props = site.get(url(site, "/api/v2/properties") + token).json()
    assert (props["bgnow"]["last"], props["bgnow"]["sgvs"][0]["direction"]) == (
        140,
        "FortyFiveDown",
    )
    assert isinstance(props["bgnow"]["mills"], int)
    assert (props["delta"]["display"], props["delta"]["mgdl"]) == ("+4", 4)
    assert props["upbat"]["display"] == "55%" and props["iob"]["display"] == "2.50"
    assert isinstance(props["cob"]["display"], float | int)
    (site_change,) = site.get(
        url(site, "/api/v1/treatments") + token,
        params={
            "find[eventType]": "Site Change",
            "find[created_at][$gte]": iso_ms(now - timedelta(days=10)),
            "count": "1",
        },
    ).json()
    assert site_change["created_at"] == iso_ms(now - timedelta(days=2))
    statuses = site.get(url(site, "/api/v1/devicestatus.json") + token + "&count=5").json()
    assert statuses[0]["uploaderBattery"] == 55


def test_python_nightscout_library(site):
    """python-nightscout 1.0.0 (nightscout/api.py) used as a library: get_sgvs({'count': 0})
    (its own docstring example), get_treatments, get_profiles; models parse the answers."""
    import nightscout

    now = timezone.now().replace(microsecond=0)
    for n in range(3):
        Reading.objects.create(
            patient=site.record,
            kind=Kind.CGM,
            value_mgdl=100 + n,
            taken_at=now - timedelta(minutes=5 * n + 1),
        )
    Treatment.objects.create(
        patient=site.record, type="carbs", carbs_g=20, taken_at=now - timedelta(minutes=20)
    )
    api = nightscout.Api(site.base_url, api_secret=site.secret)
    sgvs = api.get_sgvs({"count": 0, "find[dateString][$gte]": iso_ms(now - timedelta(hours=1))})
    assert [s.sgv for s in sgvs] == [100, 101, 102]
    (treatment,) = api.get_treatments({"count": 0})
    assert treatment.carbs == 20 and treatment.eventType == "Carb Correction"
    profiles = api.get_profiles()
    definition = profiles.profile_definitions[0]
    assert definition.get_default_profile().target_low is not None


def test_py_nightscout_library(site):
    """py-nightscout 1.3.3 (py_nightscout/api.py) used as a library: get_server_status,
    get_sgvs (its SGV model computes delta_mmol from delta, so every sgv needs one),
    get_treatments, get_profiles, get_latest_devices_status."""
    import py_nightscout

    now = timezone.now().replace(microsecond=0)
    for n in range(3):
        Reading.objects.create(
            patient=site.record,
            kind=Kind.CGM,
            value_mgdl=100 + 2 * n,
            taken_at=now - timedelta(minutes=5 * n + 1),
        )
    Treatment.objects.create(
        patient=site.record, type="bolus", insulin_units=2, taken_at=now - timedelta(minutes=20)
    )
    site.post(
        url(site, "/api/v1/devicestatus"),
        json={"device": "REDACTED", "created_at": iso_ms(now)},
        headers={"api-secret": sha1(site.secret)},
    )

    async def session():
        api = py_nightscout.Api(site.base_url, api_secret=site.secret)
        return (
            await api.get_server_status(),
            await api.get_sgvs(),
            await api.get_treatments(),
            await api.get_profiles(),
            await api.get_latest_devices_status(),
        )

    # In a thread of its own: a browser test's Playwright may run an event loop in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        status, sgvs, treatments, profiles, devices = pool.submit(asyncio.run, session()).result()
    assert status.status == "ok" and status.apiEnabled is True
    assert [s.sgv for s in sgvs[:2]] == [100, 102] and sgvs[0].delta_mmol == -0.1
    assert treatments[0].insulin == 2
    assert profiles.profile_definitions[0].store["default"].timezone is not None
    assert set(devices) == {"REDACTED"}


def test_nightscout_reporter(site):
    """nightscout-reporter, zreptil/nightscout-reporter-angular commit 6c6dc037: a browser
    app on another origin. URLs from src/app/_model/nightscout/url-data.ts fullUrl (line 103:
    <site>/api/v1/<cmd>?token=<token>&<params>) as src/app/_services/nightscout.service.ts
    builds them: status.json (line 171), profile.json?count= (line 250), treatments.json
    with find[eventType]=Profile Switch and find[profilePlugin][$ne] (line 294),
    entries.json with find[date][$gte|$lte] and count=100000 (line 497), treatments.json and
    devicestatus.json with find[created_at][$gte|$lte] (lines 552, 638). The browser sends
    each only after a CORS preflight answered for its origin."""
    origin = "https://nightscout-reporter.example.org"
    base = url(site, "/api/v1/{cmd}") + f"?token={site.secret}&"
    preflight = site.options(
        base.format(cmd="entries.json"),
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] in ("*", origin)
    now = timezone.now().replace(microsecond=0)
    Reading.objects.create(
        patient=site.record, kind=Kind.CGM, value_mgdl=123, taken_at=now - timedelta(minutes=2)
    )
    Treatment.objects.create(
        patient=site.record, type="carbs", carbs_g=40, taken_at=now - timedelta(hours=1)
    )
    headers = {"Origin": origin}

    def get(cmd: str, params: str = ""):
        response = site.get(base.format(cmd=cmd) + params, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["Access-Control-Allow-Origin"] in ("*", origin)
        return response.json()

    assert get("status.json")["settings"]["thresholds"]["bgTargetTop"] == 180
    assert "store" in get("profile.json", "count=100")[0]
    switches = get(
        "treatments.json",
        f"find[created_at][$gte]={now.year - 1}-01-01T00:00:00.000Z"
        "&find[eventType]=Profile Switch"
        "&find[profilePlugin][$ne]=info.nightscout.androidaps.plugins.profile.local."
        "LocalProfilePlugin&count=10000",
    )
    assert switches == []
    day = (now - timedelta(days=1), now + timedelta(minutes=1))
    millis = [int(moment.timestamp() * 1000) for moment in day]
    entries = get(
        "entries.json", f"find[date][$gte]={millis[0]}&find[date][$lte]={millis[1]}&count=100000"
    )
    assert [e["sgv"] for e in entries] == [123]
    span = f"find[created_at][$gte]={iso_ms(day[0])}&find[created_at][$lte]={iso_ms(day[1])}"
    assert [t["carbs"] for t in get("treatments.json", span + "&count=100000")] == [40]
    assert get("devicestatus.json", span + "&count=100000") == []


def test_androidaps_v3(site):
    """AndroidAPS's v3 client, nightscout/AndroidAPS core/nssdk (commit 32882f1a):
    networking/NightscoutAuthRefreshService + remotemodel/RemoteAuthResponse.kt (token, iat,
    exp) for GET /api/v2/authorization/request/<token>, then Bearer; the calls of
    networking/NightscoutRemoteService.kt (lines 31-110): v3/status (RemoteStatusResponse:
    version, apiVersion, srvDate, storage, apiPermissions for six collections), v3/lastModified,
    v3/entries?sort$desc=date&type=sgv, v3/entries?sort=date&date$gt=&limit=,
    v3/treatments?sort=created_at&created_at$gt=&limit=, POST/PATCH/DELETE v3/treatments,
    POST v3/devicestatus, v3/devicestatus/history/<ms>, v3/profile?sort$desc=date&limit=1,
    POST v3/profile, v3/food?limit=; every answer wrapped as NSResponse {result}, writes as
    RemoteCreateUpdateResponse {identifier, isDeduplication, lastModified}."""
    from integrations.nightscout import tokens

    _, text = tokens.access_token_create(patient=site.record, name="AAPS", role="full")
    auth = site.get(url(site, f"/api/v2/authorization/request/{text}")).json()
    assert isinstance(auth["token"], str) and auth["exp"] > auth["iat"]
    headers = {"Authorization": f"Bearer {auth['token']}"}

    status = site.get(url(site, "/api/v3/status"), headers=headers).json()["result"]
    assert {"version", "apiVersion", "srvDate", "storage", "apiPermissions"} <= set(status)
    assert set(status["apiPermissions"]) == {
        "devicestatus",
        "entries",
        "food",
        "profile",
        "settings",
        "treatments",
    }
    assert status["apiPermissions"]["treatments"] == "crud"
    now = timezone.now().replace(microsecond=0)
    for n in range(3):
        Reading.objects.create(
            patient=site.record,
            kind=Kind.CGM,
            value_mgdl=100 + n,
            taken_at=now - timedelta(minutes=5 * n + 1),
            direction="Flat",
        )
    modified = site.get(url(site, "/api/v3/lastModified"), headers=headers).json()["result"]
    assert isinstance(modified["srvDate"], int) and isinstance(
        modified["collections"]["entries"], int
    )
    sgvs = site.get(url(site, "/api/v3/entries?sort$desc=date&type=sgv"), headers=headers).json()
    assert [e["sgv"] for e in sgvs["result"]] == [100, 101, 102]
    for entry in sgvs["result"]:
        assert entry["type"] == "sgv" and isinstance(entry["date"], int)
        assert isinstance(entry["identifier"], str) and isinstance(entry["srvModified"], int)
    newest = sgvs["result"][1]["date"]
    newer = site.get(
        url(site, f"/api/v3/entries?sort=date&date$gt={newest}&limit=500"), headers=headers
    ).json()["result"]
    assert [e["sgv"] for e in newer] == [100]

    bolus = {
        "eventType": "Correction Bolus",
        "insulin": 1.5,
        "created_at": iso_ms(now),
        "date": int(now.timestamp() * 1000),
        "utcOffset": 0,
        "identifier": "REDACTED-aaps-1",
        "app": "AAPS",
        "isValid": True,
        "type": "NORMAL",
        "isBasalInsulin": False,
    }
    created = site.post(url(site, "/api/v3/treatments"), json=bolus, headers=headers)
    assert created.status_code == 201
    assert created.json()["identifier"] == "REDACTED-aaps-1"
    assert created.json()["isDeduplication"] is False
    again = site.post(url(site, "/api/v3/treatments"), json=bolus, headers=headers).json()
    assert again["isDeduplication"] is True
    patched = site.patch(
        url(site, "/api/v3/treatments/REDACTED-aaps-1"), json={"insulin": 2.0}, headers=headers
    )
    assert patched.status_code == 200 and Treatment.objects.get().insulin_units == 2.0
    found = site.get(
        url(site, "/api/v3/treatments?sort=created_at")
        + f"&created_at$gt={iso_ms(now - timedelta(hours=1))}&limit=500",
        headers=headers,
    ).json()["result"]
    assert [(t["identifier"], t["insulin"]) for t in found] == [("REDACTED-aaps-1", 2.0)]

    before = int(timezone.now().timestamp() * 1000) - 1000
    status_doc = {
        "device": "samsung SM-REDACTED",
        "created_at": iso_ms(now),
        "date": int(now.timestamp() * 1000),
        "openaps": {"iob": {"iob": 1.2, "time": iso_ms(now)}, "suggested": {"COB": 10}},
        "pump": {"reservoir": 120},
        "uploaderBattery": 80,
        "isCharging": False,
        "app": "AAPS",
    }
    posted = site.post(url(site, "/api/v3/devicestatus"), json=status_doc, headers=headers)
    assert posted.status_code == 201 and isinstance(posted.json()["identifier"], str)
    history = site.get(url(site, f"/api/v3/devicestatus/history/{before}"), headers=headers).json()
    assert [d["openaps"]["iob"]["iob"] for d in history["result"]] == [1.2]
    assert history["result"][0]["isValid"] is True

    profile = {
        "defaultProfile": "Default",
        "date": int(now.timestamp() * 1000),
        "created_at": iso_ms(now),
        "startDate": iso_ms(now),
        "units": "mg/dl",
        "store": {
            "Default": {
                "dia": 5,
                "timezone": "UTC",
                "units": "mg/dl",
                "basal": [{"time": "00:00", "timeAsSeconds": 0, "value": 0.7}],
            }
        },
    }
    assert site.post(url(site, "/api/v3/profile"), json=profile, headers=headers).status_code == 201
    last = site.get(url(site, "/api/v3/profile?sort$desc=date&limit=1"), headers=headers).json()
    assert last["result"][0]["store"]["Default"]["basal"][0]["value"] == 0.7
    assert site.get(url(site, "/api/v3/food?limit=100"), headers=headers).json()["result"] == []

    deleted = site.delete(url(site, "/api/v3/treatments/REDACTED-aaps-1"), headers=headers)
    assert deleted.status_code == 200 and not Treatment.objects.exists()


def test_juggluco_v3(site):
    """Juggluco in API v3 mode, j-kaltes/Juggluco commit 4e2a5f29:
    Common/src/main/java/tk/glucodata/NightPost.java gettoken (line 164) GETs
    /api/v2/authorization/request/<the token it was given> and reads `token` and `exp`;
    upload (line 204) sends `Authorization: Bearer <jwt>` and succeeds on 200 or 201.
    uploader.cpp uploadCGM3 POSTs each reading alone to /api/v3/entries, made by
    watchserver/common.cpp writev3entry (line 44) with server=false."""
    from integrations.nightscout import tokens

    _, text = tokens.access_token_create(patient=site.record, name="Juggluco", role="upload")
    auth = site.get(url(site, f"/api/v2/authorization/request/{text}"))
    assert auth.status_code == 200
    assert isinstance(auth.json()["token"], str) and isinstance(auth.json()["exp"], int)
    headers = {
        "Authorization": "Bearer " + auth.json()["token"],
        "Content-Type": "application/json",
    }
    now = timezone.now().replace(microsecond=0)
    bodies = []
    for n in range(3):
        seconds = int((now - timedelta(minutes=n + 1)).timestamp())
        # writev3entry's byte layout: date as seconds then "000", delta with %.3f.
        bodies.append(
            f'{{"app":"Juggluco","device":"REDACTED","date":{seconds}000,"sgv":{120 + n},'
            f'"delta":{0.0:.3f},"direction":"Flat","type":"sgv","utcOffset":0,'
            f'"identifier":"0fffffff-ffff-ffff-ffff-1750{n:07d}ff","_id":"c149bacfb{n:07d}"}}'
        )
    for body in bodies:
        response = site.post(url(site, "/api/v3/entries"), data=body, headers=headers)
        assert response.status_code in (200, 201), response.text
    again = site.post(url(site, "/api/v3/entries"), data=bodies[0], headers=headers)
    assert again.status_code in (200, 201) and again.json()["isDeduplication"] is True
    stored = Reading.objects.of(site.record).order_by("-taken_at")
    assert [r.value_mgdl for r in stored] == [120, 121, 122]
    assert stored[0].external_id == "0fffffff-ffff-ffff-ffff-17500000000ff"


def test_androidaps_v3_treatment_sync(site):
    """AndroidAPS's v3 treatment sync round-trips every field it sends and parses: it
    creates (POST v3/treatments), updates (NSAndroidClientImpl.updateTreatment: PATCH
    without date and utcOffset) and reads back (v3/treatments?sort=created_at&created_at$gt
    on its first load, v3/treatments/history/<cursor> after, the cursor being the ETag
    W/"<ms>" it parses with substring(3, length - 1)), and deletes by DELETE when a record
    becomes invalid; the deletion reaches it through history as isValid false."""
    from integrations.nightscout import tokens

    _, text = tokens.access_token_create(patient=site.record, name="AAPS", role="full")
    jwt = site.get(url(site, f"/api/v2/authorization/request/{text}")).json()["token"]
    headers = {"Authorization": f"Bearer {jwt}"}
    now = timezone.now().replace(microsecond=0)
    sent = aaps.treatments(now)
    start = int(timezone.now().timestamp() * 1000) - 1000

    identifiers = {}
    for kind, body in sent.items():
        created = site.post(url(site, "/api/v3/treatments"), json=body, headers=headers)
        assert created.status_code == 201, (kind, created.text)
        identifiers[kind] = created.json()["identifier"]
    assert len(set(identifiers.values())) == 4

    # The temporary target is shortened on the phone: AAPS sends it again without date
    # and utcOffset (they "cannot be updated"), with the identifier it was given.
    update = {k: v for k, v in sent["temporary target"].items() if k not in ("date", "utcOffset")}
    update.update(
        identifier=identifiers["temporary target"], duration=20, durationInMilliseconds=1_200_000
    )
    patched = site.patch(
        url(site, f"/api/v3/treatments/{identifiers['temporary target']}"),
        json=update,
        headers=headers,
    )
    assert patched.status_code == 200
    sent["temporary target"].update(duration=20, durationInMilliseconds=1_200_000)

    since = iso_ms(now - timedelta(hours=2))
    first_load = site.get(
        url(site, f"/api/v3/treatments?sort=created_at&created_at$gt={since}&limit=500"),
        headers=headers,
    ).json()["result"]
    history = site.get(url(site, f"/api/v3/treatments/history/{start}?limit=500"), headers=headers)
    etag = history.headers["ETag"]
    cursor = int(etag[3:-1])  # AAPS: eTagString.substring(3, eTagString.length - 1).toLong()
    assert cursor == max(doc["srvModified"] for doc in history.json()["result"])
    v1 = site.get(
        url(site, "/api/v1/treatments.json?count=10"), headers={"api-secret": sha1(site.secret)}
    ).json()
    for answer in (first_load, history.json()["result"], v1):
        by_id = {doc.get("identifier", doc["_id"]): doc for doc in answer}
        for kind, body in sent.items():
            doc = by_id[identifiers[kind]]
            if answer is not v1:
                aaps.gson_reads(doc)  # else AAPS loses the whole page
            assert aaps.kind(doc) == kind
            for field, value in body.items():
                if field == "isValid" and answer is v1:
                    continue  # v1 documents carry no isValid (cgm-remote-monitor's neither)
                assert doc[field] == value, (kind, field, doc.get(field))
                assert type(doc[field]) is type(value), (kind, field, doc[field])
    temp_basal = {doc["identifier"]: doc for doc in first_load}[identifiers["temporary basal"]]
    assert "absolute" not in temp_basal  # AAPS: isAbsolute = absolute != null

    # Nothing new since the cursor: AAPS's loop ends (an empty page, no ETag needed).
    again = site.get(url(site, f"/api/v3/treatments/history/{cursor}"), headers=headers)
    assert again.json()["result"] == []

    # The SMB is invalidated on the phone: updateTreatment sends DELETE for an invalid one.
    bolus_id = identifiers["bolus"]
    deleted = site.delete(url(site, f"/api/v3/treatments/{bolus_id}"), headers=headers)
    assert deleted.status_code == 200
    modified = site.get(url(site, "/api/v3/lastModified"), headers=headers).json()["result"]
    assert modified["collections"]["treatments"] > cursor  # AAPS loads only when newer
    after = site.get(url(site, f"/api/v3/treatments/history/{cursor}"), headers=headers)
    (tombstone,) = after.json()["result"]
    assert tombstone["srvModified"] == int(after.headers["ETag"][3:-1])
    assert (tombstone["identifier"], tombstone["isValid"]) == (bolus_id, False)
    # The whole document as it was, so that AAPS parses it as the bolus it was.
    aaps.gson_reads(tombstone)
    assert aaps.kind(tombstone) == "bolus"
    for field, value in sent["bolus"].items():
        if field != "isValid":
            assert tombstone[field] == value, (field, tombstone.get(field))
    assert site.get(url(site, f"/api/v3/treatments/{bolus_id}"), headers=headers).status_code == 410
    listed = site.get(url(site, "/api/v3/treatments?limit=100"), headers=headers).json()["result"]
    assert bolus_id not in {doc["identifier"] for doc in listed}


def test_androidaps_v3_learns_deletions_made_in_bgt(site, client, patient):
    """A treatment deleted in BGT (its web page, its API, another Nightscout client) reaches
    AndroidAPS's NSClientV3 (with "receive carbs"/"receive insulin" on, or AAPSClient),
    which then takes it out of its COB and IOB: its LoadLastModificationWorker sees
    v3/lastModified move, LoadTreatmentsWorker reads v3/treatments/history/<cursor>, and its
    database invalidates its own record (clients/aaps.py Phone, from SyncNsCarbsTransaction
    and SyncNsBolusTransaction) only from a document it parses as the same kind, with the
    same identifier and amount."""
    from rest_framework.authtoken.models import Token

    from integrations.nightscout import tokens

    _, text = tokens.access_token_create(patient=site.record, name="AAPS", role="full")
    jwt = site.get(url(site, f"/api/v2/authorization/request/{text}")).json()["token"]
    headers = {"Authorization": f"Bearer {jwt}"}
    now = timezone.now().replace(microsecond=0)
    start = int(timezone.now().timestamp() * 1000) - 1000
    phone = aaps.Phone()

    # AAPS's own carbs and SMB, uploaded (CarbsExtension toNSCarbs, toRemoteTreatment).
    own_carbs = {
        "date": int((now - timedelta(minutes=40)).timestamp() * 1000),
        "utcOffset": 60,
        "isReadOnly": False,
        "isValid": True,
        "eventType": "Meal Bolus",
        "carbs": 45.0,
        "app": "AAPS",
    }
    smb = aaps.treatments(now)["bolus"]
    for what, body in (("carbs", own_carbs), ("bolus", smb)):
        created = site.post(url(site, "/api/v3/treatments"), json=body, headers=headers)
        assert created.status_code == 201
        phone.own(what, body, created.json()["identifier"])

    # Carbs and a pen bolus typed into BGT by a caregiver (BGT's API).
    token, _ = Token.objects.get_or_create(user=patient)
    bgt = {"Authorization": f"Token {token.key}"}
    typed = {}
    for what, fields in (("carbs", {"carbs_g": 20}), ("bolus", {"insulin_units": 3.5})):
        body = {
            "type": what,
            "taken_at": (now - timedelta(minutes=10)).isoformat(),
            **fields,
        }
        made = site.post(url(site, "/api/v1/treatments/"), json=body, headers=bgt)
        assert made.status_code == 201, made.text
        typed[what] = made.json()["id"]

    page = site.get(url(site, f"/api/v3/treatments/history/{start}?limit=500"), headers=headers)
    cursor = int(page.headers["ETag"][3:-1])
    phone.receive(page.json()["result"])
    assert (phone.on_board("carbs"), phone.on_board("bolus")) == (65.0, pytest.approx(3.85))

    # Deleted in BGT: AAPS's carbs on the web page, the typed carbs and bolus by BGT's
    # API, AAPS's SMB by another Nightscout client (v1 DELETE by _id, as xDrip+ does).
    client.force_login(patient)
    own_carbs_id = phone.records[0]["identifier"]
    assert client.post(f"/treatments/{own_carbs_id}/delete/").status_code == 302
    for what in ("carbs", "bolus"):
        gone = site.delete(url(site, f"/api/v1/treatments/{typed[what]}/"), headers=bgt)
        assert gone.status_code == 204
    smb_id = phone.records[1]["identifier"]
    xdrip = {"api-secret": sha1(site.secret)}
    assert site.delete(url(site, f"/api/v1/treatments/{smb_id}"), headers=xdrip).json()["n"] == 1

    modified = site.get(url(site, "/api/v3/lastModified"), headers=headers).json()["result"]
    assert modified["collections"]["treatments"] > cursor
    after = site.get(url(site, f"/api/v3/treatments/history/{cursor}?limit=500"), headers=headers)
    tombstones = after.json()["result"]
    assert len(tombstones) == 4 and all(doc["isValid"] is False for doc in tombstones)
    amounts = {r["identifier"]: r["amount"] for r in phone.records}
    phone.receive(tombstones)
    assert (phone.on_board("carbs"), phone.on_board("bolus")) == (0, 0)
    assert {r["identifier"]: r["amount"] for r in phone.records} == amounts  # none rewritten
    assert len(phone.records) == 4  # each found, none inserted
    # What it would have done with the bare identifier: nothing (toTreatment() -> null).
    assert aaps.kind({"identifier": smb_id, "isValid": False, "srvModified": cursor}) is None
    # v1 readers (Trio's carbs, xDrip+, Loop) never see them again.
    assert site.get(url(site, "/api/v1/treatments.json"), headers=xdrip).json() == []
