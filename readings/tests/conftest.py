"""Fixtures for the readings app's API tests."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client():
    """DRF's test client, signed in as nobody (use force_authenticate, a token or login)."""
    return APIClient()


@pytest.fixture
def patient_client(api_client, patient):
    """The API client authenticated as ``patient`` by an API token, as a mobile app is."""
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=patient)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client
