"""HEAD gets GET's status and headers, and no body (RFC 9110)."""

import pytest
from django.test import Client
from django.utils import timezone

from readings.models import Reading

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/healthz", "/accounts/login/", "/missing-page/"])
def test_head_has_the_headers_of_get_and_no_body(client, path):
    get = client.get(path)
    head = client.head(path)

    assert head.status_code == get.status_code
    assert head.content == b""
    assert get.content
    assert int(head["Content-Length"]) == len(get.content)
    assert head["Content-Type"] == get["Content-Type"]


def test_head_of_the_streamed_export_sends_no_rows(patient):
    Reading.objects.create(patient=patient.record, value_mgdl=487, taken_at=timezone.now())
    client = Client()
    client.force_login(patient)

    response = client.head("/readings/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert b"".join(response.streaming_content) == b""
