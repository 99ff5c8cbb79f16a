"""Schemathesis fuzzes the whole API from its own OpenAPI schema, as a signed-in patient,
against a live server: no server error and no response outside the schema."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from readings.tests.factories import ReadingFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fuzz]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
NIGHTSCOUT_ALIASES = [
    "nightscout_entries_get",
    "nightscout_entries_post",
    "nightscout_entries_slash_get",
    "nightscout_entries_slash_post",
    "nightscout_entries_current_get",
    "nightscout_entries_entry_type_get",
    "nightscout_status_get",
]
# Per operation; bounded. Every operation is fuzzed on both legs. The MongoDB leg, where a
# request costs several times more, sends 10 of each: enough for every operation's queries
# and writes to meet the database; the rest vary input the views validate the same way on
# either database, fuzzed with 25 on the SQLite leg.
MAX_EXAMPLES = int(os.environ.get("BGT_FUZZ_EXAMPLES", 10 if settings.IS_MONGODB else 25))


def test_the_api_answers_every_generated_request_within_its_schema(
    live_server, patient, settings, monkeypatch
):
    # One patient sends every request of the run: at the production rate most operations
    # would only meet the throttle's 429, and the logic behind them would go untested.
    # DRF's own throttles copied their rates when imported; BGT's read them per request.
    rates = {"anon": "100000/minute", "user": "100000/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "nightscout_credential": "100000/m/ip",
    }
    for _ in range(3):
        ReadingFactory(patient=patient.record)
    token = Token.objects.create(user=patient).key
    report = Path(settings.BASE_DIR) / "test-artifacts" / "schemathesis"
    st = Path(sys.executable).with_name("st")

    result = subprocess.run(  # noqa: S603 - our own venv's schemathesis
        [
            str(st),
            "run",
            f"{live_server.url}/api/schema/",
            "--checks",
            CHECKS,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",
            "--header",
            f"Authorization: Token {token}",
            # Revoking the token would end the run as a patient half-way.
            "--exclude-operation-id",
            "auth_token_destroy",
            "--report",
            "junit",
            "--report-dir",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Rate limited" not in result.stdout, result.stdout[-6000:]
