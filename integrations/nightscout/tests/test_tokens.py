"""Nightscout access tokens: made and revoked on the sharing page, roles enforced on every
Nightscout path, JWTs from /api/v2/authorization/request, and every credential check
rate-limited per address."""

import hashlib
import re
from datetime import timedelta

import jwt as pyjwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.models import AccessToken, TokenRole
from integrations.nightscout import credentials, tokens
from readings.models import Kind
from readings.tests.factories import ReadingFactory
from treatments.models import Treatment

pytestmark = pytest.mark.django_db

ENTRY = {"type": "sgv", "sgv": 120}
READS = [
    "/api/v1/entries.json",
    "/api/v1/entries/sgv.json",
    "/api/v1/entries/current.json",
    "/api/v1/treatments.json",
    "/api/v1/devicestatus.json",
    "/api/v1/profile.json",
    "/api/v1/profile/current",
    "/api/v1/status.json",
    "/api/v1/verifyauth",
    "/api/v1/experiments/test",
    "/api/v2/properties",
    "/pebble",
]


def writes(treatment_id: str):
    """Every Nightscout write path, with a body each would accept from a full credential."""
    at = int((timezone.now() - timedelta(minutes=5)).timestamp() * 1000)
    return [
        ("post", "/api/v1/entries", [{**ENTRY, "date": at}]),
        ("post", "/api/v1/entries.json", [{**ENTRY, "date": at}]),
        ("delete", "/api/v1/entries?find[type]=mbg", None),
        ("post", "/api/v1/treatments", [{"eventType": "Note", "notes": "x"}]),
        ("post", "/api/v1/treatments.json", [{"eventType": "Note", "notes": "x"}]),
        ("put", "/api/v1/treatments", [{"eventType": "Note", "notes": "y"}]),
        ("delete", "/api/v1/treatments?find[eventType]=Note", None),
        ("delete", f"/api/v1/treatments/{treatment_id}", None),
        ("post", "/api/v1/devicestatus", {"device": "x", "uploaderBattery": 50}),
        ("delete", "/api/v1/devicestatus?find[created_at][$gte]=2000-01-01", None),
        ("post", "/api/v1/profile", {"defaultProfile": "a", "store": {"a": {}}}),
        ("put", "/api/v1/profile", {"defaultProfile": "a", "store": {"a": {}}}),
    ]


def client_with_token(text: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_API_SECRET=f"token={text}")  # as py-nightscout sends a token
    return client


