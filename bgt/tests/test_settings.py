import os
import subprocess
import sys

import pytest
from django.conf import settings

from bgt import settings as bgt_settings

pytestmark = pytest.mark.django_db


def start_django(**env):
    """Import the settings in a fresh interpreter, as a server process would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "bgt.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "t3st-Only_9fQ2mZ7wKc4Rb8Lx1Nv6Hs0Dp5Gy3Ja2Ue7Wi4Ok9Tq1Zr6Xb8Cn5Ml0",
    "DJANGO_ALLOWED_HOSTS": "bgt.example.org",
    "EMAIL_URL": "smtp://mail.example.org:25",
}


def test_production_settings_start():
    assert start_django(**PRODUCTION).returncode == 0


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS must list"),
        ("EMAIL_URL", "EMAIL_URL must be set"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = start_django(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_the_development_secret_key():
    result = start_django(**{**PRODUCTION, "DJANGO_SECRET_KEY": bgt_settings.SECRET_KEY})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be" in result.stderr


def test_passwords_are_hashed_with_argon2():
    # The suite swaps in MD5 for speed (conftest); the real setting must lead with Argon2.
    assert bgt_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_times_are_timezone_aware():
    assert settings.USE_TZ is True
