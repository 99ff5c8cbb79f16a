"""What every file importer shares: the parsed result, text decoding, the rows after a
header, the row checks and the spreadsheet-formula escape (see integrations.files.importers
for the formats and how a file is recognised)."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import functools
import io
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models.base import ModelState

from core.localtime import local_datetime
from core.units import MAX_MGDL, MIN_MGDL, mgdl_to_mmoll
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
    XDRIP = "xdrip"
    NIGHTSCOUT = "nightscout"
    MYSUGR = "mysugr"
    CARELINK = "carelink"
    GLOOKO = "glooko"
    TANDEM = "tandem"
    LABELS = {
        BGT: "BGT CSV",
        DEXCOM: "Dexcom Clarity",
        LIBREVIEW: "LibreView",
        XDRIP: "xDrip+",
        NIGHTSCOUT: "Nightscout entries",
        MYSUGR: "mySugr",
        CARELINK: "Medtronic CareLink",
        GLOOKO: "Glooko",
        TANDEM: "Tandem Source",
    }


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


# "Low"/"High" as the exports write them. English and German (Clarity's "Niedrig"/"Hoch")
# are seen in real files; the others are the words Dexcom's and Abbott's apps show in those
# languages (see integrations/files/tests/data/README.md). Compared in lower case.
LOW_MARKERS = frozenset(
    {"low", "lo", "niedrig", "bas", "basse", "bajo", "baja", "basso", "bassa", "laag", "låg",
     "lav", "matala", "niski", "niska", "baixo", "baixa", "nízká", "nízký", "nizka"}
)  # fmt: skip
HIGH_MARKERS = frozenset(
    {"high", "hi", "hoch", "élevé", "élevée", "haut", "haute", "alto", "alta", "hoog", "hög",
     "høj", "høy", "korkea", "wysoki", "wysoka", "vysoká", "vysoký", "vysoka"}
)  # fmt: skip


@dataclass(frozen=True)
class SensorLimits:
    """What a sensor's "Low"/"High" stand for: the edges of the range it can measure."""

    low: int
    high: int
    device: str

    def note(self, marker: str, where: str) -> str:
        value = self.low if where == "below" else self.high
        return (
            f"Imported “{marker}”: {where} the {self.device} range, stored at {value} mg/dL "
            f"({mgdl_to_mmoll(value)} mmol/L)."
        )


