"""Tandem Source (t:connect) CSV export: six lines about the pump and the report, then
sections separated by blank lines, each with its own header:

- CGM readings: ``DeviceType,SerialNumber,Description,EventDateTime,Readings (mg/dL)``
  (CGM, every 5 minutes);
- meter readings: ``DeviceType,SerialNumber,Description,EventDateTime,BG (mg/dL),Note``;
- boluses: ``Type,BolusType,BolusDeliveryMethod,BG (mg/dL),SerialNumber,
  CompletionDateTime,InsulinDelivered,FoodDelivered,CorrectionDelivered,…``
  (``InsulinDelivered`` units, the bolus actually given).

Times are the pump's local times, ISO 8601 (``2024-01-15T08:30:00``, with or without an
offset).
"""

from __future__ import annotations

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
    notes_of,
    shorten,
)
from integrations.files.text import Rows
from readings.models import Kind
from treatments.models import TreatmentType

CADENCE_MIN = 5
SECTION_COLUMNS = ("eventdatetime", "completiondatetime")


def matches(lower: dict) -> dict | None:
    if "eventdatetime" in lower and ("readings (mg/dl)" in lower or "bg (mg/dl)" in lower):
        return _section(lower)
    return None


def _section(lower: dict) -> dict:
    """What a section's header says: which column holds the time and which the value."""
    if "readings (mg/dl)" in lower:
        return {
            "kind": Kind.CGM,
            "time": lower["eventdatetime"],
            "value": lower["readings (mg/dl)"],
        }
    if "eventdatetime" in lower:
        return {"kind": Kind.FINGERSTICK, "time": lower["eventdatetime"],
                "value": lower.get("bg (mg/dl)"), "note": lower.get("note")}  # fmt: skip
    return {"kind": "bolus", "time": lower["completiondatetime"],
            "insulin": lower.get("insulindelivered")}  # fmt: skip


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    parsed = ParsedFile(format=Format.TANDEM, unit=Unit.MGDL)
    section = columns
    for line, row in rows:
        lower = {c.strip().lower(): i for i, c in enumerate(row) if c.strip()}
        if any(name in lower for name in SECTION_COLUMNS):
            section = _section(lower)  # the next section's header
            continue
        try:
            if section["kind"] == "bolus":
                units = cell(row, section["insulin"])
                units = units and amount(units, "InsulinDelivered", TreatmentType.BOLUS)
                if not units:
                    parsed.ignored += 1
                    continue
                taken_at = _time(cell(row, section["time"]), context, parsed, "treatment")
                parsed.treatments.append(ParsedTreatment(TreatmentType.BOLUS, taken_at, units))
                continue
            value = cell(row, section["value"])
            if not value:
                parsed.ignored += 1
                continue
            kind = section["kind"]
            mgdl = glucose(value, Unit.MGDL, "Readings" if kind == Kind.CGM else "BG")
            taken_at = _time(cell(row, section["time"]), context, parsed, kind)
            notes = notes_of(cell(row, section.get("note")))
            parsed.readings.append(
                ParsedReading(mgdl, taken_at, kind, notes=notes,
                              cadence_min=CADENCE_MIN if kind == Kind.CGM else None)
            )  # fmt: skip
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
    return parsed


def _time(text: str, context: RowContext, parsed: ParsedFile, stream: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(
            f"“{shorten(text)}” is not a date and time like 2024-01-15T08:30:00."
        ) from None
    if moment.tzinfo is None:
        moment = local(moment.date(), moment.time(), context, parsed, stream=stream)
    return check_time(moment, context)
