"""Reading CSV files from meters and CGM software into unsaved readings (pure: no queries).

Three formats, told apart by their header row (DESIGN.md section 3, issue 6):

- **BGT CSV**, the format of ``/readings/export.csv`` (readings/exporters.py): columns
  ``taken_at`` (ISO 8601, with or without an offset), ``value_mgdl`` and/or ``value_mmoll``,
  and optionally ``kind``, ``context``, ``notes``, ``source``, ``external_id``, ``trend``.
  ``value_mgdl`` is the stored value and wins; when both are given they must agree. The
  ``source`` and ``external_id`` of an export are kept on re-import, so that importing an
  export reproduces the same readings and a later upload from the original device or app
  (which de-duplicates by source and external id) still recognises them. A blank source is
  ``import``.
- **Dexcom Clarity** export: header ``Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,…,
  Glucose Value (mg/dL)`` (or ``(mmol/L)``); preamble rows (FirstName, Device, Alert …) have
  no timestamp and are passed over. ``EGV`` rows are CGM readings; ``Calibration`` rows are
  the fingerstick values typed into the app, imported as fingersticks. Other events
  (insulin, carbs, exercise …) are not glucose readings and are counted as ignored.
- **LibreView** export: a title row (``Glucose Data,Generated on,…``), then a header with
  ``Device,Serial Number,Device Timestamp,Record Type,Historic Glucose mg/dL,Scan Glucose
  mg/dL,…,Strip Glucose mg/dL,…`` (or ``mmol/L``). Record Type 0 (automatic, "historic")
  and 1 (scan) are CGM readings, 2 (strip) a fingerstick; the other types (ketones, insulin,
  food, notes) are ignored. Dates are ``MM-DD-YYYY hh:mm AM/PM`` in the US export and
  ``DD-MM-YYYY HH:MM`` in others: the order is worked out from the whole file (a first
  number above 12 means day first, a second number above 12 means month first). A file in
  which every date reads both ways is refused unless the person chose the order; a file
  with evidence for both orders is refused.

Times without an offset are the patient's local time. In the hour that repeats when the
clocks go back, a local time is read as its **first occurrence** (``fold=0``, the rule of
the reading form too) and counted in ``ambiguous_times``; a local time that does not exist
(the hour skipped when the clocks go forward) is a rejected row.

``Low``/``High`` markers (also ``LO``/``HI``) are stored at the meter limits (20 and 600
mg/dL) with a note saying so when the person ticks that option; otherwise they are skipped
and counted.

Every row is validated here, before anything is stored: a bad row is rejected with its
line number (the physical line where the row starts, counting from 1) and a reason; good
rows become ``ParsedReading`` values, handed to ``readings.services.readings_bulk_create``
as unsaved ``Reading`` objects by ``reading_batches``.
A file that cannot be read as CSV, or whose format is unknown, raises ``ImportRefused``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.localtime import local_datetime
from core.units import MAX_MGDL, MIN_MGDL, Unit, mgdl_to_mmoll
from core.validators import glucose_to_mgdl
from readings.models import FUTURE_TOLERANCE, Context, Kind, Reading, Source

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_NOTES = 500
MAX_EXTERNAL_ID = 200
MAX_TREND = 20
# The header is the first row in BGT and Dexcom files and follows a title row in LibreView
# files; a few more rows of slack allow for blank lines or an extra title line.
HEADER_SEARCH_ROWS = 10
DELIMITERS = (",", ";", "\t")


class Format:
    BGT = "bgt"
    DEXCOM = "dexcom"
    LIBREVIEW = "libreview"
    LABELS = {BGT: "BGT CSV", DEXCOM: "Dexcom Clarity", LIBREVIEW: "LibreView"}


class DateOrder:
    """How ``01-02-2024`` is read in a LibreView file."""

    AUTO = "auto"
    DAY_FIRST = "day_first"
    MONTH_FIRST = "month_first"
    CHOICES = (
        (AUTO, "Work it out from the file"),
        (DAY_FIRST, "Day first (DD-MM-YYYY)"),
        (MONTH_FIRST, "Month first (MM-DD-YYYY, US)"),
    )


LOW_MARKERS = frozenset({"low", "lo"})
HIGH_MARKERS = frozenset({"high", "hi"})
LOW_NOTE = "Imported “{marker}”: below the sensor's range, stored at 20 mg/dL (1.1 mmol/L)."
HIGH_NOTE = "Imported “{marker}”: above the sensor's range, stored at 600 mg/dL (33.3 mmol/L)."

# Cells a spreadsheet would run as a formula; the export prefixes them with an apostrophe
# (readings/exporters.py), and the import takes exactly one apostrophe off again.
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
ESCAPED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


class ImportRefused(Exception):
    """The whole file is refused (nothing is imported); the message is for the person."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedReading:
    """One valid row: canonical values (mg/dL, an aware time), lighter than a model
    instance, so a year of CGM costs tens of megabytes, not hundreds, until it is stored."""

    value_mgdl: int
    taken_at: datetime
    kind: str
    context: str = Context.UNSPECIFIED
    notes: str = ""
    source: str = Source.IMPORT
    external_id: str | None = None
    direction: str = ""

    def to_reading(self) -> Reading:
        return Reading(
            value_mgdl=self.value_mgdl,
            taken_at=self.taken_at,
            kind=self.kind,
            context=self.context,
            notes=self.notes,
            source=self.source,
            external_id=self.external_id,
            direction=self.direction,
        )


