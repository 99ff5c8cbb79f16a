"""Nightscout's ``find[...]`` query parameters, parsed once for every collection.

Nightscout hands ``find`` to MongoDB (cgm-remote-monitor ``lib/server/query.js``); clients
use a small part of it: ``find[field]=value``, ``find[field][$op]=value`` with $eq, $ne,
$gt, $gte, $lt, $lte, $exists, and Trio's ``find[$and][0][enteredBy][$ne]=...`` and
``find[$or][0][field][$eq]=...``. Each collection says which fields it can filter on and
how; anything else is a 400 that names the key, never a silently wrong answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from rest_framework.exceptions import ValidationError

OPERATORS = {None: "exact", "eq": "exact", "ne": "ne", "gt": "gt", "gte": "gte", "lt": "lt"}
OPERATORS |= {"lte": "lte", "exists": "exists"}

# find[field], find[field][$op], find[$and|$or][n][field], find[$and|$or][n][field][$op]
_KEY = re.compile(
    r"^find(?:\[\$(?P<group>and|or)\]\[(?P<index>[0-9]{1,3})\])?"
    r"\[(?P<field>[A-Za-z_][A-Za-z0-9_.]{0,40})\](?:\[\$(?P<op>[a-z]{2,6})\])?$"
)


@dataclass(frozen=True)
class Condition:
    field: str
    lookup: str  # exact | ne | gt | gte | lt | lte | exists
    raw: str
    key: str  # the query key, for error messages
    group: str | None = None  # "or": any of the group's conditions; None or "and": all


def conditions(query_params) -> list[Condition]:
    """Every ``find`` condition of a query; a malformed key or operator is a 400."""
    found = []
    for key, raw in query_params.items():
        if not key.startswith("find"):
            continue
        match = _KEY.match(key)
        if not match:
            raise ValidationError({key: ["Use find[field] or find[field][$operator]."]})
        op = match["op"]
        if op not in OPERATORS:
            raise ValidationError(
                {key: ["Supported operators: $eq, $ne, $gt, $gte, $lt, $lte, $exists."]}
            )
        found.append(Condition(match["field"], OPERATORS[op], raw, key, match["group"]))
    return found


def time_value(condition: Condition) -> datetime:
    """A time in a condition: epoch milliseconds or ISO 8601 (naive is UTC, as Nightscout
    compares its UTC strings). Some clients send an offset's "+" unescaped (a space)."""
    text = condition.raw.strip()
    if re.fullmatch(r"-?[0-9]{1,16}(\.[0-9]{1,6})?", text):
        try:
            return datetime.fromtimestamp(float(text) / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            pass
    else:
        if re.search(r"\d \d{2}:?\d{2}$", text):
            text = text[::-1].replace(" ", "+", 1)[::-1]
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment
    raise ValidationError(
        {condition.key: [f"“{condition.raw}” is not an ISO 8601 time or epoch milliseconds."]}
    )


def exists_value(condition: Condition) -> bool:
    text = condition.raw.strip().lower()
    if text not in ("true", "false", "1", "0"):
        raise ValidationError({condition.key: ["$exists takes true or false."]})
    return text in ("true", "1")


def unsupported(condition: Condition, fields: str):
    return ValidationError({condition.key: [f"Filters on {fields} are supported."]})
