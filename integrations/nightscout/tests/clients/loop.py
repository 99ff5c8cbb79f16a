"""Loop's NightscoutKit, as it reads treatments.

LoopKit/NightscoutKit commit 4ec9fd12, Sources/NightscoutKit: NightscoutClient.swift
fetchTreatments GETs /api/v1/treatments with ``find[created_at][$gte]`` and ``$lte`` made by
TimeFormat.timestampStrFromDate (ISO 8601, seconds, ``Z``), and keeps what
NightscoutTreatment.fromServer makes of each document: the class its eventType names
(TreatmentType.classType), whose ``init?(_:)`` returns nil (the treatment is dropped) when a
field it needs is missing or of another type (Models/Treatments/*.swift).
"""

from __future__ import annotations

import re
from datetime import datetime

# Extensions/ISO8601DateFormatter.swift: .withInternetDateTime, else with fractional seconds.
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|[+-]\d\d:\d\d)")


def _string(value) -> bool:
    return isinstance(value, str)


def _double(value) -> bool:  # `as? Double`: any JSON number
    return isinstance(value, int | float) and not isinstance(value, bool)


def _int(value) -> bool:  # `as? Int` on an NSNumber: a number with no fraction
    return _double(value) and float(value).is_integer()


def timestamp_parses(value) -> bool:
    """TimeFormat.dateFromTimestamp: a String in ISO 8601 (seconds, or milliseconds)."""
    return _string(value) and _ISO.fullmatch(value) is not None


def base_parses(doc: dict) -> bool:
    """NightscoutTreatment.init?(_:): _id, eventType, timestamp and enteredBy."""
    return (
        _string(doc.get("_id"))
        and _string(doc.get("eventType"))
        and timestamp_parses(doc.get("timestamp"))
        and _string(doc.get("enteredBy"))
    )


def _override(doc: dict) -> bool:
    duration = _double(doc.get("duration")) or doc.get("durationType") == "indefinite"
    return _string(doc.get("reason")) and duration


# TreatmentType raw values -> what that class's init?(_:) needs beyond the base.
CLASSES = {
    "Correction Bolus": lambda d: (
        d.get("type") in ("normal", "square", "dual")
        and all(_double(d.get(k)) for k in ("insulin", "programmed", "duration"))
    ),
    "Carb Correction": lambda d: _int(d.get("carbs")) and _double(d.get("absorptionTime")),
    "Temp Basal": lambda d: (
        _double(d.get("rate"))
        and d.get("temp") in ("absolute", "percentage")
        and _double(d.get("duration"))
    ),
    "Temporary Override": _override,
    "Meal Bolus": lambda d: _double(d.get("carbs")),
    "BG Check": lambda d: (
        _double(d.get("glucose"))
        and d.get("glucoseType") in ("Meter", "Sensor", "Finger", "Manual")
        and d.get("units") in ("mmol/L", "mg/dL")
    ),
    "Note": lambda d: True,
    "Sensor Start": lambda d: True,
    "Site Change": lambda d: True,
}


def reads(doc: dict) -> str | None:
    """The eventType of the NightscoutTreatment that fromServer makes of ``doc``, or None
    where it drops it."""
    needs = CLASSES.get(doc.get("eventType"))
    if needs is None or not base_parses(doc) or not needs(doc):
        return None
    return doc["eventType"]


def query_time(moment: datetime) -> str:
    """TimeFormat.timestampStrFromDate: ISO 8601 in UTC, whole seconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
