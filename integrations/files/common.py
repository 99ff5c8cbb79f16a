"""What every file importer shares: the parsed result, text decoding, the rows after a
header, the row checks and the spreadsheet-formula escape (see integrations.files.importers
for the formats and how a file is recognised)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from core.localtime import local_datetime
from core.units import MAX_MGDL, MIN_MGDL
from core.validators import glucose_to_mgdl
from readings.models import Context, Reading, Source
from treatments.models import (
    MAX_BOLUS_UNITS,
    MAX_CARBS_G,
    MAX_DAILY_BASAL_UNITS,
    Treatment,
    TreatmentType,
)

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
    cadence_min: int | None = None  # CGM minutes between readings, when the format says

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
            cadence_min=self.cadence_min,
        )


@dataclass(frozen=True, slots=True)
class ParsedTreatment:
    """One insulin or carbohydrate row: units (U) or grams, an aware time."""

    type: str  # TreatmentType.BOLUS, BASAL (a long-acting dose) or CARBS
    taken_at: datetime
    insulin_units: float | None = None
    carbs_g: float | None = None
    insulin_name: str = ""
    notes: str = ""

    def to_treatment(self) -> Treatment:
        return Treatment(
            type=self.type,
            taken_at=self.taken_at,
            insulin_units=self.insulin_units,
            carbs_g=self.carbs_g,
            insulin_name=self.insulin_name,
            notes=self.notes,
            source=Source.IMPORT,
        )


@dataclass
class ParsedFile:
    """What a file holds: readings and treatments ready to store and what was left out,
    and why."""

    format: str
    unit: str  # the unit of the file's glucose values
    readings: list[ParsedReading] = field(default_factory=list)
    treatments: list[ParsedTreatment] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)  # Low/High markers not stored
    ignored: int = 0  # rows that are neither readings nor insulin or carbs (notes, ketones)
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


def treatment_batches(parsed: ParsedFile, size: int = STORE_BATCH) -> Iterator[list[Treatment]]:
    """The file's treatments as unsaved ``Treatment`` objects, oldest first, in batches (one
    call of treatments_bulk_create each)."""
    ordered = sorted(parsed.treatments, key=lambda treatment: treatment.taken_at)
    for start in range(0, len(ordered), size):
        yield [treatment.to_treatment() for treatment in ordered[start : start + size]]


MAXIMA = {
    TreatmentType.BOLUS: (MAX_BOLUS_UNITS, "A bolus can be at most 100 units."),
    TreatmentType.BASAL: (MAX_DAILY_BASAL_UNITS, "A daily basal dose can be at most 300 units."),
    TreatmentType.CARBS: (MAX_CARBS_G, "Carbohydrates can be at most 500 g."),
}


def amount(text: str, label: str, kind: str, *, factor: float = 1.0) -> float:
    """A non-negative insulin (U) or carbohydrate (g) amount within the treatment's maximum
    (treatments.models), a decimal comma accepted; RowError otherwise."""
    try:
        value = float(text.replace(",", ".")) * factor
    except ValueError:
        raise RowError(f"{label} “{shorten(text)}”: Enter a number.") from None
    if value != value or value < 0:  # NaN or negative
        raise RowError(f"{label} “{shorten(text)}”: Enter a number of at least 0.")
    limit, message = MAXIMA[kind]
    if value > limit:
        raise RowError(f"{label} “{shorten(text)}”: {message}")
    return round(value, 2)


def escape_formula(text: str) -> str:
    """Make a cell safe to open in a spreadsheet: prefix an apostrophe to text that would
    start a formula (``= + - @``, tab, carriage return). Reversed by ``unescape_formula``."""
    return "'" + text if FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    return text[1:] if ESCAPED_FORMULA.match(text) else text


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


class Rows:
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


# --- Shared row checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowContext:
    tz: ZoneInfo
    store_out_of_range: bool
    latest: datetime  # now + 10 minutes


class RowError(Exception):
    pass


def cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def glucose(text: str, unit: str, label: str) -> int:
    try:
        return glucose_to_mgdl(text, unit)
    except ValidationError as error:
        raise RowError(f"{label} “{shorten(text)}”: {' '.join(error.messages)}") from None


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def local(day: date, clock: time, context: RowContext, parsed: ParsedFile) -> datetime:
    """A wall-clock time in the patient's zone; first occurrence when it repeats."""
    try:
        moment = local_datetime(day, clock, context.tz)
    except ValidationError as error:
        raise RowError(" ".join(error.messages)) from None
    if moment.utcoffset() != moment.replace(fold=1).utcoffset():
        parsed.ambiguous_times += 1
    return moment


def check_time(moment: datetime, context: RowContext) -> datetime:
    if moment > context.latest:
        raise RowError(
            "This time is in the future; a reading can be at most 10 minutes ahead of now."
        )
    return moment


def marker_value(text: str, context: RowContext, parsed: ParsedFile, line: int):
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


def notes_of(text: str) -> str:
    if len(text) > MAX_NOTES:
        raise RowError(f"The notes are {len(text)} characters long; at most 500 are allowed.")
    return text
