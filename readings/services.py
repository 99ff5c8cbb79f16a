"""Every write to readings and targets goes through here: validate, save, side effects.

Writes are designed for MongoDB too, where Django has no multi-document transactions:
each reading is one document, and the uniqueness constraints make any retry of an upload
add nothing, so a crash part-way through loses nothing acknowledged and leaves nothing
that a retry would duplicate.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core import mongo
from core.idempotency import insert_unless_stored, stored_external_ids
from core.signals import record_data_deleted
from readings.day_summaries import day_summaries_refresh
from readings.models import (
    Context,
    Kind,
    Reading,
    ReadingsVersion,
    Source,
    Target,
)

BULK_BATCH_SIZE = 5000  # readings per write batch (and per fallback on a clash)


def truncate_to_second(moment: datetime) -> datetime:
    """Readings are compared (and de-duplicated) to the second."""
    return moment.replace(microsecond=0)


def reading_create(
    *,
    patient,
    value_mgdl: int,
    taken_at: datetime,
    kind: str = Kind.FINGERSTICK,
    context: str = Context.UNSPECIFIED,
    notes: str = "",
    source: str = Source.WEB,
    external_id: str | None = None,
    direction: str = "",
) -> Reading:
    """Store one reading. Raises ValidationError (nothing saved) for bad input, a time more
    than 10 minutes ahead, or a reading that is already recorded."""
    reading = Reading(
        patient=patient,
        value_mgdl=value_mgdl,
        taken_at=truncate_to_second(taken_at),
        kind=kind,
        context=context,
        notes=notes,
        source=source,
        external_id=external_id or None,
        direction=direction,
    )
    reading.full_clean()
    reading.save(force_insert=True)
    day_summaries_refresh(patient=patient, readings=[reading])
    readings_changed(patient=patient)
    return reading


READING_EDITABLE_FIELDS = ("value_mgdl", "taken_at", "kind", "context", "notes")


def reading_update(*, reading: Reading, **changes) -> Reading:
    """Change a reading's value, time, kind, context or notes; validated like a new one."""
    unknown = set(changes) - set(READING_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    if "taken_at" in changes:
        changes["taken_at"] = truncate_to_second(changes["taken_at"])
    before = Reading(kind=reading.kind, taken_at=reading.taken_at)
    for name, value in changes.items():
        setattr(reading, name, value)
    reading.full_clean()
    reading.save(update_fields=[*changes, "updated_at"])
    day_summaries_refresh(patient=reading.patient, readings=[before, reading])
    readings_changed(patient=reading.patient)
    return reading


def reading_delete(*, reading: Reading) -> None:
    identifier = reading.external_id or str(reading.pk)
    gone = copy.copy(reading)  # as it was, its id included (delete() clears the id)
    reading.delete()
    day_summaries_refresh(patient=reading.patient, readings=[reading])
    # For the clients that sync the record (Nightscout API v3 history).
    record_data_deleted.send(
        sender=Reading,
        patient=reading.patient,
        collection="entries",
        identifier=identifier,
        instance=gone,
    )
    readings_changed(patient=reading.patient)


@dataclass
class BulkResult:
    created: list[Reading] = field(default_factory=list)
    duplicates: int = 0  # already stored, or repeated within the batch


def readings_bulk_create(*, patient, readings: Iterable[Reading]) -> BulkResult:
    """Store many already-validated readings of ``patient``, skipping what is already stored.

    Validation is the caller's job (all-or-nothing before this is called). A reading is a
    duplicate when (kind, taken_at, value) or (source, external_id) matches one stored or
    earlier in the batch. Safe to retry after a crash: a repeat adds nothing.
    """
    result = BulkResult()
    pending: list[Reading] = []
    seen_measurements: set[tuple] = set()
    seen_external: set[tuple] = set()
    candidates = list(readings)
    for reading in candidates:
        reading.patient = patient
        reading.taken_at = truncate_to_second(reading.taken_at)
    stored_measurements, stored_external = _stored_keys(patient, candidates)
    for reading in candidates:
        measurement = (reading.kind, reading.taken_at, reading.value_mgdl)
        external = (reading.source, reading.external_id) if reading.external_id else None
        if (
            measurement in seen_measurements
            or measurement in stored_measurements
            or (external and (external in seen_external or external in stored_external))
        ):
            result.duplicates += 1
            continue
        seen_measurements.add(measurement)
        if external:
            seen_external.add(external)
        pending.append(reading)

    for start in range(0, len(pending), BULK_BATCH_SIZE):
        batch = pending[start : start + BULK_BATCH_SIZE]
        stored = len(result.created)
        try:
            with transaction.atomic():
                _insert(batch)
                # With the batch, so that a request killed part-way leaves no stored batch
                # out of the roster's sums (a re-import then adds only what is missing).
                day_summaries_refresh(patient=patient, readings=batch)
                readings_changed(patient=patient)  # one write transaction on SQL
            result.created.extend(batch)
        except IntegrityError:
            # A concurrent upload stored some of these first. SQL rolled the batch back;
            # MongoDB's ordered insert_many kept the documents before the clash, which are
            # ours (our primary keys). Store the rest one at a time, skipping what exists.
            batch_pks = [reading.pk for reading in batch]
            inserted = set(Reading.objects.filter(pk__in=batch_pks).values_list("pk", flat=True))
            for reading in batch:
                if reading.pk in inserted or insert_unless_stored(reading):
                    result.created.append(reading)
                else:
                    result.duplicates += 1
            day_summaries_refresh(patient=patient, readings=result.created[stored:])
            if result.created[stored:]:
                readings_changed(patient=patient)
    return result


def readings_changed(*, patient) -> None:
    """Count one change of the record's readings (readings.selectors.readings_version):
    after the write, so that a poll never sees the new version before the new data. One
    atomic increment (an ``$inc``-like update on MongoDB); the row is made on first use."""
    if ReadingsVersion.objects.filter(patient=patient).update(changes=F("changes") + 1):
        return
    try:
        with transaction.atomic():
            ReadingsVersion.objects.create(patient=patient, changes=1)
    except IntegrityError:  # made by a concurrent write meanwhile
        ReadingsVersion.objects.filter(patient=patient).update(changes=F("changes") + 1)


def _insert(batch: list[Reading]) -> None:
    """``bulk_create``, except on SQLite: there Django writes ~70 rows per INSERT (SQLite's
    999-variable limit over 14 columns) and compiles each statement anew, and preparing the
    values field by field costs more than the writing (a 10 MB Clarity import: 20 of its 26
    seconds). One INSERT run over every row (``executemany``), with each column's value
    converted as Django's field would, does the same in a tenth of the time."""
    if connection.vendor != "sqlite":
        Reading.objects.bulk_create(batch)
        return
    fields = Reading._meta.concrete_fields
    now = timezone.now()
    now_text = connection.ops.adapt_datetimefield_value(now)
    converters = [_sqlite_converter(f) for f in fields]
    names = [f.attname for f in fields]
    rows = []
    for reading in batch:
        if reading.created_at is None:
            reading.created_at = now
        reading.updated_at = now
        rows.append(
            [
                now_text
                if value is now
                else convert(value)
                if convert and value is not None
                else value
                for convert, value in zip(converters, map(reading.__dict__.get, names), strict=True)
            ]  # fmt: skip
        )
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        quote(Reading._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _sqlite_converter(field):
    """What Django's ``get_db_prep_save`` does to a non-null value of ``field`` on SQLite,
    or None where it passes the value through (numbers, text)."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind == "UUIDField":
        return lambda value: value.hex
    if kind == "DateTimeField":
        return _sqlite_datetime
    if kind in ("CharField", "TextField", "PositiveSmallIntegerField", "IntegerField",
                "SmallIntegerField", "PositiveIntegerField", "BooleanField"):  # fmt: skip
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _sqlite_datetime(value: datetime) -> str:
    """As Django's SQLite backend stores an aware time: naive UTC, ``str()``."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def _stored_keys(patient, candidates: list[Reading]) -> tuple[set[tuple], set[tuple]]:
    """The measurement and external-id keys of ``patient``'s stored readings that could clash
    with ``candidates`` (one range query, plus one query per 500 external ids)."""
    if not candidates:
        return set(), set()
    times = [r.taken_at for r in candidates]
    measurements = set(
        mongo.rows(
            Reading.objects.of(patient)
            # Half-open (core.mongo): times are whole seconds.
            .filter(taken_at__gte=min(times), taken_at__lt=max(times) + timedelta(seconds=1))
            .values_list("kind", "taken_at", "value_mgdl")
        )
    )
    external = stored_external_ids(Reading.objects.of(patient), candidates)
    return measurements, external


def target_set(*, patient, low_mgdl: int, high_mgdl: int) -> Target:
    """Set the patient's target range (mg/dL); low must be below high."""
    target = Target.objects.filter(patient=patient).first() or Target(patient=patient)
    target.low_mgdl, target.high_mgdl = low_mgdl, high_mgdl
    target.full_clean(validate_unique=False)
    target.save()
    return target
