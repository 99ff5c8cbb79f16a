"""Reading exported files from meters, CGM software and apps into unsaved readings and
treatments (pure: no queries). One module per source (the PARSERS registry); a file is
recognised by itself, never by its name:

- **BGT CSV** (``bgt_csv``), the format of ``/readings/export.csv``: columns ``taken_at``,
  ``value_mgdl`` and/or ``value_mmoll``, optionally ``kind``, ``context``, ``notes``,
  ``source``, ``external_id``, ``trend``; source and external id survive a round trip.
- **Dexcom Clarity** (``dexcom``) and **LibreView** (``libreview``, also the Libre reader
  software's tab-separated export), in any language: recognised by name in English and by
  the shape of their header otherwise (below), with each locale's decimal comma and date
  order. Clarity's Low/High are stored at 40/400 mg/dL with a note (when asked for);
  LibreView's record type 1 is a scan (``kind = scan``), and its repeated history rows are
  collapsed (``file_passes.collapse_repeats``, for every format).
- **xDrip+** (``xdrip``, zipped SiDiary CSV), **Nightscout entries** (``nightscout_entries``,
  API v1/v3 JSON and API v3 CSV), **mySugr** (``mysugr``) and **Medtronic CareLink**
  (``carelink``), recognised by their column names (HEADER_MATCHERS).

Numbers may use a decimal comma and thousands separators (``text.number_text``). Dates
that read both day first and month first are worked out from the file (a day after the
12th; AM/PM only in month-first exports) and asked for otherwise (LibreView, CareLink).

Times without an offset are the patient's local time. A time in the hour that repeats when
the clocks go back is placed from the file (``clock.ClockTracker``: the row order; Dexcom:
the Transmitter Time column) and reported on the result page; a time that does not exist
(clocks going forward) is a rejected row.

Every row is validated here, before anything is stored: a bad row is rejected with its
line number (the physical line where it starts) and a reason. A file that cannot be read,
or whose source is not recognised, raises ``ImportRefused`` naming what BGT reads.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.units import Unit
from integrations.files import (
    bgt_csv,
    carelink,
    dexcom,
    glooko,
    libreview,
    mysugr,
    nightscout_entries,
    tandem,
    xdrip,
)
from integrations.files.common import (  # noqa: F401 (the importers' public names)
    DELIMITERS,
    HEADER_SEARCH_ROWS,
    MAX_UPLOAD_BYTES,
    DateOrder,
    Format,
    ParsedFile,
    ParsedReading,
    RowContext,
    RowProblem,
)
from integrations.files.file_passes import collapse_repeats
from integrations.files.text import (  # noqa: F401 (the importers' public names)
    ImportRefused,
    Rows,
    decode,
    escape_formula,
    unescape_formula,
)
from readings.models import FUTURE_TOLERANCE

# One module per source, each parsing the rows after its header (Zulip's webhooks shape).
PARSERS = {
    Format.BGT: bgt_csv.parse,
    Format.DEXCOM: dexcom.parse,
    Format.LIBREVIEW: libreview.parse,
    Format.XDRIP: xdrip.parse,
    Format.NIGHTSCOUT: nightscout_entries.parse,
    Format.MYSUGR: mysugr.parse,
    Format.CARELINK: carelink.parse,
    Format.GLOOKO: glooko.parse,
    Format.TANDEM: tandem.parse,
}
# Sources whose dates may be day or month first: their parser takes the form's choice.
DATE_ORDER_PARSERS = {Format.LIBREVIEW, Format.CARELINK}
# Header matchers of the sources recognised by column names: (format, matcher), tried in
# this order after BGT's own; Clarity and LibreView come last (by name or by shape).
HEADER_MATCHERS = (
    (Format.XDRIP, xdrip.matches),
    (Format.NIGHTSCOUT, nightscout_entries.matches),
    (Format.MYSUGR, mysugr.matches),
    (Format.CARELINK, carelink.matches),
    (Format.GLOOKO, glooko.matches),
    (Format.TANDEM, tandem.matches),
)
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024  # xDrip+ and Glooko export zipped CSV files
MAX_MEMBERS = 50

# --- Entry point ----------------------------------------------------------------------------


def parse_file(
    data: bytes,
    *,
    tz: ZoneInfo,
    store_out_of_range: bool = False,
    date_order: str = DateOrder.AUTO,
    now: datetime | None = None,
) -> ParsedFile:
    """Parse an uploaded file (bytes, at most 10 MB, a zip of CSV files included) of any
    source in PARSERS.

    ``tz`` is the patient's zone, for times without an offset. ``now`` (default: the clock)
    bounds how far ahead a time may be (10 minutes). Raises ImportRefused for a file that is
    too large, empty, not text, not CSV, of an unknown format, or (LibreView) whose date
    order cannot be told.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(
            _(
                "This file is %(size)s MB; files up to 10 MB can be imported. Export a "
                "shorter period and import the parts one after another."
            )
            % {"size": number_format(len(data) / 1024 / 1024, 1)}
        )
    context = RowContext(
        tz=tz,
        store_out_of_range=store_out_of_range,
        latest=(now or timezone.now()) + FUTURE_TOLERANCE,
    )
    members = _unzipped(data)
    if len(members) == 1:
        parsed = _parse_text(decode(members[0][1]), context, date_order)
    else:
        # A zip of several files (Glooko: one per kind of data): each one BGT recognises
        # is read, the others (alarms, daily totals) are passed over.
        parsed = None
        for name, member in members:
            try:
                part = _parse_text(decode(member), context, date_order)
            except ImportRefused:
                continue
            if parsed is None:
                parsed = ParsedFile(format=part.format, unit=part.unit)
            parsed.merge(part, name)
        if parsed is None:
            raise ImportRefused(str(UNRECOGNISED))
    collapse_repeats(parsed)
    return parsed


