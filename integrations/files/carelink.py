"""Medtronic CareLink CSV export (CareLink Personal: Reports, Data Export (CSV)).

A preamble (patient, devices, date range), then a header row starting ``Index,Date,Time``
and, in newer exports, several sections each repeating that header after a line of dashes
(pump events, then sensor readings). Comma-separated with US dates (``8/29/2009``) or, in
European exports, semicolon-separated with decimal commas; newer exports write dates year
first (``2021/03/09``). Times are ``9:27:00``, local.

``Sensor Glucose (mg/dL)`` (or ``mmol/L``) is a CGM reading every 5 minutes, ``BG Reading``
a meter reading (``Sensor Calibration BG`` repeats a meter reading and is not counted
again); ``Bolus Volume Delivered (U)`` a bolus; ``BWZ Carb Input (grams)`` grams of
carbohydrate entered in the bolus wizard. Basal rates are not doses and are not imported.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from core.units import Unit
from integrations.files.common import (
    DateOrder,
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
from integrations.files.text import ImportRefused, Rows
from readings.models import Kind
from treatments.models import TreatmentType

UNIT = r"\((mg/dl|mmol/l)\)"
SENSOR = re.compile(rf"^sensor glucose {UNIT}$")
METER = re.compile(rf"^bg reading {UNIT}$")
DAY = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
CADENCE_MIN = 5


def matches(lower: dict) -> dict | None:
    if not ("index" in lower and "date" in lower and "time" in lower):
        return None
    sensor = next((name for name in lower if SENSOR.match(name)), None)
    meter = next((name for name in lower if METER.match(name)), None)
    if not (sensor or meter):
        return None
    unit_text = SENSOR.match(sensor).group(1) if sensor else METER.match(meter).group(1)
    return {
        "date": lower["date"],
        "time": lower["time"],
        "sensor": lower.get(sensor),
        "meter": lower.get(meter),
        "unit": Unit.MMOLL if unit_text == "mmol/l" else Unit.MGDL,
        "bolus": lower.get("bolus volume delivered (u)"),
        "carbs": lower.get("bwz carb input (grams)"),
    }


def parse(columns: dict, rows: Rows, context: RowContext, chosen: str) -> ParsedFile:
    parsed = ParsedFile(format=Format.CARELINK, unit=columns["unit"])
    order = _date_order(rows, columns, chosen)
    parsed.date_order = order
    for line, row in rows:
        first = cell(row, 0)
        if first.lower() == "index" or first.startswith("-"):
            continue  # a section's header or its dashed title
        values = {name: cell(row, columns[name]) for name in ("sensor", "meter", "bolus", "carbs")}
        if not any(values.values()):
            parsed.ignored += 1  # basal, alarms, prime, rewind, calibrations …
            continue
        try:
            if values["sensor"] or values["meter"]:
                kind = Kind.CGM if values["sensor"] else Kind.FINGERSTICK
                label = "Sensor Glucose" if values["sensor"] else "BG Reading"
                mgdl = glucose(values["sensor"] or values["meter"], columns["unit"], label)
                taken_at = _time(row, columns, order, context, parsed, kind)
                parsed.readings.append(
                    ParsedReading(
                        mgdl, taken_at, kind, cadence_min=CADENCE_MIN if kind == Kind.CGM else None
                    )
                )
            units = values["bolus"] and amount(
                values["bolus"], "Bolus Volume Delivered", TreatmentType.BOLUS
            )
            if units:  # a zero is a cancelled bolus
                taken_at = _time(row, columns, order, context, parsed, "treatment")
                parsed.treatments.append(ParsedTreatment(TreatmentType.BOLUS, taken_at, units))
            grams = values["carbs"] and amount(
                values["carbs"], "BWZ Carb Input", TreatmentType.CARBS
            )
            if grams:  # the wizard writes 0 when no carbohydrate was entered
                taken_at = _time(row, columns, order, context, parsed, "treatment")
                parsed.treatments.append(
                    ParsedTreatment(TreatmentType.CARBS, taken_at, carbs_g=grams)
                )
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
    return parsed


def _date_order(rows: Rows, columns: dict, chosen: str) -> str:
    """Year first and dotted dates tell themselves; slashed day-month dates are told by a
    number above 12, else asked."""
    if chosen in (DateOrder.DAY_FIRST, DateOrder.MONTH_FIRST):
        return chosen
    undecided = False
    for _line, row in rows:
        match = DAY.match(cell(row, columns["date"]))
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if "." in match.group(0) or first > 12:
            return DateOrder.DAY_FIRST
        if second > 12:
            return DateOrder.MONTH_FIRST
        undecided = undecided or first != second
    if undecided:
        raise ImportRefused(
            "The dates in this CareLink file read correctly both day first and month first "
            "(no day after the 12th). Choose the date order on the form and import it again."
        )
    return DateOrder.MONTH_FIRST


def _time(row, columns, order, context: RowContext, parsed: ParsedFile, stream) -> datetime:
    day_text, clock_text = cell(row, columns["date"]), cell(row, columns["time"])
    day_match, clock_match = DAY.match(day_text), CLOCK.match(clock_text)
    if not (day_match and clock_match):
        raise RowError(
            f"Date/Time “{shorten(day_text)} {shorten(clock_text)}” is not a date and time."
        )
    a, b, c = (int(part) for part in day_match.groups())
    if len(day_match.group(1)) == 4:
        year, month, day = a, b, c
    elif order == DateOrder.DAY_FIRST:
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    hour, minute, second = (int(part or 0) for part in clock_match.groups())
    try:
        moment = local(date(year, month, day), time(hour, minute, second), context, parsed,
                       stream=stream)  # fmt: skip
    except ValueError:
        raise RowError(f"“{day_text} {clock_text}” is not a valid date and time.") from None
    return check_time(moment, context)
