"""Nightscout collections kept as documents: ``devicestatus`` and ``profile``.

A loop (Loop, Trio, AndroidAPS) or uploader (xDrip+) posts its status (battery, IOB, COB,
predictions, pump) to ``devicestatus`` and its therapy settings to ``profile``; followers
read them back as posted. BGT stores each as the client sent it (integrations.models.
NightscoutDocument), and answers queries on ``created_at`` as Nightscout does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from integrations.models import NightscoutCollection, NightscoutDocument
from integrations.nightscout import query

IDENTIFIER_MAX = NightscoutDocument._meta.get_field("identifier").max_length
_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
# What Nightscout adds to a stored document; never stored from a client's copy.
_SERVER_FIELDS = ("_id", "srvModified", "srvCreated", "isValid")


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _time_of(doc: dict, now: datetime) -> datetime:
    """created_at (ISO) / startDate (profiles) / date or mills (epoch ms); else now."""
    for key in ("created_at", "startDate", "date", "mills"):
        raw = doc.get(key)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            try:
                return datetime.fromtimestamp(raw / 1000, tz=UTC)
            except (OverflowError, OSError, ValueError):
                continue
        if isinstance(raw, str) and raw.strip():
            try:
                moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment
    return now


def _identifier(doc: dict) -> str | None:
    for key in ("identifier", "_id"):
        value = doc.get(key)
        if isinstance(value, str) and 0 < len(value) <= IDENTIFIER_MAX:
            if key == "_id" and _OBJECT_ID.match(value):
                continue
            return value
    return None


_INT64 = 2**63


def storable(doc: dict) -> dict:
    """``doc`` as any database can hold it, or a 400 (ValidationError) naming why not:
    field names with a NUL byte or a leading "$" (MongoDB), text that is not valid Unicode
    (a lone surrogate), nesting deeper than 50. Integers beyond 64 bits become floats, as
    Nightscout's JavaScript reads them."""

    def refuse(message: str):
        raise ValidationError({"non_field_errors": [message]})

    def clean(value, depth: int):
        if depth > 50:
            refuse("The document is nested deeper than 50 levels.")
        if isinstance(value, dict):
            out = {}
            for key, inner in value.items():
                if "\x00" in key or key.startswith("$"):
                    refuse(f"Field name “{key[:40]!r}” cannot be stored.")
                out[clean(key, depth)] = clean(inner, depth + 1)
            return out
        if isinstance(value, list):
            return [clean(inner, depth + 1) for inner in value]
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                refuse("The document holds text that is not valid Unicode.")
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if -_INT64 <= value < _INT64:
                return value
            try:
                return float(value)
            except OverflowError:
                refuse("The document holds a number too large to store.")
        return value

    return clean(doc, 0)


def check_storable(doc: dict) -> None:
    """Raise a 400 (ValidationError) for a document no database may hold (see storable)."""
    storable(doc)


def document_store(*, patient, collection: str, doc: dict, now: datetime | None = None):
    """Store one document (a JSON object) of ``collection``; a document with the identifier
    of a stored one replaces it (API v3 and AndroidAPS resend with the same identifier).
    Returns the stored NightscoutDocument."""
    now = now or timezone.now()
    doc = storable(doc)
    created_at = _time_of(doc, now)
    identifier = _identifier(doc)
    body = {k: v for k, v in doc.items() if k not in _SERVER_FIELDS}
    body.setdefault("created_at", _iso(created_at))
    if identifier is not None:
        existing = NightscoutDocument.objects.filter(
            patient=patient, collection=collection, identifier=identifier
        ).first()
        if existing is not None:
            existing.document, existing.created_at, existing.is_valid = body, created_at, True
            existing.save(update_fields=["document", "created_at", "is_valid", "srv_modified"])
            return existing
    try:
        return NightscoutDocument.objects.create(
            patient=patient,
            collection=collection,
            created_at=created_at,
            identifier=identifier,
            document=body,
        )
    except IntegrityError:  # stored by a concurrent request with the same identifier
        return NightscoutDocument.objects.get(
            patient=patient, collection=collection, identifier=identifier
        )


def document_delete(*, document: NightscoutDocument) -> None:
    """Mark deleted (kept for the API v3 history of clients that sync)."""
    document.is_valid = False
    document.save(update_fields=["is_valid", "srv_modified"])


def document_of(document: NightscoutDocument) -> dict:
    """A stored document as Nightscout returns it: the client's fields, ``_id``,
    ``created_at`` and ``mills``."""
    return {
        **document.document,
        "_id": str(document.pk),
        "created_at": document.document.get("created_at") or _iso(document.created_at),
        "mills": int(document.created_at.timestamp() * 1000),
    }


def documents_queryset(*, patient, collection: str, query_params, count: int):
    """The record's valid documents of ``collection`` matching a Nightscout query (on
    created_at, or _id), newest first."""
    qs = NightscoutDocument.objects.filter(patient=patient, collection=collection, is_valid=True)
    for condition in query.conditions(query_params):
        if condition.field in ("created_at", "date", "mills", "startDate"):
            if condition.lookup in ("exists", "ne"):
                raise query.unsupported(condition, "created_at and _id")
            qs = qs.filter(**{f"created_at__{condition.lookup}": query.time_value(condition)})
        elif condition.field == "_id" and condition.lookup in ("exact", "ne"):
            q = Q(pk=condition.raw) if _is_uuid(condition.raw) else Q(pk__in=[])
            qs = qs.filter(~q if condition.lookup == "ne" else q)
        else:
            raise query.unsupported(condition, "created_at and _id")
    return qs.order_by("-created_at")[:count]


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))


COLLECTIONS = NightscoutCollection
