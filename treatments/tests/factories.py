from datetime import timedelta

import factory
from django.utils import timezone

from patients.tests.factories import PatientRecordFactory
from treatments.models import Source, Treatment, TreatmentType


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treatment

    patient = factory.SubFactory(PatientRecordFactory)
    type = TreatmentType.BOLUS
    insulin_units = 4.0
    # Distinct whole-second times, an hour apart going back from now.
    taken_at = factory.Sequence(
        lambda n: timezone.now().replace(microsecond=0) - timedelta(hours=n + 1)
    )
    source = Source.WEB
