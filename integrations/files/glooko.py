"""Glooko export (glooko.com: Settings, Export to CSV): a zip of CSV files, one per kind of
data, each starting with a line ``Name:…,Date Range:…`` and then its header:

- ``cgm_data_N.csv``: ``Timestamp, CGM Glucose Value (mg/dl)`` (or ``mmol/l``), ``Serial
  Number`` (CGM readings; cadence from the median interval);
- ``bg_data_N.csv``: ``Timestamp, Glucose Value (mg/dl), Manual Reading, Serial Number``
  (meter readings);
- ``bolus_data_N.csv``: ``Timestamp, Insulin Type, …, Carbs Input (g), …, Insulin Delivered
  (U), …`` (boluses and the carbohydrates entered with them).

The other files (alarms, daily insulin totals, basal) are passed over. Timestamps are local
times, ``2024-01-15 08:30:00`` or without seconds.
"""

from __future__ import annotations

import re
from datetime import datetime

from core.units import Unit
from integrations.files.common import (
    Format,
    ParsedFile,
    ParsedReading,
    ParsedTreatment,
    RowContext,
    RowError,
    RowProblem,
    amount,
    cell,
    check_time,
    glucose,
    local,
    shorten,
)
from integrations.files.file_passes import infer_cadence
from integrations.files.text import Rows
from readings.models import Kind
from treatments.models import TreatmentType

CGM = re.compile(r"^cgm glucose value \((mg/dl|mmol/l)\)$")
METER = re.compile(r"^glucose value \((mg/dl|mmol/l)\)$")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def matches(lower: dict) -> dict | None:
    if "timestamp" not in lower:
        return None
    for pattern, kind in ((CGM, Kind.CGM), (METER, Kind.FINGERSTICK)):
        name = next((n for n in lower if pattern.match(n)), None)
        if name:
            unit = Unit.MMOLL if pattern.match(name).group(1) == "mmol/l" else Unit.MGDL
            return {"timestamp": lower["timestamp"], "kind": kind, "value": lower[name],
                    "unit": unit}  # fmt: skip
    if "insulin delivered (u)" in lower:
        return {
            "timestamp": lower["timestamp"],
            "kind": "bolus",
            "insulin": lower["insulin delivered (u)"],
            "carbs": lower.get("carbs input (g)"),
            "unit": Unit.MGDL,
        }
    return None


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    parsed = ParsedFile(format=Format.GLOOKO, unit=columns["unit"])
    kind = columns["kind"]
    for line, row in rows:
        try:
            if kind == "bolus":
                _bolus(row, columns, context, parsed)
                continue
            value = cell(row, columns["value"])
            if not value:
                parsed.ignored += 1
                continue
            mgdl = glucose(value, columns["unit"], "Glucose Value")
            parsed.readings.append(ParsedReading(mgdl, _time(row, columns, context, parsed, kind),
                                                 kind))  # fmt: skip
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
    infer_cadence(parsed)
    return parsed


def _bolus(row, columns, context, parsed: ParsedFile) -> None:
    insulin, carbs = cell(row, columns["insulin"]), cell(row, columns["carbs"])
    units = insulin and amount(insulin, "Insulin Delivered", TreatmentType.BOLUS)
    grams = carbs and amount(carbs, "Carbs Input", TreatmentType.CARBS)
    if not (units or grams):
        parsed.ignored += 1
        return
    taken_at = _time(row, columns, context, parsed, "treatment")
    if units:
        parsed.treatments.append(ParsedTreatment(TreatmentType.BOLUS, taken_at, units))
    if grams:
        parsed.treatments.append(ParsedTreatment(TreatmentType.CARBS, taken_at, carbs_g=grams))


def _time(row, columns, context: RowContext, parsed: ParsedFile, stream: str) -> datetime:
    text = cell(row, columns["timestamp"])
    for fmt in TIME_FORMATS:
        try:
            wall = datetime.strptime(text, fmt)  # noqa: DTZ007 (a wall time, zoned below)
        except ValueError:
            continue
        return check_time(local(wall.date(), wall.time(), context, parsed, stream=stream), context)
    raise RowError(f"Timestamp “{shorten(text)}” is not a date and time like 2024-01-15 08:30.")
