"""Deleted readings and treatments as API v3 lists them: ``isValid: false``.

cgm-remote-monitor deletes an API v3 document by marking it (``isValid: false`` and a new
``srvModified``, the rest of the document unchanged: lib/api3/generic/delete/operation.js
markAsDeleted); history lists it so (lib/api3/generic/history: onlyValid false), search
never does (lib/api3/generic/search: onlyValid true), nor does a read (410 Gone).

AndroidAPS learns a deletion only from such a document (nightscout/AndroidAPS commit
02052250): core/nssdk mapper/TreatmentMapper.kt RemoteTreatment.toTreatment() turns a
document into a bolus only with ``insulin`` > 0, into carbs only with ``carbs``, into a
temporary target only with its eventType, ``duration`` and ``targetTop``/``targetBottom``
(and so on for each type), else drops it; and SvgMapper.kt drops an entry without ``sgv``
and ``type``. plugins/sync nsShared/NsIncomingDataProcessor then needs its ``date``, and
database/impl SyncNsBolusTransaction (SyncNsCarbsTransaction, ...) finds its own record by
``identifier`` (its nightscoutId), else by pumpId + pumpType + pumpSerial, else by the
time, and invalidates it; a bolus's ``insulin`` (a carb entry's ``duration``) different
from its own would also overwrite its amount. So the document kept with each deletion is
the whole API v3 document as it was (DeletedRecord.document).

It is kept for KEEP_DOCUMENT, 100 days: AndroidAPS's NSClientV3Plugin.maxAge
(T.days(100)); LoadTreatmentsWorker and LoadBgWorker never ask for history older than
``now - maxAge``, so a deletion older than that can no longer reach it, and keeping the
values longer would only keep deleted health data. After that only the identifier and the
time stay (history lists them bare, a read still answers 410).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from integrations.models import DeletedRecord
from integrations.nightscout.v3_collections import HANDLERS

KEEP_DOCUMENT = timedelta(days=100)  # AndroidAPS NSClientV3Plugin.maxAge


def deletion_record(
    *, patient, collection: str, identifier: str, instance=None, **_signal
) -> DeletedRecord:
    """Keep that ``identifier`` of ``collection`` was deleted now, with its API v3
    document made from ``instance`` (a receiver of core.signals.record_data_deleted); a
    second deletion of the same identifier moves the one kept to now. Clears the documents
    of deletions older than KEEP_DOCUMENT (any record's)."""
    document = _document_of(collection, instance, patient) if instance is not None else None
    kept, _ = DeletedRecord.objects.update_or_create(
        patient=patient,
        collection=collection,
        identifier=identifier,
        defaults={"document": document},
    )
    deletion_documents_expire()
    return kept


def _document_of(collection: str, instance, patient) -> dict | None:
    handler = HANDLERS.get(collection)
    return handler.shape(instance, patient.tzinfo) if handler is not None else None


def deletion_documents_expire(*, now: datetime | None = None) -> int:
    """Clear the document of every deletion older than KEEP_DOCUMENT; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_DOCUMENT
    expired = DeletedRecord.objects.filter(srv_modified__lt=cutoff, document__isnull=False)
    return expired.update(document=None)


def deletions_since(*, patient, collection: str, since: datetime):
    """The record's deletions in ``collection`` at or after ``since``, oldest first."""
    return DeletedRecord.objects.filter(
        patient=patient, collection=collection, srv_modified__gte=since
    ).order_by("srv_modified")


def deletion_of(*, patient, collection: str, identifier: str) -> DeletedRecord | None:
    return DeletedRecord.objects.filter(
        patient=patient, collection=collection, identifier=identifier
    ).first()


def tombstone_of(deleted: DeletedRecord, *, now: datetime | None = None) -> dict:
    """A deletion as API v3 history lists it: the document as it was (for KEEP_DOCUMENT
    after the deletion), marked ``isValid: false`` with the deletion's ``srvModified``."""
    fresh = deleted.srv_modified >= (now or timezone.now()) - KEEP_DOCUMENT
    document = dict(deleted.document or {}) if fresh else {}
    document.update(
        identifier=deleted.identifier,
        srvModified=int(deleted.srv_modified.timestamp() * 1000),
        isValid=False,
    )
    return document