# Dexcom's sensors read 40-400 mg/dL (Clarity shows "Low" below, "High" above); a meter's
# strip or another format's markers are stored at BGT's own limits.
DEXCOM_LIMITS = SensorLimits(40, 400, "Dexcom sensor's")
METER_LIMITS = SensorLimits(MIN_MGDL, MAX_MGDL, "sensor's")

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
        # What Model.__init__ leaves behind, set directly: __init__'s per-field descriptor
        # calls were a third of a 10 MB import's time. Every concrete field gets its
        # model default first, so a field added to Reading later is never missing
        # (test_import_parsing checks).
        reading = Reading.__new__(Reading)
        reading._state = ModelState()
        reading.__dict__.update(
            _reading_defaults(),
            id=uuid.uuid4(),
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
        return reading


@functools.cache
def _reading_defaults() -> dict:
    """Every concrete Reading field's default (immutable values only: shared by all)."""
    return {field.attname: field.get_default() for field in Reading._meta.concrete_fields}


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
    ambiguous_times: int = 0  # rows whose local time repeats when the clocks go back
    date_order: str | None = None  # LibreView: the order the dates were read in
    date_order_reason: str = ""  # how the order was told ("a day after the 12th" ...)
    collapsed: int = 0  # rows repeating another row of the file exactly, stored once
    # (local day of the repeated hour, which occurrence, how it was told) -> rows
    clock: Counter = field(default_factory=Counter)
    clock_tracker: ClockTracker = field(default_factory=lambda: ClockTracker())
    clock_pending: list = field(default_factory=list)  # [wall time, fold, how, stream]
    plain_hours: dict = field(default_factory=dict)  # (day, hour) -> no clock change in it

    def merge(self, other: ParsedFile, name: str) -> None:
        """Add ``other`` (one file of a zip, ``name``) to this result."""
        if other.readings and not self.readings:
            self.unit = other.unit  # the unit of the first file with readings
        self.readings += other.readings
        self.treatments += other.treatments
        self.rejected += [RowProblem(p.line, f"{name}: {p.reason}") for p in other.rejected]
        self.skipped += [RowProblem(p.line, f"{name}: {p.reason}") for p in other.skipped]
        self.ignored += other.ignored
        self.ambiguous_times += other.ambiguous_times
        self.clock += other.clock

    def settle_clock(self) -> None:
        """Count what was decided about repeated local times, once the file is read: in a
        stream whose clock turned, the rows before the turn were placed by the row order
        too."""
        turned = {key for key, state in self.clock_tracker.streams.items() if state.turned}
        for naive, fold, how, stream in self.clock_pending:
            if how == ClockHow.FIRST and stream in turned:
                how = ClockHow.ROW_ORDER
            self.clock[(naive.date(), fold, how)] += 1
        self.clock_pending = []

    @property
    def clock_changes(self) -> list[ClockResolution]:
        """What was done with times in an hour that repeats, for the result page."""
        return [
            ClockResolution(day, fold, how, count)
            for (day, fold, how), count in sorted(self.clock.items())
        ]

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


# Spaces that group thousands: plain, no-break and narrow no-break (French, Nordic, Czech,
# Polish spreadsheets), and the apostrophe (Swiss).
GROUPING_SPACES = re.compile(r"[ \u00a0\u202f\u2009']")
GROUPED = {",": re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"),
           ".": re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")}  # fmt: skip


def number_text(text: str) -> str:
    """A number as written in any locale, as Python reads it: ``5,8`` -> ``5.8``,
    ``1.234,5`` -> ``1234.5``, ``1,234.5`` -> ``1234.5``, ``1 234`` -> ``1234``.

    When both separators occur, the last is the decimal one. A lone separator is a decimal
    one (``5,8``, ``5.8``) unless it repeats in groups of three (``1.234.567``). Text that
    is not a number comes back unchanged, for the caller's "Enter a number"."""
    text = GROUPING_SPACES.sub("", text.strip())
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        if not GROUPED[grouping].match(text):
            return text
        return text.replace(grouping, "").replace(",", ".")
    for separator in (",", "."):
        if text.count(separator) > 1:
            return text.replace(separator, "") if GROUPED[separator].match(text) else text
    return text.replace(",", ".")


def amount(text: str, label: str, kind: str, *, factor: float = 1.0) -> float:
    """A non-negative insulin (U) or carbohydrate (g) amount within the treatment's maximum
    (treatments.models), in any locale's number format; RowError otherwise."""
    try:
        value = float(number_text(text)) * factor
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
    """Whole mg/dL from a value in ``unit`` written in any locale (``5,8`` mmol/L)."""
    try:
        return _glucose(text, unit)
    except ValidationError as error:
        raise RowError(f"{label} “{shorten(text)}”: {' '.join(error.messages)}") from None


@functools.lru_cache(maxsize=4096)
def _glucose(text: str, unit: str) -> int:
    # A file has a few hundred distinct values in a hundred thousand rows.
    return glucose_to_mgdl(number_text(text), unit)


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ClockHow:
    TRANSMITTER = "transmitter"  # Dexcom's Transmitter Time counts seconds without a clock
    ROW_ORDER = "row_order"  # the file's rows go back in time where the clock went back
    FIRST = "first"  # no evidence: the first occurrence (the reading form's rule too)


CLOCK_HOW_TEXT = {
    ClockHow.TRANSMITTER: "from the Dexcom transmitter's own count of time",
    ClockHow.ROW_ORDER: "from the order of the rows in the file",
    ClockHow.FIRST: "as the first one, since nothing in the file tells which",
}


@dataclass(frozen=True)
class ClockResolution:
    """Rows of one local day whose time occurred twice, what was made of them and how."""

    day: date
    fold: int  # 0: the first occurrence of the repeated hour, 1: the second
    how: str
    count: int

    @property
    def occurrence(self) -> str:
        if self.fold:
            return "second occurrence (after the clocks went back)"
        return "first occurrence (before the clocks went back)"

    @property
    def how_text(self) -> str:
        return CLOCK_HOW_TEXT[self.how]


@dataclass
class _Stream:
    """One stream's walk through a file (the CGM rows, the meter rows ...): its direction
    and, inside an hour that repeats, whether the clock has gone back yet."""

    last: datetime | None = None  # the last unambiguous wall time
    direction: int = 0  # +1 oldest first, -1 newest first, 0 not known yet
    window: tuple | None = None  # the repeated hour being walked through
    extreme: datetime | None = None  # latest (or earliest) wall time seen in it
    turned: bool = False  # the wall clock has stepped back inside the window


class ClockTracker:
    """Reads a wall time that occurs twice (the hour repeated when the clocks go back)
    from the order of the file's rows.

    Exports list each stream in time order, oldest or newest first. Walking oldest first
    through a repeated hour, the wall clock steps back once (01:55, then 01:00 again):
    rows before the step are the first occurrence, rows after it the second; newest first,
    the other way round. A repeated hour with no step (the data covers only one of the two
    hours) is read as the first occurrence, and counted as such."""

    def __init__(self):
        self.streams: dict[str, _Stream] = {}

    def plain(self, naive: datetime, stream: str) -> None:
        """Note an unambiguous wall time (the file's direction, the end of a window)."""
        state = self.streams.get(stream)
        if state is None:
            state = self.streams[stream] = _Stream()
        if state.last is not None and not state.direction and naive != state.last:
            state.direction = 1 if naive > state.last else -1
        state.last, state.window = naive, None

    def fold(self, naive: datetime, tz: ZoneInfo, stream: str) -> tuple[int, str]:
        state = self.streams.setdefault(stream, _Stream())
        first = naive.replace(tzinfo=tz, fold=0)
        second = naive.replace(tzinfo=tz, fold=1)
        if first.utcoffset() == second.utcoffset():
            if state.last is not None and naive != state.last and not state.direction:
                state.direction = 1 if naive > state.last else -1
            state.last, state.window = naive, None
            return 0, ""
        window = (naive.date(), first.utcoffset(), second.utcoffset())
        if not state.direction and state.last is not None and state.window != window:
            # Entering the repeated hour tells the direction: from below (01:45, then
            # 02:00) when oldest first, from above (03:00, then 02:45) when newest first.
            state.direction = 1 if naive > state.last else -1
        ascending = state.direction >= 0
        if state.window != window:
            state.window, state.extreme, state.turned = window, naive, False
        elif (naive < state.extreme) if ascending else (naive > state.extreme):
            state.turned = True
        else:
            state.extreme = naive
        if state.turned:
            return (1 if ascending else 0), ClockHow.ROW_ORDER
        if ascending:
            return 0, ClockHow.FIRST  # counted as row order too once the clock turns
        # Newest first, the rows just after the hour that follows are its latest times.
        return 1, ClockHow.ROW_ORDER


def local(
    day: date, clock: time, context: RowContext, parsed: ParsedFile, *, stream: str = ""
) -> datetime:
    """A wall-clock time in the patient's zone. In the hour that repeats when the clocks go
    back, the occurrence follows from the file's row order within ``stream`` (ClockTracker);
    a time that does not exist (clocks going forward) is a RowError."""
    naive = datetime.combine(day, clock)
    hour = (day, clock.hour)
    plain = parsed.plain_hours.get(hour)
    if plain is None:
        plain = parsed.plain_hours[hour] = _plain_hour(naive, context.tz)
    if plain:  # the common case, with no offset computed per row
        parsed.clock_tracker.plain(naive, stream)
        return naive.replace(tzinfo=context.tz)
    try:
        moment = local_datetime(day, clock, context.tz)
    except ValidationError as error:
        raise RowError(" ".join(error.messages)) from None
    fold, how = parsed.clock_tracker.fold(naive, context.tz, stream)
    if how:
        parsed.ambiguous_times += 1
        parsed.clock_pending.append([naive, fold, how, stream])
        # In UTC: two aware times in one zone compare by wall clock, ignoring the fold.
        moment = moment.replace(fold=fold).astimezone(UTC)
    return moment


def _plain_hour(naive: datetime, tz: ZoneInfo) -> bool:
    """Whether every wall time of ``naive``'s hour exists once, with one UTC offset: the
    offsets at its first and last second agree whichever occurrence is asked for (a clock
    change inside the hour makes one of them differ)."""
    start = naive.replace(minute=0, second=0, microsecond=0)
    end = start.replace(minute=59, second=59)
    offsets = {
        moment.replace(tzinfo=tz, fold=fold).utcoffset()
        for moment in (start, end)
        for fold in (0, 1)
    }
    return len(offsets) == 1


# No glucose meter or CGM recorded anything earlier; the figures count days from 1970.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
TOO_EARLY = "This time is before 1970; check the dates in the file."


def check_time(moment: datetime, context: RowContext) -> datetime:
    """``moment`` unless it is before 1970 or more than 10 minutes ahead (RowError)."""
    try:
        if moment.astimezone(UTC) < EARLIEST:
            raise RowError(TOO_EARLY)
    except OverflowError:  # 0001-01-01 with a positive offset is before year 1 in UTC
        raise RowError(TOO_EARLY) from None
    if moment > context.latest:
        raise RowError(
            "This time is in the future; a reading can be at most 10 minutes ahead of now."
        )
    return moment


def marker_value(
    text: str, context: RowContext, parsed: ParsedFile, line: int, limits=METER_LIMITS
):
    """(value_mgdl, note) for a Low/High marker in any of the exports' languages, or None
    when ``text`` is not one; a marker the person did not ask to store is recorded as
    skipped (and False returned). The note keeps the marker, so the reading stays
    recognisable as "below/above the sensor's range" rather than a measured 40 or 400."""
    lowered = text.lower()
    if lowered in LOW_MARKERS:
        where = "below"
    elif lowered in HIGH_MARKERS:
        where = "above"
    else:
        return None
    if not context.store_out_of_range:
        parsed.skipped.append(RowProblem(line, f"“{text}”: {where} the sensor's range"))
        return False
    return (limits.low if where == "below" else limits.high), limits.note(text, where)


def notes_of(text: str) -> str:
    if len(text) > MAX_NOTES:
        raise RowError(f"The notes are {len(text)} characters long; at most 500 are allowed.")
    return text


def collapse_repeats(parsed: ParsedFile) -> None:
    """Keep one of several rows of the file that are the same reading or treatment (same
    kind, instant, value and id): LibreView repeats history rows where two downloads from
    the sensor overlap, and they are one reading, not one stored and one "already there"."""
    seen: set = set()
    readings = []
    for reading in parsed.readings:
        key = (reading.kind, reading.taken_at, reading.value_mgdl, reading.source,
               reading.external_id)  # fmt: skip
        if key in seen:
            parsed.collapsed += 1
            continue
        seen.add(key)
        readings.append(reading)
    parsed.readings = readings
    seen = set()
    treatments = []
    for treatment in parsed.treatments:
        key = (treatment.type, treatment.taken_at, treatment.insulin_units, treatment.carbs_g)
        if key in seen:
            parsed.collapsed += 1
            continue
        seen.add(key)
        treatments.append(treatment)
    parsed.treatments = treatments


CADENCES_MIN = (1, 5, 15)


def infer_cadence(parsed: ParsedFile) -> None:
    """Set the CGM readings' cadence, where the format does not say, from the median
    interval between them, snapped to the nearest of 1, 5 and 15 minutes (DESIGN.md 2)."""
    times = sorted(r.taken_at for r in parsed.readings if r.kind == "cgm" and not r.cadence_min)
    gaps = sorted(
        (b - a).total_seconds() / 60 for a, b in zip(times, times[1:], strict=False) if b > a
    )
    if not gaps:
        return
    median = gaps[len(gaps) // 2]
    cadence = min(CADENCES_MIN, key=lambda minutes: abs(minutes - median))
    parsed.readings = [
        dataclasses.replace(r, cadence_min=cadence) if r.kind == "cgm" and not r.cadence_min
        else r
        for r in parsed.readings
    ]  # fmt: skip
