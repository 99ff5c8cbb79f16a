"""Security issue, finding 12: signup takes as long for a taken email as for a new one.

With Argon2 (production's hasher), signing up a new account hashes the password; an
email that already has an account skipped that (allauth only mails the owner), so it
answered in a third of the time: 128 ms against 416 ms told anyone whether an address
is a BGT user. Measured here with the real hasher, medians of several signups each.
"""

import statistics
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-unguessable-passphrase"
ROUNDS = 5


def sign_up(email) -> float:
    client = Client(REMOTE_ADDR="192.0.2.1")
    started = time.perf_counter()
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    return elapsed


def test_a_taken_email_answers_as_slowly_as_a_new_one(settings, patient):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1000/m/ip"}
    sign_up("warm-up@example.org")  # first-use costs (templates, password lists)

    new, taken = [], []
    for i in range(ROUNDS):  # interleaved, so a busy moment slows both alike
        new.append(sign_up(f"new{i}@example.org"))
        taken.append(sign_up(patient.email))

    assert User.objects.filter(email__startswith="new").count() == ROUNDS
    assert [m for m in mail.outbox if m.to == [patient.email]]  # its owner is told
    taken_s, new_s = statistics.median(taken), statistics.median(new)
    print(f"signup medians: taken {taken_s:.3f} s, new {new_s:.3f} s")
    assert taken_s / new_s > 0.7, (taken_s, new_s)
