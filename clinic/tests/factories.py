import factory
from django.utils import timezone

from accounts.tests.factories import PatientFactory, PhysicianFactory
from clinic.models import Clinic, ClinicMembership, RosterLink


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")


class ClinicMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicMembership

    clinic = factory.SubFactory(ClinicFactory)
    physician = factory.SubFactory(PhysicianFactory)


class RosterLinkFactory(factory.django.DjangoModelFactory):
    """An active link, as if the patient had accepted the physician's request."""

    class Meta:
        model = RosterLink

    physician = factory.SubFactory(PhysicianFactory)
    patient = factory.SubFactory(PatientFactory)
    status = RosterLink.Status.ACTIVE
    initiated_by = RosterLink.Side.PHYSICIAN
    responded_at = factory.LazyFunction(timezone.now)
