"""mySugr CSV export (the app's Export, CSV).

Columns (English export): ``Date, Time, Tags, Blood Sugar Measurement (mg/dL)`` (or
``mmol/L``), ``Insulin Injection Units (Pen), Basal Injection Units, Insulin Injection
Units (pump), Insulin (Meal), Insulin (Correction), …, Meal Carbohydrates (Grams, Factor
1), Meal Descriptions, …, Note, …, Timezone``. Dates are written ``Mar 5, 2024`` and times
``8:15:00 PM`` (or 24-hour ``20:15:00``), in local time: the zone in the row's Timezone
cell when it holds one (``row_zone``; a person who travelled), else the patient's.

Exports in other languages (a real Danish one: "Dato, Tid, Tags, Blodsukkermåling
(mmol/L), …, Kulhydrater mad (Gram, faktor 1), …") keep the columns in the same order, so
they are recognised by it (``_by_position``), with their dates day first (``14-02-2021``)
and decimal commas.

A blood sugar value is a meter reading. Insulin: the pen (or pump) bolus, else the sum of
its meal and correction parts, is a bolus; basal injection units a basal dose; meal
carbohydrates grams of carbohydrate.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from readings.models import Context, Kind
from treatments.models import TreatmentType

GLUCOSE = re.compile(r"^blood (?:sugar|glucose) measurement \((mg/dl|mmol/l)\)$")
COLUMNS = {
    "pen": "insulin injection units (pen)",
    "pump": "insulin injection units (pump)",
    "basal": "basal injection units",
    "meal insulin": "insulin (meal)",
    "correction insulin": "insulin (correction)",
    "carbs": "meal carbohydrates (grams, factor 1)",
    "meal": "meal descriptions",
    "note": "note",
    "timezone": "timezone",
}
# mySugr's tags that say when a reading was taken (a row may carry several, comma-separated):
# "Before the meal", "After the meal" (English) and "Før måltidet", "Efter måltidet",
# "Fastende" (Danish) as real exports write them.
CONTEXT_TAGS = {
    "fasting": Context.FASTING,
    "fastende": Context.FASTING,
    "before meal": Context.BEFORE_MEAL,
    "before the meal": Context.BEFORE_MEAL,
    "før måltidet": Context.BEFORE_MEAL,
    "after meal": Context.AFTER_MEAL,
    "after the meal": Context.AFTER_MEAL,
    "efter måltidet": Context.AFTER_MEAL,
    "bedtime": Context.BEDTIME,
}
DATE_FORMATS = ("%b %d, %Y", "%b %d %Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %b %Y")
# The export's columns in order, in every language: the English names of those BGT reads.
POSITIONS = {
    0: "date", 1: "time", 2: "tags", 3: "glucose", 4: "pen", 5: "basal", 6: "pump",
    7: "meal insulin", 8: "correction insulin", 11: "carbs", 12: "meal", 17: "note",
}  # fmt: skip
POSITION_UNIT = re.compile(r"\((mg/dl|mmol/l)\)$")
POSITION_CARBS = re.compile(r"\(.*,\s*fa[ck]tor\s*1\)$")  # "(Grams, Factor 1)", "(Gram, faktor 1)"
TIME_FORMATS = ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M")


def matches(lower: dict) -> dict | None:
    glucose_header = next((name for name in lower if GLUCOSE.match(name)), None)
    if not ("date" in lower and "time" in lower and "tags" in lower and glucose_header):
        return _by_position(lower)
    columns = {"date": lower["date"], "time": lower["time"], "glucose": lower[glucose_header],
               "tags": lower["tags"]}  # fmt: skip
    columns["unit"] = Unit.MMOLL if "mmol" in glucose_header else Unit.MGDL
    columns.update({key: lower.get(name) for key, name in COLUMNS.items()})
    return columns


def _by_position(lower: dict) -> dict | None:
    """The columns of an export in another language, by their place: at least 25
    columns, the fourth a blood sugar in mg/dL or mmol/L, the twelfth carbohydrates
    "(…, Factor 1)" in the app's words for it."""
    names = {index: name for name, index in lower.items()}
    if len(names) < 25 or set(names) != set(range(len(names))):
        return None
    unit = POSITION_UNIT.search(names[3])
    if not unit or not POSITION_CARBS.search(names[11]):
        return None
    columns = {key: index for index, key in POSITIONS.items()}
    columns["unit"] = Unit.MMOLL if unit.group(1) == "mmol/l" else Unit.MGDL
    columns["timezone"] = None
    return columns


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    parsed = ParsedFile(format=Format.MYSUGR, unit=columns["unit"])
    for line, row in rows:
        found = False
        try:
            when = None

            def taken_at(stream, row=row):
                nonlocal when
                if when is None:
                    when = check_time(_time(row, columns, context, parsed, stream), context)
                return when

            note = notes_of(" ".join(filter(None, (cell(row, columns["meal"]),
                                                   cell(row, columns["note"])))))  # fmt: skip
            value = cell(row, columns["glucose"])
            if value:
                mgdl = glucose(value, columns["unit"], "Blood Sugar Measurement")
                tags = [tag.strip().lower() for tag in cell(row, columns["tags"]).split(",")]
                context_ = next((CONTEXT_TAGS[t] for t in tags if t in CONTEXT_TAGS), None)
                parsed.readings.append(
                    ParsedReading(
                        mgdl,
                        taken_at(Kind.FINGERSTICK),
                        Kind.FINGERSTICK,
                        context=context_ or Context.UNSPECIFIED,
                        notes=note,
                    )
                )
                found = True
            bolus = cell(row, columns["pen"]) or cell(row, columns["pump"])
            parts = [cell(row, columns[k]) for k in ("meal insulin", "correction insulin")]
            if bolus or any(parts):
                units = (
                    amount(bolus, "Insulin Injection Units", TreatmentType.BOLUS)
                    if bolus
                    else sum(
                        amount(p, "Insulin (Meal/Correction)", TreatmentType.BOLUS)
                        for p in parts
                        if p
                    )  # fmt: skip
                )
                parsed.treatments.append(
                    ParsedTreatment(TreatmentType.BOLUS, taken_at("treatment"), units)
                )
                found = True
            basal = cell(row, columns["basal"])
            if basal:
                units = amount(basal, "Basal Injection Units", TreatmentType.BASAL)
                parsed.treatments.append(
                    ParsedTreatment(TreatmentType.BASAL, taken_at("treatment"), units)
                )
                found = True
            carbs = cell(row, columns["carbs"])
            if carbs:
                grams = amount(carbs, "Meal Carbohydrates", TreatmentType.CARBS)
                parsed.treatments.append(
                    ParsedTreatment(
                        TreatmentType.CARBS, taken_at("treatment"), carbs_g=grams, notes=note
                    )
                )
                found = True
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
            continue
        if not found:
            parsed.ignored += 1  # activity, weight, blood pressure, a note on its own
    return parsed


