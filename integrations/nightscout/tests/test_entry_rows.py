"""entry_rows + entries_of (many entries in one pass) answer exactly what entry_of answers
reading by reading, across a change of clocks and with every optional field."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.nightscout.entries import entry_of
from integrations.nightscout.entry_rows import entries_of, entry_rows
from readings import selectors
from readings.models import Kind
from readings.tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db

# Europe/Berlin left summer time at 01:00 UTC on 27 October 2024 (+120 -> +60 minutes).
CHANGE = datetime(2024, 10, 27, 1, 0, tzinfo=UTC)


def test_many_entries_are_shaped_as_each_one_is(patient):
    record = patient.record
    tz = ZoneInfo("Europe/Berlin")
    for n in range(-14, 14):  # every 5 minutes, 70 minutes either side of the change
        ReadingFactory(
            patient=record,
            kind=Kind.CGM,
            value_mgdl=100 + n,
            taken_at=CHANGE + timedelta(minutes=5 * n, seconds=n % 3),
            direction="Flat" if n % 2 else "",
            device="xDrip-DexcomG6" if n % 4 == 0 else "",
            delta=1.5 if n == 3 else None,
            filtered=123456.0 if n == 4 else None,
            noise=1 if n == 5 else None,
            rssi=-70 if n == 6 else None,
        )
    ReadingFactory(patient=record, kind=Kind.FINGERSTICK, value_mgdl=140, taken_at=CHANGE)
    readings = selectors.reading_list(patient=record)
    fast = entries_of(entry_rows(readings), tz, count=100)
    one_by_one = [entry_of(reading, tz) for reading in readings]
    assert len(fast) == 29
    for entry, expected in zip(fast, one_by_one, strict=True):
        if "delta" in entry:  # computed ones (entry_of has none) are checked below
            expected.setdefault("delta", entry["delta"])
        assert entry == expected
    offsets = {entry["utcOffset"] for entry in fast}
    assert offsets == {60, 120}
    # Deltas: as uploaded, else from the CGM reading before (never the meter's), else 0.
    by_date = {entry["date"]: entry for entry in fast if entry["type"] == "sgv"}
    dates = sorted(by_date)
    assert by_date[dates[0]]["delta"] == 0.0  # nothing before it
    assert by_date[dates[1]]["delta"] == 1.0
    assert by_date[dates[17]]["delta"] == 1.5  # n == 3: as uploaded


def test_the_last_entry_takes_its_delta_from_the_extra_row_and_a_gap_gives_zero(patient):
    record = patient.record
    start = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    for minutes, value in ((0, 100), (5, 110), (30, 150)):
        ReadingFactory(
            patient=record,
            kind=Kind.CGM,
            value_mgdl=value,
            taken_at=start + timedelta(minutes=minutes),
        )
    rows = entry_rows(selectors.reading_list(patient=record))
    entries = entries_of(rows, UTC, count=2)
    assert [(e["sgv"], e["delta"]) for e in entries] == [(150, 0.0), (110, 10.0)]
