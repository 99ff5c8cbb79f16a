"""BGT's own CSV export (integrations.files.exporters), read back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from core.units import Unit, mgdl_to_mmoll
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
    local,
    notes_of,
    shorten,
)
from integrations.files.text import Rows, unescape_formula
from readings.models import Context, Kind, Source

# --- BGT CSV --------------------------------------------------------------------------------


def parse(columns: dict, rows: Rows, context: RowContext) -> ParsedFile:
    parsed = ParsedFile(format=Format.BGT, unit=Unit.MGDL)
    for line, row in rows:
        try:
            parsed.readings.append(_bgt_reading(row, columns, context, parsed))
        except RowError as error:
            parsed.rejected.append(RowProblem(line, str(error)))
    return parsed


def _raw_cell(row: list[str], columns: dict, name: str) -> str:
    """A cell as written (notes keep their spaces and line breaks)."""
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else ""


def _bgt_reading(row, columns, context: RowContext, parsed: ParsedFile) -> ParsedReading:
    taken_at = _bgt_time(cell(row, columns.get("taken_at")), context, parsed)
    mgdl_text = cell(row, columns.get("value_mgdl"))
    mmoll_text = cell(row, columns.get("value_mmoll"))
    if mgdl_text:
        value = glucose(mgdl_text, Unit.MGDL, "value_mgdl")
        if mmoll_text:
            try:
                typed = Decimal(mmoll_text.replace(",", "."))
                agrees = typed.quantize(Decimal("0.1")) == mgdl_to_mmoll(value)
            except (InvalidOperation, ValueError):
                agrees = False
            if not agrees:
                raise RowError(
                    f"value_mgdl {mgdl_text} and value_mmoll “{shorten(mmoll_text)}” disagree "
                    f"({value} mg/dL is {mgdl_to_mmoll(value)} mmol/L); keep only one of them."
                )
    elif mmoll_text:
        value = glucose(mmoll_text.replace(",", "."), Unit.MMOLL, "value_mmoll")
    else:
        raise RowError("No glucose value (value_mgdl or value_mmoll).")
    kind = _choice(cell(row, columns.get("kind")), Kind, Kind.FINGERSTICK, "kind")
    reading_context = _choice(
        cell(row, columns.get("context")), Context, Context.UNSPECIFIED, "context"
    )
    source = _choice(cell(row, columns.get("source")), Source, Source.IMPORT, "source")
    notes = notes_of(unescape_formula(_raw_cell(row, columns, "notes")))
    # Kept exactly as written, like the notes: an id is compared character for character.
    external_id = unescape_formula(_raw_cell(row, columns, "external_id")) or None
    if external_id and len(external_id) > MAX_EXTERNAL_ID:
        raise RowError(f"external_id is longer than {MAX_EXTERNAL_ID} characters.")
    trend = unescape_formula(_raw_cell(row, columns, "trend"))
    if len(trend) > MAX_TREND:
        raise RowError(f"trend is longer than {MAX_TREND} characters.")
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
    value = unescape_formula(text).lower()
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise RowError(f"{name} “{shorten(text)}” is not one of: {allowed}.")
    return value


def _bgt_time(text: str, context: RowContext, parsed: ParsedFile) -> datetime:
    if not text:
        raise RowError("No time (taken_at).")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(
            f"taken_at “{shorten(text)}” is not an ISO 8601 date and time "
            "(like 2024-03-01T08:30:00+01:00)."
        ) from None
    if moment.tzinfo is None:
        moment = local(moment.date(), moment.time(), context, parsed)
    return check_time(moment, context)
