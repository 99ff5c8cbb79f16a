"""A record's readings as tables show them: values in the viewer's unit, times in the
patient's zone, bands as colour plus words. Shared by the patient's pages and the
physician's report, so both show the same thing the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, pgettext_lazy

from core import consensus
from core.formatting import format_percent
from core.units import format_value
from readings.models import Context, Kind, Reading, Source, Target

CONTEXT_LABELS = dict(Context.choices)


@dataclass(frozen=True)
class ReadingRow:
    reading: Reading
    local_time: datetime
    value: str  # "7.2 mmol/L"
    band: str
    band_label: str
    context_label: str

    @property
    def kind_label(self) -> str:
        return KIND_SHORT.get(self.reading.kind, self.reading.kind)

    @property
    def from_device(self) -> bool:
        return from_device(self.reading)


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
                band_label=gettext(consensus.Band.LABELS[band]),
                context_label=str(CONTEXT_LABELS.get(reading.context, reading.context)),
            )
        )
    return rows


# What a reading's kind is called in the table's narrow column.
KIND_SHORT = {
    Kind.CGM: pgettext_lazy("reading kind", "Sensor"),
    Kind.FINGERSTICK: pgettext_lazy("reading kind", "Meter"),
    Kind.SCAN: pgettext_lazy("reading kind", "Scan"),
}


def from_device(reading: Reading) -> bool:
    """A reading a device, a file or an uploader made (shown without Edit: correcting it is
    the device's business; a wrong one can still be deleted). Typed-in readings, on the
    web or through an app's API call without a device, stay editable."""
    return (
        reading.kind == Kind.CGM
        or reading.source in (Source.IMPORT, Source.NIGHTSCOUT)
        or bool(reading.device)
    )


@dataclass(frozen=True)
class DayGroup:
    """One local day of the readings table: its summary and the rows it shows."""

    day: date
    rows: list[ReadingRow]  # shown: every reading but CGM without a note, unless open
    count: int  # readings this day (of every kind, hidden ones included)
    mean: str  # of every reading, in the viewer's unit
    cgm_count: int
    cgm_in_target: str  # "82.0 %" of the CGM readings in the record's target, or ""
    meter_count: int  # fingersticks and scans
    meter_in_target: int
    hidden: int  # CGM rows folded away
    open: bool  # CGM rows shown


def day_groups(
    readings, *, unit: str, tz: ZoneInfo, target: Target, open_days=()
) -> list[DayGroup]:
    """The readings (newest first) grouped by the record's local day, each day with its
    count, mean and share in the target range. CGM readings without a note are folded
    away (a day of 5-minute CGM is 288 rows) unless the day is in ``open_days``;
    fingersticks, scans and notes are always shown."""
    by_day: dict[date, list[ReadingRow]] = {}
    for row in reading_rows(readings, unit=unit, tz=tz, target=target):
        by_day.setdefault(row.local_time.date(), []).append(row)
    groups = []
    for day, rows in by_day.items():
        cgm = [r for r in rows if r.reading.kind == Kind.CGM]
        meter = [r for r in rows if r.reading.kind != Kind.CGM]
        is_open = day in open_days
        shown = [r for r in rows if is_open or r.reading.kind != Kind.CGM or r.reading.notes]
        in_target = [target.low_mgdl <= r.reading.value_mgdl <= target.high_mgdl for r in rows]
        cgm_in = sum(t for r, t in zip(rows, in_target, strict=True) if r.reading.kind == Kind.CGM)
        groups.append(
            DayGroup(
                day=day,
                rows=shown,
                count=len(rows),
                mean=format_value(round(sum(r.reading.value_mgdl for r in rows) / len(rows)), unit),
                cgm_count=len(cgm),
                cgm_in_target=format_percent(100 * cgm_in / len(cgm)) if cgm else "",
                meter_count=len(meter),
                meter_in_target=sum(in_target) - cgm_in,
                hidden=len(rows) - len(shown),
                open=is_open,
            )
        )
    return groups
