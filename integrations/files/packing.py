"""An import job's rows as they wait in its ImportChunks (integrations.files.jobs): JSON
lists, times as POSIX seconds, a tenth of the size of a pickled object and readable on any
server that shares the database; and the ids the rows are stored under."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from integrations.files.common import ParsedReading, ParsedTreatment, unsaved_reading
from readings.models import Reading


def _seconds(moment: datetime) -> int | float:
    seconds = moment.timestamp()
    return int(seconds) if seconds.is_integer() else seconds


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def pack_readings(readings: list[ParsedReading]) -> str:
    return json.dumps(
        [
            [
                _seconds(r.taken_at),
                r.value_mgdl,
                r.kind,
                r.context,
                r.notes,
                r.source,
                r.external_id,
                r.direction,
                r.cadence_min,
            ]
            for r in readings
        ],  # fmt: skip
        ensure_ascii=False,
        separators=(",", ":"),
    )


def unpack_readings(text: str) -> list[ParsedReading]:
    return [
        ParsedReading(
            value_mgdl=value, taken_at=_moment(seconds), kind=kind, context=context, notes=notes,
            source=source, external_id=external_id, direction=direction, cadence_min=cadence,
        )
        for seconds, value, kind, context, notes, source, external_id, direction, cadence
        in json.loads(text)
    ]  # fmt: skip


def unpacked_readings(text: str, job_id: uuid.UUID, first_row: int) -> list[Reading]:
    """The chunk's rows as unsaved Readings with their ids (row_id), straight from the JSON
    (no ParsedReading in between: a tenth of the time of storing them)."""
    return [
        unsaved_reading(row_id(job_id, first_row + i), value, _moment(seconds), *rest)
        for i, (seconds, value, *rest) in enumerate(json.loads(text))
    ]


def pack_treatments(treatments: list[ParsedTreatment]) -> str:
    return json.dumps(
        [
            [_seconds(t.taken_at), t.type, t.insulin_units, t.carbs_g, t.insulin_name, t.notes]
            for t in treatments
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def unpack_treatments(text: str) -> list[ParsedTreatment]:
    return [
        ParsedTreatment(
            type=kind, taken_at=_moment(seconds), insulin_units=units, carbs_g=carbs,
            insulin_name=name, notes=notes,
        )
        for seconds, kind, units, carbs, name, notes in json.loads(text)
    ]  # fmt: skip


def row_id(job_id: uuid.UUID, row: int) -> uuid.UUID:
    """The id the job's ``row``-th row (from 0) is stored under: the job's id with its last
    32 bits turned by the row number (still a valid version-4 UUID; no two rows of a job
    share one, and another job's ids would need the same first 96 random bits)."""
    return uuid.UUID(int=job_id.int ^ (row + 1))