@dataclass
class ParsedFile:
    """What a file holds: readings ready to store and what was left out, and why."""

    format: str
    unit: str  # the unit of the file's glucose values
    readings: list[ParsedReading] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)  # Low/High markers not stored
    ignored: int = 0  # rows that are not glucose readings (insulin, carbs, notes ...)
    ambiguous_times: int = 0  # read as the first occurrence of a repeated local time
    date_order: str | None = None  # LibreView: the order the dates were read in

    @property
    def format_label(self) -> str:
        return Format.LABELS[self.format]


STORE_BATCH = 5000


def reading_batches(parsed: ParsedFile, size: int = STORE_BATCH) -> Iterator[list[Reading]]:
    """The file's valid readings as unsaved ``Reading`` objects, oldest first, ``size`` at a
    time: each batch is one call of readings_bulk_create, whose duplicate check then looks
    at a narrow time range, and memory holds one batch of model instances at most."""
    ordered = sorted(parsed.readings, key=lambda reading: reading.taken_at)
    for start in range(0, len(ordered), size):
        yield [reading.to_reading() for reading in ordered[start : start + size]]


def escape_formula(text: str) -> str:
    """Make a cell safe to open in a spreadsheet: prefix an apostrophe to text that would
    start a formula (``= + - @``, tab, carriage return). Reversed by ``unescape_formula``."""
    return "'" + text if FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    return text[1:] if ESCAPED_FORMULA.match(text) else text


# --- Entry point ----------------------------------------------------------------------------


def parse_file(
    data: bytes,
    *,
    tz: ZoneInfo,
    store_out_of_range: bool = False,
    date_order: str = DateOrder.AUTO,
    now: datetime | None = None,
) -> ParsedFile:
    """Parse an uploaded file (bytes, at most 10 MB) in any of the three formats.

    ``tz`` is the patient's zone, for times without an offset. ``now`` (default: the clock)
    bounds how far ahead a time may be (10 minutes). Raises ImportRefused for a file that is
    too large, empty, not text, not CSV, of an unknown format, or (LibreView) whose date
    order cannot be told.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(
            f"This file is {len(data) / 1024 / 1024:.1f} MB; files up to 10 MB can be imported. "
            "Export a shorter period and import the parts one after another."
        )
    text = decode(data)
    if not text.strip():
        raise ImportRefused("The file is empty.")
    found = _find_header(text)
    if found is None:
        raise ImportRefused(
            "This file's format is not one BGT can import. Supported: BGT's own CSV export, "
            "Dexcom Clarity CSV export and LibreView CSV export, each with its header row "
            "unchanged (e.g. “Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,…” or "
            "“Device,Serial Number,Device Timestamp,Record Type,…”)."
        )
    fmt, columns, rows = found
    context = _Context(
        tz=tz,
        store_out_of_range=store_out_of_range,
        latest=(now or timezone.now()) + FUTURE_TOLERANCE,
    )
    try:
        if fmt == Format.BGT:
            return _parse_bgt(columns, rows, context)
        if fmt == Format.DEXCOM:
            return _parse_dexcom(columns, rows, context)
        return _parse_libreview(columns, rows, context, date_order)
    except csv.Error as error:
        raise ImportRefused(f"This file is not valid CSV: {error}.") from None


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16 with a BOM (as
    spreadsheets save "Unicode text"), or Windows-1252 for older Windows files."""
    not_text = ImportRefused(
        "This is not a CSV file. Export your data as CSV (comma-separated values) and "
        "upload that file."
    )
    if data.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        # PDF reports, and Excel workbooks (.xlsx is a zip, .xls an OLE file).
        raise not_text
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    elif b"\x00" in data:
        raise not_text
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise not_text from None
    sample = text[:4096]
    # Binary files are full of control characters; a note may hold the odd one (a form or
    # the API accepts any but NUL), so only a file that is mostly controls is refused.
    if "\x00" in text or _control_characters(sample) * 10 > len(sample):
        raise not_text
    return text


