"""Many readings as Nightscout entries, fast: the rows of only the fields an entry shows,
with times and ids as the database holds them, shaped in one pass (a 90-day
``entries.json`` is 10,000 entries). entries.entry_of shapes one reading the same way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import NamedTuple

from django.db import connections
from django.db.models import CharField, ExpressionWrapper, F

from core import mongo
from core.expressions import EpochSeconds
from integrations.nightscout.entries import (
    DELTA_MAX_GAP,
    EXTRA_FIELDS,
    TYPE_OF_KIND,
)
from readings.models import Kind

_NO_EXTRAS = [None] * len(EXTRA_FIELDS)
# EntryRow's fields as stored: taken_at for epoch.
_STORED_FIELDS = ("pk", "kind", "value_mgdl", "taken_at", "source", "device", "direction")
_STORED_FIELDS += EXTRA_FIELDS


class EntryRow(NamedTuple):
    """What an entry shows of a reading, read as plain values (entry_rows): the time as
    whole seconds since the epoch, as the write services store it (truncate_to_second)."""

    pk: str  # as stored: 32 hex digits
    kind: str
    value_mgdl: int
    epoch: int
    source: str
    device: str
    direction: str
    delta: float | None
    filtered: float | None
    unfiltered: float | None
    noise: int | None
    rssi: int | None


def entry_rows(readings) -> list[EntryRow]:
    """The rows of a reading queryset (filtered, ordered, sliced) for entries_of: one query.
    On SQL the times come as integers computed by the database and the ids as the text it
    holds: no datetime parsed nor UUID built per row (for 10,000 entries those were half
    the time). MongoDB's driver decodes dates in C, and SecantusDB evaluates a computed
    projection document by document (5,760 rows: 15 % slower than plain fields), so there
    the stored fields are read and the epoch taken in Python."""
    if connections[readings.db].vendor == "mongodb":
        found = mongo.rows(readings.values_list(*_STORED_FIELDS))
        return [
            EntryRow(pk.hex, kind, value, int(taken_at.timestamp()), *rest)
            for pk, kind, value, taken_at, *rest in found
        ]
    found = readings.annotate(
        epoch=EpochSeconds("taken_at"), id_text=ExpressionWrapper(F("pk"), CharField())
    ).values_list("id_text", *EntryRow._fields[1:])
    return list(map(EntryRow._make, mongo.rows(found)))


def _dashed(uuid_text) -> str:
    """A UUID as str(UUID) writes it, from the 32 hex digits SQL and MongoDB store."""
    text = str(uuid_text)
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return str(uuid.UUID(text))


class _Clock:
    """UTC text and the zone's offset for many epoch seconds: each day's date text and
    each hour's offset worked out once (an hour whose offset differs at its two ends, a
    change of clocks, is worked out reading by reading)."""

    def __init__(self, tz):
        self.tz = tz
        self.days: dict[int, str] = {}
        self.hours: dict[int, int | None] = {}

    def stamp(self, epoch: int) -> str:
        day, second = divmod(epoch, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
        hour, rest = divmod(second, 3600)
        return f"{prefix}{hour:02d}:{rest // 60:02d}:{rest % 60:02d}.000Z"

    def _offset(self, epoch: int) -> int:
        offset = datetime.fromtimestamp(epoch, self.tz).utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else 0

    def offset(self, epoch: int) -> int:
        hour = epoch // 3600
        if hour not in self.hours:
            first, last = self._offset(hour * 3600), self._offset(hour * 3600 + 3599)
            self.hours[hour] = first if first == last else None
        whole = self.hours[hour]
        return whole if whole is not None else self._offset(epoch)


def entries_of(rows: list[EntryRow], tz, *, count: int) -> list[dict]:
    """The first ``count`` of ``rows`` (newest first) as entries, as entry_of shapes each.
    A CGM reading stored without a delta gets one from the CGM reading before it (at most
    DELTA_MAX_GAP older; ``rows`` may hold one more than ``count`` for the last one's),
    else 0, as pebble.js answers a delta it cannot compute: py-nightscout needs a number on
    every sgv entry."""
    clock = _Clock(tz)
    stamp_of, offset_of = clock.stamp, clock.offset
    gap, cgm, types = DELTA_MAX_GAP.total_seconds(), str(Kind.CGM), TYPE_OF_KIND
    # The next older CGM row of each row, found walking from the oldest.
    older_cgm: list[EntryRow | None] = [None] * len(rows)
    last_cgm = None
    for index in range(len(rows) - 1, -1, -1):
        older_cgm[index] = last_cgm
        if rows[index].kind == cgm:
            last_cgm = rows[index]
    entries = []
    for index, row in enumerate(rows[:count]):
        pk, kind, value, epoch, source, device, direction, *extras = row
        entry_type = types.get(kind, "mbg")
        stamp = stamp_of(epoch)
        entry = {
            "_id": _dashed(pk),
            "type": entry_type,
            entry_type: value,
            "date": epoch * 1000,
            "dateString": stamp,
            "sysTime": stamp,
            "utcOffset": offset_of(epoch),
            "device": device or f"bgt-{source}",
        }
        if direction:
            entry["direction"] = direction
        if extras != _NO_EXTRAS:
            for name, extra in zip(EXTRA_FIELDS, extras, strict=True):
                if extra is not None:
                    entry[name] = extra
        if kind == cgm and extras[0] is None:
            previous = older_cgm[index]
            if previous is not None and epoch - previous.epoch <= gap:
                entry["delta"] = float(value - previous.value_mgdl)
            else:
                entry["delta"] = 0.0
        entries.append(entry)
    return entries
