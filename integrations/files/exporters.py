"""Readings as BGT CSV, the format readings/importers.py reads back (pure: no queries).

Columns, one reading per row, oldest first:

``taken_at``     ISO 8601 to the second with the offset of the patient's zone at that
                 instant (``2024-03-31T03:30:00+02:00``), so the file is unambiguous
                 wherever it is opened;
``value_mgdl``   the stored value, whole mg/dL (what an import reads back);
``value_mmoll``  the same in mmol/L with one decimal, for people (1 mmol/L = 18.01559 mg/dL);
``kind``, ``context``, ``source``  the stored codes (``cgm``, ``before_meal``, ``nightscout``);
``notes``        as typed, with commas, quotes, line breaks and any script;
``external_id``  the uploading device's or app's id, kept so re-imports stay idempotent;
``trend``        the CGM trend arrow an uploader reported (Nightscout names), often empty.

CSV injection: every text cell (notes, external_id and trend, which come from people and
uploading programs, and the codes too) that a spreadsheet would run as a formula (starting
with ``= + - @``, tab or carriage return, possibly after apostrophes) gets one apostrophe
in front; the importer removes exactly one again, so the round trip is exact.

The file starts with a UTF-8 byte-order mark so that spreadsheet programs read non-ASCII
notes correctly; the importer and common CSV readers skip it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from core.units import MAX_MGDL, MIN_MGDL, mgdl_to_mmoll
from integrations.files.importers import escape_formula

COLUMNS = (
    "taken_at",
    "value_mgdl",
    "value_mmoll",
    "kind",
    "context",
    "notes",
    "source",
    "external_id",
    "trend",
)
# What the export reads from each reading, in this order (values_list field names).
FIELDS = (
    "taken_at",
    "value_mgdl",
    "kind",
    "context",
    "notes",
    "source",
    "external_id",
    "direction",
)
BOM = "\ufeff"
ROWS_PER_CHUNK = 500

# Every storable value's mmol/L text, computed once (Decimal arithmetic per row would cost
# more than the rest of a row's formatting).
_MMOLL_TEXT = {value: str(mgdl_to_mmoll(value)) for value in range(MIN_MGDL, MAX_MGDL + 1)}


def csv_row(values: tuple, tz: ZoneInfo) -> list[str]:
    """One reading (a tuple in FIELDS order) as the cells of a CSV row."""
    taken_at, value_mgdl, kind, context, notes, source, external_id, direction = values
    mmoll = _MMOLL_TEXT.get(value_mgdl) or str(mgdl_to_mmoll(value_mgdl))
    # Numbers and times are ours; every text cell is escaped, whatever its column.
    return [
        taken_at.astimezone(tz).isoformat(timespec="seconds"),
        str(value_mgdl),
        mmoll,
        *(
            escape_formula(text or "")
            for text in (kind, context, notes, source, external_id, direction)
        ),
    ]


def stream_csv(rows: Iterable[tuple], *, tz: ZoneInfo) -> Iterator[str]:
    """The whole file as text chunks of about ROWS_PER_CHUNK rows: memory stays flat
    however many rows ``rows`` (an iterator over the database) yields."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    pending = 0
    for values in rows:
        writer.writerow(csv_row(values, tz))
        pending += 1
        if pending == ROWS_PER_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()
