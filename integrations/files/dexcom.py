"""Dexcom Clarity CSV exports, in any of the languages Clarity exports in.

The columns are found by integrations.files.importers (by name in English, by shape in
other languages). Event types are matched against the words Clarity writes (``EGV``,
``Calibration``, ``Insulin``, ``Carbs`` and their translations); a word not in that list is
classified by what its rows hold: the event with most glucose values is the sensor's
(EGV), other glucose rows are calibrations, rows with an insulin or carb value are
treatments.

Times repeated when the clocks go back are placed by the Transmitter Time column (seconds
counted by the transmitter, which no clock change touches) where the file has it, else by
the row order (integrations.files.clock.ClockTracker). The same column undoes a device
clock set back by hand or by travel, which the patient's zone does not explain
(undo_clock_set_back).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from integrations.files.clock import ClockHow
from integrations.files.common import (
    DEXCOM_LIMITS,
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
    shorten,
)
from integrations.files.text import Rows
from readings.models import Kind
from treatments.models import TreatmentType

CGM, CALIBRATION, INSULIN, CARBS = "cgm", "calibration", "insulin", "carbs"
# Event Type as Clarity writes it (lower case). English is Clarity's own; the German EGW
# ("Elektronischer Glukosewert") is in German exports; the rest are the words of Clarity's
# translated interface. Unknown words fall back to the rows' content (see the docstring).
EVENT_WORDS = {
    CGM: ("egv", "egw"),
    CALIBRATION: (
        "calibration", "kalibrierung", "étalonnage", "calibrage", "calibración",
        "calibrazione", "kalibratie", "kalibrering", "kalibrointi", "kalibracja",
        "calibração", "kalibrace",
    ),
    INSULIN: ("insulin", "insuline", "insulina", "insuliini", "inzulín", "insulinas"),
    CARBS: (
        "carbs", "kohlenhydrate", "glucides", "carbohidratos", "carboidrati", "koolhydraten",
        "kolhydrater", "kulhydrater", "karbohydrater", "hiilihydraatit", "węglowodany",
        "carboidratos", "sacharidy",
    ),
}  # fmt: skip
EVENT_ROLES = {word: role for role, words in EVENT_WORDS.items() for word in words}
# Alerts carry the glucose value that set them off; they are not readings.
ALERT_WORDS = ("alert", "alarm", "alerte", "alerta", "avviso", "allarme", "waarschuwing",
               "larm", "hälytys", "alarme", "výstraha", "upozornění")  # fmt: skip
# Insulin Event Subtype: "Fast-Acting" / "Long-Acting" and the stems of their translations;
# a blank one (older exports) is read as fast-acting.
FAST_STEMS = ("fast", "schnell", "rapid", "rápid", "snel", "snabb", "hurtig", "nopea",
              "szybk", "rychl", "kurz")  # fmt: skip
LONG_STEMS = ("long", "lang", "lent", "langzaam", "långsam", "langsom", "pitkä", "długo",
              "dlouh", "prolong", "basal", "depot")  # fmt: skip
EGV_CADENCE_MIN = 5  # Dexcom G6/G7 estimated glucose values (Tidepool sampleInterval)
DEXCOM_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
# A transmitter's count and the clock agree to within a drift of seconds; an ambiguous
# time is placed by the count only when one reading of the pair is this close to it.
TRANSMITTER_TOLERANCE = timedelta(minutes=15)


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    unit = columns["unit"]
    parsed = ParsedFile(format=Format.DEXCOM, unit=unit)
    dominant = _dominant_glucose_event(columns, rows)
    anchors: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    counted: list[tuple[int, int, str]] = []  # reading, transmitter count, transmitter id
    ambiguous: list[tuple[int, int, int, str]] = []  # reading, pending entry, count, id
    for line, row in rows:
        stamp = cell(row, columns["timestamp"])
        if not stamp:
            continue  # preamble: FirstName, LastName, Device, Alert settings ...
        role = _role(row, columns, dominant)
        if role in (INSULIN, CARBS):
            _treatment(role, columns, row, line, context, parsed)
            continue
        if role is None:
            parsed.ignored += 1
            continue
        kind = Kind.CGM if role == CGM else Kind.FINGERSTICK
        pending = len(parsed.clock_pending)
        try:
            value_text = cell(row, columns["glucose"])
            marker = marker_value(value_text, context, parsed, line, DEXCOM_LIMITS)
            if marker is False:
                continue
            taken_at = check_time(_dexcom_time(stamp, context, parsed, kind), context)
            if marker:
                value, notes = marker
            elif not value_text:
                raise RowError("No glucose value.")
            else:
                value, notes = glucose(value_text, unit, "Glucose value"), ""
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
            continue
        count = _transmitter_count(cell(row, columns.get("transmitter time")))
        if count is not None:
            transmitter = cell(row, columns.get("transmitter id"))
            counted.append((len(parsed.readings), count, transmitter))
            if len(parsed.clock_pending) > pending:
                ambiguous.append((len(parsed.readings), pending, count, transmitter))
            else:
                # In UTC: adding seconds to a zoned time would add wall-clock time.
                anchors[transmitter].append((count, taken_at.astimezone(UTC)))
        parsed.readings.append(
            ParsedReading(
                value_mgdl=value,
                taken_at=taken_at,
                kind=kind,
                notes=notes,
                cadence_min=EGV_CADENCE_MIN if kind == Kind.CGM else None,
            )
        )
    _place_by_transmitter(parsed, ambiguous, anchors, context)
    undo_clock_set_back(parsed, counted, context)
    return parsed


DOMINANCE_SAMPLE = 2000  # glucose rows looked at to tell the sensor's event type


def _dominant_glucose_event(columns: dict, rows: Rows) -> str | None:
    """The event type most rows with a glucose value carry (among the first
    DOMINANCE_SAMPLE of them): the sensor's readings, every 5 minutes."""
    counts: Counter = Counter()
    for _line, row in rows:
        if cell(row, columns["timestamp"]) and cell(row, columns["glucose"]):
            counts[cell(row, columns["event type"]).lower()] += 1
            if counts.total() >= DOMINANCE_SAMPLE:
                break
    return counts.most_common(1)[0][0] if counts else None


