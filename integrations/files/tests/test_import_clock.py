"""Real exports across clock changes, through /readings/import/: a Clarity export whose
device clock was set back an hour, and a Tandem Source export across the spring change in
Chicago, whose pump kept its clock.

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

from integrations.files.tests.test_import import (
    counts,
    set_zone,
    stored,
    stored_treatments,
    upload,
)
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


# --- Tandem Source across the spring change in Chicago --------------------------------------


def tandem_sections(path) -> dict[str, list[list[str]]]:
    """The file's sections by their first column's name, each as its rows after the header."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
        if row and row[0] in ("DeviceType", "Type"):
            current = sections.setdefault(row[-1] if row[0] == "DeviceType" else "Bolus", [])
        elif row and current is not None:
            current.append(row)
    return sections


def test_a_real_tandem_export_whose_pump_kept_its_clock_through_the_spring_change(
    signed_in, patient
):
    """The pump's clock is set by hand: on 9 March 2025 it went on from 01:57 to 02:02,
    02:07 ... 02:57, wall times that did not exist in Chicago. Those are rejected with the
    reason; every other row is stored at its wall time in the patient's zone."""
    set_zone(patient, "America/Chicago")
    path = DATA / "tandem_source_dst_chicago.csv"
    sections = tandem_sections(path)
    tz = ZoneInfo("America/Chicago")

    def instant(text):
        wall = datetime.fromisoformat(text)
        moment = wall.replace(tzinfo=tz).astimezone(UTC)
        exists = moment.astimezone(tz).replace(tzinfo=None) == wall
        return moment if exists else None

    cgm = sections["Readings (mg/dL)"]
    meter = sections["Note"]
    boluses = sections["Bolus"]
    expected = sorted(
        [(instant(row[3]), int(row[4]), Kind.CGM, "", Source.IMPORT) for row in cgm
         if instant(row[3])]
        + [(instant(row[3]), int(row[4]), Kind.FINGERSTICK, row[5], Source.IMPORT)
           for row in meter]
    )  # fmt: skip
    missing = [row[3] for row in cgm if instant(row[3]) is None]
    assert (len(cgm), len(meter), len(boluses), len(missing)) == (72, 3, 4, 12)

    response = upload(signed_in, path.name)

    assert counts(response) == {
        "imported": 63,
        "duplicates": 0,
        "rejected": 12,
        "skipped": 0,
        "ignored": 0,
    }
    assert stored(patient) == expected
    assert stored_treatments(patient) == [
        (instant(row[5]), "bolus", float(row[6]), None) for row in boluses
    ]
    page = response.content.decode()
    for stamp in missing:
        clock = stamp[11:16]
        assert f"{clock} did not exist on 2025-03-09 in America/Chicago" in page
