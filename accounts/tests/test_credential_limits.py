"""Security issue, findings 4, 5 and 8: who counts as one client, how often a password may
be tried for an API token, and how long a token lives.

Each test here failed on the code before the fix: the token throttle keyed on a
client-supplied X-Forwarded-For, allauth saw every client behind the proxy as the proxy,
an account locked out of web sign-in still got a token, and tokens never expired nor
ended with a password change.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import DEFAULT_PASSWORD
from core.client import client_address

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def ask_token(client, email, password, **headers):
    return client.post(TOKEN, {"email": email, "password": password}, format="json", **headers)


def web_login(client, email, password, **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


# --- one proxy setting -------------------------------------------------------------------


def test_a_forged_forwarded_for_does_not_reset_the_token_limit(patient):
    """Finding 4: 40 + 25 wrong passwords with a new X-Forwarded-For each, then a token."""
    client = APIClient()
    statuses = [
        ask_token(client, patient.email, "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(40)
    ]

    right = ask_token(client, patient.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert 429 in statuses
    assert right.status_code == 429
    assert not Token.objects.exists()


def test_behind_one_proxy_each_real_client_has_its_own_login_limit(
    patient, other_patient, settings
):
    """Finding 5: behind the README's proxy, ten failed logins from one person must not
    lock everybody out. The proxy connects from 127.0.0.1 and appends the real address."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for i in range(12):
        web_login(Client(), f"nobody{i}@example.org", "guess", **attacker)
    locked = web_login(Client(), other_patient.email, DEFAULT_PASSWORD, **attacker)

    client = Client()
    innocent = web_login(
        client,
        patient.email,
        DEFAULT_PASSWORD,
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert b"Too many failed login attempts" in locked.content
    assert innocent.status_code == 302
    assert client.session["_auth_user_id"] == str(patient.pk)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "192.0.2.1"),  # no proxy of ours: the header is the client's
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "10.9.9.9, 203.0.113.5", "203.0.113.5"),  # a forged first entry is ignored
        (2, "10.9.9.9, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
    ],
)
def test_allauth_drf_and_the_log_read_the_same_address(settings, rf, count, forwarded, expected):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    api_settings.reload()
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    try:
        assert client_address(request) == expected
        assert AnonRateThrottle().get_ident(request) == expected
    finally:
        api_settings.reload()


def test_one_environment_variable_sets_the_proxy_count_for_allauth_and_drf():
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from rest_framework.settings import api_settings; "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, api_settings.NUM_PROXIES)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "bgt.settings", "DJANGO_TRUSTED_PROXY_COUNT": "2"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["2", "2"], result.stderr


def test_the_settings_hand_one_proxy_count_to_allauth_and_drf():
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.BGT_TRUSTED_PROXY_COUNT
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.BGT_TRUSTED_PROXY_COUNT


def test_the_request_log_names_the_client_address(client, caplog, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    with caplog.at_level("INFO", logger="bgt.requests"):
        client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    (record,) = [r for r in caplog.records if r.name == "bgt.requests"]
    assert record.client == "203.0.113.8"


# --- per-account limits on the token endpoint ----------------------------------------------


def test_an_account_locked_out_of_web_login_gets_no_token(patient):
    for i in range(5):  # allauth's per-account limit, from five different addresses
        web_login(Client(), patient.email, "guess", REMOTE_ADDR=f"192.0.2.{i + 10}")

    response = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD, REMOTE_ADDR="192.0.2.99")

    assert response.status_code == 429
    assert not Token.objects.exists()


def test_failed_token_requests_lock_the_account_from_every_address(patient):
    for i in range(5):
        ask_token(APIClient(), patient.email, "guess", REMOTE_ADDR=f"192.0.2.{i + 10}")

    response = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD, REMOTE_ADDR="192.0.2.99")
    login = web_login(Client(), patient.email, DEFAULT_PASSWORD, REMOTE_ADDR="192.0.2.98")

    assert response.status_code == 429
    assert b"Too many failed login attempts" in login.content


def test_a_right_password_does_not_use_up_the_accounts_failures(patient):
    client = APIClient()
    for _ in range(4):
        assert ask_token(client, patient.email, DEFAULT_PASSWORD).status_code == 200
    assert ask_token(client, patient.email, "guess").status_code == 400
    assert ask_token(client, patient.email, DEFAULT_PASSWORD).status_code == 200


# --- token lifetime and rotation (finding 8) ----------------------------------------------


def authed(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_stops_working_after_its_lifetime_and_a_new_one_is_issued(patient, settings):
    key = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD).json()["token"]
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.BGT_API_TOKEN_DAYS, seconds=1)
    )

    refused = authed(key).get(ME)
    new_key = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD).json()["token"]

    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    assert new_key != key
    assert authed(new_key).get(ME).status_code == 200


def test_a_token_within_its_lifetime_still_works(patient, settings):
    key = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD).json()["token"]
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.BGT_API_TOKEN_DAYS - 1)
    )
    assert authed(key).get(ME).status_code == 200


def test_changing_the_password_revokes_the_api_token(client, patient):
    key = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD).json()["token"]
    client.force_login(patient)

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "a-brand-new-passphrase",
            "password2": "a-brand-new-passphrase",
        },
    )

    assert response.status_code == 302
    assert authed(key).get(ME).status_code == 401


def test_resetting_the_password_revokes_the_api_token(client, patient):
    key = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD).json()["token"]
    client.post(reverse("account_reset_password"), {"email": patient.email})
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/password/reset/key/" in line
    )
    path = link[link.index("/accounts/") :].strip()
    form_page = client.get(path, follow=True)
    new = "a-brand-new-passphrase"

    done = client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})

    assert done.status_code == 302
    assert authed(key).get(ME).status_code == 401


def test_an_expired_token_is_refused_by_the_nightscout_endpoints_too(patient, settings):
    """They name DRF's TokenAuthentication themselves, not the default classes."""
    key = ask_token(APIClient(), patient.email, DEFAULT_PASSWORD).json()["token"]
    assert authed(key).get("/api/v1/status.json").status_code == 200
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.BGT_API_TOKEN_DAYS, seconds=1)
    )

    assert authed(key).get("/api/v1/status.json").status_code == 401
    assert authed(key).get("/api/v1/entries.json").status_code == 401
