"""Fixtures shared by every app's tests: users in each role, and fast, isolated defaults."""

import pytest
from django.core.cache import cache

from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    AdministratorFactory,
    PatientFactory,
    PhysicianFactory,
)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # Argon2 is deliberately slow; tests check it is configured (test_settings) and then
    # hash with MD5. The cache holds allauth's rate-limit counters: start each test empty.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def patient(db):
    return PatientFactory(email="patient@example.org", first_name="Pat", last_name="Ient")


@pytest.fixture
def other_patient(db):
    return PatientFactory(email="other@example.org")


@pytest.fixture
def physician(db):
    return PhysicianFactory(email="doctor@example.org", first_name="Grace", last_name="House")


@pytest.fixture
def admin_user(db):
    """A site administrator: staff, in the Administrators group, not a superuser."""
    return AdministratorFactory(email="admin@example.org")
