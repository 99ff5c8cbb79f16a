"""A real Clarity export whose device clock was set back an hour, through /readings/import/.

Clarity lists rows by wall time, so the hour the clock went back through is interleaved
(12:13:25 before the change, 12:13:26 after it, 12:18:25 after, 12:18:26 before ...): only
the Transmitter Time column tells the two runs apart. The expectation is computed here
from that column alone (the csv module and zoneinfo), never by the importer's code. The
fixture and where it comes from: data/README.md.
"""

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.files.tests.test_import import counts, set_zone, stored, upload
from integrations.files.tests.test_import_locales import DATA, dst_expectation, rows_after
from readings.models import Kind, Source

pytestmark = pytest.mark.django_db

FIXTURE = DATA / "dexcom_clock_set_back.csv"
ZONE = "Europe/Berlin"  # not in the file; the source repository's commits are at +02:00


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient)
    return client


def sensor_rows() -> list[list[str]]:
    return [row for row in rows_after(FIXTURE, "Index", ",") if row[2] == "EGV"]


def by_transmitter_count() -> tuple[list[tuple], int]:
    """Each reading at its wall time in ZONE, moved by the whole hours its wall clock is
        behind the transmitter's count since the file's first reading (an ordinary afternoon
        time in ZONE); the count itself agrees to within the clocks' drift (2 seconds). Also
    returns how many readings were moved."""
    rows = sensor_rows()
    tz = ZoneInfo(ZONE)
    first = datetime.fromisoformat(rows[0][1]).replace(tzinfo=tz).astimezone(UTC)
    start = int(rows[0][12])
    expected, moved = [], 0
    for row in rows:
        wall = datetime.fromisoformat(row[1]).replace(tzinfo=tz).astimezone(UTC)
        counted = first + timedelta(seconds=int(row[12]) - start)
        hours = round((counted - wall) / timedelta(hours=1))
        instant = wall + timedelta(hours=hours)
        assert abs(instant - counted) <= timedelta(seconds=2)
        moved += hours != 0
        expected.append((instant, int(row[7]), Kind.CGM, "", Source.IMPORT))
    return sorted(expected), moved


def test_the_real_file_repeats_an_hour_of_wall_times_with_other_values():
    rows = sensor_rows()
    walls = Counter(row[1] for row in rows)
    assert len(rows) == 73
    # The defect this guards against: read by wall time, four instants hold two readings
    # with different values, and a dozen more pairs are a second apart.
    doubled = {stamp for stamp, n in walls.items() if n == 2}
    assert len(doubled) == 4
    assert all(len({row[7] for row in rows if row[1] == stamp}) == 2 for stamp in doubled)
    # The rows are in wall-time order, not in the transmitter's.
    counted = [int(row[12]) for row in rows]
    assert counted != sorted(counted)


def test_readings_after_the_clock_was_set_back_are_placed_by_the_transmitter(signed_in, patient):
    set_zone(patient, ZONE)
    expected, moved = by_transmitter_count()

    response = upload(signed_in, FIXTURE.name)

    assert counts(response) == {
        "imported": 73,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": 0,
    }
    assert stored(patient) == expected
    instants = [at for at, *_ in expected]
    gaps = {round((b - a).total_seconds()) for a, b in zip(instants, instants[1:], strict=False)}
    assert gaps <= {299, 300, 301}  # one reading every five minutes, no hour twice
    assert moved == 37  # an hour behind the count: after the change, until the excerpt ends
    page = response.content.decode()
    assert (
        f"11 July 2024: the clock was set back by 60 minutes; {moved} readings taken after "
        "that were placed from the Dexcom transmitter" in page
    )


def test_the_same_file_imported_again_adds_nothing(signed_in, patient):
    set_zone(patient, ZONE)
    upload(signed_in, FIXTURE.name)

    again = upload(signed_in, FIXTURE.name)

    assert counts(again)["imported"] == 0 and counts(again)["duplicates"] == 73
    assert len(stored(patient)) == 73


def test_the_new_york_file_in_claritys_wall_time_order_is_placed_by_the_transmitter(
    signed_in, patient
):
    """The synthetic autumn file with its rows listed as Clarity lists them: by wall time,
    the two runs through 01:00-01:59 interleaved."""
    set_zone(patient, "America/New_York")
    path = DATA / "dexcom_dst_newyork.csv"
    expected = dst_expectation(path)
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    preamble = [row for row in rows[1:] if not row[1]]
    readings = sorted((row for row in rows[1:] if row[1]), key=lambda row: row[1])
    assert [int(row[12]) for row in readings] != sorted(int(row[12]) for row in readings)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([rows[0], *preamble, *readings])

    response = upload(signed_in, buffer.getvalue().encode(), file_name="clarity.csv")

    assert counts(response)["imported"] == len(expected) == 61
    assert stored(patient) == expected