def _parse_text(text: str, context: RowContext, date_order: str) -> ParsedFile:
    """One file's text parsed by the source it is recognised as; clock changes settled."""
    if not text.strip():
        raise ImportRefused(_("The file is empty."))
    if text.lstrip()[:1] in ("[", "{"):
        parsed = nightscout_entries.parse_json(text, context)
        parsed.settle_clock()
        return parsed
    found = _find_header(text)
    if found is None:
        raise ImportRefused(str(UNRECOGNISED))
    fmt, columns, rows = found
    try:
        if fmt in DATE_ORDER_PARSERS:
            parsed = PARSERS[fmt](columns, rows, context, date_order)
        else:
            parsed = PARSERS[fmt](columns, rows, context)
    except csv.Error as error:
        raise ImportRefused(
            _("This file is not valid CSV: %(error)s.") % {"error": error}
        ) from None
    parsed.settle_clock()
    return parsed


def _unzipped(data: bytes) -> list[tuple[str, bytes]]:
    """[(name, bytes)] of the CSV files inside a zip (xDrip+ and Glooko save their exports
    zipped), else [("", data)]."""
    if not data.startswith(b"PK\x03\x04"):
        return [("", data)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if m.filename.lower().endswith((".csv", ".txt"))]
    except (zipfile.BadZipFile, ValueError):
        members = []
    if not members:
        return [("", data)]  # an Excel workbook or another zip: refused as "not a CSV file"
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES or len(members) > MAX_MEMBERS:
        raise ImportRefused(
            _(
                "This zip file holds more than BGT reads at once. Unzip it and import the CSV "
                "files inside one by one."
            )
        )
    found = []
    for member in members:
        with archive.open(member) as stream:
            found.append((member.filename, stream.read(MAX_UNZIPPED_BYTES + 1)))
    return found


# --- Header detection -----------------------------------------------------------------------
#
# Clarity and LibreView write their headers in the account's language but keep the columns
# in one order, so a translated header is recognised by its shape, which no translation
# changes: Clarity's timestamp column spells its format in parentheses in every language
# ("Timestamp (YYYY-MM-DDThh:mm:ss)", "Zeitstempel (JJJJ-MM-TTThh:mm:ss)"), its glucose
# column ends in the unit; LibreView's fifth and sixth columns (historic and scan glucose)
# end in the unit. The English names are matched by name first.