def _control_characters(text: str) -> int:
    return sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")


# --- Header detection -----------------------------------------------------------------------

_UNIT = r"\(?\s*(mg/dl|mmol/l)\s*\)?"
DEXCOM_GLUCOSE = re.compile(rf"^glucose value\s*{_UNIT}$", re.IGNORECASE)
LIBRE_COLUMN = re.compile(rf"^(historic|scan|strip) glucose\s*{_UNIT}$", re.IGNORECASE)


def _unit_of(text: str) -> str:
    return Unit.MMOLL if text.lower() == "mmol/l" else Unit.MGDL


class _Rows:
    """The rows after the header, each with the physical line number it starts on.

    Iterable more than once (each pass reads the text again) rather than a list: a list
    of a large file's parsed rows would cost ten times the file's size in memory.
    """

    def __init__(self, text: str, delimiter: str, header_rows: int):
        self.text, self.delimiter, self.header_rows = text, delimiter, header_rows

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        for _ in range(self.header_rows):
            next(reader)
        next_line = reader.line_num + 1
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            yield line, row


def _find_header(text: str):
    """(format, {column name: index}, rows) for the first known header, else None."""
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for index, row in enumerate(reader):
                if index >= HEADER_SEARCH_ROWS:
                    break
                cells = [cell.strip().lstrip("\ufeff") for cell in row]
                matched = _match_header(cells)
                if matched:
                    fmt, columns = matched
                    return fmt, columns, _Rows(text, delimiter, index + 1)
        except csv.Error:
            continue
    return None


def _match_header(cells: list[str]):
    lower = {cell.lower(): i for i, cell in reversed(list(enumerate(cells))) if cell}
    if "taken_at" in lower and ("value_mgdl" in lower or "value_mmoll" in lower):
        return Format.BGT, lower
    if "event type" in lower and any(DEXCOM_GLUCOSE.match(c) for c in cells):
        timestamp = next(
            (i for i, c in enumerate(cells) if c.lower().startswith("timestamp")), None
        )
        if timestamp is not None:
            columns = {"timestamp": timestamp, "event type": lower["event type"]}
            for i, cell in enumerate(cells):
                match = DEXCOM_GLUCOSE.match(cell)
                if match:
                    columns["glucose"] = i
                    columns["unit"] = _unit_of(match.group(1))
            return Format.DEXCOM, columns
    if "device timestamp" in lower and "record type" in lower:
        columns = {"timestamp": lower["device timestamp"], "record type": lower["record type"]}
        for i, cell in enumerate(cells):
            match = LIBRE_COLUMN.match(cell)
            if match:
                columns[match.group(1).lower()] = (i, _unit_of(match.group(2)))
        if "notes" in lower:
            columns["notes"] = lower["notes"]
        if "historic" in columns or "scan" in columns or "strip" in columns:
            return Format.LIBREVIEW, columns
    return None


# --- Shared row checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    tz: ZoneInfo
    store_out_of_range: bool
    latest: datetime  # now + 10 minutes


