"""How API v3 (integrations/nightscout/v3.py) searches and shapes each collection: BGT's
readings as ``entries`` (calibrations apart), its treatments, and the documents it keeps as
sent (device status, profile, food). The views are in v3.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from integrations.models import NightscoutCollection, NightscoutDocument
from integrations.nightscout import calibrations, documents
from integrations.nightscout import treatments as ns_treatments
from integrations.nightscout.entries import entry_of
from readings import selectors as reading_selectors
from treatments import selectors as treatment_selectors


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _time(raw: str) -> datetime:
    text = raw.strip()
    if re.fullmatch(r"[0-9]{1,16}(\.[0-9]{1,6})?", text):
        try:
            return datetime.fromtimestamp(float(text) / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValidationError({"filter": [f"“{raw}” is out of range."]}) from None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError({"filter": [f"“{raw}” is not a time."]}) from None
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


# --- How each collection is searched and shaped ---------------------------------------------


class Entries:
    time_fields = ("date", "created_at", "dateString", "srvModified")

    def queryset(self, patient):
        return reading_selectors.reading_list(patient=patient)

    def filter(self, qs, field, lookup, raw):
        if field in ("date", "created_at", "dateString"):
            return qs.filter(**{f"taken_at__{lookup}": _time(raw)})
        if field == "srvModified":
            return qs.filter(**{f"updated_at__{lookup}": _time(raw)})
        if field == "type" and lookup in ("exact", "ne"):
            kinds = {"sgv": "cgm", "mbg": "fingerstick"}
            q = Q(kind=kinds.get(raw, "none"))
            return qs.filter(~q if lookup == "ne" else q)
        raise ValidationError({field: ["Filters on date, type and srvModified are supported."]})

    def order(self, qs, field, descending):
        column = "updated_at" if field == "srvModified" else "taken_at"
        return qs.order_by(f"-{column}" if descending else column)

    def modified(self, qs):
        return qs, "updated_at"

    def shape(self, reading, tz):
        doc = entry_of(reading, tz)
        doc["identifier"] = reading.external_id or str(reading.pk)
        doc["srvModified"] = epoch_ms(reading.updated_at)
        doc["srvCreated"] = epoch_ms(reading.created_at)
        doc["isValid"] = True
        return doc

    def get(self, patient, identifier):
        qs = self.queryset(patient)
        q = Q(external_id=identifier)
        if _is_uuid(identifier):
            q |= Q(pk=identifier)
        return qs.filter(q).first()


class Treatments(Entries):
    def queryset(self, patient):
        return treatment_selectors.treatment_list(patient=patient)

    def filter(self, qs, field, lookup, raw):
        if field in ("created_at", "date", "mills"):
            return qs.filter(**{f"taken_at__{lookup}": _time(raw)})
        if field == "srvModified":
            return qs.filter(**{f"updated_at__{lookup}": _time(raw)})
        if field == "eventType" and lookup in ("exact", "ne"):
            q = Q(event_type=raw)
            return qs.filter(~q if lookup == "ne" else q)
        raise ValidationError(
            {field: ["Filters on created_at, date, eventType and srvModified are supported."]}
        )

    def shape(self, treatment, tz):
        doc = ns_treatments.treatment_of(treatment, tz, iso_timestamp=False)
        doc["identifier"] = treatment.external_id or str(treatment.pk)
        doc["srvModified"] = epoch_ms(treatment.updated_at)
        doc["srvCreated"] = epoch_ms(treatment.created_at)
        doc["isValid"] = True
        return doc


class Documents:
    def __init__(self, collection: str):
        self.collection = collection

    def queryset(self, patient):
        return NightscoutDocument.objects.filter(patient=patient, collection=self.collection)

    def filter(self, qs, field, lookup, raw):
        if field in ("date", "created_at", "startDate", "mills"):
            return qs.filter(**{f"created_at__{lookup}": _time(raw)})
        if field == "srvModified":
            return qs.filter(**{f"srv_modified__{lookup}": _time(raw)})
        raise ValidationError(
            {field: ["Filters on date, created_at and srvModified are supported."]}
        )

    def order(self, qs, field, descending):
        column = "srv_modified" if field == "srvModified" else "created_at"
        return qs.order_by(f"-{column}" if descending else column)

    def shape(self, document, tz):
        doc = documents.document_of(document)
        doc["identifier"] = document.identifier or str(document.pk)
        doc["srvModified"] = epoch_ms(document.srv_modified)
        doc["srvCreated"] = doc["mills"]
        doc["date"] = doc.get("date", doc["mills"])
        doc["isValid"] = document.is_valid
        return doc

    def get(self, patient, identifier):
        q = Q(identifier=identifier)
        if _is_uuid(identifier):
            q |= Q(pk=identifier)
        return self.queryset(patient).filter(q).first()


class Calibrations(Documents):
    """``entries`` of type cal (calibrations.py): searched with type=cal, and in history."""

    def __init__(self):
        super().__init__(NightscoutCollection.CAL)

    def filter(self, qs, field, lookup, raw):
        if field == "type" and lookup == "exact" and raw == "cal":
            return qs
        if field == "dateString":
            field = "date"
        return super().filter(qs, field, lookup, raw)

    def shape(self, document, tz):
        doc = calibrations.entry_of(document)
        doc["identifier"] = document.identifier or str(document.pk)
        doc["srvModified"] = epoch_ms(document.srv_modified)
        doc["srvCreated"] = int(document.created_at.timestamp() * 1000)
        doc["isValid"] = document.is_valid
        return doc


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))


CALIBRATIONS = Calibrations()
HANDLERS = {
    "entries": Entries(),
    "treatments": Treatments(),
    "devicestatus": Documents(NightscoutCollection.DEVICESTATUS),
    "profile": Documents(NightscoutCollection.PROFILE),
    "food": Documents(NightscoutCollection.FOOD),
}