_UNIT = r"\(?\s*(mg/dl|mmol/l)\s*\)?"
DEXCOM_GLUCOSE = re.compile(rf"^glucose value\s*{_UNIT}$", re.IGNORECASE)
LIBRE_COLUMN = re.compile(rf"^(historic|scan|strip) glucose\s*{_UNIT}$", re.IGNORECASE)
CLARITY_TIMESTAMP = re.compile(r"\(\s*\w{4}-\w{2}-\w{2}T\w{2}:\w{2}(:\w{2})?\s*\)", re.IGNORECASE)
ENDS_IN_UNIT = re.compile(r"[\s(](mg/dl|mmol/l)\s*\)?$", re.IGNORECASE)
RATE_COLUMN = re.compile(r"/\s*min\s*\)?$", re.IGNORECASE)
TRANSMITTER_TIME = "transmitter time (long integer)"


DEXCOM_TREATMENT_COLUMNS = {
    "event subtype": "event subtype",
    "insulin": "insulin value (u)",
    "carbs": "carb value (grams)",
}
# LibreView's insulin and food columns (record types 4 and 5); the long-acting one is
# "Long-Acting Insulin Value (units)" in some exports, "Long-Acting Insulin (units)" in others.
LIBRE_TREATMENT_COLUMNS = {
    "rapid": ("rapid-acting insulin (units)",),
    "meal insulin": ("meal insulin (units)",),
    "correction insulin": ("correction insulin (units)",),
    "long": ("long-acting insulin value (units)", "long-acting insulin (units)"),
    "carbs": ("carbohydrates (grams)",),
    "servings": ("carbohydrates (servings)",),
}
# LibreView's columns by position, the same in every language: Device, Serial Number,
# Device Timestamp, Record Type, Historic Glucose, Scan Glucose, Non-numeric Rapid-Acting
# Insulin, Rapid-Acting Insulin, Non-numeric Food, Carbohydrates (grams), Carbohydrates
# (servings), Non-numeric Long-Acting Insulin, Long-Acting Insulin, Notes, Strip Glucose,
# Ketone, Meal Insulin, Correction Insulin, User Change Insulin.
LIBRE_POSITIONS = {
    "device": 0,
    "timestamp": 2,
    "record type": 3,
    "rapid": 7,
    "carbs": 9,
    "servings": 10,
    "long": 12,
    "notes": 13,
    "meal insulin": 16,
    "correction insulin": 17,
}
LIBRE_GLUCOSE_POSITIONS = {"historic": 4, "scan": 5, "strip": 14}
# The FreeStyle Libre reader's own software (and LibreView files saved from it) writes a
# tab-separated file without Device and Serial Number: ID, Time, Record Type, Historic
# Glucose, Scan Glucose, Non-numeric Rapid-Acting Insulin, Rapid-Acting Insulin, Non-numeric
# Food, Carbohydrates, Non-numeric Long-Acting Insulin, Long-Acting Insulin, Notes, Strip
# Glucose, Ketone, Meal Insulin, Correction Insulin, User Change Insulin, Previous Time,
# Updated Time.
READER_POSITIONS = {
    "timestamp": 1,
    "record type": 2,
    "rapid": 6,
    "carbs": 8,
    "long": 10,
    "notes": 11,
    "meal insulin": 14,
    "correction insulin": 15,
}
READER_GLUCOSE_POSITIONS = {"historic": 3, "scan": 4, "strip": 12}

UNRECOGNISED = gettext_lazy(
    "BGT does not recognise this file. It reads these exports, each with its first rows "
    "as the program wrote them (any language): "
    "Dexcom Clarity CSV (clarity.dexcom.com: Export, CSV); "
    "LibreView CSV (libreview.com: Glucose History, Download glucose data); "
    "xDrip+ CSV (xDrip+: Settings, Data Export, Export Database as CSV); "
    "Nightscout entries, JSON or CSV (your site's /api/v1/entries.json); "
    "mySugr CSV (mySugr app: Export, CSV); "
    "Medtronic CareLink CSV (CareLink Personal: Reports, Data Export (CSV)); "
    "Glooko (glooko.com: Settings, Export to CSV, the zip file); "
    "Tandem Source CSV (Tandem Source or t:connect: Export data, CSV); "
    "and BGT's own CSV (Readings: Export CSV). "
    "If the file came from one of these and was opened in a spreadsheet, export it again "
    "and upload it unchanged. PDF reports and Excel workbooks cannot be imported."
)