def _role(row: list[str], columns: dict, dominant: str | None) -> str | None:
    event = cell(row, columns["event type"]).lower()
    role = EVENT_ROLES.get(event)
    if role:
        return role
    if event in ALERT_WORDS:
        return None
    if cell(row, columns["glucose"]):
        if event == dominant:
            return CGM
        # A calibration has no subtype; an alert or event with a value has one (High, Low).
        return None if cell(row, columns.get("event subtype")) else CALIBRATION
    if cell(row, columns.get("insulin")):
        return INSULIN
    if cell(row, columns.get("carbs")):
        return CARBS
    return None  # alerts, exercise, health, device events


def _transmitter_count(text: str) -> int | None:
    digits = re.sub(r"[\s.,'\u00a0\u202f]", "", text)
    return int(digits) if digits.isdigit() else None


def _place_by_transmitter(parsed, ambiguous, anchors, context: RowContext) -> None:
    """Move a reading of the repeated hour to the occurrence its transmitter count points
    at: the nearest unambiguous reading of the same transmitter, plus the seconds counted
    since (or minus those counted until) it."""
    ordered = {key: sorted(values, key=lambda pair: pair[0]) for key, values in anchors.items()}
    for index, pending, count, transmitter in ambiguous:
        points = ordered.get(transmitter)
        if not points:
            continue
        at = bisect.bisect_left(points, count, key=lambda pair: pair[0])
        nearest = min(points[max(0, at - 1) : at + 1], key=lambda pair: abs(pair[0] - count))
        expected = nearest[1] + timedelta(seconds=count - nearest[0])
        entry = parsed.clock_pending[pending]
        wall = entry[0]
        options = [wall.replace(tzinfo=context.tz, fold=fold).astimezone(UTC) for fold in (0, 1)]
        fold = min((0, 1), key=lambda f: abs(options[f] - expected))
        if abs(options[fold] - expected) > TRANSMITTER_TOLERANCE:
            continue
        entry[1], entry[2] = fold, ClockHow.TRANSMITTER
        parsed.readings[index] = replace(parsed.readings[index], taken_at=options[fold])


