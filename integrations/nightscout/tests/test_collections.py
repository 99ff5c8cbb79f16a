"""Nightscout v1 treatments, devicestatus, profile, status, verifyauth, experiments/test,
v2 properties, /pebble and CORS, through the API as clients call them."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.models import NightscoutDocument
from integrations.nightscout import credentials
from integrations.nightscout.tests.clients import loop
from readings.models import Kind
from readings.tests.factories import ReadingFactory
from treatments.models import Source, Treatment, TreatmentType

pytestmark = pytest.mark.django_db

TREATMENTS = "/api/v1/treatments"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 (the protocol's hash)


@pytest.fixture
def secret(patient):
    return credentials.upload_secret_rotate(patient=patient.record)


@pytest.fixture
def uploader(secret):
    client = APIClient()
    client.credentials(HTTP_API_SECRET=sha1(secret))
    return client


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def xdrip_treatment(moment, **fields):
    """NightscoutUploader.populateV1APITreatmentEntry (xDrip+, NightscoutFoundation/xDrip
    app/src/main/java/com/eveningoutpost/dexdrip/utilitymodels/NightscoutUploader.java)."""
    return {
        "timestamp": int(moment.timestamp() * 1000),
        "eventType": "<none>",
        "enteredBy": "xdrip",
        "notes": "",
        "uuid": "REDACTED-uuid-1",
        "carbs": 0,
        "insulin": 0,
        "created_at": iso(moment),
        "sysTime": moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        **fields,
    }


# --- treatments -------------------------------------------------------------------------


def test_treatments_upsert_find_and_delete_as_xdrip_does(uploader, patient):
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    meal = xdrip_treatment(at, eventType="Meal Bolus", insulin=4.5, carbs=40)
    (first,) = uploader.put(TREATMENTS, [meal], format="json").json()
    assert first["outcome"] == "stored"
    stored = Treatment.objects.get()
    assert (stored.type, stored.event_type, stored.insulin_units, stored.carbs_g) == (
        TreatmentType.BOLUS,
        "Meal Bolus",
        4.5,
        40,
    )
    assert (stored.source, stored.external_id, stored.device) == (
        Source.NIGHTSCOUT,
        "REDACTED-uuid-1",
        "xdrip",
    )
    # xDrip+ re-sends an edited treatment with the same uuid: updated, not added.
    (again,) = uploader.put(TREATMENTS, [{**meal, "insulin": 5}], format="json").json()
    assert again["outcome"] == "updated" and again["_id"] == first["_id"]
    assert Treatment.objects.get().insulin_units == 5
    (same,) = uploader.put(TREATMENTS, [{**meal, "insulin": 5}], format="json").json()
    assert same["outcome"] == "duplicate"
    # To delete, xDrip+ finds the _id by its uuid, then DELETEs treatments/<_id>.
    (found,) = uploader.get("/api/v1/treatments.json", {"find[uuid]": "REDACTED-uuid-1"}).json()
    assert found["_id"] == first["_id"] and found["eventType"] == "Meal Bolus"
    assert (found["insulin"], found["carbs"]) == (5, 40)
    assert found["created_at"] == iso(at)
    assert uploader.delete(f"{TREATMENTS}/{found['_id']}").status_code == 200
    assert not Treatment.objects.exists()
    # Nothing left with that id: Nightscout's answer, n = 0 (never a 404 a client retries).
    assert uploader.delete(f"{TREATMENTS}/{found['_id']}").json() == {
        "n": 0,
        "ok": 1,
        "deletedCount": 0,
    }


def test_trios_setup_note_is_stored_now_with_its_event_type(uploader, patient):
    """Trio NightscoutAPI.checkConnection: POST treatments.json, no time in the body."""
    response = uploader.post(
        "/api/v1/treatments.json",
        {"eventType": "Note", "enteredBy": "Trio", "notes": "Trio connected"},
        format="json",
    )
    assert response.status_code == 200
    note = Treatment.objects.get()
    assert (note.type, note.event_type, note.notes) == (
        TreatmentType.NOTE,
        "Note",
        "Trio connected",
    )
    assert abs(note.taken_at - timezone.now()) < timedelta(seconds=5)


def test_treatment_queries_trio_and_nightguard_send(uploader, patient):
    now = timezone.now().replace(microsecond=0)
    uploader.post(
        TREATMENTS,
        [
            {
                "eventType": "Carb Correction",
                "carbs": 20,
                "created_at": iso(now - timedelta(hours=3)),
                "enteredBy": "Trio",
            },
            {
                "eventType": "Carb Correction",
                "carbs": 15,
                "created_at": iso(now - timedelta(hours=1)),
                "enteredBy": "xdrip",
            },
            {
                "eventType": "Temporary Target",
                "duration": 60,
                "targetTop": 140,
                "created_at": iso(now - timedelta(minutes=20)),
            },
            {"eventType": "Site Change", "created_at": iso(now - timedelta(days=2))},
        ],
        format="json",
    )
    carbs = uploader.get(
        "/api/v1/treatments.json",
        {
            "find[carbs][$exists]": "true",
            "find[created_at][$gt]": iso(now - timedelta(hours=6)),
            "find[$and][0][enteredBy][$ne]": "Trio",
        },
    ).json()
    assert [t["carbs"] for t in carbs] == [15]
    target = uploader.get(
        TREATMENTS,
        {"find[eventType]": "Temporary Target", "find[duration][$exists]": "true"},
    ).json()
    assert [(t["eventType"], t["duration"]) for t in target] == [("Temporary Target", 60)]
    # Nightguard: the last Site Change of the past 10 days, count=1.
    (site,) = uploader.get(
        TREATMENTS,
        {
            "find[eventType]": "Site Change",
            "find[created_at][$gte]": iso(now - timedelta(days=10)),
            "count": "1",
        },
    ).json()
    assert site["created_at"] == iso(now - timedelta(days=2))
    everything = uploader.get(TREATMENTS).json()
    assert [t["created_at"] for t in everything] == sorted(
        (t["created_at"] for t in everything), reverse=True
    )
    # A field BGT does not keep is absent from every treatment, as MongoDB would see it.
    assert uploader.get(TREATMENTS, {"find[glucose][$gt]": "5"}).json() == []
    assert len(uploader.get(TREATMENTS, {"find[profilePlugin][$ne]": "x"}).json()) == 4
    assert uploader.get(TREATMENTS, {"find[eventType][$gt]": "x"}).status_code == 400


def test_one_bad_treatment_is_skipped_with_the_reason(uploader, patient):
    at = iso(timezone.now() - timedelta(minutes=5))
    body = uploader.post(
        TREATMENTS,
        [
            {"eventType": "Correction Bolus", "insulin": 150, "created_at": at},
            {"eventType": "Correction Bolus", "insulin": 1.5, "created_at": at},
            "junk",
        ],
        format="json",
    ).json()
    assert [t["outcome"] for t in body] == ["skipped", "stored", "skipped"]
    assert "at most 100 units" in body[0]["reason"]
    assert Treatment.objects.get().insulin_units == 1.5


def test_bgt_treatments_are_shown_with_nightscout_event_types(uploader, patient):
    Treatment.objects.create(
        patient=patient.record,
        type=TreatmentType.CARBS,
        carbs_g=30,
        taken_at=timezone.now() - timedelta(minutes=10),
    )
    (carbs,) = uploader.get(TREATMENTS, {"find[eventType]": "Carb Correction"}).json()
    assert (carbs["eventType"], carbs["carbs"], carbs["enteredBy"]) == (
        "Carb Correction",
        30,
        "bgt-web",
    )


def test_the_trailing_slash_path_is_bgts_api_or_nightscouts_by_credential(
    uploader, patient, patient_client
):
    """/api/v1/treatments/ is BGT's own endpoint (token, session) and also answers a
    Nightscout client that sends its secret there."""
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=15)
    nightscout = uploader.post(
        "/api/v1/treatments/",
        [{"eventType": "Note", "notes": "via slash", "created_at": iso(at)}],
        format="json",
    )
    assert nightscout.status_code == 200 and nightscout.json()[0]["outcome"] == "stored"
    own = patient_client.get("/api/v1/treatments/")
    assert own.status_code == 200
    assert [t["notes"] for t in own.json()["results"]] == ["via slash"]
    created = patient_client.post(
        "/api/v1/treatments/",
        {"type": "carbs", "carbs_g": 12, "taken_at": at.isoformat()},
        format="json",
    )
    assert created.status_code == 201 and created.json()["carbs_g"] == 12
    assert APIClient().get("/api/v1/treatments/").status_code in (401, 403)


# --- devicestatus and profile -----------------------------------------------------------


def test_devicestatus_is_kept_as_posted_and_read_newest_first(uploader, patient):
    """xDrip+ postDeviceStatus: {device, uploader: {battery, ...}} one object per POST."""
    now = timezone.now()
    for minutes, battery in ((10, 81), (5, 80)):
        uploader.post(
            "/api/v1/devicestatus",
            {
                "device": "xDrip-REDACTED",
                "uploader": {"battery": battery, "type": "PHONE"},
                "created_at": iso(now - timedelta(minutes=minutes)),
            },
            format="json",
        )
    statuses = uploader.get("/api/v1/devicestatus.json", {"count": 5}).json()
    assert [s["uploader"]["battery"] for s in statuses] == [80, 81]
    assert all(isinstance(s["_id"], str) and isinstance(s["mills"], int) for s in statuses)
    since = uploader.get(
        "/api/v1/devicestatus.json", {"find[created_at][$gte]": iso(now - timedelta(minutes=7))}
    ).json()
    assert len(since) == 1
    assert NightscoutDocument.objects.filter(patient=patient.record).count() == 2


def test_profile_without_upload_is_the_records_targets_and_zone(uploader, patient):
    (profile,) = uploader.get("/api/v1/profile.json").json()
    default = profile["store"][profile["defaultProfile"]]
    assert default["timezone"] == patient.record.timezone
    assert default["target_low"][0]["value"] == 70
    assert default["target_high"][0]["value"] == 180
    assert uploader.get("/api/v1/profile/current").json()["_id"] == profile["_id"]


def test_an_uploaded_profile_is_read_back(uploader):
    store = {
        "defaultProfile": "default",
        "startDate": "2025-05-01T00:00:00.000Z",
        "store": {
            "default": {
                "dia": 6,
                "timezone": "Europe/Paris",
                "basal": [{"time": "00:00", "value": 0.8}],
            }
        },
    }
    uploader.post("/api/v1/profile", store, format="json")
    (profile,) = uploader.get("/api/v1/profile.json", {"count": 1}).json()
    assert profile["store"]["default"]["basal"] == [{"time": "00:00", "value": 0.8}]
    assert profile["created_at"] == "2025-05-01T00:00:00.000Z"


# --- status, verifyauth, experiments/test --------------------------------------------------


def test_set_up_checks_answer_with_a_credential_and_refuse_without(uploader):
    assert uploader.get("/api/v1/experiments/test").json() == {"status": "ok"}
    verify = uploader.get("/api/v1/verifyauth").json()
    assert verify["message"]["canRead"] is True and verify["message"]["canWrite"] is True
    anonymous = APIClient()
    assert anonymous.get("/api/v1/experiments/test").status_code == 401
    assert anonymous.get("/api/v1/verifyauth").status_code == 401


def test_status_names_what_is_served(uploader):
    body = uploader.get("/api/v1/status.json").json()
    assert body["careportalEnabled"] is True
    assert {"careportal", "delta", "direction", "devicestatus", "profile"} <= set(
        body["settings"]["enable"]
    )
    assert body["settings"]["authDefaultRoles"] == "denied"


# --- v2 properties and /pebble --------------------------------------------------------------


@pytest.fixture
def recent(patient, uploader):
    now = timezone.now().replace(microsecond=0)
    for minutes, value in ((11, 118), (6, 120), (1, 126)):
        ReadingFactory(
            patient=patient.record,
            kind=Kind.CGM,
            value_mgdl=value,
            direction="FortyFiveUp",
            device="REDACTED",
            taken_at=now - timedelta(minutes=minutes),
        )
    uploader.post(
        "/api/v1/devicestatus",
        {
            "device": "openaps://REDACTED",
            "openaps": {"iob": {"iob": 1.234}, "suggested": {"COB": 12.5}},
            "uploaderBattery": 77,
        },
        format="json",
    )
    return now


def test_v2_properties_as_nightguard_reads_them(uploader, recent):
    body = uploader.get("/api/v2/properties").json()
    assert body["bgnow"]["last"] == 126
    assert body["bgnow"]["mills"] == int((recent - timedelta(minutes=1)).timestamp() * 1000)
    assert body["bgnow"]["sgvs"][0]["direction"] == "FortyFiveUp"
    assert (body["delta"]["mgdl"], body["delta"]["display"]) == (6, "+6")
    assert body["direction"]["value"] == "FortyFiveUp"
    assert body["upbat"]["display"] == "77%"
    assert body["iob"]["display"] == "1.23"
    assert body["cob"]["display"] == 12.5
    only = uploader.get("/api/v2/properties/bgnow,delta").json()
    assert set(only) == {"bgnow", "delta"}


def test_pebble_as_glucodatahandler_reads_it(secret, recent):
    """GlucoDataHandler NightscoutSourceTask.handlePebbleResponse: bgs[0] needs datetime,
    sgv and trend or direction; iob and cob are read when present."""
    body = APIClient().get("/pebble", {"token": secret}).json()
    (first,) = body["bgs"]
    assert first["sgv"] == "126" and first["trend"] == 3 and first["direction"] == "FortyFiveUp"
    assert first["datetime"] == int((recent - timedelta(minutes=1)).timestamp() * 1000)
    assert (first["bgdelta"], first["battery"], first["iob"], first["cob"]) == (
        6,
        "77",
        "1.23",
        12.5,
    )
    assert isinstance(body["status"][0]["now"], int)
    mmol = APIClient().get("/pebble", {"token": secret, "units": "mmol", "count": 2}).json()
    assert [bg["sgv"] for bg in mmol["bgs"]] == ["7.0", "6.7"]
    assert mmol["bgs"][0]["bgdelta"] == "0.3"


def test_pebble_and_properties_need_a_credential():
    assert APIClient().get("/pebble").status_code == 401
    assert APIClient().get("/api/v2/properties").status_code == 401


# --- CORS -----------------------------------------------------------------------------------


def test_cors_on_nightscout_paths_only(uploader, patient_client):
    origin = {"HTTP_ORIGIN": "https://reporter.example.org"}
    preflight = APIClient().options(
        "/api/v1/entries.json",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="api-secret",
        **origin,
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "api-secret" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight
    read = uploader.get("/api/v1/treatments.json", **origin)
    assert read["Access-Control-Allow-Origin"] == "*"
    assert uploader.get("/api/v1/treatments/x", **origin)["Access-Control-Allow-Origin"] == "*"
    for path in (
        "/api/v1/treatments/",
        "/api/v1/treatments/00000000-0000-0000-0000-000000000000/",
        "/api/v1/readings/",
        "/api/v1/me/",
        "/dashboard/",
    ):
        response = patient_client.get(path, **origin)
        assert "Access-Control-Allow-Origin" not in response, path


# --- API v3 edges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/entries/history/9999999999999999",
        "/api/v3/entries?date$gt=9999999999999999",
        "/api/v3/treatments?created_at$gt=someday",
        "/api/v3/entries?sgv$gt=5",
        "/api/v3/entries?limit=0",
        "/api/v3/devicestatus?bad-key=1",
    ],
)
def test_v3_bad_queries_are_answered_not_crashed(uploader, path):
    assert uploader.get(path).status_code in (400, 404)


def test_v3_a_readable_token_reads_but_cannot_create(patient):
    from integrations.nightscout import tokens

    _, text = tokens.access_token_create(patient=patient.record, name="f", role="readable")
    client = APIClient()
    client.credentials(HTTP_API_SECRET=f"token={text}")
    status = client.get("/api/v3/status").json()["result"]
    assert status["apiPermissions"]["entries"] == "r"
    assert client.get("/api/v3/entries").json() == {"status": 200, "result": []}
    assert (
        client.post("/api/v3/treatments", {"eventType": "Note"}, format="json").status_code == 403
    )


# --- fields BGT does not model, and deletions --------------------------------------------


def test_loops_override_comes_back_with_its_fields(uploader, patient):
    """Loop's temporary override (LoopKit/NightscoutKit Sources/NightscoutKit/Models/
    Treatments/OverrideTreatment.swift dictionaryRepresentation, with NightscoutTreatment's
    created_at, timestamp, enteredBy, syncIdentifier): OverrideTreatment(entry) needs
    `reason` and `duration` as a Double (or durationType "indefinite"), NightscoutTreatment
    `timestamp` as a string."""
    moment = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    finite = {
        "created_at": iso(moment),
        "timestamp": iso(moment),
        "enteredBy": "Loop",
        "eventType": "Temporary Override",
        "duration": 90.0,
        "reason": "Running",
        "insulinNeedsScaleFactor": 0.5,
        "correctionRange": [140.0, 160.0],
        "remoteAddress": "REDACTED",
        "syncIdentifier": "REDACTED-override-1",
    }
    indefinite = {
        **finite,
        "created_at": iso(moment + timedelta(minutes=5)),
        "timestamp": iso(moment + timedelta(minutes=5)),
        "reason": "Pre-Meal",
        "syncIdentifier": "REDACTED-override-2",
        "durationType": "indefinite",
    }
    del indefinite["duration"]
    stored = uploader.post(TREATMENTS, [finite, indefinite], format="json").json()
    assert [item["outcome"] for item in stored] == ["stored", "stored"]
    listed = uploader.get(TREATMENTS + ".json?find[eventType]=Temporary Override").json()
    by_sync = {doc["syncIdentifier"]: doc for doc in listed}
    for sent in (finite, indefinite):
        doc = by_sync[sent["syncIdentifier"]]
        for field, value in sent.items():
            assert doc[field] == value and type(doc[field]) is type(value), field
        assert loop.reads(doc) == "Temporary Override"
    assert "duration" not in by_sync["REDACTED-override-2"]
    # Re-sending the same override changes nothing; a changed field is an update.
    assert uploader.put(TREATMENTS, [finite], format="json").json()[0]["outcome"] == "duplicate"
    changed = {**finite, "insulinNeedsScaleFactor": 0.7}
    assert uploader.put(TREATMENTS, [changed], format="json").json()[0]["outcome"] == "updated"
    treatment = Treatment.objects.get(external_id="REDACTED-override-1")
    assert treatment.nightscout_fields["insulinNeedsScaleFactor"] == 0.7
    assert treatment.duration_min == 90


def test_a_time_changed_in_bgt_wins_over_the_one_sent(uploader, patient):
    """A field BGT models comes back as sent only while BGT still holds that value."""
    from treatments import services

    moment = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    sent = {"eventType": "Temporary Target", "date": int(moment.timestamp() * 1000) + 250}
    sent |= {"duration": 60, "targetTop": 90, "targetBottom": 90, "identifier": "REDACTED-tt"}
    uploader.post(TREATMENTS, sent, format="json")
    treatment = Treatment.objects.get()
    services.treatment_update(
        treatment=treatment, taken_at=moment - timedelta(minutes=10), duration_min=30
    )
    (doc,) = uploader.get(TREATMENTS + ".json").json()
    assert doc["date"] == int((moment - timedelta(minutes=10)).timestamp() * 1000)
    assert doc["duration"] == 30 and doc["targetTop"] == 90


def test_an_unstorable_field_skips_only_that_treatment(uploader):
    moment = timezone.now() - timedelta(minutes=5)
    bad = xdrip_treatment(moment, uuid="REDACTED-bad", **{"$where": 1})
    good = xdrip_treatment(moment, uuid="REDACTED-good", carbs=12)
    answer = uploader.post(TREATMENTS, [bad, good], format="json").json()
    assert answer[0]["outcome"] == "skipped" and "cannot be stored" in answer[0]["reason"]
    assert answer[1]["outcome"] == "stored"


def _history(client, collection: str, since_ms: int) -> list[dict]:
    return client.get(f"/api/v3/{collection}/history/{since_ms}").json()["result"]


def test_deletions_by_every_path_are_listed_by_v3_history(uploader, patient):
    """The web pages, BGT's own API and Nightscout's v1 and v3 DELETE all leave a
    deletion that v3 history lists as isValid false, with the value and time it had."""
    from django.test import Client

    from readings.models import Reading

    now = timezone.now().replace(microsecond=0)
    start = int(now.timestamp() * 1000) - 1000
    readings = [
        ReadingFactory(
            patient=patient.record,
            kind=Kind.CGM,
            value_mgdl=100 + n,
            taken_at=now - timedelta(minutes=5 * n + 1),
            external_id=f"REDACTED-r{n}" if n else None,
        )
        for n in range(3)
    ]
    treatments = [
        Treatment.objects.create(
            patient=patient.record,
            type=TreatmentType.CARBS,
            carbs_g=10 + n,
            taken_at=now - timedelta(minutes=5 * n + 1),
            source=Source.NIGHTSCOUT,
            external_id=f"REDACTED-t{n}",
        )
        for n in range(3)
    ]
    web = Client()
    web.force_login(patient)
    assert web.post(f"/readings/{readings[0].pk}/delete/").status_code == 302
    assert web.post(f"/treatments/{treatments[0].pk}/delete/").status_code == 302
    bgt_api = APIClient()
    bgt_api.force_authenticate(patient)
    assert bgt_api.delete(f"/api/v1/treatments/{treatments[1].pk}/").status_code == 204
    assert bgt_api.delete(f"/api/v1/readings/{readings[1].pk}/").status_code == 204
    assert uploader.delete(TREATMENTS + "?find[uuid]=REDACTED-t2").json()["n"] == 1
    assert uploader.delete("/api/v3/entries/REDACTED-r2").status_code == 200
    assert not Reading.objects.exists() and not Treatment.objects.exists()

    entries = _history(uploader, "entries", start)
    assert [e["identifier"] for e in entries] == [str(readings[0].pk), "REDACTED-r1", "REDACTED-r2"]
    treated = _history(uploader, "treatments", start)
    assert [t["identifier"] for t in treated] == ["REDACTED-t0", "REDACTED-t1", "REDACTED-t2"]
    for tombstone in entries + treated:
        assert tombstone["isValid"] is False and isinstance(tombstone["srvModified"], int)
    by_time = {int(r.taken_at.timestamp() * 1000): r.value_mgdl for r in readings}
    assert {e["date"]: e["sgv"] for e in entries} == by_time
    assert [(t["carbs"], t["eventType"]) for t in treated] == [
        (10, "Carb Correction"),
        (11, "Carb Correction"),
        (12, "Carb Correction"),
    ]
    assert [t["date"] for t in treated] == [int(t.taken_at.timestamp() * 1000) for t in treatments]
    searched = uploader.get("/api/v3/treatments?isValid$eq=false").json()["result"]
    assert {t["identifier"] for t in searched} == {"REDACTED-t0", "REDACTED-t1", "REDACTED-t2"}
    assert uploader.get("/api/v3/treatments").json()["result"] == []
    assert uploader.get("/api/v3/entries/REDACTED-r1").status_code == 410
    assert uploader.delete("/api/v3/entries/REDACTED-r1").status_code == 200  # again: 200
    assert uploader.get("/api/v3/entries/REDACTED-never").status_code == 404


def test_deleting_the_record_deletes_its_deletions(patient):
    from integrations.models import DeletedRecord
    from patients import data

    treatment = Treatment.objects.create(
        patient=patient.record,
        type=TreatmentType.NOTE,
        notes="x",
        taken_at=timezone.now() - timedelta(minutes=1),
    )
    from treatments import services

    identifier = str(treatment.pk)
    services.treatment_delete(treatment=treatment)
    assert DeletedRecord.objects.filter(patient=patient.record).count() == 1
    export = json.loads("".join(data.account_data_export(user=patient)))
    deletions = export["records"][0]["nightscout_deletions"]
    assert [row["identifier"] for row in deletions] == [identifier]
    data.account_delete(user=patient)
    assert not DeletedRecord.objects.exists()


def test_a_duration_longer_than_a_day_is_kept_as_sent(uploader):
    """BGT's durations stop at 24 hours; a longer one (a two-day temporary target) is kept
    among the fields as sent instead of refusing the treatment."""
    moment = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    sent = {
        "eventType": "Temporary Target",
        "created_at": iso(moment),
        "duration": 2880,
        "targetTop": 110,
        "targetBottom": 100,
        "reason": "Illness",
    }
    (answer,) = uploader.post(TREATMENTS, sent, format="json").json()
    assert answer["outcome"] == "stored"
    assert Treatment.objects.get().duration_min is None
    (doc,) = uploader.get(TREATMENTS + ".json").json()
    assert (doc["duration"], doc["targetTop"], doc["reason"]) == (2880, 110, "Illness")


def test_treatment_times_have_the_type_each_api_reader_parses(uploader):
    """A time a client sent is given back as sent only in the type the API's readers
    parse: v1 `timestamp` is an ISO 8601 string (Loop's NightscoutKit), v3 `date`,
    `mills` and `timestamp` are whole epoch ms (AndroidAPS's Gson Longs: one time in a
    string, or with a fraction, loses it the whole page)."""
    from integrations.nightscout.tests.clients import aaps

    moment = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    millis = int(moment.timestamp() * 1000)
    sent = [
        {"eventType": "Note", "timestamp": iso(moment), "enteredBy": "loop://REDACTED"},
        {"eventType": "Carb Correction", "carbs": 5, "timestamp": millis + 60_000},
        {"eventType": "Meal Bolus", "carbs": 9, "date": millis + 120_000.736, "mills": "x"},
    ]
    assert [t["outcome"] for t in uploader.post(TREATMENTS, sent, format="json").json()] == [
        "stored"
    ] * 3
    v1 = uploader.get(TREATMENTS + ".json").json()
    assert [t["timestamp"] for t in v1] == [
        iso(moment + timedelta(minutes=2)),
        iso(moment + timedelta(minutes=1)),
        iso(moment),
    ]
    assert all(loop.timestamp_parses(t["timestamp"]) for t in v1)
    assert v1[0]["date"] == millis + 120_000.736  # v1: as sent, as cgm-remote-monitor
    v3 = uploader.get("/api/v3/treatments?sort=created_at").json()["result"]
    for doc in v3:
        aaps.gson_reads(doc)
    assert [(t["date"], t["timestamp"]) for t in v3] == [
        (millis + n * 60_000, millis + n * 60_000) for n in range(3)
    ]
