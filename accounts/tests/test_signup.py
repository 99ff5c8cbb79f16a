import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.models import User
from accounts.tests.factories import PhysicianFactory, UserFactory
from patients.selectors import own_record

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-unguessable-passphrase"


def sign_up(client, email, **extra):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **extra},
    )


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_a_confirmation_mail_and_does_not_sign_in(client):
    response = sign_up(client, "Alice@Example.org", timezone="Pacific/Auckland")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    user = User.objects.get()
    assert user.email == "alice@example.org"
    assert own_record(user=user).timezone == "Pacific/Auckland"
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session
    assert not roles.is_patient(user)


def test_signup_ignores_an_unknown_time_zone(client):
    sign_up(client, "tz@example.org", timezone="Mars/Olympus_Mons")

    assert own_record(user=User.objects.get()).timezone == "UTC"


def test_unverified_user_cannot_sign_in(client):
    sign_up(client, "bob@example.org")

    response = client.post(
        reverse("account_login"), {"login": "bob@example.org", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_following_the_link_verifies_signs_in_and_makes_a_patient(client):
    sign_up(client, "carol@example.org")
    link = confirmation_link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm" in page.content
    response = client.post(link)

    user = User.objects.get(email="carol@example.org")
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert roles.is_patient(user)
    assert not roles.is_physician(user)
    assert not roles.is_site_admin(user)


def test_a_bad_confirmation_link_verifies_nothing(client):
    sign_up(client, "dave@example.org")

    response = client.post("/accounts/confirm-email/not-a-real-key/")

    assert response.status_code == 404
    assert not EmailAddress.objects.get(email="dave@example.org").verified


def test_signing_up_twice_with_the_same_address_in_other_case_creates_no_second_account(client):
    UserFactory(email="erin@example.org")

    response = sign_up(client, "ERIN@Example.ORG")

    assert response.status_code == 302  # no hint that the account exists...
    assert User.objects.filter(email="erin@example.org").count() == 1
    assert "already" in mail.outbox[-1].body.lower()  # ...but the owner is told by mail


def test_a_physician_created_by_an_administrator_stays_only_a_physician_on_confirming(client):
    doctor = PhysicianFactory(email="new.doctor@example.org", verified=False)
    client.post(
        reverse("account_login"),
        {"login": doctor.email, "password": "correct-horse-battery-staple"},
    )
    client.post(confirmation_link(mail.outbox[-1]))

    doctor.refresh_from_db()
    assert EmailAddress.objects.get(user=doctor).verified
    assert roles.role_names(doctor) == {roles.PHYSICIANS}
