"""Nightscout v1 ``treatments`` queries: a ``find[...]`` as a filter on BGT's treatments
(what xDrip+, Trio, Loop and Juggluco send: see treatments.py), and ``count``."""

from __future__ import annotations

import re

from django.db.models import Q
from rest_framework.exceptions import ValidationError

from integrations.nightscout import query
from integrations.nightscout.treatments import EVENT_OF_TYPE
from treatments import selectors

_EXISTS = {"carbs": "carbs_g", "insulin": "insulin_units", "duration": "duration_min"}
_FIELDS = "created_at, eventType, _id, uuid, identifier, enteredBy, carbs, insulin, duration"


def _condition_q(condition: query.Condition) -> Q:
    field, lookup = condition.field, condition.lookup
    if field in ("created_at", "timestamp", "date", "mills"):
        if lookup in ("exists", "ne"):
            raise query.unsupported(condition, _FIELDS)
        return Q(**{f"taken_at__{lookup}": query.time_value(condition)})
    if lookup == "exists" and field in _EXISTS:
        present = query.exists_value(condition)
        return Q(**{f"{_EXISTS[field]}__isnull": not present})
    if lookup == "exists":
        return _absent(condition)
    if lookup not in ("exact", "ne"):
        if field in ("eventType", "_id", "id", "uuid", "identifier", "enteredBy", *_EXISTS):
            raise query.unsupported(condition, _FIELDS)
        return _absent(condition)
    value = condition.raw
    if field == "eventType":
        q = Q(event_type=value)
        # Treatments entered in BGT itself carry no eventType: match the one they show as.
        shown = [t for t, event in EVENT_OF_TYPE.items() if event == value]
        if shown:
            q |= Q(event_type="", type__in=shown)
    elif field in ("_id", "id"):
        # BGT's own id, or the client's (Loop deletes by its syncIdentifier, a UUID too).
        q = Q(external_id=value)
        if _is_uuid(value):
            q |= Q(pk=value)
    elif field in ("uuid", "identifier", "syncIdentifier"):
        q = Q(external_id=value)
    elif field == "enteredBy":
        q = Q(device=value)
    elif field in _EXISTS:
        try:
            q = Q(**{_EXISTS[field]: float(value)})
        except ValueError:
            raise query.unsupported(condition, _FIELDS) from None
    else:
        return _absent(condition)
    return ~q if lookup == "ne" else q


def _absent(condition: query.Condition) -> Q:
    """A field BGT does not keep (profilePlugin, targetTop, ...) is absent from every
    treatment, and MongoDB matches an absent field as Nightscout would: $ne and
    $exists=false match every document, anything else none."""
    if condition.lookup == "exists":
        return Q() if not query.exists_value(condition) else Q(pk__in=[])
    return Q() if condition.lookup == "ne" else Q(pk__in=[])


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))


def treatments_queryset(*, patient, query_params, count: int):
    """The record's treatments matching a Nightscout query, newest first."""
    qs = selectors.treatment_list(patient=patient)
    any_of = Q()
    has_or = False
    for condition in query.conditions(query_params):
        q = _condition_q(condition)
        if condition.group == "or":
            any_of |= q
            has_or = True
        else:
            qs = qs.filter(q)
    if has_or:
        qs = qs.filter(any_of)
    return qs[:count]


def count_of(query_params, *, default: int, maximum: int) -> int:
    raw = str(query_params.get("count", "")).strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise ValidationError({"count": ["Enter a whole number."]})
    return min(int(raw) or maximum, maximum)
