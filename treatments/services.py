"""Every write to treatments goes through here: validate, save (DESIGN.md section 2).

As for readings, writes are safe on MongoDB without transactions: each treatment is one
document and the uniqueness constraints make a retried upload add nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction

from core.idempotency import insert_unless_stored, stored_external_ids
from core.signals import record_data_deleted
from treatments.models import Source, Treatment

BULK_BATCH_SIZE = 5000

TREATMENT_FIELDS = (
    "type",
    "event_type",
    "taken_at",
    "insulin_units",
    "basal_rate",
    "insulin_name",
    "carbs_g",
    "duration_min",
    "notes",
)
TREATMENT_EDITABLE_FIELDS = TREATMENT_FIELDS
# Set by Nightscout uploads (integrations.nightscout.treatments), never by a form.
NIGHTSCOUT_FIELDS = "nightscout_fields"


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def treatment_build(
    *,
    patient,
    type: str,
    taken_at: datetime,
    source: str = Source.WEB,
    external_id: str | None = None,
    device: str = "",
    **values,
) -> Treatment:
    """An unsaved, validated treatment (the model's rules, including "already recorded").
    Raises ValidationError. ``values``: any of TREATMENT_FIELDS."""
    unknown = set(values) - {*TREATMENT_FIELDS, NIGHTSCOUT_FIELDS}
    if unknown:
        raise TypeError(f"Not a treatment field: {', '.join(sorted(unknown))}")
    treatment = Treatment(
        patient=patient,
        type=type,
        taken_at=_second(taken_at),
        source=source,
        external_id=external_id or None,
        device=device,
        **values,
    )
    treatment.full_clean()
    return treatment


def treatment_create(*, patient, **fields) -> Treatment:
    """Store one treatment; raises ValidationError (nothing saved) for bad input, a time more
    than 10 minutes ahead, an amount beyond its maximum, or one that is already recorded."""
    treatment = treatment_build(patient=patient, **fields)
    treatment.save(force_insert=True)
    return treatment


def treatment_update(*, treatment: Treatment, **changes) -> Treatment:
    """Change a treatment's type, time, amounts or notes (or, from a Nightscout upload, its
    other Nightscout fields); validated like a new one."""
    unknown = set(changes) - {*TREATMENT_EDITABLE_FIELDS, NIGHTSCOUT_FIELDS}
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    if changes.get("taken_at"):
        changes["taken_at"] = _second(changes["taken_at"])
    for name, value in changes.items():
        setattr(treatment, name, value)
    treatment.full_clean()
    treatment.save(update_fields=[*changes, "measurement_key", "updated_at"])
    return treatment


def treatment_delete(*, treatment: Treatment) -> None:
    """Delete a treatment; says so (core.signals.record_data_deleted) for the clients
    that sync the record (Nightscout API v3 history)."""
    identifier = treatment.external_id or str(treatment.pk)
    patient = treatment.patient
    gone = copy.copy(treatment)  # as it was, its id included (delete() clears the id)
    treatment.delete()
    record_data_deleted.send(
        sender=Treatment,
        patient=patient,
        collection="treatments",
        identifier=identifier,
        instance=gone,
    )


@dataclass
class BulkResult:
    created: list[Treatment] = field(default_factory=list)
    duplicates: int = 0  # already stored, or repeated within the batch


def treatments_bulk_create(*, patient, treatments: Iterable[Treatment]) -> BulkResult:
    """Store many already-validated treatments of ``patient``, skipping what is stored.

    A treatment is a duplicate when its measurement key (type, event type, time to the
    second, amounts) or its (source, external_id) matches one stored or earlier in the
    batch. Safe to retry after a crash: a repeat adds nothing.
    """
    result = BulkResult()
    candidates = list(treatments)
    for treatment in candidates:
        treatment.patient = patient
        treatment.taken_at = _second(treatment.taken_at)
        treatment.measurement_key = treatment.key()
    stored_keys, stored_external = _stored_keys(patient, candidates)
    seen_keys, seen_external = set(stored_keys), set(stored_external)
    pending: list[Treatment] = []
    for treatment in candidates:
        external = (treatment.source, treatment.external_id) if treatment.external_id else None
        if treatment.measurement_key in seen_keys or (external and external in seen_external):
            result.duplicates += 1
            continue
        seen_keys.add(treatment.measurement_key)
        if external:
            seen_external.add(external)
        pending.append(treatment)
    for start in range(0, len(pending), BULK_BATCH_SIZE):
        batch = pending[start : start + BULK_BATCH_SIZE]
        try:
            with transaction.atomic():
                Treatment.objects.bulk_create(batch)
            result.created.extend(batch)
        except IntegrityError:
            # A concurrent upload stored some first (see readings_bulk_create): keep what
            # got in, store the rest one at a time.
            inserted = set(
                Treatment.objects.filter(pk__in=[t.pk for t in batch]).values_list("pk", flat=True)
            )
            for treatment in batch:
                if treatment.pk in inserted or insert_unless_stored(treatment):
                    result.created.append(treatment)
                else:
                    result.duplicates += 1
    return result


def _stored_keys(patient, candidates: list[Treatment]) -> tuple[set, set]:
    if not candidates:
        return set(), set()
    times = [t.taken_at for t in candidates]
    keys = set(
        Treatment.objects.of(patient)
        .filter(taken_at__gte=min(times), taken_at__lte=max(times))
        .values_list("measurement_key", flat=True)
    )
    external = stored_external_ids(Treatment.objects.of(patient), candidates)
    return keys, external
