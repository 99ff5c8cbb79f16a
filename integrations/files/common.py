"""What every file importer shares: the parsed result, text decoding, the rows after a
header, the row checks and the spreadsheet-formula escape (see integrations.files.importers
for the formats and how a file is recognised)."""

from __future__ import annotations

import functools
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo

from django.core.exceptions import ValidationError
from django.db.models.base import ModelState
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.localtime import local_datetime
from core.units import MAX_MGDL, MIN_MGDL, mgdl_to_mmoll
from core.validators import glucose_to_mgdl
from integrations.files.clock import ClockHow, ClockResolution, ClockTracker, plain_hour
from integrations.files.text import (
    number_text,
)
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
        NIGHTSCOUT: gettext_lazy("Nightscout entries"),
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
        (AUTO, gettext_lazy("Work it out from the file")),
        (DAY_FIRST, gettext_lazy("Day first (DD-MM-YYYY)")),
        (MONTH_FIRST, gettext_lazy("Month first (MM-DD-YYYY, US)")),
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

    def to_reading(self, pk: uuid.UUID | None = None) -> Reading:
        return unsaved_reading(
            pk or uuid.uuid4(), self.value_mgdl, self.taken_at, self.kind, self.context,
            self.notes, self.source, self.external_id, self.direction, self.cadence_min,
        )  # fmt: skip


def unsaved_reading(
    pk, value_mgdl, taken_at, kind, context, notes, source, external_id, direction, cadence_min
) -> Reading:
    """An unsaved Reading of these values (positional, in ParsedReading's order after the
    id): what Model.__init__ leaves behind, set directly, since __init__'s per-field
    descriptor calls were a third of a 10 MB import's time. Every concrete field gets its
    model default first, so a field added to Reading later is never missing
    (test_import_parsing checks)."""
    reading = Reading.__new__(Reading)
    reading._state = ModelState()
    reading.__dict__.update(
        _reading_defaults(),
        id=pk,
        value_mgdl=value_mgdl,
        taken_at=taken_at,
        kind=kind,
        context=context,
        notes=notes,
        source=source,
        external_id=external_id,
        direction=direction,
        cadence_min=cadence_min,
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

    def to_treatment(self, pk: uuid.UUID | None = None) -> Treatment:
        treatment = Treatment(
            type=self.type,
            taken_at=self.taken_at,
            insulin_units=self.insulin_units,
            carbs_g=self.carbs_g,
            insulin_name=self.insulin_name,
            notes=self.notes,
            source=Source.IMPORT,
        )
        if pk:
            treatment.pk = pk
        return treatment


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
    # (local day, minutes the device's clock was set back) -> readings placed by Dexcom's
    # transmitter count instead of their repeated wall time (dexcom.undo_clock_set_back)
    clock_set_back: Counter = field(default_factory=Counter)
    clock_tracker: ClockTracker = field(default_factory=lambda: ClockTracker())
    clock_pending: list = field(default_factory=list)  # [wall time, fold, how, stream]
    plain_hours: dict = field(default_factory=dict)  # (day, hour, zone) -> no clock change

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
        self.clock_set_back += other.clock_set_back

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


MAXIMA = {
    TreatmentType.BOLUS: (MAX_BOLUS_UNITS, "A bolus can be at most 100 units."),
    TreatmentType.BASAL: (MAX_DAILY_BASAL_UNITS, "A daily basal dose can be at most 300 units."),
    TreatmentType.CARBS: (MAX_CARBS_G, "Carbohydrates can be at most 500 g."),
}


# Spaces that group thousands: plain, no-break and narrow no-break (French, Nordic, Czech,
# Polish spreadsheets), and the apostrophe (Swiss).
def amount(text: str, label: str, kind: str, *, factor: float = 1.0) -> float:
    """A non-negative insulin (U) or carbohydrate (g) amount within the treatment's maximum
    (treatments.models), in any locale's number format; RowError otherwise."""
    try:
        value = float(number_text(text)) * factor
    except ValueError:
        raise RowError(
            _("%(label)s “%(text)s”: Enter a number.") % {"label": label, "text": shorten(text)}
        ) from None
    if value != value or value < 0:  # NaN or negative
        raise RowError(
            _("%(label)s “%(text)s”: Enter a number of at least 0.")
            % {"label": label, "text": shorten(text)}
        )
    limit, message = MAXIMA[kind]
    if value > limit:
        raise RowError(f"{label} “{shorten(text)}”: {message}")
    return round(value, 2)


# --- Shared row checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowContext:
    tz: tzinfo  # the patient's zone (ZoneInfo), or the zone a row names (mySugr)
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


def local(
    day: date, clock: time, context: RowContext, parsed: ParsedFile, *, stream: str = ""
) -> datetime:
    """A wall-clock time in the patient's zone. In the hour that repeats when the clocks go
    back, the occurrence follows from the file's row order within ``stream`` (ClockTracker);
    a time that does not exist (clocks going forward) is a RowError."""
    naive = datetime.combine(day, clock)
    hour = (day, clock.hour, context.tz)  # a row may name its own zone (mySugr)
    plain = parsed.plain_hours.get(hour)
    if plain is None:
        plain = parsed.plain_hours[hour] = plain_hour(naive, context.tz)
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
        problem = _SENSOR_RANGE[where] % {"text": text}
        parsed.skipped.append(RowProblem(line, problem))
        return False
    return (limits.low if where == "below" else limits.high), limits.note(text, where)


_SENSOR_RANGE = {
    "below": gettext_lazy("“%(text)s”: below the sensor's range"),
    "above": gettext_lazy("“%(text)s”: above the sensor's range"),
}


def notes_of(text: str) -> str:
    if len(text) > MAX_NOTES:
        raise RowError(
            _("The notes are %(length)s characters long; at most 500 are allowed.")
            % {"length": len(text)}
        )
    return text
