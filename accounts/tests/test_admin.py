"""Who may enter Django admin, and what the user admin offers administrators."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.models import User
from accounts.tests.factories import AdministratorFactory, PhysicianFactory, UserFactory
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# What accounts.roles.ADMINISTRATOR_PERMISSIONS should also list (asked for in the issue
# report); granted explicitly in these tests until it does. Without the email-address
# permissions an administrator cannot delete any user: allauth registers EmailAddress in
# admin, and every user has one.
# SecantusDB returns 1 for a nested inclusion in $project (DESIGN.md section 7), and
# ModelBackend reads a user's group permissions with .values_list("content_type__app_label",
# "codename"): on the MongoDB leg an administrator (not a superuser) has no permission at
# all. Real MongoDB returns the field. Tests of an administrator's permissions carry this
# mark; the same behaviour is checked on both databases through a superuser.
PERMISSION_LOOKUP_DEVIATION = pytest.mark.secantus_deviation(
    "$project with a nested inclusion returns 1: ModelBackend's permission lookup "
    "(values_list('content_type__app_label', 'codename')) yields no permission"
)
ADMIN_KINDS = [pytest.param("administrator", marks=PERMISSION_LOOKUP_DEVIATION), "superuser"]


def make_admin(kind):
    """An administrator (staff in the Administrators group with the admin permissions) or
    a superuser."""
    if kind == "superuser":
        return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    return AdministratorFactory(email="admin@example.org")


@pytest.fixture(params=ADMIN_KINDS)
def admin_client(request, client, db):
    """A client signed in as an administrator, then as a superuser."""
    client.force_login(make_admin(request.param))
    return client


@PERMISSION_LOOKUP_DEVIATION
def test_administrators_enter_admin_and_see_users_clinics_and_grants(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Users", "Clinics", "Access grants"):
        assert name in html
    for hidden in (
        "Readings",
        "Targets",
        "Medical profile",
        "Upload secret",
        "Access log",
        "Token",
    ):
        assert hidden not in html


@pytest.mark.parametrize(
    "make_user",
    [
        PatientFactory,
        PhysicianFactory,
        # Marked staff by mistake, but in no Administrators group: still no entry.
        lambda: PhysicianFactory(is_staff=True),
        lambda: UserFactory(is_staff=True),
    ],
    ids=["patient", "physician", "staff physician", "staff without role"],
)
def test_physicians_and_patients_cannot_enter_admin(client, make_user):
    client.force_login(make_user())

    index = client.get(reverse("admin:index"))
    users = client.get(reverse("admin:accounts_user_changelist"))
    login = client.get(reverse("admin:login"))

    assert index.status_code == 302 and index["Location"].startswith(reverse("admin:login"))
    assert users.status_code == 302
    assert login.status_code == 403


def test_an_inactive_administrator_cannot_enter_admin(client, admin_user):
    admin_user.is_active = False
    admin_user.save()
    client.force_login(admin_user)  # a session from before the deactivation

    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_sign_in_goes_through_the_sites_sign_in_page(client):
    response = client.get(reverse("admin:index"))
    login = client.get(response["Location"])

    assert login.status_code == 302
    assert login["Location"].startswith(reverse("account_login"))
    assert "next=/admin/" in login["Location"]


def test_api_tokens_are_not_in_admin():
    from rest_framework.authtoken.models import TokenProxy

    assert not admin.site.is_registered(TokenProxy)


def test_medical_models_are_registered_nowhere():
    from integrations.models import UploadSecret
    from patients.models import AccessLogEntry, Patient
    from readings.models import Reading, Target

    for model in (Patient, Reading, Target, UploadSecret, AccessLogEntry):
        assert not admin.site.is_registered(model), model


def test_user_form_shows_account_fields_only(admin_client, patient):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[patient.pk]))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {
        "email",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "groups",
    }
    html = response.content.decode()
    for absent in ("Glucose unit", "Time zone", "Superuser", "User permissions", "Password"):
        assert absent not in html


def test_administrators_cannot_set_someone_elses_password(admin_client, patient):
    change = admin_client.get(reverse("admin:accounts_user_change", args=[patient.pk]))
    response = admin_client.get(reverse("admin:auth_user_password_change", args=[patient.pk]))

    assert change.status_code == 200
    assert response.status_code == 404


def test_an_administrator_adds_a_user_with_email_and_password(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": " New.Doctor@Example.org ",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.doctor@example.org")
    assert user.check_password("a-long-pass-phrase")


def test_adding_a_user_with_an_existing_email_is_refused(admin_client, patient):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "PATIENT@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email="patient@example.org").count() == 1


def test_an_administrator_deactivates_a_user_and_moves_them_to_a_group(admin_client, patient):
    physicians = Group.objects.get(name=roles.PHYSICIANS)

    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[patient.pk]),
        {
            "email": patient.email,
            "first_name": "Pat",
            "last_name": "Ient",
            "groups": [physicians.pk],
        },  # is_active and is_staff unticked
    )

    assert response.status_code == 302
    patient = User.objects.get(pk=patient.pk)
    assert not patient.is_active
    assert roles.role_names(patient) == {roles.PHYSICIANS}


def test_user_search_covers_email_and_names_only(admin_client, patient):
    changelist = reverse("admin:accounts_user_changelist")

    def found(query):
        return patient.email in admin_client.get(changelist, {"q": query}).content.decode()

    assert found("patient@") and found("Ient")
    assert not found("UTC")  # the time zone is not searched


def _change_email(admin_client, user, email):
    return admin_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": "on",
            "groups": [group.pk for group in user.groups.all()],
        },
    )


def test_the_new_address_is_confirmed_by_its_owner_before_signing_in(
    admin_client, patient, password
):
    _change_email(admin_client, patient, "new.address@example.org")
    admin_client.logout()
    mail.outbox.clear()

    login = admin_client.post(
        reverse("account_login"), {"login": "new.address@example.org", "password": password}
    )

    assert "_auth_user_id" not in admin_client.session
    assert login.status_code == 302 and "confirm-email" in login["Location"]
    (confirmation,) = mail.outbox
    assert confirmation.to == ["new.address@example.org"]
    key = re.search(r"/accounts/confirm-email/([^/]+)/", confirmation.body).group(1)
    admin_client.post(reverse("account_confirm_email", args=[key]))

    assert EmailAddress.objects.get(user=patient).verified
    assert str(admin_client.session["_auth_user_id"]) == str(patient.pk)


def test_saving_a_user_without_changing_the_email_keeps_it_verified(admin_client, patient):
    response = _change_email(admin_client, patient, patient.email.upper())

    assert response.status_code == 302
    address = EmailAddress.objects.get(user=patient)
    assert (address.email, address.verified) == (patient.email, True)


def test_an_address_someone_else_signed_up_with_is_refused(admin_client, patient):
    newcomer = UserFactory(email="pending@example.org", verified=False)
    EmailAddress.objects.create(user=newcomer, email="Shared@example.org", verified=False)

    response = _change_email(admin_client, patient, "shared@example.org")

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.get(pk=patient.pk).email == "patient@example.org"
