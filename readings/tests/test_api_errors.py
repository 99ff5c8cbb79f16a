"""Malformed requests get JSON errors, never a 500 or an HTML page."""

import gzip
import io
import json
import zlib
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token

from readings.api.views import ReadingViewSet
from readings.models import Reading

pytestmark = pytest.mark.django_db

LIST = "/api/v1/readings/"


def body_of(*items) -> bytes:
    at = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    return json.dumps(
        [
            {"value": value, "taken_at": (at - timedelta(minutes=i)).isoformat()}
            for i, value in enumerate(items)
        ]
    ).encode()


def post_raw(client, data: bytes, content_type="application/json", **headers):
    return client.generic("POST", LIST, data, content_type=content_type, headers=headers)


def assert_json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize(
    "data",
    [b"not json", b"{", b'[{"value": 1,]', b"\xff\xfe", b'[{"value": NaN}]', b"[" * 100_000],
    ids=["text", "truncated", "trailing-comma", "not-utf8", "nan", "nested-too-deep"],
)
def test_a_body_that_is_not_json_is_a_400(patient_client, data):
    body = assert_json_error(post_raw(patient_client, data), 400)
    assert body["detail"]
    assert not Reading.objects.exists()


@pytest.mark.parametrize("data", [b"42", b'"120"', b"null", b"true"])
def test_a_body_that_is_neither_object_nor_list_is_a_400(patient_client, data):
    body = assert_json_error(post_raw(patient_client, data), 400)
    assert "JSON object" in body["non_field_errors"][0]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_a_wrong_content_type_is_a_415(patient_client, content_type):
    body = assert_json_error(post_raw(patient_client, body_of(120), content_type), 415)
    assert "Unsupported media type" in body["detail"]
    assert not Reading.objects.exists()


def test_an_empty_body_asks_for_the_fields(patient_client):
    body = assert_json_error(post_raw(patient_client, b""), 400)
    assert body["value"] == ["This field is required."]


def test_a_gzip_body_is_accepted(patient_client):
    response = patient_client.generic(
        "POST",
        LIST,
        gzip.compress(body_of(120, 130)),
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    assert response.status_code == 201, response.content
    assert Reading.objects.count() == 2


def test_a_deflate_body_is_accepted(patient_client):
    response = patient_client.generic(
        "POST",
        LIST,
        zlib.compress(body_of(120)),
        content_type="application/json",
        headers={"Content-Encoding": "deflate"},
    )
    assert response.status_code == 201


def test_a_corrupt_gzip_body_is_a_400(patient_client):
    for data in (b"not gzip at all", gzip.compress(body_of(120))[:-12]):
        response = patient_client.generic(
            "POST",
            LIST,
            data,
            content_type="application/json",
            headers={"Content-Encoding": "gzip"},
        )
        assert "gzip" in assert_json_error(response, 400)["detail"]


def test_an_unknown_content_encoding_is_a_415(patient_client):
    response = patient_client.generic(
        "POST",
        LIST,
        body_of(120),
        content_type="application/json",
        headers={"Content-Encoding": "br"},
    )
    assert "not supported" in assert_json_error(response, 415)["detail"]


def test_a_payload_over_the_limit_is_a_413(patient_client, settings):
    settings.BGT_API_MAX_BODY_BYTES = 10_000
    data = body_of(*([120] * 200))
    assert len(data) > 10_000
    body = assert_json_error(post_raw(patient_client, data), 413)
    assert "larger than" in body["detail"]
    assert not Reading.objects.exists()


def test_a_decompression_bomb_is_stopped_at_the_limit(patient_client, settings):
    settings.BGT_API_MAX_BODY_BYTES = 1_000_000
    # 1 KB on the wire that would expand to 100 MB.
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb") as stream:
        for _ in range(100):
            stream.write(b" " * 1_000_000)
    assert len(bomb.getvalue()) < 200_000
    response = patient_client.generic(
        "POST",
        LIST,
        bomb.getvalue(),
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    assert_json_error(response, 413)


def test_a_chunked_body_without_content_length_is_read(patient):
    """What gunicorn hands over for xDrip+'s gzip uploads (Transfer-Encoding: chunked)."""
    data = gzip.compress(body_of(120, 121, 122))
    request = RequestFactory().generic(
        "POST",
        LIST,
        data,
        content_type="application/json",
        HTTP_CONTENT_ENCODING="gzip",
        HTTP_TRANSFER_ENCODING="chunked",
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=patient).key}",
    )
    # A de-chunking WSGI server: no length, a stream that ends, and the flag saying so.
    del request.META["CONTENT_LENGTH"]
    request.META["wsgi.input"] = io.BytesIO(data)
    request.META["wsgi.input_terminated"] = True
    response = ReadingViewSet.as_view({"post": "create"})(request)
    assert response.status_code == 201, response.data
    assert Reading.objects.count() == 3


def test_unknown_api_paths_are_a_json_404(patient_client):
    body = assert_json_error(patient_client.get("/api/v2/readings/"), 404)
    assert body == {"detail": "No API endpoint at this address."}
    hint = assert_json_error(patient_client.post("/api/v1/readings", {}, format="json"), 404)
    assert "Did you mean /api/v1/readings/ ?" in hint["detail"]


def test_a_method_that_an_endpoint_lacks_is_a_json_405(patient_client):
    body = assert_json_error(patient_client.put(LIST, {}, format="json"), 405)
    assert body == {"detail": 'Method "PUT" not allowed.'}


def test_an_invalid_token_is_a_json_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert assert_json_error(api_client.get(LIST), 401) == {"detail": "Invalid token."}


def test_unknown_api_paths_are_json_404s_even_with_a_newline(api_client, patient):
    api_client.force_authenticate(patient)

    response = api_client.get("/api/v1/patients/%0A'x/readings/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_page_that_does_not_exist_is_a_json_404(api_client, patient):
    api_client.force_authenticate(patient)

    response = api_client.get("/api/v1/readings/?page=0")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}
