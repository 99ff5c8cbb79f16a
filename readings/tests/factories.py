from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import PatientFactory
from readings.models import Context, Kind, Reading, Source, Target


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    owner = factory.SubFactory(PatientFactory)
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

    owner = factory.SubFactory(PatientFactory)
    low_mgdl = 70
    high_mgdl = 180
