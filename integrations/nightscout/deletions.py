"""Deleted readings and treatments as API v3 lists them: ``isValid: false``.

cgm-remote-monitor deletes an API v3 document by marking it (``isValid: false`` and a new
``srvModified``, lib/api3/generic/delete/operation.js); its history lists it so, and
AndroidAPS's v3 client deletes its own copy when it sees it (plugins/sync nsShared
NsIncomingDataProcessor). BGT deletes the row itself and keeps only a
``DeletedRecord``: which record, which collection, the identifier, when.
"""

from __future__ import annotations

from datetime import datetime

from integrations.models import DeletedRecord


def deletion_record(*, patient, collection: str, identifier: str, **_signal) -> DeletedRecord:
    """Keep that ``identifier`` of ``collection`` was deleted now (a receiver of
    core.signals.record_data_deleted); a second deletion of the same identifier moves the
    one kept to now."""
    kept, _ = DeletedRecord.objects.update_or_create(
        patient=patient, collection=collection, identifier=identifier
    )
    return kept


def deletions_since(*, patient, collection: str, since: datetime):
    """The record's deletions in ``collection`` at or after ``since``, oldest first."""
    return DeletedRecord.objects.filter(
        patient=patient, collection=collection, srv_modified__gte=since
    ).order_by("srv_modified")


def deletion_of(*, patient, collection: str, identifier: str) -> DeletedRecord | None:
    return DeletedRecord.objects.filter(
        patient=patient, collection=collection, identifier=identifier
    ).first()


def tombstone_of(deleted: DeletedRecord) -> dict:
    """A deletion as API v3 history lists it."""
    modified = int(deleted.srv_modified.timestamp() * 1000)
    return {
        "identifier": deleted.identifier,
        "srvModified": modified,
        "isValid": False,
    }
