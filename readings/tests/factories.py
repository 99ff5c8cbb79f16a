from datetime import timedelta

import factory
from django.utils import timezone

from patients.tests.factories import PatientRecordFactory
from readings.day_summaries import day_summaries_refresh
from readings.models import Context, Kind, Reading, Source, Target
from readings.services import readings_changed


def store(readings) -> list[Reading]:
    """Insert ``readings`` (any records) as the write services leave them: with the day
    summaries the roster reads kept up to date and the records' change counters bumped.
    For tests that build data in bulk."""
    readings = list(readings)
    Reading.objects.bulk_create(readings)
    by_record: dict = {}
    for reading in readings:
        by_record.setdefault(reading.patient_id, (reading.patient, []))[1].append(reading)
    for record, mine in by_record.values():
        day_summaries_refresh(patient=record, readings=mine)
        readings_changed(patient=record)
    return readings


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        reading = super()._create(model_class, *args, **kwargs)
        day_summaries_refresh(patient=reading.patient, readings=[reading])
        readings_changed(patient=reading.patient)
        return reading


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    patient = factory.SubFactory(PatientRecordFactory)
    low_mgdl = 70
    high_mgdl = 180


def cgm_cycle(record, values, *, minutes_ago=5, count=300, cadence=5, kind=Kind.CGM):
    """``count`` CGM readings of ``record``, ``cadence`` minutes apart going back from
    ``minutes_ago`` minutes ago, cycling through ``values`` (300 at 5 minutes = 25 hours:
    enough for CGM figures). Returns the readings, newest first."""
    now = timezone.now().replace(microsecond=0)
    readings = [
        Reading(
            patient=record,
            value_mgdl=values[i % len(values)],
            taken_at=now - timedelta(minutes=minutes_ago + cadence * i),
            kind=kind,
            cadence_min=cadence if kind == Kind.CGM else None,
        )
        for i in range(count)
    ]
    return store(readings)