class _RowError(Exception):
    pass


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _glucose(text: str, unit: str, label: str) -> int:
    try:
        return glucose_to_mgdl(text, unit)
    except ValidationError as error:
        raise _RowError(f"{label} “{_shorten(text)}”: {' '.join(error.messages)}") from None


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local(day: date, clock: time, context: _Context, parsed: ParsedFile) -> datetime:
    """A wall-clock time in the patient's zone; first occurrence when it repeats."""
    try:
        moment = local_datetime(day, clock, context.tz)
    except ValidationError as error:
        raise _RowError(" ".join(error.messages)) from None
    if moment.utcoffset() != moment.replace(fold=1).utcoffset():
        parsed.ambiguous_times += 1
    return moment


def _check_time(moment: datetime, context: _Context) -> datetime:
    if moment > context.latest:
        raise _RowError(
            "This time is in the future; a reading can be at most 10 minutes ahead of now."
        )
    return moment


def _marker(text: str, context: _Context, parsed: ParsedFile, line: int):
    """(value_mgdl, note) for a Low/High marker, or None when ``text`` is not one; a
    marker the person did not ask to store is recorded as skipped (and None returned)."""
    lowered = text.lower()
    if lowered in LOW_MARKERS:
        value, note, where = MIN_MGDL, LOW_NOTE.format(marker=text), "below"
    elif lowered in HIGH_MARKERS:
        value, note, where = MAX_MGDL, HIGH_NOTE.format(marker=text), "above"
    else:
        return None
    if not context.store_out_of_range:
        parsed.skipped.append(RowProblem(line, f"“{text}”: {where} the sensor's range"))
        return False
    return value, note


def _notes(text: str) -> str:
    if len(text) > MAX_NOTES:
        raise _RowError(f"The notes are {len(text)} characters long; at most 500 are allowed.")
    return text


# --- BGT CSV --------------------------------------------------------------------------------


def _parse_bgt(columns: dict, rows: _Rows, context: _Context) -> ParsedFile:
    parsed = ParsedFile(format=Format.BGT, unit=Unit.MGDL)
    for line, row in rows:
        try:
            parsed.readings.append(_bgt_reading(row, columns, context, parsed))
        except _RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
    return parsed


def _raw_cell(row: list[str], columns: dict, name: str) -> str:
    """A cell as written (notes keep their spaces and line breaks)."""
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else ""


def _bgt_reading(row, columns, context: _Context, parsed: ParsedFile) -> ParsedReading:
    taken_at = _bgt_time(_cell(row, columns.get("taken_at")), context, parsed)
    mgdl_text = _cell(row, columns.get("value_mgdl"))
    mmoll_text = _cell(row, columns.get("value_mmoll"))
    if mgdl_text:
        value = _glucose(mgdl_text, Unit.MGDL, "value_mgdl")
        if mmoll_text:
            try:
                typed = Decimal(mmoll_text.replace(",", "."))
                agrees = typed.quantize(Decimal("0.1")) == mgdl_to_mmoll(value)
            except (InvalidOperation, ValueError):
                agrees = False
            if not agrees:
                raise _RowError(
                    f"value_mgdl {mgdl_text} and value_mmoll “{_shorten(mmoll_text)}” disagree "
                    f"({value} mg/dL is {mgdl_to_mmoll(value)} mmol/L); keep only one of them."
                )
    elif mmoll_text:
        value = _glucose(mmoll_text.replace(",", "."), Unit.MMOLL, "value_mmoll")
    else:
        raise _RowError("No glucose value (value_mgdl or value_mmoll).")
    kind = _choice(_cell(row, columns.get("kind")), Kind, Kind.FINGERSTICK, "kind")
    reading_context = _choice(
        _cell(row, columns.get("context")), Context, Context.UNSPECIFIED, "context"
    )
    source = _choice(_cell(row, columns.get("source")), Source, Source.IMPORT, "source")
    notes = _notes(unescape_formula(_raw_cell(row, columns, "notes")))
    # Kept exactly as written, like the notes: an id is compared character for character.
    external_id = unescape_formula(_raw_cell(row, columns, "external_id")) or None
    if external_id and len(external_id) > MAX_EXTERNAL_ID:
        raise _RowError(f"external_id is longer than {MAX_EXTERNAL_ID} characters.")
    trend = _raw_cell(row, columns, "trend")
    if len(trend) > MAX_TREND:
        raise _RowError(f"trend is longer than {MAX_TREND} characters.")
    return ParsedReading(
        value_mgdl=value,
        taken_at=taken_at,
        kind=kind,
        context=reading_context,
        notes=notes,
        source=source,
        external_id=external_id,
        direction=trend,
    )


