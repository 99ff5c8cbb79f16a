"""Dexcom Clarity CSV exports."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from integrations.files.common import (
    Format,
    ParsedFile,
    ParsedReading,
    ParsedTreatment,
    RowContext,
    RowError,
    RowProblem,
    Rows,
    amount,
    cell,
    check_time,
    glucose,
    local,
    marker_value,
    shorten,
)
from readings.models import Kind
from treatments.models import TreatmentType

# --- Dexcom Clarity -------------------------------------------------------------------------

DEXCOM_KINDS = {"egv": Kind.CGM, "calibration": Kind.FINGERSTICK}
# Insulin rows: Event Subtype "Fast-Acting" or "Long-Acting" (a blank one, as in some older
# exports, is read as fast-acting), the dose in "Insulin Value (u)".
INSULIN_SUBTYPES = {
    "fast-acting": TreatmentType.BOLUS,
    "": TreatmentType.BOLUS,
    "long-acting": TreatmentType.BASAL,
}
EGV_CADENCE_MIN = 5  # Dexcom G6/G7 estimated glucose values (Tidepool sampleInterval)
DEXCOM_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    unit = columns["unit"]
    parsed = ParsedFile(format=Format.DEXCOM, unit=unit)
    for line, row in rows:
        stamp = cell(row, columns["timestamp"])
        if not stamp:
            continue  # preamble: FirstName, LastName, Device, Alert settings ...
        event = cell(row, columns["event type"]).lower()
        if event in ("insulin", "carbs"):
            _treatment(event, columns, row, line, context, parsed)
            continue
        kind = DEXCOM_KINDS.get(event)
        if kind is None:
            parsed.ignored += 1
            continue
        try:
            value_text = cell(row, columns["glucose"])
            marker = marker_value(value_text, context, parsed, line)
            if marker is False:
                continue
            taken_at = check_time(_dexcom_time(stamp, context, parsed), context)
            if marker:
                value, notes = marker
            elif not value_text:
                raise RowError("No glucose value.")
            else:
                value, notes = glucose(value_text, unit, "Glucose value"), ""
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
            continue
        parsed.readings.append(
            ParsedReading(
                value_mgdl=value,
                taken_at=taken_at,
                kind=kind,
                notes=notes,
                cadence_min=EGV_CADENCE_MIN if kind == Kind.CGM else None,
            )
        )
    return parsed


def _treatment(event, columns, row, line, context, parsed) -> None:
    """An Insulin or Carbs row as a treatment, or a rejected row."""
    try:
        if event == "insulin":
            subtype = cell(row, columns.get("event subtype"))
            kind = INSULIN_SUBTYPES.get(subtype.lower())
            if kind is None:
                raise RowError(
                    f"Insulin subtype “{shorten(subtype)}” is neither Fast-Acting nor Long-Acting."
                )
            label, index, field = "Insulin Value", columns.get("insulin"), "insulin_units"
        else:
            kind, label, index, field = (
                TreatmentType.CARBS,
                "Carb Value",
                columns.get("carbs"),
                "carbs_g",
            )
        text = cell(row, index)
        if not text:
            raise RowError(f"No value in the {label} column.")
        value = amount(text, label, kind)
        taken_at = check_time(
            _dexcom_time(cell(row, columns["timestamp"]), context, parsed), context
        )
    except RowError as error:
        parsed.rejected.append(RowProblem(line, str(error)))
        return
    parsed.treatments.append(ParsedTreatment(type=kind, taken_at=taken_at, **{field: value}))


def _dexcom_time(text: str, context: RowContext, parsed: ParsedFile) -> datetime:
    match = DEXCOM_TIME.match(text)
    if not match:
        raise RowError(
            f"Timestamp “{shorten(text)}” is not a date and time like 2024-03-01T08:30:00."
        )
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        day_ = date(int(year), int(month), int(day))
        clock = time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise RowError(f"Timestamp “{shorten(text)}” is not a valid date and time.") from None
    if offset:
        return datetime.combine(day_, clock, tzinfo=_fixed_offset(offset, text))
    return local(day_, clock, context, parsed)


def _fixed_offset(offset: str, text: str) -> dt_timezone:
    if offset == "Z":
        return UTC
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if delta >= timedelta(hours=24) or int(digits[2:]) >= 60:
        raise RowError(f"Timestamp “{shorten(text)}” has an invalid offset.")
    return dt_timezone(-delta if offset[0] == "-" else delta)
