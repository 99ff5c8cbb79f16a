"""What idempotent uploads of any kind of row share (readings, treatments): finding which
external ids are already stored, and inserting a row unless a unique index says it is."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from core import mongo

ID_BATCH = 500  # external ids per query: well under every database's parameter limit


def stored_external_ids(queryset, candidates: Iterable) -> set[tuple[str, str]]:
    """The (source, external_id) pairs of ``candidates`` that ``queryset`` (one record's
    rows) already holds: one query per source and 500 ids."""
    ids_by_source: dict[str, set[str]] = {}
    for row in candidates:
        if row.external_id:
            ids_by_source.setdefault(row.source, set()).add(row.external_id)
    found: set[tuple[str, str]] = set()
    for source, ids in ids_by_source.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), ID_BATCH):
            found.update(
                mongo.rows(
                    queryset.filter(
                        source=source, external_id__in=ordered[start : start + ID_BATCH]
                    ).values_list("source", "external_id")
                )
            )
    return found


def insert_unless_stored(row) -> bool:
    """Insert ``row``; False (nothing inserted) when a unique index refuses it."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True