# A device clock set back by less than this is drift or a resynchronisation, not a change.
CLOCK_STEP = timedelta(minutes=10)
# Counts this far apart from the clock's are another session under the same (or a redacted)
# transmitter id: G7 sensors count from 0 each, a G6 transmitter after a restart.
NEW_SESSION = timedelta(days=1)
QUARTER_HOUR = 15 * 60


def undo_clock_set_back(parsed: ParsedFile, counted, context: RowContext) -> None:
    """Place by their transmitter count the readings taken while the device's clock was
    behind the clock it started the session with (set back by hand, or by travel to a zone
    the patient's zone does not know about), so that they do not repeat the wall times
    before the change: each keeps the counted distance from the reading before it.

    Clarity lists rows by wall time, so the two runs through a repeated hour are
    interleaved (a real export, integrations/files/tests/data/README.md): neither the row
    order nor the wall time tells them apart, only the count. A clock set forward leaves a
    gap, not a repeat, and keeps its wall times. Steps are whole quarter hours (zones'
    offsets); smaller differences are the clocks drifting apart."""
    sessions: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index, count, transmitter in counted:
        sessions[transmitter].append((count, index))
    step = CLOCK_STEP.total_seconds()
    for points in sessions.values():
        points.sort()
        base = previous = None  # the session's clock minus the count, in seconds
        for count, index in points:
            reading = parsed.readings[index]
            offset = reading.taken_at.timestamp() - count
            if previous is None or abs(offset - previous) > NEW_SESSION.total_seconds():
                base = offset
            previous = offset
            behind = base - offset
            if abs(behind) < step:
                base = offset  # the clocks drift apart by seconds a day
            if behind < step:
                continue  # the session's clock, or one set forward (a gap, no repeat)
            shift = round(behind / QUARTER_HOUR) * QUARTER_HOUR
            moved = reading.taken_at.astimezone(UTC) + timedelta(seconds=shift)
            parsed.readings[index] = replace(reading, taken_at=moved)
            day = reading.taken_at.astimezone(context.tz).date()
            parsed.clock_set_back[(day, shift // 60)] += 1


def _treatment(role, columns, row, line, context, parsed) -> None:
    """An Insulin or Carbs row as a treatment, or a rejected row."""
    try:
        if role == INSULIN:
            subtype = cell(row, columns.get("event subtype"))
            kind = _insulin_kind(subtype)
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
            _dexcom_time(cell(row, columns["timestamp"]), context, parsed, "treatment"), context
        )
    except RowError as error:
        parsed.rejected.append(RowProblem(line, str(error)))
        return
    parsed.treatments.append(ParsedTreatment(type=kind, taken_at=taken_at, **{field: value}))


def _insulin_kind(subtype: str) -> str | None:
    lowered = subtype.lower()
    if not lowered:
        return TreatmentType.BOLUS
    if any(stem in lowered for stem in FAST_STEMS):
        return TreatmentType.BOLUS
    if any(stem in lowered for stem in LONG_STEMS):
        return TreatmentType.BASAL
    return None


def _dexcom_time(text: str, context: RowContext, parsed: ParsedFile, stream: str) -> datetime:
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
    return local(day_, clock, context, parsed, stream=stream)


def _fixed_offset(offset: str, text: str) -> dt_timezone:
    if offset == "Z":
        return UTC
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if delta >= timedelta(hours=24) or int(digits[2:]) >= 60:
        raise RowError(f"Timestamp “{shorten(text)}” has an invalid offset.")
    return dt_timezone(-delta if offset[0] == "-" else delta)
