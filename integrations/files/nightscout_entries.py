"""Nightscout entries: the JSON of ``/api/v1/entries.json`` (an array) or ``/api/v3/entries``
(``{"status": 200, "result": [...]}``), and the CSV of ``/api/v3/entries.csv`` (a header of
the entries' field names: ``type,sgv,dateString,date,device,direction,identifier,…``).

``sgv`` entries are CGM readings, ``mbg`` entries meter readings (both in mg/dL, as
Nightscout stores them); calibrations (``cal``) and other types are counted as ignored. The
time is ``date`` (milliseconds since 1970, UTC) or else ``dateString`` (ISO 8601 with an
offset). The entry's id (``identifier``, ``_id`` or ``{"$oid": …}``) is kept as the
external id, so importing the same export again adds nothing.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from core.units import Unit
from integrations.files.common import (
    MAX_EXTERNAL_ID,
    MAX_TREND,
    Format,
    ParsedFile,
    ParsedReading,
    RowContext,
    RowError,
    RowProblem,
    cell,
    check_time,
    glucose,
    shorten,
)
from integrations.files.file_passes import infer_cadence
from integrations.files.text import ImportRefused, Rows
from readings.models import Kind

KINDS = {"sgv": (Kind.CGM, "sgv"), "mbg": (Kind.FINGERSTICK, "mbg")}
CSV_FIELDS = ("type", "sgv", "mbg", "date", "datestring", "direction", "identifier", "_id")


def matches(lower: dict) -> dict | None:
    if "sgv" in lower and ("date" in lower or "datestring" in lower):
        return {name: lower.get(name) for name in CSV_FIELDS}
    return None


def parse_json(text: str, context: RowContext) -> ParsedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused(f"This JSON file cannot be read: {error}.") from None
    if isinstance(data, dict) and isinstance(data.get("result"), list):
        data = data["result"]  # API v3
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportRefused(
            "This JSON file is not a list of Nightscout entries. Download "
            "/api/v1/entries.json?count=… from your Nightscout site and import that file."
        )
    parsed = ParsedFile(format=Format.NIGHTSCOUT, unit=Unit.MGDL)
    for number, entry in enumerate(data, start=1):
        _entry(number, {key.lower(): value for key, value in entry.items()}, context, parsed)
    infer_cadence(parsed)
    return parsed


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    parsed = ParsedFile(format=Format.NIGHTSCOUT, unit=Unit.MGDL)
    for line, row in rows:
        entry = {name: cell(row, index) for name, index in columns.items() if index is not None}
        _entry(line, entry, context, parsed)
    infer_cadence(parsed)
    return parsed


def _entry(line: int, entry: dict, context: RowContext, parsed: ParsedFile) -> None:
    kind_name = str(entry.get("type") or ("sgv" if entry.get("sgv") not in (None, "") else ""))
    if kind_name not in KINDS:
        parsed.ignored += 1
        return
    kind, field = KINDS[kind_name]
    try:
        value = entry.get(field)
        if value in (None, ""):
            raise RowError(f"No {field} value.")
        mgdl = glucose(str(value), Unit.MGDL, field)
        taken_at = check_time(_when(entry), context)
        direction = str(entry.get("direction") or "")[:MAX_TREND]
        identifier = entry.get("identifier") or entry.get("_id") or None
        if isinstance(identifier, dict):
            identifier = identifier.get("$oid")
        identifier = str(identifier)[:MAX_EXTERNAL_ID] if identifier else None
    except RowError as error:
        parsed.rejected.append(RowProblem(line, str(error)))
        return
    parsed.readings.append(
        ParsedReading(mgdl, taken_at, kind, external_id=identifier, direction=direction)
    )


def _when(entry: dict) -> datetime:
    millis = entry.get("date")
    if millis not in (None, ""):
        try:
            seconds = float(millis) / 1000
        except (TypeError, ValueError):
            seconds = math.nan
        if math.isfinite(seconds) and 0 < seconds < 32503680000:  # before the year 3000
            return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=0)
    text = str(entry.get("datestring") or "")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not 1970 < moment.year < 3000:
        raise RowError(f"date “{shorten(str(millis))}” / dateString “{shorten(text)}”: no time.")
    return moment.astimezone(UTC).replace(microsecond=0)
