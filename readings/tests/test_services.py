from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from readings import selectors, services
from readings.models import Kind, Reading, Source, Target
from readings.tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db


def an_hour_ago():
    return timezone.now() - timedelta(hours=1)


def test_create_stores_whole_mgdl_to_the_second(patient):
    at = datetime(2026, 1, 5, 8, 15, 42, 987654, tzinfo=UTC)

    reading = services.reading_create(patient=patient.record, value_mgdl=131, taken_at=at)

    stored = Reading.objects.get(pk=reading.pk)
    assert stored.value_mgdl == 131
    assert stored.taken_at == at.replace(microsecond=0)
    assert (stored.source, stored.kind, stored.context) == ("web", "fingerstick", "unspecified")
    assert str(stored) == f"Reading {stored.pk}"  # no medical value in str()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value_mgdl": 19}, "value_mgdl"),
        ({"value_mgdl": 601}, "value_mgdl"),
        ({"taken_at": timedelta(minutes=11)}, "taken_at"),  # from now, when the test runs
        ({"notes": "x" * 501}, "notes"),
        ({"kind": "pump"}, "kind"),
        ({"context": "lunch"}, "context"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(patient, changes, field):
    arguments = {"value_mgdl": 120, "taken_at": an_hour_ago(), **changes}
    if isinstance(arguments["taken_at"], timedelta):
        arguments["taken_at"] = timezone.now() + arguments["taken_at"]

    with pytest.raises(ValidationError) as error:
        services.reading_create(patient=patient.record, **arguments)

    assert field in error.value.error_dict
    assert not Reading.objects.exists()


def test_a_meter_a_few_minutes_fast_is_accepted(patient):
    services.reading_create(
        patient=patient.record, value_mgdl=120, taken_at=timezone.now() + timedelta(minutes=9)
    )

    assert Reading.objects.count() == 1


def test_the_same_measurement_twice_is_refused(patient):
    at = an_hour_ago()
    services.reading_create(patient=patient.record, value_mgdl=120, taken_at=at)

    with pytest.raises(ValidationError, match="already recorded"):
        services.reading_create(
            patient=patient.record, value_mgdl=120, taken_at=at.replace(microsecond=5)
        )

    assert Reading.objects.count() == 1
    # ...but another patient, another value or another kind at that time is a new reading.
    services.reading_create(patient=patient.record, value_mgdl=121, taken_at=at)
    services.reading_create(patient=patient.record, value_mgdl=120, taken_at=at, kind=Kind.CGM)
    assert Reading.objects.count() == 3


def test_update_validates_like_create(patient):
    reading = ReadingFactory(patient=patient.record, value_mgdl=100)

    with pytest.raises(ValidationError):
        services.reading_update(reading=reading, value_mgdl=700)
    services.reading_update(reading=reading, value_mgdl=105, notes="after a walk")

    reading.refresh_from_db()
    assert (reading.value_mgdl, reading.notes) == (105, "after a walk")


def test_update_refuses_fields_that_are_not_editable(patient):
    reading = ReadingFactory(patient=patient.record)

    with pytest.raises(TypeError):
        services.reading_update(reading=reading, patient=patient.record)


def test_delete(patient):
    reading = ReadingFactory(patient=patient.record)

    services.reading_delete(reading=reading)

    assert not Reading.objects.exists()


def unsaved(value, at, **fields):
    return Reading(value_mgdl=value, taken_at=at, kind=fields.pop("kind", Kind.CGM), **fields)


def test_bulk_create_skips_duplicates_in_the_batch_and_in_the_database(patient, other_patient):
    base = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    services.reading_create(patient=patient.record, value_mgdl=100, taken_at=base, kind=Kind.CGM)
    ReadingFactory(
        patient=other_patient.record,
        value_mgdl=110,
        taken_at=base + timedelta(minutes=5),
        kind=Kind.CGM,
    )
    batch = [
        unsaved(100, base),  # already stored
        unsaved(110, base + timedelta(minutes=5)),  # stored for someone else only: new
        unsaved(120, base + timedelta(minutes=10)),
        unsaved(120, base + timedelta(minutes=10, microseconds=300)),  # same second: duplicate
    ]

    result = services.readings_bulk_create(patient=patient.record, readings=batch)

    assert (len(result.created), result.duplicates) == (2, 2)
    assert Reading.objects.of(patient.record).count() == 3
    again = services.readings_bulk_create(
        patient=patient.record, readings=[unsaved(110, base + timedelta(minutes=5))]
    )
    assert (len(again.created), again.duplicates) == (0, 1)


def test_bulk_create_is_idempotent_by_external_id(patient):
    base = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    first = [
        unsaved(100 + i, base + timedelta(minutes=5 * i), source=Source.API, external_id=f"m-{i}")
        for i in range(3)
    ]
    services.readings_bulk_create(patient=patient.record, readings=first)

    # The device re-sends the same ids with corrected values: nothing new is stored.
    resent = [
        unsaved(150, base + timedelta(minutes=5 * i), source=Source.API, external_id=f"m-{i}")
        for i in range(3)
    ]
    result = services.readings_bulk_create(patient=patient.record, readings=resent)

    assert (len(result.created), result.duplicates) == (0, 3)
    assert sorted(Reading.objects.values_list("value_mgdl", flat=True)) == [100, 101, 102]


def test_bulk_create_falls_back_when_a_concurrent_upload_stored_some_first(patient, monkeypatch):
    base = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    batch = [unsaved(100 + i, base + timedelta(minutes=5 * i)) for i in range(4)]
    # Another worker stores reading #2 between our duplicate check and our insert.
    real_stored_keys = services._stored_keys

    def racing_stored_keys(user, candidates):
        keys = real_stored_keys(user, candidates)
        Reading.objects.create(
            patient=patient.record,
            value_mgdl=102,
            taken_at=base + timedelta(minutes=10),
            kind=Kind.CGM,
        )
        return keys

    monkeypatch.setattr(services, "_stored_keys", racing_stored_keys)

    result = services.readings_bulk_create(patient=patient.record, readings=batch)

    assert (len(result.created), result.duplicates) == (3, 1)
    assert Reading.objects.of(patient.record).count() == 4


def test_target_set_and_get(patient):
    assert (
        selectors.target_get(patient=patient.record).low_mgdl,
        selectors.target_get(patient=patient.record).high_mgdl,
    ) == (70, 180)

    services.target_set(patient=patient.record, low_mgdl=80, high_mgdl=160)
    services.target_set(patient=patient.record, low_mgdl=75, high_mgdl=165)

    target = Target.objects.get(patient=patient.record)
    assert (target.low_mgdl, target.high_mgdl) == (75, 165)
    assert Target.objects.count() == 1


@pytest.mark.parametrize(("low", "high"), [(180, 180), (200, 100), (10, 180), (70, 700)])
def test_target_set_refuses_bad_ranges(patient, low, high):
    with pytest.raises(ValidationError):
        services.target_set(patient=patient.record, low_mgdl=low, high_mgdl=high)

    assert not Target.objects.exists()
