from datetime import timedelta

import factory
from django.utils import timezone

from patients.tests.factories import PatientRecordFactory
from readings.models import Context, Kind, Reading, Source, Target


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    patient = factory.SubFactory(PatientRecordFactory)
    value_mgdl = 120
    # Distinct whole-second times, an hour apart going back from now.
    taken_at = factory.Sequence(
        lambda n: timezone.now().replace(microsecond=0) - timedelta(hours=n + 1)
    )
    kind = Kind.FINGERSTICK
    context = Context.UNSPECIFIED
    source = Source.WEB


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    patient = factory.SubFactory(PatientRecordFactory)
    low_mgdl = 70
    high_mgdl = 180