def _unit_of(text: str) -> str:
    return Unit.MMOLL if text.lower() == "mmol/l" else Unit.MGDL


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
                    return fmt, columns, Rows(text, delimiter, index + 1)
        except csv.Error:
            continue
    return None


def _match_header(cells: list[str]):
    lower = {cell.lower(): i for i, cell in reversed(list(enumerate(cells))) if cell}
    if "taken_at" in lower and ("value_mgdl" in lower or "value_mmoll" in lower):
        return Format.BGT, lower
    for fmt, matcher in HEADER_MATCHERS:
        columns = matcher(lower)
        if columns:
            return fmt, columns
    return _match_clarity(cells, lower) or _match_libreview(cells, lower)


def _match_clarity(cells: list[str], lower: dict):
    timestamp = next((i for i, c in enumerate(cells) if CLARITY_TIMESTAMP.search(c)), None)
    if timestamp is None:
        return None
    glucose = next(
        (i for i, c in enumerate(cells) if i > timestamp and ENDS_IN_UNIT.search(c)), None
    )
    if glucose is None:
        return None
    columns = {
        "timestamp": timestamp,
        "event type": lower.get("event type", timestamp + 1),
        "event subtype": lower.get("event subtype", timestamp + 2),
        "glucose": glucose,
        "unit": _unit_of(ENDS_IN_UNIT.search(cells[glucose]).group(1)),
        "insulin": lower.get("insulin value (u)", glucose + 1),
        "carbs": lower.get("carb value (grams)", glucose + 2),
    }
    rate = next((i for i, c in enumerate(cells) if i > glucose and RATE_COLUMN.search(c)), None)
    transmitter = lower.get(TRANSMITTER_TIME, rate + 1 if rate is not None else None)
    if transmitter is not None and transmitter < len(cells):
        columns["transmitter time"] = transmitter
        if transmitter + 1 < len(cells):
            columns["transmitter id"] = transmitter + 1
    return Format.DEXCOM, columns


def _match_libreview(cells: list[str], lower: dict):
    if "device timestamp" in lower and "record type" in lower:
        columns = {"timestamp": lower["device timestamp"], "record type": lower["record type"]}
        for i, cell in enumerate(cells):
            match = LIBRE_COLUMN.match(cell)
            if match:
                columns[match.group(1).lower()] = (i, _unit_of(match.group(2)))
        for name, headers in LIBRE_TREATMENT_COLUMNS.items():
            found = next((lower[h] for h in headers if h in lower), None)
            if found is not None:
                columns[name] = found
        if "notes" in lower:
            columns["notes"] = lower["notes"]
        if "device" in lower:
            columns["device"] = lower["device"]
        if "historic" in columns or "scan" in columns or "strip" in columns:
            return Format.LIBREVIEW, columns
        return None
    # Another language: the shape. Historic and scan glucose (columns 5 and 6 of LibreView's
    # layout, 4 and 5 of the reader software's) end in the unit, and the columns up to Notes
    # are there.
    for positions, glucose_positions in (
        (LIBRE_POSITIONS, LIBRE_GLUCOSE_POSITIONS),
        (READER_POSITIONS, READER_GLUCOSE_POSITIONS),
    ):
        if len(cells) <= positions["notes"]:
            continue
        if not all(
            ENDS_IN_UNIT.search(cells[glucose_positions[name]]) for name in ("historic", "scan")
        ):
            continue
        columns = {name: i for name, i in positions.items() if i < len(cells)}
        for name, i in glucose_positions.items():
            match = ENDS_IN_UNIT.search(cells[i]) if i < len(cells) else None
            if match:
                columns[name] = (i, _unit_of(match.group(1)))
        return Format.LIBREVIEW, columns
    return None
