"""/api/v1/auth/token/ and /api/v1/me/."""

import pytest
from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import AdministratorFactory, PhysicianFactory
from patients.tests.factories import PatientFactory
from readings.models import Target
from readings.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
SIGN_IN_FAILED = {"non_field_errors": ["Unable to sign in with that email address and password."]}


@pytest.fixture
def api_client():
    return APIClient()


def authed(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# --- tokens ---------------------------------------------------------------------------------


def test_a_verified_account_gets_a_token_that_authenticates(api_client, patient, password):
    response = api_client.post(
        TOKEN, {"email": "  Patient@Example.ORG ", "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=patient).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).json()["email"] == "patient@example.org"
    # Asking again returns the same token.
    again = api_client.post(TOKEN, {"email": patient.email, "password": password}, format="json")
    assert again.json()["token"] == key


def test_wrong_password_and_unknown_email_get_the_same_answer(api_client, patient, password):
    wrong = api_client.post(TOKEN, {"email": patient.email, "password": "nope"}, format="json")
    unknown = api_client.post(
        TOKEN, {"email": "nobody@example.org", "password": password}, format="json"
    )
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json() == SIGN_IN_FAILED
    assert not Token.objects.exists()


def test_an_inactive_account_gets_no_token(api_client, patient, password):
    patient.is_active = False
    patient.save()
    response = api_client.post(TOKEN, {"email": patient.email, "password": password}, "json")
    assert response.json() == SIGN_IN_FAILED


def test_an_unverified_email_gets_no_token(api_client, password):
    user = PatientFactory(email="new@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    response = api_client.post(TOKEN, {"email": user.email, "password": password}, "json")
    assert response.status_code == 400
    assert "Confirm your email address first" in response.json()["non_field_errors"][0]
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "not-an-email", "password": "x"}, {"email": "a@example.org"}],
)
def test_a_malformed_token_request_is_a_400_with_field_messages(api_client, body):
    response = api_client.post(TOKEN, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"email", "password"}


def test_a_stale_authorization_header_does_not_block_signing_in(api_client, patient, password):
    api_client.credentials(HTTP_AUTHORIZATION="Token revoked-long-ago")
    response = api_client.post(TOKEN, {"email": patient.email, "password": password}, "json")
    assert response.status_code == 200


def test_token_requests_are_throttled_per_client(api_client, patient, password):
    for _ in range(10):
        api_client.post(TOKEN, {"email": patient.email, "password": "guess"}, format="json")
    response = api_client.post(TOKEN, {"email": patient.email, "password": password}, "json")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"].lower()


def test_delete_revokes_the_token_at_once(patient):
    client = authed(patient)
    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=patient).exists()
    assert client.get(ME).status_code == 401


def test_revoking_needs_authentication(api_client):
    assert api_client.delete(TOKEN).status_code == 401


# --- /me ------------------------------------------------------------------------------------


def test_me_shows_a_patients_preferences_and_targets(patient):
    TargetFactory(patient=patient.record, low_mgdl=80, high_mgdl=170)
    assert authed(patient).get(ME).json() == {
        "email": "patient@example.org",
        "first_name": "Pat",
        "last_name": "Ient",
        "unit": "mg/dL",
        "timezone": "UTC",
        "target_low_mgdl": 80,
        "target_high_mgdl": 170,
        "roles": ["patient"],
    }


def test_me_shows_default_targets_until_set(patient):
    body = authed(patient).get(ME).json()
    assert (body["target_low_mgdl"], body["target_high_mgdl"]) == (70, 180)


@pytest.mark.parametrize(
    ("make_user", "roles"),
    [(PhysicianFactory, ["physician"]), (AdministratorFactory, ["administrator"])],
)
def test_accounts_without_the_patient_role_have_no_targets(make_user, roles):
    body = authed(make_user()).get(ME).json()
    assert body["target_low_mgdl"] is None and body["target_high_mgdl"] is None
    assert body["roles"] == roles


def test_me_needs_authentication(api_client):
    assert api_client.get(ME).status_code == 401
    assert api_client.patch(ME, {"unit": "mmol/L"}, format="json").status_code == 401


def test_patch_changes_preferences_and_targets(patient):
    response = authed(patient).patch(
        ME,
        {
            "first_name": "Patricia",
            "unit": "mmol/L",
            "timezone": "Europe/Berlin",
            "target_low_mgdl": 80,
            "target_high_mgdl": 160,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    patient.refresh_from_db()
    patient.record.refresh_from_db()
    assert (patient.first_name, patient.last_name) == ("Patricia", "Ient")
    assert (patient.unit, patient.record.timezone) == ("mmol/L", "Europe/Berlin")
    target = Target.objects.get(patient=patient.record)
    assert (target.low_mgdl, target.high_mgdl) == (80, 160)
    assert response.json()["target_high_mgdl"] == 160


def test_patching_one_target_keeps_the_other(patient):
    TargetFactory(patient=patient.record, low_mgdl=75, high_mgdl=170)
    response = authed(patient).patch(ME, {"target_high_mgdl": 200}, format="json")
    assert response.status_code == 200
    assert (response.json()["target_low_mgdl"], response.json()["target_high_mgdl"]) == (75, 200)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "is not a known time zone"),
        ({"unit": "mg/L"}, "unit", "is not a valid choice"),
        (
            {"target_low_mgdl": 180, "target_high_mgdl": 180},
            "target_high_mgdl",
            "The low target must be below the high target.",
        ),
        (
            {"target_low_mgdl": 200},  # above the stored high target (180)
            "target_high_mgdl",
            "The low target must be below the high target.",
        ),
        ({"target_low_mgdl": 0}, "target_low_mgdl", "Glucose must be at least 20 mg/dL."),
        ({"target_high_mgdl": 601}, "target_high_mgdl", "Glucose must be at most 600 mg/dL."),
        ({"target_low_mgdl": "low"}, "target_low_mgdl", "A valid integer is required."),
        ({"first_name": "x" * 151}, "first_name", "no more than 150 characters"),
    ],
)
def test_patch_is_validated_like_the_profile_form(patient, changes, field, message):
    response = authed(patient).patch(ME, {"unit": "mmol/L", **changes}, format="json")
    assert response.status_code == 400
    assert any(message in text for text in response.json()[field]), response.json()
    patient.refresh_from_db()
    patient.record.refresh_from_db()
    assert patient.unit == "mg/dL"  # nothing half-saved
    assert patient.record.timezone == "UTC"
    assert not Target.objects.exists()


def test_a_physician_cannot_set_targets(physician):
    response = authed(physician).patch(ME, {"target_low_mgdl": 80}, format="json")
    assert response.status_code == 400
    assert response.json() == {"target_low_mgdl": ["Only patients have glucose targets."]}
    assert authed(physician).patch(ME, {"unit": "mmol/L"}, format="json").status_code == 200


def test_email_is_read_only(patient):
    response = authed(patient).patch(ME, {"email": "someone@else.org"}, format="json")
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.email == "patient@example.org"