def _choice(text: str, choices, default: str, name: str) -> str:
    if not text:
        return default
    value = text.lower()
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise _RowError(f"{name} “{_shorten(text)}” is not one of: {allowed}.")
    return value


def _bgt_time(text: str, context: _Context, parsed: ParsedFile) -> datetime:
    if not text:
        raise _RowError("No time (taken_at).")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _RowError(
            f"taken_at “{_shorten(text)}” is not an ISO 8601 date and time "
            "(like 2024-03-01T08:30:00+01:00)."
        ) from None
    if moment.tzinfo is None:
        moment = _local(moment.date(), moment.time(), context, parsed)
    return _check_time(moment, context)


# --- Dexcom Clarity -------------------------------------------------------------------------

DEXCOM_KINDS = {"egv": Kind.CGM, "calibration": Kind.FINGERSTICK}
DEXCOM_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def _parse_dexcom(columns: dict, rows: _Rows, context: _Context) -> ParsedFile:
    unit = columns["unit"]
    parsed = ParsedFile(format=Format.DEXCOM, unit=unit)
    for line, row in rows:
        stamp = _cell(row, columns["timestamp"])
        if not stamp:
            continue  # preamble: FirstName, LastName, Device, Alert settings ...
        kind = DEXCOM_KINDS.get(_cell(row, columns["event type"]).lower())
        if kind is None:
            parsed.ignored += 1
            continue
        try:
            value_text = _cell(row, columns["glucose"])
            marker = _marker(value_text, context, parsed, line)
            if marker is False:
                continue
            taken_at = _check_time(_dexcom_time(stamp, context, parsed), context)
            if marker:
                value, notes = marker
            elif not value_text:
                raise _RowError("No glucose value.")
            else:
                value, notes = _glucose(value_text, unit, "Glucose value"), ""
        except _RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
            continue
        parsed.readings.append(
            ParsedReading(value_mgdl=value, taken_at=taken_at, kind=kind, notes=notes)
        )
    return parsed


def _dexcom_time(text: str, context: _Context, parsed: ParsedFile) -> datetime:
    match = DEXCOM_TIME.match(text)
    if not match:
        raise _RowError(
            f"Timestamp “{_shorten(text)}” is not a date and time like 2024-03-01T08:30:00."
        )
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        day_ = date(int(year), int(month), int(day))
        clock = time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise _RowError(f"Timestamp “{_shorten(text)}” is not a valid date and time.") from None
    if offset:
        return datetime.combine(day_, clock, tzinfo=_fixed_offset(offset, text))
    return _local(day_, clock, context, parsed)


def _fixed_offset(offset: str, text: str) -> dt_timezone:
    if offset == "Z":
        return UTC
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if delta >= timedelta(hours=24) or int(digits[2:]) >= 60:
        raise _RowError(f"Timestamp “{_shorten(text)}” has an invalid offset.")
    return dt_timezone(-delta if offset[0] == "-" else delta)


# --- LibreView ------------------------------------------------------------------------------