def _time(row, columns, context: RowContext, parsed: ParsedFile, stream: str) -> datetime:
    day_text, clock_text = cell(row, columns["date"]), cell(row, columns["time"])
    day = _first(day_text, DATE_FORMATS, datetime.date)
    clock = _first(clock_text.upper(), TIME_FORMATS, datetime.time)
    if day is None or clock is None:
        raise RowError(
            f"Date/Time “{shorten(day_text)} {shorten(clock_text)}” is not a date and time "
            "like Mar 5, 2024 8:15:00 PM."
        )
    zone = row_zone(cell(row, columns["timezone"]))
    if zone is not None and zone != context.tz:
        context = dataclasses.replace(context, tz=zone)
    return local(day, clock, context, parsed, stream=stream)


# The Timezone column: an IANA name ("Europe/Vienna") or an offset from UTC ("GMT+01:00",
# "UTC-5", "+0530"). No public file showed its values, so both are read; anything else
# (or an empty cell) leaves the row in the patient's zone.
OFFSET = re.compile(r"^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def row_zone(text: str) -> tzinfo | None:
    """The zone a mySugr row was recorded in, from its Timezone cell; None when empty or
    not a zone."""
    text = text.strip()
    if not text:
        return None
    if text.upper() in ("GMT", "UTC", "Z"):
        return UTC
    match = OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset > timedelta(hours=14):
            return None
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(text)
    except (ValueError, ZoneInfoNotFoundError):
        return None


def _first(text: str, formats, part) -> date | time | None:
    for fmt in formats:
        try:
            return part(datetime.strptime(text, fmt))  # noqa: DTZ007 (a wall time)
        except ValueError:
            continue
    return None
