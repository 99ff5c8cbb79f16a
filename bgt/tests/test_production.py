"""Production behaviour: security headers, health check, request logs, deploy checks."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse

from bgt.tests.test_settings import PRODUCTION

pytestmark = pytest.mark.django_db


def test_check_deploy_is_clean_with_production_settings():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        env={**clean, **PRODUCTION},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_pages_carry_a_strict_content_security_policy_and_permissions_policy(client):
    response = client.get(reverse("home"))

    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_503_when_the_database_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.models.query.QuerySet.exists", down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_requests_are_logged_without_query_strings_or_values(client, patient, caplog):
    client.force_login(patient)

    with caplog.at_level(logging.INFO, logger="bgt.requests"):
        response = client.get("/readings/?token=s3cret-device-token&start=2026-01-01")

    (record,) = [r for r in caplog.records if r.name == "bgt.requests"]
    assert record.path == "/readings/" and record.status == 200
    assert record.route == "readings:list"
    assert record.user_id == str(patient.pk)
    assert record.request_id == response["X-Request-ID"]
    logged = str(record.__dict__)
    assert "s3cret" not in logged and "2026-01-01" not in logged
