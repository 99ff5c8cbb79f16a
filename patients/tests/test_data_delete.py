"""patients:account-delete: the account, the record only it looks after, and everything about
both go, checked in the tables (SQLite) and collections (MongoDB) themselves, not through the
ORM that did the deleting."""

from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic import selectors as clinic_selectors
from clinic.tests.factories import ClinicMembershipFactory
from integrations.nightscout import credentials
from patients import data
from patients.models import AccessLogEntry, Patient, PatientAccess
from patients.services import patient_update
from patients.tests.factories import GrantFactory
from readings.models import Reading
from readings.tests.factories import ReadingFactory, TargetFactory

pytestmark = pytest.mark.django_db

URL = "/profile/delete/"
User = get_user_model()


def stored_count(table: str, column: str, value) -> int:
    """Rows of ``table`` whose ``column`` holds ``value``, read straight from the database."""
    if settings.IS_MONGODB:
        return connection.database[table].count_documents({column: value})
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = %s', [value])  # noqa: S608
        return cursor.fetchone()[0]


def rows_pointing_at(target, pk) -> dict[str, int]:
    """For the ``target`` model's row and for every column of every model (auto-created
    many-to-many tables included) that points at ``target``: how many stored rows hold pk."""
    pk_field = target._meta.pk
    stored_pk = pk_field.get_db_prep_value(pk, connection, prepared=False)
    counts = {
        f"{target._meta.db_table}.{pk_field.column}": stored_count(
            target._meta.db_table, pk_field.column, stored_pk
        )
    }
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is target:
                key = f"{model._meta.db_table}.{field.column}"
                counts[key] = stored_count(model._meta.db_table, field.column, stored_pk)
    return counts


def rows_about(user_pk, record_pk=None) -> dict[str, int]:
    """Stored rows about the login user_pk and, if given, about the health record record_pk
    (the record's row and every row of any model pointing at it)."""
    counts = rows_pointing_at(User, user_pk)
    if record_pk is not None:
        counts.update(rows_pointing_at(Patient, record_pk))
    return counts


def rows_about_patient(user) -> dict[str, int]:
    return rows_about(user.pk, user.record.pk)


def sessions_of(user) -> int:
    return sum(
        1
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    )


@pytest.fixture
def doomed(patient, physician):
    """A patient with a row in every table that can point at them or their record, signed in
    twice."""
    patient_update(patient=patient.record, diabetes_type="type_1")
    TargetFactory(patient=patient.record)
    credentials.upload_secret_rotate(patient=patient.record)
    Token.objects.create(user=patient)
    for hour in range(5):
        ReadingFactory(patient=patient.record, taken_at=datetime(2024, 1, 1, hour, tzinfo=UTC))
    GrantFactory(user=physician, patient=patient.record)
    AccessLogEntry.objects.create(
        viewer=physician, viewer_name="Dr House", patient=patient.record, what="report page"
    )
    address = EmailAddress.objects.get(user=patient)
    EmailConfirmation.create(address)
    LogEntry.objects.log_actions(  # the admin history of this account
        user_id=physician.pk,
        queryset=[patient],
        action_flag=CHANGE,
        change_message="Changed names.",
        single_object=True,
    )
    return patient


def signed_in_elsewhere(user) -> Client:
    other_device = Client()
    other_device.force_login(user)
    return other_device


def test_the_confirmation_page_says_what_will_be_deleted(client, doomed):
    client.force_login(doomed)

    page = client.get(URL).content.decode()

    assert "cannot be undone" in page
    assert "the health record <strong>Pat Ient</strong>" in page
    assert "its <strong>5</strong> readings" in page
    assert "<strong>1</strong> physician:" in page
    assert "your device upload secret" in page
    assert 'type="password"' in page
    assert reverse("patients:data-export") in page


