"""A record's readings as tables show them: values in the viewer's unit, times in the
patient's zone, bands as colour plus words. Shared by the patient's pages and the
physician's report, so both show the same thing the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core import consensus
from core.units import format_value
from readings.models import Context, Reading, Target

CONTEXT_LABELS = dict(Context.choices)


@dataclass(frozen=True)
class ReadingRow:
    reading: Reading
    local_time: datetime
    value: str  # "7.2 mmol/L"
    band: str
    band_label: str
    context_label: str


def reading_rows(readings, *, unit: str, tz: ZoneInfo, target: Target) -> list[ReadingRow]:
    rows = []
    for reading in readings:
        band = consensus.band_of(reading.value_mgdl, target.low_mgdl, target.high_mgdl)
        rows.append(
            ReadingRow(
                reading=reading,
                local_time=reading.taken_at.astimezone(tz),
                value=format_value(reading.value_mgdl, unit),
                band=band,
                band_label=consensus.Band.LABELS[band],
                context_label=str(CONTEXT_LABELS.get(reading.context, reading.context)),
            )
        )
    return rows