LIBRE_RECORD_COLUMNS = {
    0: ("historic", Kind.CGM),
    1: ("scan", Kind.CGM),
    2: ("strip", Kind.FINGERSTICK),
}
LIBRE_TIME = re.compile(
    r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{2,4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
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


def _libre_date_order(rows: _Rows, timestamp_index: int, chosen: str) -> str:
    """DateOrder.DAY_FIRST or MONTH_FIRST for the file, or ImportRefused."""
    if chosen in (DateOrder.DAY_FIRST, DateOrder.MONTH_FIRST):
        return chosen
    day_first_line = month_first_line = None
    undecided = False
    for line, row in rows:
        parts = _libre_time_parts(_cell(row, timestamp_index))
        if parts is None or parts.year_first:
            continue
        if 12 < parts.first <= 31 and parts.second <= 12:
            day_first_line = day_first_line or line
        elif 12 < parts.second <= 31 and parts.first <= 12:
            month_first_line = month_first_line or line
        elif parts.first != parts.second:
            undecided = True
    if day_first_line and month_first_line:
        raise ImportRefused(
            f"The dates in this file are written in two orders: line {day_first_line} has the "
            f"day first, line {month_first_line} the month first. Export the file again from "
            "LibreView without editing it."
        )
    if day_first_line:
        return DateOrder.DAY_FIRST
    if month_first_line:
        return DateOrder.MONTH_FIRST
    if undecided:
        raise ImportRefused(
            "The dates in this file read correctly both day first and month first (no day "
            "after the 12th), so BGT cannot tell which it is. Choose the date order on the "
            "form (day first as in 31-01-2024, or month first as in the US export, "
            "01-31-2024) and import the file again."
        )
    return DateOrder.DAY_FIRST  # every date reads the same either way (or is year first)


def _libre_time(text: str, order: str, context: _Context, parsed: ParsedFile) -> datetime:
    parts = _libre_time_parts(text)
    if parts is None:
        raise _RowError(
            f"Device Timestamp “{_shorten(text)}” is not a date and time like "
            "31-01-2024 08:30 or 01-31-2024 08:30 AM."
        )
    if parts.year_first or order == DateOrder.MONTH_FIRST:
        month, day = parts.first, parts.second
    else:
        day, month = parts.first, parts.second
    hour = parts.hour
    if parts.meridiem:
        if not 1 <= hour <= 12:
            raise _RowError(f"Device Timestamp “{_shorten(text)}” has an invalid hour.")
        hour = hour % 12 + (12 if parts.meridiem == "p" else 0)
    try:
        day_ = date(parts.year, month, day)
        clock = time(hour, parts.minute, parts.seconds)
    except ValueError:
        raise _RowError(
            f"Device Timestamp “{_shorten(text)}” is not a valid date and time."
        ) from None
    return _local(day_, clock, context, parsed)


def _parse_libreview(columns: dict, rows: _Rows, context: _Context, chosen: str) -> ParsedFile:
    first_unit = next(columns[name][1] for name in ("historic", "scan", "strip") if name in columns)
    parsed = ParsedFile(format=Format.LIBREVIEW, unit=first_unit)
    parsed.date_order = _libre_date_order(rows, columns["timestamp"], chosen)
    for line, row in rows:
        record_text = _cell(row, columns["record type"])
        try:
            record_type = int(record_text)
        except ValueError:
            parsed.rejected.append(
                RowProblem(line, f"Record Type “{_shorten(record_text)}” is not a number.")
            )
            continue
        if record_type not in LIBRE_RECORD_COLUMNS:
            parsed.ignored += 1  # 3 ketones, 4 insulin, 5 food, 6 notes and events ...
            continue
        column_name, kind = LIBRE_RECORD_COLUMNS[record_type]
        try:
            if column_name not in columns:
                raise _RowError(
                    f"Record Type {record_type} needs the “{column_name.title()} Glucose” "
                    "column, which this file does not have."
                )
            index, unit = columns[column_name]
            label = f"{column_name.title()} Glucose"
            value_text = _cell(row, index)
            marker = _marker(value_text, context, parsed, line)
            if marker is False:
                continue
            taken_at = _check_time(
                _libre_time(_cell(row, columns["timestamp"]), parsed.date_order, context, parsed),
                context,
            )
            if marker:
                value, notes = marker
            elif not value_text:
                raise _RowError(f"No glucose value in the {label} column.")
            else:
                value = _glucose(value_text.replace(",", "."), unit, label)
                notes = _notes(_cell(row, columns.get("notes")))
        except _RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
            continue
        parsed.readings.append(
            ParsedReading(value_mgdl=value, taken_at=taken_at, kind=kind, notes=notes)
        )
    return parsed
