import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def log_in(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_login_by_email_ignores_case(client, patient, password):
    response = log_in(client, "PATIENT@Example.ORG", password)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(patient.pk)


def test_wrong_password_is_refused_with_a_message(client, patient):
    response = log_in(client, patient.email, "not-the-password")

    assert response.status_code == 400  # a refusal, for clients and logs (accounts.middleware)
    assert "_auth_user_id" not in client.session
    assert b"not correct" in response.content


def test_failed_logins_are_rate_limited_per_account(client, patient, password):
    for _ in range(5):
        log_in(client, patient.email, "not-the-password")

    response = log_in(client, patient.email, password)  # right password, too late

    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_administrator_lands_in_admin_after_login(client, admin_user, password):
    response = log_in(client, admin_user.email, password)

    assert response.url == reverse("admin:index")


def test_logout_needs_a_post(client, patient):
    client.force_login(patient)

    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
