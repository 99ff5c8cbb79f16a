"""Factories of logins with health records, and of grants on records."""

import factory
from django.utils import timezone

from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory, role_groups
from patients.models import Patient, PatientAccess


class PatientRecordFactory(factory.django.DjangoModelFactory):
    """A health record without a login of its own (a young child's)."""

    class Meta:
        model = Patient

    display_name = factory.Faker("first_name")
    timezone = "UTC"


class PatientFactory(UserFactory):
    """A patient's login with its own record (``.record``, an active ``self`` grant)."""

    roles = role_groups(PATIENTS)

    @factory.post_generation
    def record(obj, create, extracted, **kwargs):
        if not create:
            return
        from patients.services import patient_create_for_self

        obj.record = patient_create_for_self(user=obj, timezone_name=kwargs.get("timezone", "UTC"))


class GrantFactory(factory.django.DjangoModelFactory):
    """An active physician grant, as if the patient had accepted the physician's request."""

    class Meta:
        model = PatientAccess

    user = factory.SubFactory("accounts.tests.factories.PhysicianFactory")
    patient = factory.LazyAttribute(lambda o: PatientFactory().record)
    role = PatientAccess.Role.PHYSICIAN
    status = PatientAccess.Status.ACTIVE
    initiated_by = PatientAccess.Side.PHYSICIAN
    responded_at = factory.LazyFunction(timezone.now)
