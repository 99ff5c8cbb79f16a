"""Non-English exports, decimal commas and the autumn clock change, through /readings/import/.

Every expectation is computed here from the fixture by an independent parse (the csv module,
Decimal and zoneinfo), never by the importer's code: the rows' kinds, the values converted
to mg/dL, and the UTC instants. The fixtures and where they come from: data/README.md.
"""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from integrations.files.tests.test_import import (
    counts,
    set_zone,
    stored,
    stored_treatments,
    upload,
)
from readings.models import Kind, Reading, Source
from treatments.models import Treatment

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
MGDL_PER_MMOLL = Decimal("18.01559")  # DESIGN.md section 2


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient)
    return client


def mgdl(text: str, unit: str) -> int:
    """A value as a person reads it: a decimal comma is a decimal point."""
    value = Decimal(text.replace(",", "."))
    if unit == "mmol/L":
        value *= MGDL_PER_MMOLL
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def rows_after(path: Path, header_start: str, delimiter: str) -> list[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    at = next(i for i, row in enumerate(rows) if row and row[0] == header_start)
    return [row for row in rows[at + 1 :] if any(row)]


def chronological_instants(stamps: list[str], fmt: str, zone: str) -> list[datetime]:
    """UTC instants of wall times listed oldest first: where the wall clock steps back
    inside an hour that occurs twice, the rows from there on are its second occurrence."""
    tz = ZoneInfo(zone)
    instants, previous, went_back = [], None, False
    for stamp in stamps:
        wall = datetime.strptime(stamp, fmt)  # noqa: DTZ007 (a wall time, zoned below)
        ambiguous = (
            wall.replace(tzinfo=tz, fold=0).utcoffset()
            != wall.replace(tzinfo=tz, fold=1).utcoffset()
        )
        if not ambiguous:
            went_back = False
        elif previous is not None and wall < previous:
            went_back = True
        instants.append(wall.replace(tzinfo=tz, fold=int(ambiguous and went_back)).astimezone(UTC))
        previous = wall
    return instants


# --- LibreView in German: decimal commas, scans, the clock change in Berlin -----------------


def test_german_libreview_export_with_decimal_commas_across_the_clock_change(signed_in, patient):
    set_zone(patient, "Europe/Berlin", unit="mmol/L")
    path = DATA / "libreview_de_mmoll.csv"

    response = upload(signed_in, path.name)

    # Independent parse: record type 0 history (column 5), 1 scan (6), 2 strip (15).
    rows = rows_after(path, "Gerät", ",")
    readings = [row for row in rows if row[3] in "012" and "." not in (row[4] + row[5])]
    kinds = {"0": Kind.CGM, "1": Kind.SCAN, "2": Kind.FINGERSTICK}
    columns = {"0": 4, "1": 5, "2": 14}
    instants = chronological_instants(
        [row[2] for row in readings], "%d-%m-%Y %H:%M", "Europe/Berlin"
    )
    expected = {
        (instant, mgdl(row[columns[row[3]]], "mmol/L"), kinds[row[3]])
        for instant, row in zip(instants, readings, strict=True)
    }
    assert len(readings) == 24 and len(expected) == 23  # one history row is listed twice

    assert counts(response) == {
        "imported": 23,
        "duplicates": 0,  # the repeated history row is one reading, not "already there"
        "rejected": 1,  # "1.234,5": a thousands separator, 1234.5 mmol/L, out of range
        "skipped": 0,
        "ignored": 1,  # record type 6, a note
    }
    assert {(at, value, kind) for at, value, kind, _notes, _source in stored(patient)} == expected
    # Eight readings at 02:00-02:45 local: four in summer time, then four an hour later.
    repeated = sorted(at for at, *_ in stored(patient) if at.date() == datetime(2023, 10, 29).date()
                      and 0 <= at.hour <= 1)  # fmt: skip
    assert repeated == [
        datetime(2023, 10, 29, 0, 0, tzinfo=UTC) + timedelta(minutes=15 * i) for i in range(8)
    ]
    scan = Reading.objects.get(patient=patient.record, kind=Kind.SCAN)
    assert (scan.value_mgdl, scan.notes, scan.cadence_min) == (110, "Frühstück, Kaffee", None)
    assert stored_treatments(patient) == [
        (datetime(2023, 10, 29, 6, 20, tzinfo=UTC), "bolus", 4.5, None),
        (datetime(2023, 10, 29, 6, 20, tzinfo=UTC), "carbs", None, 45),
    ]
    assert response.context["rejected"][0].reason == (
        "Historic Glucose “1.234,5”: Enter a value between 1.1 and 33.3 mmol/L."
    )
    page = response.content.decode()
    assert "LibreView file" in page and "dates read day first (a day after the 12th" in page
    assert (
        "29 October 2023: 4 in the first occurrence "
        "(before the clocks went back), from the order of the rows" in page
    )
    assert (
        "29 October 2023: 4 in the second occurrence "
        "(after the clocks went back), from the order of the rows" in page
    )


def test_dutch_libreview_export(signed_in, patient):
    set_zone(patient, "Europe/Amsterdam", unit="mmol/L")
    path = DATA / "libreview_nl_mmoll.csv"

    response = upload(signed_in, path.name)

    rows = rows_after(path, "Apparaat", ",")
    tz = ZoneInfo("Europe/Amsterdam")
    expected = [
        (
            datetime.strptime(row[2], "%d-%m-%Y %H:%M").replace(tzinfo=tz).astimezone(UTC),
            mgdl(row[4] or row[5], "mmol/L"),
            Kind.CGM if row[3] == "0" else Kind.SCAN,
        )
        for row in rows
    ]
    assert counts(response)["imported"] == len(expected) == 7
    assert [(at, value, kind) for at, value, kind, *_ in stored(patient)] == sorted(expected)


def test_french_libre_reader_export_tab_separated_year_first(signed_in, patient):
    set_zone(patient, "Europe/Paris")
    path = DATA / "libreview_fr_reader.txt"

    response = upload(signed_in, path.name)

    rows = rows_after(path, "ID", "\t")
    tz = ZoneInfo("Europe/Paris")
    expected = [
        (
            datetime.strptime(row[1], "%Y/%m/%d %H:%M").replace(tzinfo=tz).astimezone(UTC),
            int(row[3] or row[4]),
            Kind.CGM if row[2] == "0" else Kind.SCAN,
        )
        for row in rows
        if row[2] in ("0", "1")
    ]
    assert counts(response)["imported"] == len(expected) == 4
    assert [(at, value, kind) for at, value, kind, *_ in stored(patient)] == expected
    assert stored_treatments(patient) == [
        (datetime(2021, 8, 30, 5, 45, tzinfo=UTC), "carbs", None, 40),
        (datetime(2021, 8, 30, 5, 46, tzinfo=UTC), "bolus", 5, None),
    ]


def test_real_spanish_libreview_export_of_one_day(signed_in, patient):
    """A real export (GlucoPy's data/prueba_2.csv, a day of it): history, scans, strips,
    rapid- and long-acting insulin, carbohydrates, and rows without numbers; every date
    reads both ways, and the title row's "Generado el" date (the 19th) tells day first."""
    set_zone(patient, "America/Santiago")
    path = DATA / "libreview_es_glucopy.csv"

    response = upload(signed_in, path.name)

    # Independent parse: type 0 history (column 5), 1 scan (6), 2 strip (15); type 4 rapid
    # (8) or long-acting (13) insulin, type 5 carbohydrates in grams (10).
    rows = rows_after(path, "Dispositivo", ",")
    tz = ZoneInfo("America/Santiago")

    def instant(row):
        wall = datetime.strptime(row[2], "%d-%m-%Y %H:%M")  # noqa: DTZ007 (zoned next)
        return wall.replace(tzinfo=tz).astimezone(UTC)

    kinds = {"0": (Kind.CGM, 4), "1": (Kind.SCAN, 5), "2": (Kind.FINGERSTICK, 14)}
    expected = sorted(
        (instant(row), int(row[kinds[row[3]][1]]), kinds[row[3]][0])
        for row in rows
        if row[3] in kinds
    )
    treatments = sorted(
        [(instant(r), "bolus", float(r[7]), None) for r in rows if r[3] == "4" and r[7]]
        + [(instant(r), "basal", float(r[12]), None) for r in rows if r[3] == "4" and r[12]]
        + [(instant(r), "carbs", None, float(r[9])) for r in rows if r[3] == "5" and r[9]]
    )
    without_numbers = [r for r in rows if r[3] in "456" and not (r[7] or r[9] or r[12])]
    assert (len(expected), len(treatments), len(without_numbers)) == (142, 5, 3)

    assert counts(response) == {
        "imported": 142,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": len(without_numbers),
    }
    assert sorted((at, value, kind) for at, value, kind, *_ in stored(patient)) == expected
    assert stored_treatments(patient) == treatments
    assert not Treatment.objects.exclude(notes="").exists()  # the export's "0" is no note
    assert response.context["summary"].date_order == "day_first"
    assert "the date the file was made, line 1" in response.content.decode()


# --- Clarity in German: semicolons, decimal commas, EGW, Niedrig/Hoch -----------------------


def test_german_clarity_export_with_decimal_commas(signed_in, patient):
    set_zone(patient, "Europe/Berlin", unit="mmol/L")
    path = DATA / "dexcom_de_mmoll.csv"

    response = upload(signed_in, path.name, markers=True)

    rows = rows_after(path, "Index", ";")
    tz = ZoneInfo("Europe/Berlin")

    def when(row):
        return datetime.fromisoformat(row[1]).replace(tzinfo=tz).astimezone(UTC)

    sensor = [row for row in rows if row[2] == "EGW"]
    markers = {"Niedrig": 40, "Hoch": 400}  # Dexcom's range
    expected = {
        (when(row), markers.get(row[7]) or mgdl(row[7], "mmol/L"), Kind.CGM) for row in sensor
    }
    expected |= {(when(row), mgdl(row[7], "mmol/L"), Kind.FINGERSTICK)
                 for row in rows if row[2] == "Kalibrierung"}  # fmt: skip
    assert len(sensor) == 288
    # Whole and fractional values alike: the bug stored only the whole numbers.
    assert sum("," in row[7] for row in sensor) == 286

    assert counts(response) == {
        "imported": 289,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": 1,  # the alert
    }
    assert {(at, value, kind) for at, value, kind, _n, _s in stored(patient)} == expected
    low = Reading.objects.get(patient=patient.record, value_mgdl=40)
    assert "Niedrig" in low.notes and "below the Dexcom sensor's range" in low.notes
    assert (
        Reading.objects.filter(patient=patient.record, kind=Kind.CGM, cadence_min=5).count() == 288
    )
    assert stored_treatments(patient) == [
        (datetime(2024, 2, 10, 6, 35, tzinfo=UTC), "carbs", None, 45),
        (datetime(2024, 2, 10, 6, 36, tzinfo=UTC), "bolus", 4.5, None),
        (datetime(2024, 2, 10, 21, 0, tzinfo=UTC), "basal", 18, None),
    ]


def test_german_clarity_with_commas_and_ereignisart_egv():
    """The other German shape seen in public code: comma-separated, quoted decimal commas,
    "Ereignisart" and the English EGV, saved as Windows-1252."""
    from integrations.files.importers import parse_file

    text = (
        "Index,Zeitstempel (JJJJ-MM-TTThh:mm:ss),Ereignisart,Ereignisuntertyp,Patienteninfo,"
        "Geräteinfo,Quellgeräte-ID,Glukosewert (mmol/l),Insulinwert (IE)\r\n"
        '1,2024-02-10T08:00:00,EGV,,,,iOS,"5,8",\r\n'
        '2,2024-02-10T08:05:00,EGV,,,,iOS,"12,0",\r\n'
    )
    parsed = parse_file(text.encode("cp1252"), tz=ZoneInfo("Europe/Berlin"))
    assert [(r.value_mgdl, r.kind) for r in parsed.readings] == [(104, "cgm"), (216, "cgm")]


# --- Clarity across the autumn clock change -------------------------------------------------


def dst_expectation(path: Path) -> list[tuple]:
    """Each reading's instant from its Transmitter Time: the first reading (23:02:41 EDT,
    unambiguous) plus the seconds the transmitter counted since."""
    rows = [row for row in rows_after(path, "Index", ",") if row[2] == "EGV"]
    tz = ZoneInfo("America/New_York")
    first = datetime.fromisoformat(rows[0][1]).replace(tzinfo=tz).astimezone(UTC)
    count = int(rows[0][12])
    expected = []
    for row in rows:
        instant = first + timedelta(seconds=int(row[12]) - count)
        # The file's wall clock agrees with the instant (in one of the two occurrences).
        assert instant.astimezone(tz).replace(tzinfo=None) == datetime.fromisoformat(row[1])
        expected.append((instant, int(row[7]), Kind.CGM, "", Source.IMPORT))
    return expected


def test_clarity_file_across_the_autumn_clock_change_by_transmitter_time(signed_in, patient):
    set_zone(patient, "America/New_York")
    path = DATA / "dexcom_dst_newyork.csv"
    expected = dst_expectation(path)

    response = upload(signed_in, path.name)

    assert counts(response)["imported"] == len(expected) == 61
    assert stored(patient) == expected
    # No two readings at one instant, no empty hour: one every five minutes throughout.
    instants = [at for at, *_ in stored(patient)]
    assert all(b - a == timedelta(minutes=5) for a, b in zip(instants, instants[1:], strict=False))
    page = response.content.decode()
    assert "24 rows had a time that occurred twice" in page
    assert (
        "5 November 2023: 12 in the first occurrence "
        "(before the clocks went back), from the Dexcom transmitter" in page
    )
    assert (
        "5 November 2023: 12 in the second occurrence "
        "(after the clocks went back), from the Dexcom transmitter" in page
    )


def test_clarity_file_across_the_clock_change_without_transmitter_time(signed_in, patient):
    set_zone(patient, "America/New_York")
    path = DATA / "dexcom_dst_newyork.csv"
    expected = dst_expectation(path)
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    for row in rows[1:]:
        row[12] = row[13] = ""  # an export without the transmitter columns filled
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)

    response = upload(signed_in, buffer.getvalue().encode(), file_name="clarity.csv")

    assert stored(patient) == expected
    assert (
        "12 in the second occurrence (after the clocks went back), from the order of the rows"
        in response.content.decode()
    )


def test_short_us_libreview_export_is_month_first_by_its_am_pm_times(signed_in, patient):
    # Every date reads both ways (no day after the 12th), but AM/PM only occurs in the US
    # export, whose dates are month first: no need to ask.
    set_zone(patient, "America/Chicago")
    header = (DATA / "libreview_us_mgdl.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    data = "\r\n".join(
        [*header, "FreeStyle LibreLink,REDACTED,03-04-2024 09:15 PM,0,142,,,,,,,,,,,,,,"]
    )

    response = upload(signed_in, data.encode())

    assert response.context["summary"].date_order == "month_first"
    assert stored(patient)[0][:2] == (datetime(2024, 3, 5, 3, 15, tzinfo=UTC), 142)
    assert "AM/PM times, which only the US export writes" in response.content.decode()
