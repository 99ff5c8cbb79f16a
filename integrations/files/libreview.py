"""LibreView CSV exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

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
    marker_value,
    notes_of,
    shorten,
)
from integrations.files.text import ImportRefused, Rows
from readings.models import Kind
from treatments.models import TreatmentType

# --- LibreView ------------------------------------------------------------------------------

LIBRE_RECORD_COLUMNS = {
    0: ("historic", Kind.CGM),
    1: ("scan", Kind.SCAN),  # on demand: never part of CGM figures (DESIGN.md 4.1)
    2: ("strip", Kind.FINGERSTICK),
}
INSULIN_RECORD, FOOD_RECORD = 4, 5
# LibreLink's default carbohydrate serving; the export does not say which size was set.
GRAMS_PER_SERVING = 15
SERVINGS_NOTE = "Imported as {servings} serving(s) of {grams} g each."

# History cadence: Libre 1/2/14-day store a reading every 15 minutes, Libre 3 every 5
# (Tidepool DataUtil sampleInterval). The file's Device column names the app or reader.
LIBRE_HISTORY_MIN = 15
LIBRE_3_HISTORY_MIN = 5
LIBRE_3_DEVICE = re.compile(r"libre\s*3", re.IGNORECASE)


def history_cadence(device: str) -> int:
    """Minutes between history readings for the Device cell ("FreeStyle Libre 3" -> 5)."""
    return LIBRE_3_HISTORY_MIN if LIBRE_3_DEVICE.search(device or "") else LIBRE_HISTORY_MIN


LIBRE_TIME = re.compile(
    r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{2,4})\.?[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([AaPp])?\.?(?:[Mm]\.?)?$"
)


@dataclass(frozen=True)
class _LibreTime:
    first: int
    second: int
    year: int
    year_first: bool
    hour: int
    minute: int
    seconds: int
    meridiem: str | None  # "a" / "p"


def _libre_time_parts(text: str) -> _LibreTime | None:
    match = LIBRE_TIME.match(text)
    if not match:
        return None
    a, b, c, hour, minute, second, meridiem = match.groups()
    if len(a) == 4:  # 2024-03-01: year first, always year-month-day
        return _LibreTime(
            int(b), int(c), int(a), True, int(hour), int(minute), int(second or 0), None
        )
    if len(a) > 2 or len(c) == 3:
        return None
    year = int(c) + 2000 if len(c) == 2 else int(c)
    return _LibreTime(
        int(a),
        int(b),
        year,
        False,
        int(hour),
        int(minute),
        int(second or 0),
        meridiem.lower() if meridiem else None,
    )


def _libre_date_order(rows: Rows, timestamp_index: int, chosen: str) -> tuple[str, str]:
    """(DateOrder.DAY_FIRST or MONTH_FIRST, how it was told) for the file, or ImportRefused.

    Evidence, from the whole file: a first number above 12 means day first, a second number
    above 12 month first, and AM/PM times month first (LibreView writes them only in its
    US export, whose dates are month first); failing those, the same in the date in the
    title row."""
    if chosen in (DateOrder.DAY_FIRST, DateOrder.MONTH_FIRST):
        return chosen, "as chosen on the form"
    day_first_line = month_first_line = meridiem_line = None
    undecided = False
    for line, row in rows:
        parts = _libre_time_parts(cell(row, timestamp_index))
        if parts is None or parts.year_first:
            continue
        if parts.meridiem:
            meridiem_line = meridiem_line or line
        if 12 < parts.first <= 31 and parts.second <= 12:
            day_first_line = day_first_line or line
        elif 12 < parts.second <= 31 and parts.first <= 12:
            month_first_line = month_first_line or line
        elif parts.first != parts.second:
            undecided = True
    if day_first_line and (month_first_line or meridiem_line):
        other = month_first_line or meridiem_line
        raise ImportRefused(
            f"The dates in this file are written in two orders: line {day_first_line} has the "
            f"day first, line {other} the month first. Export the file again from "
            "LibreView without editing it."
        )
    if day_first_line:
        return DateOrder.DAY_FIRST, f"a day after the 12th (line {day_first_line})"
    if month_first_line:
        return DateOrder.MONTH_FIRST, f"a day after the 12th (line {month_first_line})"
    if meridiem_line:
        return DateOrder.MONTH_FIRST, "AM/PM times, which only the US export writes"
    title = _title_date_order(rows) if undecided else None
    if title:
        return title
    if undecided:
        raise ImportRefused(
            "The dates in this file read correctly both day first and month first (no day "
            "after the 12th), so BGT cannot tell which it is. Choose the date order on the "
            "form (day first as in 31-01-2024, or month first as in the US export, "
            "01-31-2024) and import the file again."
        )
    return DateOrder.DAY_FIRST, "every date reads the same either way"


def _title_date_order(rows: Rows) -> tuple[str, str] | None:
    """The order told by the date the file was made, in its title row ("Generado el,
    19-03-2021 14:06 UTC"), which LibreView writes in the account's date order like the
    rows: for a short export whose own dates all read both ways."""
    for line, row in rows.preamble():
        for text in row:
            parts = _libre_time_parts(text.strip().removesuffix("UTC").strip())
            if parts is None or parts.year_first:
                continue
            where = f"the date the file was made, line {line}"
            if parts.meridiem:
                return DateOrder.MONTH_FIRST, f"an AM/PM time in {where}"
            if 12 < parts.first <= 31 and parts.second <= 12:
                return DateOrder.DAY_FIRST, f"a day after the 12th in {where}"
            if 12 < parts.second <= 31 and parts.first <= 12:
                return DateOrder.MONTH_FIRST, f"a day after the 12th in {where}"
    return None


def _libre_time(
    text: str, order: str, context: RowContext, parsed: ParsedFile, stream: str
) -> datetime:
    parts = _libre_time_parts(text)
    if parts is None:
        raise RowError(
            f"Device Timestamp “{shorten(text)}” is not a date and time like "
            "31-01-2024 08:30 or 01-31-2024 08:30 AM."
        )
    if parts.year_first or order == DateOrder.MONTH_FIRST:
        month, day = parts.first, parts.second
    else:
        day, month = parts.first, parts.second
    hour = parts.hour
    if parts.meridiem:
        if not 1 <= hour <= 12:
            raise RowError(f"Device Timestamp “{shorten(text)}” has an invalid hour.")
        hour = hour % 12 + (12 if parts.meridiem == "p" else 0)
    try:
        day_ = date(parts.year, month, day)
        clock = time(hour, parts.minute, parts.seconds)
    except ValueError:
        raise RowError(
            f"Device Timestamp “{shorten(text)}” is not a valid date and time."
        ) from None
    return local(day_, clock, context, parsed, stream=stream)


def parse(columns: dict, rows: Rows, context: RowContext, chosen: str) -> ParsedFile:
    first_unit = next(columns[name][1] for name in ("historic", "scan", "strip") if name in columns)
    parsed = ParsedFile(format=Format.LIBREVIEW, unit=first_unit)
    parsed.date_order, parsed.date_order_reason = _libre_date_order(
        rows, columns["timestamp"], chosen
    )
    for line, row in rows:
        record_text = cell(row, columns["record type"])
        try:
            record_type = int(record_text)
        except ValueError:
            parsed.rejected.append(
                RowProblem(line, f"Record Type “{shorten(record_text)}” is not a number.")
            )
            continue
        if record_type in (INSULIN_RECORD, FOOD_RECORD):
            _treatments(record_type, columns, row, line, context, parsed)
            continue
        if record_type not in LIBRE_RECORD_COLUMNS:
            parsed.ignored += 1  # 3 ketones, 6 notes and events ...
            continue
        column_name, kind = LIBRE_RECORD_COLUMNS[record_type]
        try:
            if column_name not in columns:
                raise RowError(
                    f"Record Type {record_type} needs the “{column_name.title()} Glucose” "
                    "column, which this file does not have."
                )
            index, unit = columns[column_name]
            label = f"{column_name.title()} Glucose"
            value_text = cell(row, index)
            marker = marker_value(value_text, context, parsed, line)
            if marker is False:
                continue
            taken_at = check_time(
                _libre_time(
                    cell(row, columns["timestamp"]), parsed.date_order, context, parsed, kind
                ),
                context,
            )
            if marker:
                value, notes = marker
            elif not value_text:
                raise RowError(f"No glucose value in the {label} column.")
            else:
                value = glucose(value_text, unit, label)
                notes = notes_of(cell(row, columns.get("notes")))
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
            continue
        cadence = None
        if kind == Kind.CGM:
            cadence = history_cadence(cell(row, columns.get("device")))
        parsed.readings.append(
            ParsedReading(
                value_mgdl=value, taken_at=taken_at, kind=kind, notes=notes, cadence_min=cadence
            )
        )
    return parsed


def _treatments(record_type, columns, row, line, context, parsed: ParsedFile) -> None:
    """An insulin (4) or food (5) row as treatments; a row with no number in its columns
    (LibreLink's "non-numeric" insulin or food) is counted as ignored."""
    found: list[ParsedTreatment] = []
    try:
        notes = notes_of(cell(row, columns.get("notes")))
        if notes == "0":
            # The export writes a 0 in the column after an insulin amount (a real Spanish
            # export: "…,24,0,…" with Long-Acting Insulin 24 and Notes "0"): not a note.
            notes = ""
        when = None

        def taken_at():
            nonlocal when
            if when is None:
                text = cell(row, columns["timestamp"])
                when = check_time(
                    _libre_time(text, parsed.date_order, context, parsed, "treatment"), context
                )
            return when

        if record_type == INSULIN_RECORD:
            rapid = cell(row, columns.get("rapid"))
            meal = cell(row, columns.get("meal insulin"))
            correction = cell(row, columns.get("correction insulin"))
            if rapid:
                units = amount(rapid, "Rapid-Acting Insulin", TreatmentType.BOLUS)
            elif meal or correction:  # Libre 3 splits a bolus into meal and correction
                units = sum(
                    amount(text, label, TreatmentType.BOLUS)
                    for text, label in ((meal, "Meal Insulin"), (correction, "Correction Insulin"))
                    if text
                )
            else:
                units = None
            if units is not None:
                found.append(ParsedTreatment(TreatmentType.BOLUS, taken_at(), units, notes=notes))
            long_acting = cell(row, columns.get("long"))
            if long_acting:
                units = amount(long_acting, "Long-Acting Insulin", TreatmentType.BASAL)
                found.append(ParsedTreatment(TreatmentType.BASAL, taken_at(), units, notes=notes))
        else:
            grams = cell(row, columns.get("carbs"))
            servings = cell(row, columns.get("servings"))
            if grams:
                carbs = amount(grams, "Carbohydrates", TreatmentType.CARBS)
                found.append(
                    ParsedTreatment(TreatmentType.CARBS, taken_at(), carbs_g=carbs, notes=notes)
                )
            elif servings:
                carbs = amount(
                    servings,
                    "Carbohydrates (servings)",
                    TreatmentType.CARBS,
                    factor=GRAMS_PER_SERVING,
                )
                note = SERVINGS_NOTE.format(servings=servings, grams=GRAMS_PER_SERVING)
                found.append(
                    ParsedTreatment(
                        TreatmentType.CARBS,
                        taken_at(),
                        carbs_g=carbs,
                        notes=f"{note} {notes}".strip()[:500],
                    )
                )
    except RowError as error:
        parsed.rejected.append(RowProblem(line, str(error)))
        return
    if not found:
        parsed.ignored += 1
    parsed.treatments.extend(found)
