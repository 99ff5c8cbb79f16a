import factory

from accounts.tests.factories import PhysicianFactory
from clinic.models import Clinic, ClinicMembership


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")


class ClinicMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicMembership

    clinic = factory.SubFactory(ClinicFactory)
    physician = factory.SubFactory(PhysicianFactory)
