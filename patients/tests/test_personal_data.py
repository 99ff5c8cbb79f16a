"""The personal-data registry (core.personal_data) is complete, and the three features that
read it cover every model in it: the account export, account deletion and the admin's
medical exclusion. A model added later with a foreign key to a login or a record fails the
first test until it is registered (or excluded with a reason); once registered, the others
check it is exported, deleted and kept from administrators."""

import json
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from accounts.tests.factories import AdministratorFactory
from clinic.models import Clinic, ClinicMembership
from core import personal_data
from core.personal_data import Owner
from integrations.files import jobs
from integrations.files.importers import parse_file
from integrations.nightscout import credentials, documents, tokens
from patients import data, invitations
from patients.models import AccessLogEntry, Patient
from patients.tests.factories import GrantFactory, PatientFactory, PatientRecordFactory
from readings.tests.factories import ReadingFactory, TargetFactory
from treatments import services as treatment_services
from treatments.tests.factories import TreatmentFactory

User = get_user_model()


def unregistered(models, registered: set[str], excluded: set[str]) -> list[str]:
    """Labels of the models that hold a key to a login or a record (or are the record) but
    are neither registered nor excluded."""
    missing = []
    for model in models:
        if model._meta.proxy:  # same rows as its concrete model (DRF's TokenProxy)
            continue
        keys = [
            field
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model in (User, Patient)
        ]
        if (keys or model is Patient) and model._meta.label not in registered | excluded:
            missing.append(model._meta.label)
    return sorted(missing)


def test_every_model_keyed_to_a_login_or_a_record_is_registered_or_excluded():
    models = apps.get_models()  # auto-created many-to-many tables (groups) are Django's
    registered, excluded = personal_data.registered_labels(), set(personal_data.excluded())

    assert unregistered(models, registered, excluded) == []
    # The check can fail: forget one registration and it names the model.
    assert unregistered(models, registered - {"readings.Reading"}, excluded) == ["readings.Reading"]
    for reason in personal_data.excluded().values():
        assert len(reason) > 20  # an exclusion says why


@pytest.fixture
def everything(db, physician):
    """A patient login with at least one row in every registered model, and a physician
    who views their record."""
    patient = PatientFactory(email="all@example.org")
    record = patient.record
    Token.objects.create(user=patient)
    GrantFactory(user=physician, patient=record, mrn="MRN-SENTINEL")
    AccessLogEntry.objects.create(viewer=physician, viewer_name="Dr X", patient=record, what="w")
    other = PatientRecordFactory()
    AccessLogEntry.objects.create(viewer=patient, viewer_name="All", patient=other, what="w")
    ClinicMembership.objects.create(clinic=Clinic.objects.create(name="C"), physician=patient)
    TargetFactory(patient=record, low_mgdl=80, high_mgdl=150)
    ReadingFactory(patient=record, value_mgdl=123, taken_at=datetime(2025, 1, 1, tzinfo=UTC))
    ReadingFactory(  # a CGM reading: its day summary is derived medical data
        patient=record, value_mgdl=124, kind="cgm", taken_at=datetime(2025, 1, 1, 1, tzinfo=UTC)
    )
    TreatmentFactory(patient=record, insulin_units=4.5, taken_at=datetime(2025, 1, 1, tzinfo=UTC))
    credentials.upload_secret_rotate(patient=record)
    tokens.access_token_create(patient=record, name="Follower", role="readable")
    documents.document_store(patient=record, collection="devicestatus", doc={"device": "x"})
    gone = TreatmentFactory(patient=record, carbs_g=12, taken_at=datetime(2025, 1, 2, tzinfo=UTC))
    treatment_services.treatment_delete(treatment=gone)  # its deletion is kept (API v3)
    invitations.invitation_send(patient=record, by=patient, email="g@example.org", role="follower")
    jobs.import_job_create(  # an unfinished file import
        user=patient,
        patient=record,
        parsed=parse_file(b"taken_at,value_mgdl\n2025-01-01T02:00:00Z,125\n", tz=UTC),
        file_name="readings.csv",
    )
    for entry in personal_data.entries():
        owner = patient if entry.owner == Owner.LOGIN else record
        key = owner.pk if entry.owner_field == "pk" else owner
        assert entry.model.objects.filter(**{entry.owner_field: key}).exists(), entry.section
    return patient


def test_the_export_has_a_section_with_rows_for_every_registered_model(everything):
    body = "".join(data.account_data_export(user=everything))
    document = json.loads(body)
    (record,) = document["records"]
    for entry in personal_data.entries():
        section = (document["account"] if entry.owner == Owner.LOGIN else record)[entry.section]
        assert section, entry.section


def test_deleting_the_account_deletes_every_registered_row(everything):
    record = everything.record
    data.account_delete(user=everything)

    for entry in personal_data.entries():
        owner_pk = everything.pk if entry.owner == Owner.LOGIN else record.pk
        lookup = "pk" if entry.owner_field == "pk" else f"{entry.owner_field}_id"
        left = entry.model.objects.filter(**{lookup: owner_pk}).count()
        if entry.delete:
            assert left == 0, entry.section
    # Kept by design (delete=False): the views this login made of another record stay in
    # that record's log, with the viewer's name as written then.
    assert AccessLogEntry.objects.filter(viewer_name="All", viewer=None).exists()


def test_the_admin_never_shows_a_registered_medical_model_or_field(everything):
    for model in personal_data.medical_models():
        assert not admin.site.is_registered(model), model._meta.label
    for entry in personal_data.entries():
        model_admin = admin.site._registry.get(entry.model)
        if model_admin is None:
            continue
        request = RequestFactory().get("/")
        request.user = AdministratorFactory()
        shown = {
            *model_admin.get_list_display(request),
            *model_admin.get_search_fields(request),
            *(f if isinstance(f, str) else f[0] for f in model_admin.get_list_filter(request)),
            *(name for _title, box in model_admin.get_fieldsets(request) for name in box["fields"]),
        }
        for name in personal_data.medical_fields_of(entry.model):
            assert not any(str(item).split("__")[0] == name for item in shown), (
                entry.model._meta.label,
                name,
            )


def test_the_admin_delete_confirmation_hides_every_registered_medical_model(everything, rf):
    user_admin = admin.site._registry[User]
    request = rf.post("/")
    request.user = AdministratorFactory(is_superuser=True)
    to_delete, counts, _perms, _protected = user_admin.get_deleted_objects([everything], request)

    text = repr(to_delete) + repr(counts)
    for model in personal_data.medical_models():
        assert str(model._meta.verbose_name_plural) not in counts
        assert f"{model._meta.verbose_name.capitalize()}:" not in text
    assert "health data" in counts  # the neutral line says health data goes too
