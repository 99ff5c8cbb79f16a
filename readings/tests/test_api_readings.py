"""/api/v1/readings/: CRUD, bulk and idempotent upload, validation, who may do what."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import AdministratorFactory, PhysicianFactory
from readings.models import Context, Kind, Reading, Source
from readings.tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/readings/"


def detail(reading_or_id) -> str:
    return f"{LIST}{getattr(reading_or_id, 'pk', reading_or_id)}/"


def hours_ago(hours: float) -> datetime:
    return timezone.now().replace(microsecond=0) - timedelta(hours=hours)


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def item(value=120, *, at=None, **extra) -> dict:
    return {"value": value, "taken_at": (at or hours_ago(1)).isoformat(), **extra}


# --- creating one reading -------------------------------------------------------------------


def test_a_reading_posted_in_mmol_with_an_offset_is_stored_in_mgdl_at_the_right_instant(
    patient_client, patient
):
    patient.record.timezone = "Europe/Paris"
    patient.record.save()
    response = patient_client.post(
        LIST,
        {
            "value": "7,2",
            "unit": "mmol/L",
            "taken_at": "2025-03-30T08:15:27+02:00",
            "kind": "fingerstick",
            "context": "before_meal",
            "notes": "before breakfast",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Reading.objects.get()
    assert stored.patient == patient.record
    assert stored.value_mgdl == 130  # 7.2 x 18.01559 = 129.7
    assert stored.taken_at == datetime(2025, 3, 30, 6, 15, 27, tzinfo=UTC)
    assert stored.source == Source.API
    assert body == {
        "id": str(stored.pk),
        "value_mgdl": 130,
        "value": 130,
        "unit": "mg/dL",
        "taken_at": "2025-03-30T08:15:27+02:00",  # the patient's zone, its summer offset
        "kind": "fingerstick",
        "context": "before_meal",
        "notes": "before breakfast",
        "source": "api",
        "external_id": None,
        "direction": "",
    }


def test_value_and_unit_default_to_the_users_preference(patient_client, patient):
    patient.unit = "mmol/L"
    patient.save()
    response = patient_client.post(LIST, item("5.5"), format="json")
    assert response.status_code == 201
    assert Reading.objects.get().value_mgdl == 99  # 5.5 mmol/L, the user's unit
    assert response.json()["value"] == 5.5
    assert response.json()["unit"] == "mmol/L"


def test_defaults_for_kind_context_and_notes(patient_client):
    response = patient_client.post(LIST, item(), format="json")
    assert response.status_code == 201
    reading = Reading.objects.get()
    assert (reading.kind, reading.context, reading.notes) == (
        Kind.FINGERSTICK,
        Context.UNSPECIFIED,
        "",
    )


INVALID_ITEMS = [
    pytest.param({"value": 0}, "value", "Enter a value between 20 and 600 mg/dL.", id="zero"),
    pytest.param({"value": 601}, "value", "Enter a value between 20 and 600 mg/dL.", id="601"),
    pytest.param(
        {"value": 40, "unit": "mmol/L"},
        "value",
        "Enter a value between 1.1 and 33.3 mmol/L.",
        id="40-mmol",
    ),
    pytest.param({"value": "text"}, "value", "Enter a number.", id="text"),
    pytest.param({"value": True}, "value", "Enter a number.", id="boolean"),
    pytest.param({"value": None}, "value", "This field may not be null.", id="null"),
    pytest.param({"value": "NaN"}, "value", "Enter a number.", id="nan-string"),
    pytest.param(
        {"taken_at": "in two hours"},
        "taken_at",
        "Enter an ISO 8601 date and time with a UTC offset",
        id="unparseable-time",
    ),
    pytest.param(
        {"taken_at": "FUTURE"},
        "taken_at",
        "This time is in the future; a reading can be at most 10 minutes ahead of now.",
        id="two-hours-ahead",
    ),
    pytest.param(
        {"taken_at": "2025-03-30T08:15:00"},
        "taken_at",
        "Add a UTC offset to this time",
        id="no-offset",
    ),
    pytest.param(
        {"taken_at": "9999-12-31T23:59:59-14:00"},
        "taken_at",
        "Enter an ISO 8601 date and time",
        id="beyond-year-9999",
    ),
    pytest.param(
        {"notes": "x" * 10_000},
        "notes",
        "Ensure this field has no more than 500 characters.",
        id="10000-char-notes",
    ),
    pytest.param({"unit": "mg/L"}, "unit", '"mg/L" is not a valid choice.', id="unknown-unit"),
    pytest.param({"kind": "implant"}, "kind", '"implant" is not a valid choice.', id="kind"),
    pytest.param({"context": "brunch"}, "context", '"brunch" is not a valid choice.', id="context"),
    pytest.param({"value": "MISSING"}, "value", "This field is required.", id="no-value"),
    pytest.param({"taken_at": "MISSING"}, "taken_at", "This field is required.", id="no-time"),
    pytest.param(
        {"external_id": "e" * 201},
        "external_id",
        "Ensure this field has no more than 200 characters.",
        id="long-external-id",
    ),
]


def _bad_item(changes: dict) -> dict:
    body = item()
    for key, value in changes.items():
        if value == "MISSING":
            body.pop(key)
        elif value == "FUTURE":
            body[key] = (timezone.now() + timedelta(hours=2)).isoformat()
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(("changes", "field", "message"), INVALID_ITEMS)
def test_an_invalid_reading_is_refused_with_the_fields_message(
    patient_client, changes, field, message
):
    response = patient_client.post(LIST, _bad_item(changes), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert any(text.startswith(message) for text in response.json()[field]), response.json()
    assert not Reading.objects.exists()


def test_every_bad_field_of_an_item_is_reported_at_once(patient_client):
    response = patient_client.post(
        LIST, {"value": 0, "taken_at": "2025-01-01T00:00:00", "kind": "x"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"value", "taken_at", "kind"}


# --- bulk -----------------------------------------------------------------------------------


def cgm_day(count: int, *, start=None, **extra) -> list[dict]:
    start = start or hours_ago(count * 5 / 60 + 1)
    return [
        {
            "value": 90 + (index * 7) % 120,
            "taken_at": (start + timedelta(minutes=5 * index)).isoformat(),
            "kind": "cgm",
            **extra,
        }
        for index in range(count)
    ]


def test_the_same_1000_readings_posted_twice_are_stored_once(patient_client, patient):
    readings = cgm_day(1000)
    first = patient_client.post(LIST, readings, format="json")
    assert first.status_code == 201
    assert first.json()["created"] == 1000
    assert first.json()["duplicates"] == 0
    assert len(first.json()["readings"]) == 1000
    assert all(isinstance(r["id"], str) for r in first.json()["readings"])

    again = patient_client.post(LIST, readings, format="json")
    assert again.status_code == 200
    assert again.json() == {"created": 0, "duplicates": 1000, "readings": []}
    assert Reading.objects.of(patient.record).count() == 1000


def test_a_bulk_with_one_bad_item_stores_nothing_and_names_the_item(patient_client):
    readings = cgm_day(1000)
    readings[537]["value"] = 601
    readings[900]["context"] = "brunch"
    response = patient_client.post(LIST, readings, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "2 of 1,000 readings are invalid; nothing was stored.",
        "items": [
            {"index": 537, "errors": {"value": ["Enter a value between 20 and 600 mg/dL."]}},
            {"index": 900, "errors": {"context": ['"brunch" is not a valid choice.']}},
        ],
    }
    assert not Reading.objects.exists()


def test_a_bulk_item_that_is_not_an_object_is_named(patient_client):
    response = patient_client.post(LIST, [item(), 42, item(130)], format="json")
    assert response.status_code == 400
    assert response.json()["items"][0]["index"] == 1
    assert "non_field_errors" in response.json()["items"][0]["errors"]
    assert not Reading.objects.exists()


def test_each_bulk_item_has_its_own_unit(patient_client):
    response = patient_client.post(
        LIST,
        [item(7.2, unit="mmol/L", at=hours_ago(2)), item(130, unit="mg/dL", at=hours_ago(1))],
        format="json",
    )
    assert response.status_code == 201
    assert sorted(Reading.objects.values_list("value_mgdl", flat=True)) == [130, 130]


def test_5000_readings_are_accepted_but_5001_refused_whole(patient_client, patient):
    readings = cgm_day(5001)
    too_many = patient_client.post(LIST, readings, format="json")
    assert too_many.status_code == 400
    assert "at most 5,000 readings" in too_many.json()["detail"]
    assert not Reading.objects.exists()

    accepted = patient_client.post(LIST, readings[:5000], format="json")
    assert accepted.status_code == 201
    assert Reading.objects.of(patient.record).count() == 5000


def test_an_empty_list_stores_nothing(patient_client):
    response = patient_client.post(LIST, [], format="json")
    assert response.status_code == 200
    assert response.json() == {"created": 0, "duplicates": 0, "readings": []}


# --- idempotency by external_id -------------------------------------------------------------


def test_a_retried_post_with_the_same_external_id_returns_the_stored_reading(patient_client):
    first = patient_client.post(LIST, item(120, external_id="meter-42"), format="json")
    assert first.status_code == 201
    # The retry differs (a client bug, or a re-read of the meter): the id decides.
    retry = patient_client.post(
        LIST, item(125, at=hours_ago(3), external_id="meter-42"), format="json"
    )
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["value_mgdl"] == 120
    assert Reading.objects.count() == 1


def test_a_reading_repeated_without_external_id_is_recognised_by_time_and_value(
    patient_client,
):
    at = hours_ago(2)
    first = patient_client.post(LIST, item(150, at=at), format="json")
    again = patient_client.post(LIST, item(150, at=at), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    other_value = patient_client.post(LIST, item(151, at=at), format="json")
    assert other_value.status_code == 201
    assert Reading.objects.count() == 2


def test_external_ids_deduplicate_within_and_across_bulks(patient_client, patient):
    readings = cgm_day(10)
    for index, reading in enumerate(readings):
        reading["external_id"] = f"sensor-{index % 5}"  # each id twice in the list
    response = patient_client.post(LIST, readings, format="json")
    assert response.json()["created"] == 5
    assert response.json()["duplicates"] == 5
    later = patient_client.post(LIST, cgm_day(3, external_id="sensor-1"), format="json")
    assert later.json()["created"] == 0
    assert Reading.objects.of(patient.record).count() == 5


def test_another_patients_external_ids_do_not_collide(patient_client, other_patient):
    client_for(other_patient).post(LIST, item(external_id="same"), format="json")
    response = patient_client.post(LIST, item(external_id="same"), format="json")
    assert response.status_code == 201
    assert Reading.objects.count() == 2


# --- reading and listing --------------------------------------------------------------------


def test_the_list_is_own_readings_newest_first_and_paginated(patient_client, patient):
    mine = [ReadingFactory(patient=patient.record, taken_at=hours_ago(h)) for h in (5, 1, 3)]
    ReadingFactory()  # someone else's
    response = patient_client.get(LIST, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [str(mine[1].pk), str(mine[2].pk)]
    assert body["next"]
    second = patient_client.get(body["next"])
    assert [r["id"] for r in second.json()["results"]] == [str(mine[0].pk)]


def test_the_list_filters_by_time_context_and_kind(patient_client, patient):
    old = ReadingFactory(patient=patient.record, taken_at=hours_ago(30), context=Context.FASTING)
    cgm = ReadingFactory(patient=patient.record, taken_at=hours_ago(10), kind=Kind.CGM)
    new = ReadingFactory(patient=patient.record, taken_at=hours_ago(2), context=Context.FASTING)

    def ids(**params):
        response = patient_client.get(LIST, params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    start = hours_ago(20).astimezone(ZoneInfo("America/New_York")).isoformat()
    assert ids(start=start) == [str(new.pk), str(cgm.pk)]
    # The end is exclusive: the newest reading's own time leaves it out (its time, not
    # hours_ago(2) again: a second later on a busy machine, and it would be in).
    assert ids(end=new.taken_at.isoformat()) == [str(cgm.pk), str(old.pk)]
    assert ids(context="fasting") == [str(new.pk), str(old.pk)]
    assert ids(kind="cgm") == [str(cgm.pk)]
    # A "+" that the client did not percent-encode arrives as a space; it still works.
    plus = hours_ago(20).astimezone(ZoneInfo("Asia/Tokyo")).isoformat().replace("+", " ")
    assert ids(start=plus) == [str(new.pk), str(cgm.pk)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "yesterday"}, "start"),
        ({"end": "2025-01-01T00:00:00"}, "end"),  # no offset
        ({"kind": "implant"}, "kind"),
        ({"context": "brunch"}, "context"),
        ({"start": "2025-01-02T00:00:00Z", "end": "2025-01-01T00:00:00Z"}, "end"),
    ],
)
def test_bad_list_filters_are_a_400_naming_the_parameter(patient_client, params, field):
    response = patient_client.get(LIST, params)
    assert response.status_code == 400
    assert field in response.json()


def test_an_own_reading_can_be_read_but_not_another_patients(patient_client, patient):
    mine = ReadingFactory(patient=patient.record, value_mgdl=99)
    theirs = ReadingFactory(value_mgdl=250)
    response = patient_client.get(detail(mine))
    assert response.status_code == 200
    assert response.json()["value_mgdl"] == 99
    assert patient_client.get(detail(theirs)).status_code == 404
    assert patient_client.get(detail("not-a-uuid")).status_code == 404


# --- changing and deleting ------------------------------------------------------------------


def test_put_replaces_every_field(patient_client, patient):
    reading = ReadingFactory(patient=patient.record, notes="old", context=Context.BEDTIME)
    at = hours_ago(4)
    response = patient_client.put(
        detail(reading), {"value": 6.1, "unit": "mmol/L", "taken_at": at.isoformat()}, "json"
    )
    assert response.status_code == 200, response.content
    reading.refresh_from_db()
    assert reading.value_mgdl == 110
    assert reading.taken_at == at
    assert (reading.context, reading.notes) == (Context.UNSPECIFIED, "")  # PUT replaces


def test_put_needs_value_and_time(patient_client, patient):
    reading = ReadingFactory(patient=patient.record)
    response = patient_client.put(detail(reading), {"notes": "only this"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"value", "taken_at"}


def test_patch_changes_only_what_is_sent(patient_client, patient):
    reading = ReadingFactory(patient=patient.record, value_mgdl=140, context=Context.FASTING)
    response = patient_client.patch(detail(reading), {"notes": "felt shaky"}, format="json")
    assert response.status_code == 200
    reading.refresh_from_db()
    assert (reading.value_mgdl, reading.context, reading.notes) == (
        140,
        Context.FASTING,
        "felt shaky",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": 700}, "value"),
        ({"value": 35, "unit": "mmol/L"}, "value"),
        ({"taken_at": "FUTURE"}, "taken_at"),
        ({"notes": "n" * 501}, "notes"),
        ({"kind": "implant"}, "kind"),
    ],
)
def test_a_bad_patch_changes_nothing(patient_client, patient, changes, field):
    reading = ReadingFactory(patient=patient.record, value_mgdl=140, notes="kept")
    before = Reading.objects.values().get(pk=reading.pk)
    if changes.get("taken_at") == "FUTURE":
        changes = {"taken_at": (timezone.now() + timedelta(hours=2)).isoformat()}
    response = patient_client.patch(detail(reading), changes, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Reading.objects.values().get(pk=reading.pk) == before


def test_an_edit_that_would_duplicate_another_reading_is_refused(patient_client, patient):
    at = hours_ago(3)
    ReadingFactory(patient=patient.record, value_mgdl=100, taken_at=at)
    other = ReadingFactory(patient=patient.record, value_mgdl=100, taken_at=hours_ago(5))
    response = patient_client.patch(detail(other), {"taken_at": at.isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This reading is already recorded."]}


def test_delete_removes_an_own_reading_only(patient_client, patient):
    mine = ReadingFactory(patient=patient.record)
    theirs = ReadingFactory()
    assert patient_client.delete(detail(theirs)).status_code == 404
    assert patient_client.delete(detail(mine)).status_code == 204
    assert list(Reading.objects.all()) == [theirs]


def test_someone_elses_reading_cannot_be_changed(patient_client):
    theirs = ReadingFactory(value_mgdl=200)
    assert patient_client.patch(detail(theirs), {"value": 90}, format="json").status_code == 404
    assert patient_client.put(detail(theirs), item(90), format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.value_mgdl == 200


# --- who may call what ----------------------------------------------------------------------


def _endpoints(reading):
    return [
        ("get", LIST, None),
        ("post", LIST, item(111)),
        ("get", detail(reading), None),
        ("put", detail(reading), item(112)),
        ("patch", detail(reading), {"notes": "x"}),
        ("delete", detail(reading), None),
    ]


def test_anonymous_callers_get_401_with_a_challenge(api_client, patient):
    reading = ReadingFactory(patient=patient.record)
    for method, url, body in _endpoints(reading):
        response = getattr(api_client, method)(url, body, format="json")
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Token"
    assert Reading.objects.count() == 1


@pytest.mark.parametrize(
    "make_user",
    [PhysicianFactory, AdministratorFactory],
    ids=["physician", "administrator"],
)
def test_accounts_that_are_not_patients_get_403(patient, make_user):
    reading = ReadingFactory(patient=patient.record)
    client = client_for(make_user())
    for method, url, body in _endpoints(reading):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url)
        assert "not a patient" in response.json()["detail"]
    assert Reading.objects.count() == 1


def test_a_physician_with_an_active_link_still_cannot_use_the_patients_own_endpoints(patient):
    from patients.tests.factories import GrantFactory

    link = GrantFactory(patient=patient.record)
    reading = ReadingFactory(patient=patient.record)
    client = client_for(link.user)
    for method, url, body in _endpoints(reading):
        assert getattr(client, method)(url, body, format="json").status_code == 403


def test_another_patient_sees_404_and_an_empty_list(patient, other_patient):
    reading = ReadingFactory(patient=patient.record, value_mgdl=123)
    client = client_for(other_patient)
    assert client.get(LIST).json()["count"] == 0
    for method, url, body in _endpoints(reading)[2:]:
        assert getattr(client, method)(url, body, format="json").status_code == 404
    reading.refresh_from_db()
    assert reading.value_mgdl == 123


def test_a_patient_who_is_also_a_physician_has_readings(patient):
    from accounts.roles import PHYSICIANS, grant_role

    grant_role(patient, PHYSICIANS)
    assert client_for(patient).post(LIST, item(), format="json").status_code == 201


def test_a_deactivated_accounts_token_stops_working(patient_client, patient):
    patient.is_active = False
    patient.save()
    assert patient_client.get(LIST).status_code == 401


def test_session_authentication_needs_the_csrf_token_for_writes(patient, password):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(email=patient.email, password=password)
    assert client.get(LIST).status_code == 200
    refused = client.post(LIST, item(), format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Reading.objects.exists()