def send(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


@pytest.fixture
def record(patient):
    ReadingFactory(
        patient=patient.record, kind=Kind.CGM, taken_at=timezone.now() - timedelta(minutes=2)
    )
    return patient.record


def test_a_readable_token_reads_everything_and_writes_nothing(record):
    token, text = tokens.access_token_create(patient=record, name="Mum", role=TokenRole.READABLE)
    note = Treatment.objects.create(
        patient=record, type="note", notes="kept", taken_at=timezone.now()
    )
    reader = client_with_token(text)
    for path in READS:
        assert reader.get(path).status_code == 200, path
        assert APIClient().get(path, {"token": text}).status_code == 200, path
    for method, path, body in writes(str(note.pk)):
        response = send(reader, method, path, body)
        assert response.status_code == 403, (method, path)
    assert list(Treatment.objects.all()) == [note]
    assert record.readings.count() == 1
    verify = reader.get("/api/v1/verifyauth").json()["message"]
    assert (verify["canRead"], verify["canWrite"]) == (True, False)


def test_an_upload_token_adds_and_changes_but_never_deletes(record):
    _, text = tokens.access_token_create(patient=record, name="Phone", role=TokenRole.UPLOAD)
    note = Treatment.objects.create(
        patient=record, type="note", notes="kept", taken_at=timezone.now()
    )
    device = client_with_token(text)
    for method, path, body in writes(str(note.pk)):
        response = send(device, method, path, body)
        expected = 403 if method == "delete" else 200
        assert response.status_code == expected, (method, path, response.content[:200])
    assert Treatment.objects.filter(pk=note.pk).exists()


def test_a_full_token_may_delete(record):
    _, text = tokens.access_token_create(patient=record, name="AAPS", role=TokenRole.FULL)
    note = Treatment.objects.create(patient=record, type="note", notes="x", taken_at=timezone.now())
    assert client_with_token(text).delete(f"/api/v1/treatments/{note.pk}").status_code == 200


def test_a_revoked_token_and_a_rotated_secret_are_refused_at_once(record):
    token, text = tokens.access_token_create(patient=record, name="Old", role=TokenRole.FULL)
    reader = client_with_token(text)
    assert reader.get("/api/v1/entries.json").status_code == 200
    tokens.access_token_revoke(token=token)
    assert reader.get("/api/v1/entries.json").status_code == 401
    secret = credentials.upload_secret_rotate(patient=record)
    uploader = APIClient()
    uploader.credentials(HTTP_API_SECRET=hashlib.sha1(secret.encode()).hexdigest())  # noqa: S324
    assert uploader.get("/api/v1/entries.json").status_code == 200
    credentials.upload_secret_rotate(patient=record)
    assert uploader.get("/api/v1/entries.json").status_code == 401
    assert APIClient().get("/pebble", {"token": secret}).status_code == 401


def test_a_jwt_for_a_token_works_as_bearer_until_the_token_is_revoked(record):
    """AndroidAPS's v3 client: GET /api/v2/authorization/request/<token>, then Bearer."""
    token, text = tokens.access_token_create(patient=record, name="AAPS", role=TokenRole.FULL)
    answer = APIClient().get(f"/api/v2/authorization/request/{text}").json()
    assert answer["exp"] - answer["iat"] == 8 * 3600
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {answer['token']}")
    assert bearer.get("/api/v1/entries.json").status_code == 200
    tokens.access_token_revoke(token=token)
    assert bearer.get("/api/v1/entries.json").status_code == 401
    assert APIClient().get(f"/api/v2/authorization/request/{text}").status_code == 401


def test_an_expired_or_forged_jwt_is_refused(record):
    token, _ = tokens.access_token_create(patient=record, name="AAPS", role=TokenRole.FULL)
    past = int((timezone.now() - timedelta(hours=9)).timestamp())
    expired = pyjwt.encode(
        {"accessToken": str(token.pk), "iat": past, "exp": past + 8 * 3600},
        tokens._jwt_key(),
        algorithm="HS256",
    )
    forged = pyjwt.encode(
        {"accessToken": str(token.pk), "exp": past + 24 * 3600},
        "a-guessed-key-of-thirty-two-bytes-or-more",
        algorithm="HS256",
    )
    for encoded in (expired, forged, "not-a-jwt"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {encoded}")
        assert client.get("/api/v1/entries.json").status_code == 401


def test_every_credential_check_is_rate_limited_per_address(record, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "nightscout_credential": "3/m/ip",
    }
    _, text = tokens.access_token_create(patient=record, name="Mum", role=TokenRole.READABLE)
    good = client_with_token(text)
    wrong = client_with_token("mum-" + "0" * 24)
    assert good.get("/api/v1/entries.json").status_code == 200
    assert wrong.get("/api/v1/entries.json").status_code == 401
    assert APIClient().get("/api/v2/authorization/request/x-0000000000000000").status_code == 401
    assert good.get("/api/v1/entries.json").status_code == 429
    other_address = client_with_token(text)
    assert other_address.get("/api/v1/entries.json", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_tokens_are_made_listed_with_last_use_and_revoked_on_the_sharing_page(client, patient):
    client.force_login(patient)
    made = client.post(
        "/sharing/access-tokens/new/", {"name": "Mum's Nightguard", "role": "readable"}
    )
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    text = re.search(r"data-token>([^<]+)<", made.content.decode()).group(1)
    page = client.get("/sharing/").content.decode()
    assert "Mum&#x27;s Nightguard" in page and "never" in page
    assert text not in page  # shown once
    APIClient().get("/api/v1/entries.json", {"token": text})
    token = AccessToken.objects.get()
    assert token.last_used_at is not None
    assert "never" not in client.get("/sharing/").content.decode().split("tokens-heading")[1]
    confirm = client.get(f"/sharing/access-tokens/{token.pk}/revoke/")
    assert "Revoke the access token" in confirm.content.decode()
    client.post(f"/sharing/access-tokens/{token.pk}/revoke/")
    assert not AccessToken.objects.exists()
    assert APIClient().get("/api/v1/entries.json", {"token": text}).status_code == 401


def test_another_records_token_cannot_be_revoked(client, patient, other_patient):
    token, _ = tokens.access_token_create(patient=other_patient.record, name="x", role="full")
    client.force_login(patient)
    assert client.post(f"/sharing/access-tokens/{token.pk}/revoke/").status_code == 404
    assert AccessToken.objects.filter(pk=token.pk).exists()


_SAMPLES = {
    "entry_type": "sgv",
    "collection": "treatments",
    "since": "0",
    "identifier": "REDACTED",
    "names": "bgnow",
    "treatment_id": "REDACTED",
    "access_token": "REDACTED",
}


def _nightscout_paths():
    """Every Nightscout path BGT routes (bgt/api_urls.py, /pebble), each with the view
    class that answers it; path parameters filled in with a sample value (each collection
    for API v3's)."""
    from django.urls.resolvers import RegexPattern

    from bgt.api_urls import nightscout_urlpatterns
    from integrations.nightscout.v1_treatments import TreatmentsView
    from integrations.nightscout.v2 import PebbleView
    from integrations.nightscout.v3 import COLLECTIONS

    found = [("/pebble", PebbleView), ("/api/v1/treatments/", TreatmentsView)]
    for pattern in nightscout_urlpatterns:
        text, view = str(pattern.pattern), pattern.callback.view_class
        if not isinstance(pattern.pattern, RegexPattern):
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _SAMPLES[m[1]], text)
            found.append(("/api/" + path, view))
            continue
        for collection in COLLECTIONS if "<collection>" in text else [""]:
            values = {**_SAMPLES, "collection": collection}
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m, values=values: values[m[1]], text)
            found.append(("/api/" + path.strip("^$").replace("\\.", "."), view))
    return found


def test_a_readable_token_is_refused_on_every_write_method_of_every_nightscout_path(record):
    """Not only the paths a client writes to: every POST, PUT, PATCH and DELETE any
    Nightscout view implements, with the token itself and with the JWT it is traded for."""
    token, text = tokens.access_token_create(patient=record, name="Mum", role=TokenRole.READABLE)
    jwt = APIClient().get(f"/api/v2/authorization/request/{text}").json()["token"]
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt}")
    tried = 0
    for path, view in _nightscout_paths():
        for method in ("post", "put", "patch", "delete"):
            if not hasattr(view, method) or method not in view.http_method_names:
                continue
            for client in (client_with_token(text), bearer):
                response = getattr(client, method)(path, {"eventType": "Note"}, format="json")
                assert response.status_code == 403, (method, path, response.status_code)
                tried += 1
    assert tried >= 40  # v1 entries, treatments, devicestatus, profile; v3 x 5 collections
    assert record.readings.count() == 1 and not Treatment.objects.exists()
