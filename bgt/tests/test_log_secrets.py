"""Security issue, finding 9: no credential reaches a production log line.

The production logging configuration (JSON lines on stderr) is installed as it is in
production, real requests are made, and the whole log output is searched for the secrets
they carried: a Nightscout device secret in ?token= on a 4xx, a password-reset link's key
and an email-confirmation key. Before the fix, django.request's record carried the
request (its text is the full path and query) and the request log printed the paths.
"""

import copy
import io
import json
import logging.config

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_log():
    """The production LOGGING (JSON formatter, INFO request log), its console captured;
    calling the fixture's value returns what was written since the last call."""
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    config["handlers"]["console"]["stream"] = stream
    config["loggers"]["bgt.requests"]["level"] = "INFO"
    logging.config.dictConfig(config)

    def written() -> str:
        text = stream.getvalue()
        stream.seek(0)
        stream.truncate()
        return text

    yield written
    logging.config.dictConfig(settings.LOGGING)


def test_a_device_secret_in_the_query_string_is_not_logged_on_a_4xx(client, production_log):
    secret = "DeviceSecretSentinel0123456789"  # noqa: S105
    client.get(f"/api/v1/entries.json?token={secret}&count=10")
    client.get(f"/api/v1/no-such-endpoint?token={secret}")
    client.get(f"/no-such-page/?secret={secret}")

    out = production_log()

    assert "entries.json" in out  # the failures were logged...
    assert secret not in out  # ...without the secret
    for line in out.splitlines():
        json.loads(line)  # still one JSON object per line


def test_reset_and_confirmation_keys_are_not_logged(client, patient, production_log):
    client.post(reverse("account_reset_password"), {"email": patient.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/reset/key/" in line)
    reset_path = link[link.index("/accounts/") :].strip()
    uid_and_key = reset_path.rstrip("/").rsplit("/", 1)[1]
    address = EmailAddress.objects.create(user=patient, email="second@example.org")
    confirmation = EmailConfirmation.create(address)
    confirmation.sent_at = None
    confirmation.save()
    production_log()  # forget what the reset request itself logged

    client.get(reset_path, follow=True)
    client.get(reverse("account_confirm_email", args=[confirmation.key]))
    client.get(reverse("account_confirm_email", args=["x" * 64]))
    out = production_log()

    assert "REDACTED" in out
    key = uid_and_key.split("-", 1)[1]
    for secret in (uid_and_key, key, confirmation.key, "x" * 64):
        assert secret not in out, secret


def test_the_request_log_still_names_ordinary_paths(client, production_log):
    client.get("/healthz")
    (line,) = [json.loads(line) for line in production_log().splitlines() if "healthz" in line]
    assert line["path"] == "/healthz"
    assert line["status"] == 200
