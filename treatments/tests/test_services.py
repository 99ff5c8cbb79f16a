"""The model's rules through the services: amounts, maxima and their messages, the future
limit, and idempotent uploads."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.tests.factories import PatientRecordFactory
from treatments import services
from treatments.models import Source, Treatment, TreatmentType

pytestmark = pytest.mark.django_db

AT = datetime(2025, 3, 1, 12, 0, 30, 500_000, tzinfo=UTC)


@pytest.fixture
def record():
    return PatientRecordFactory()


def messages_of(excinfo, field):
    return excinfo.value.message_dict[field]


def test_a_bolus_is_stored_to_the_second_with_its_insulin(record):
    bolus = services.treatment_create(
        patient=record, type="bolus", taken_at=AT, insulin_units=4.5, insulin_name="Fiasp"
    )
    stored = Treatment.objects.get(pk=bolus.pk)
    assert stored.taken_at == AT.replace(microsecond=0)
    assert (stored.insulin_units, stored.insulin_name) == (4.5, "Fiasp")
    assert str(stored) == f"Treatment {stored.pk}"  # never a medical value


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"type": "bolus", "insulin_units": 100.5}, "insulin_units", "A bolus can be at most 100"),
        ({"type": "bolus", "insulin_units": -1}, "insulin_units", "Insulin cannot be negative."),
        ({"type": "bolus"}, "insulin_units", "Give the bolus in units."),
        (
            {"type": "basal", "insulin_units": 301},
            "insulin_units",
            "A daily basal dose can be at most 300 units.",
        ),
        (
            {"type": "basal", "basal_rate": 36, "duration_min": 30},
            "basal_rate",
            "A basal rate can be at most 35 U/h.",
        ),
        ({"type": "basal", "basal_rate": 1.2}, "duration_min", "Give the duration"),
        ({"type": "carbs", "carbs_g": 501}, "carbs_g", "Carbohydrates can be at most 500 g."),
        ({"type": "carbs", "carbs_g": -5}, "carbs_g", "Carbohydrates cannot be negative."),
        ({"type": "carbs"}, "carbs_g", "Give the carbohydrates in grams."),
        (
            {"type": "exercise", "duration_min": 1441},
            "duration_min",
            "A duration can be at most 24 hours",
        ),
        ({"type": "note", "insulin_units": 2}, "insulin_units", "Only a bolus or a basal"),
    ],
)
def test_amounts_beyond_their_limits_are_refused_with_a_clear_message(
    record, fields, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        services.treatment_create(patient=record, taken_at=AT, **fields)
    assert any(message in text for text in messages_of(excinfo, field)), excinfo.value
    assert not Treatment.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "bolus", "insulin_units": 100},
        {"type": "bolus", "insulin_units": 0},
        {"type": "basal", "insulin_units": 300},
        {"type": "basal", "basal_rate": 35, "duration_min": 1440},
        {"type": "carbs", "carbs_g": 500},
        {"type": "exercise", "duration_min": 45},
        {"type": "site_change"},
        {"type": "other", "event_type": "Announcement", "notes": "New pump"},
    ],
)
def test_the_maxima_themselves_are_accepted(record, fields):
    services.treatment_create(patient=record, taken_at=AT, **fields)
    assert Treatment.objects.count() == 1


def test_a_time_more_than_ten_minutes_ahead_is_refused(record):
    soon = timezone.now() + timedelta(minutes=9)
    services.treatment_create(patient=record, type="carbs", carbs_g=20, taken_at=soon)
    with pytest.raises(ValidationError) as excinfo:
        services.treatment_create(
            patient=record,
            type="carbs",
            carbs_g=20,
            taken_at=timezone.now() + timedelta(minutes=11),
        )
    assert "at most 10 minutes ahead" in messages_of(excinfo, "taken_at")[0]


def test_the_same_treatment_twice_is_already_recorded(record):
    services.treatment_create(patient=record, type="carbs", carbs_g=45, taken_at=AT)
    with pytest.raises(ValidationError, match="already recorded"):
        services.treatment_create(patient=record, type="carbs", carbs_g=45, taken_at=AT)
    # Another amount at the same second is another treatment.
    services.treatment_create(patient=record, type="carbs", carbs_g=15, taken_at=AT)
    assert Treatment.objects.count() == 2


def test_an_update_is_validated_like_a_new_treatment(record):
    bolus = services.treatment_create(patient=record, type="bolus", insulin_units=3, taken_at=AT)
    services.treatment_update(treatment=bolus, insulin_units=5, notes="Pizza")
    bolus.refresh_from_db()
    assert (bolus.insulin_units, bolus.notes) == (5, "Pizza")
    assert bolus.measurement_key == bolus.key()
    with pytest.raises(ValidationError, match="at most 100"):
        services.treatment_update(treatment=bolus, insulin_units=120)
    bolus.refresh_from_db()
    assert bolus.insulin_units == 5


def build(n, **extra):
    return Treatment(
        type=TreatmentType.BOLUS,
        insulin_units=1 + n,
        taken_at=AT + timedelta(minutes=n),
        source=Source.API,
        **extra,
    )


def test_a_bulk_upload_again_adds_nothing(record):
    first = services.treatments_bulk_create(
        patient=record, treatments=[build(n, external_id=f"x{n}") for n in range(5)]
    )
    assert (len(first.created), first.duplicates) == (5, 0)
    again = services.treatments_bulk_create(
        patient=record, treatments=[build(n, external_id=f"x{n}") for n in range(6)]
    )
    assert (len(again.created), again.duplicates) == (1, 5)
    # Same external id with other values: the device's retry of an edited entry.
    changed = services.treatments_bulk_create(
        patient=record, treatments=[build(9, external_id="x0")]
    )
    assert (len(changed.created), changed.duplicates) == (0, 1)
    # Without ids, the measurement key alone recognises them; repeats within a list too.
    same = services.treatments_bulk_create(patient=record, treatments=[build(0), build(0)])
    assert (len(same.created), same.duplicates) == (0, 2)
    assert Treatment.objects.filter(patient=record).count() == 6


def test_records_do_not_share_duplicates(record):
    other = PatientRecordFactory()
    services.treatments_bulk_create(patient=record, treatments=[build(0, external_id="a")])
    result = services.treatments_bulk_create(patient=other, treatments=[build(0, external_id="a")])
    assert len(result.created) == 1
