"""xDrip+ CSV export ("Export Database" as SiDiary CSV; xDrip+ saves it zipped).

One header, ``DAY;TIME;UDT_CGMS;BG_LEVEL;CH_GR;BOLUS;REMARK``, then rows written by
xDrip+'s ``DatabaseUtil`` in three runs: sensor readings (``UDT_CGMS``, whole mg/dL),
calibrations (``BG_LEVEL``, fingersticks) and treatments (``CH_GR`` grams of carbohydrate,
``BOLUS`` units, ``REMARK`` with line breaks written as ``||``). ``DAY`` is ``dd.MM.yyyy``
and ``TIME`` ``HH:mm`` in the phone's time zone, without seconds.
"""

from __future__ import annotations

import re
from datetime import date, time

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
from integrations.files.file_passes import infer_cadence
from integrations.files.text import Rows
from readings.models import Kind
from treatments.models import TreatmentType

HEADER = ("day", "time", "udt_cgms", "bg_level", "ch_gr", "bolus", "remark")
DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def matches(lower: dict) -> dict | None:
    if all(name in lower for name in HEADER[:4]):
        return {name: lower.get(name) for name in HEADER}
    return None


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    parsed = ParsedFile(format=Format.XDRIP, unit=Unit.MGDL)
    for line, row in rows:
        cgm, meter = cell(row, columns["udt_cgms"]), cell(row, columns["bg_level"])
        carbs, bolus = cell(row, columns["ch_gr"]), cell(row, columns["bolus"])
        remark = cell(row, columns["remark"]).replace("||", "\n")
        try:
            if cgm or meter:
                kind = Kind.CGM if cgm else Kind.FINGERSTICK
                taken_at = _time(row, columns, context, parsed, kind)
                label = "UDT_CGMS" if cgm else "BG_LEVEL"
                value = glucose(cgm or meter, Unit.MGDL, label)
                parsed.readings.append(ParsedReading(value, taken_at, kind))
                continue
            if not (carbs or bolus):
                parsed.ignored += 1  # a note on its own
                continue
            taken_at = _time(row, columns, context, parsed, "treatment")
            notes = notes_of(remark)
            if bolus:
                units = amount(bolus, "BOLUS", TreatmentType.BOLUS)
                parsed.treatments.append(
                    ParsedTreatment(TreatmentType.BOLUS, taken_at, units, notes=notes)
                )
            if carbs:
                grams = amount(carbs, "CH_GR", TreatmentType.CARBS)
                parsed.treatments.append(
                    ParsedTreatment(TreatmentType.CARBS, taken_at, carbs_g=grams, notes=notes)
                )
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
    infer_cadence(parsed)
    return parsed


def _time(row, columns, context: RowContext, parsed: ParsedFile, stream: str):
    day_text, clock_text = cell(row, columns["day"]), cell(row, columns["time"])
    day_match, clock_match = DAY.match(day_text), CLOCK.match(clock_text)
    if not (day_match and clock_match):
        raise RowError(
            f"DAY/TIME “{shorten(day_text)} {shorten(clock_text)}” is not a date and time "
            "like 14.05.2024 19:20."
        )
    d, m, y = (int(part) for part in day_match.groups())
    hour, minute, second = (int(part or 0) for part in clock_match.groups())
    try:
        moment = local(date(y, m, d), time(hour, minute, second), context, parsed, stream=stream)
    except ValueError:
        raise RowError(f"“{day_text} {clock_text}” is not a valid date and time.") from None
    return check_time(moment, context)