def test_a_wrong_password_deletes_nothing(client, doomed):
    client.force_login(doomed)
    before = rows_about_patient(doomed)

    response = client.post(URL, {"password": "not-my-password"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == [
        "That is not your password; nothing was deleted."
    ]
    assert rows_about_patient(doomed) == before
    doomed.refresh_from_db()
    assert doomed.is_active
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in


def test_deleting_removes_every_row_about_the_patient(client, doomed, physician, password):
    client.force_login(doomed)
    other_device = signed_in_elsewhere(doomed)
    before = rows_about_patient(doomed)
    # Not vacuous: every kind of row the patient can have is there to be deleted.
    for key in (
        "accounts_user.id",
        "accounts_user_groups.user_id",
        "account_emailaddress.user_id",
        "authtoken_token.user_id",
        "patients_patientaccess.user_id",
        "patients_patient.id",  # the record, with the medical profile
        "readings_reading.patient_id",
        "readings_target.patient_id",
        "readings_uploadsecret.patient_id",
        "patients_patientaccess.patient_id",
        "patients_accesslogentry.patient_id",
    ):
        assert before[key] >= 1, key
    assert sessions_of(doomed) == 2
    confirmations = EmailConfirmation.objects.count()
    assert confirmations == 1
    user_type = ContentType.objects.get_for_model(User)
    assert LogEntry.objects.filter(content_type=user_type, object_id=str(doomed.pk)).exists()

    response = client.post(URL, {"password": password}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account and all its data have been deleted." in response.content.decode()
    assert set(rows_about_patient(doomed).values()) == {0}, rows_about_patient(doomed)
    assert sessions_of(doomed) == 0
    assert EmailConfirmation.objects.count() == 0
    assert not LogEntry.objects.filter(content_type=user_type, object_id=str(doomed.pk)).exists()
    # Signed out here and on the other device; the email cannot sign in.
    assert not response.context["user"].is_authenticated
    assert other_device.get(reverse("accounts:profile")).status_code == 302
    assert not Client().login(email="patient@example.org", password=password)
    # The physician keeps their own account, but the patient is gone from their roster.
    physician.refresh_from_db()
    assert clinic_selectors.roster_for_physician(physician=physician) == []


def test_the_physicians_roster_no_longer_shows_the_patient(client, doomed, physician, password):
    doctor = Client()
    doctor.force_login(physician)
    roster = clinic_selectors.roster_for_physician(physician=physician)
    assert [row.patient.pk for row in roster] == [doomed.record.pk]
    assert "Pat Ient" in doctor.get(reverse("clinic:roster")).content.decode()
    client.force_login(doomed)

    client.post(URL, {"password": password})

    assert clinic_selectors.roster_for_physician(physician=physician) == []
    assert "Pat Ient" not in doctor.get(reverse("clinic:roster")).content.decode()
    patient_page = doctor.get(reverse("reports:patient", args=[doomed.record.pk]))
    assert patient_page.status_code == 404


def test_other_users_data_is_untouched(client, doomed, other_patient, physician, password):
    ReadingFactory(patient=other_patient.record)
    GrantFactory(user=physician, patient=other_patient.record)
    client.force_login(doomed)

    client.post(URL, {"password": password})

    assert Reading.objects.filter(patient=other_patient.record).count() == 1
    assert PatientAccess.objects.filter(patient=other_patient.record, user=physician).count() == 1
    assert (
        PatientAccess.objects.filter(patient=other_patient.record, user=other_patient).count() == 1
    )
    assert Patient.objects.filter(pk=other_patient.record.pk).exists()
    assert User.objects.filter(pk=physician.pk, is_active=True).exists()


def test_a_deleted_physicians_views_stay_in_the_patients_log(physician, patient, password):
    ClinicMembershipFactory(physician=physician)
    GrantFactory(user=physician, patient=patient.record)
    AccessLogEntry.objects.create(
        viewer=physician, viewer_name="Dr Grace House", patient=patient.record, what="report page"
    )
    client = Client()
    client.force_login(physician)

    client.post(URL, {"password": password})

    assert set(rows_about(physician.pk).values()) == {0}, rows_about(physician.pk)
    entry = AccessLogEntry.objects.get(patient=patient.record)
    assert (entry.viewer_id, entry.viewer_name) == (None, "Dr Grace House")
    assert User.objects.filter(pk=patient.pk, is_active=True).exists()


def test_a_crash_part_way_leaves_an_account_that_cannot_sign_in_and_a_retry_finishes(
    doomed, physician, password, monkeypatch
):
    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    # Fail after the grants, readings and targets are gone, before the record itself (which
    # holds the medical profile).
    monkeypatch.setattr(Patient.objects, "filter", crash)
    with pytest.raises(RuntimeError):
        data.account_delete(user=doomed)
    monkeypatch.undo()

    doomed.refresh_from_db()
    if settings.IS_MONGODB:
        # No transactions: the steps before the crash stay done, starting with the lock-out.
        assert not doomed.is_active
        assert not doomed.has_usable_password()
        assert not Reading.objects.filter(patient=doomed.record).exists()
        assert not Client().login(email=doomed.email, password=password)
        assert clinic_selectors.roster_for_physician(physician=physician) == []
    else:
        # One transaction: rolled back whole, the account is exactly as it was.
        assert doomed.is_active
        assert Reading.objects.filter(patient=doomed.record).count() == 5
        assert Client().login(email=doomed.email, password=password)

    data.account_delete(user=doomed)  # the retry

    assert set(rows_about_patient(doomed).values()) == {0}, rows_about_patient(doomed)


def test_deleting_twice_is_harmless(doomed):
    data.account_delete(user=doomed)
    data.account_delete(user=doomed)
    assert set(rows_about_patient(doomed).values()) == {0}


def test_superusers_are_sent_to_another_administrator(client, password):
    boss = User.objects.create_superuser(email="root@example.org", password=password)
    client.force_login(boss)

    assert "ask another administrator" in client.get(URL).content.decode()
    client.post(URL, {"password": password})

    assert User.objects.filter(pk=boss.pk, is_active=True).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(URL), client.post(URL, {"password": "x"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
