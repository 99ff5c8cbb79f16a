"""xDrip+, Nightscout entries, mySugr and Medtronic CareLink files through /readings/import/.

Each expectation comes from an independent parse of the fixture here (json, csv, zipfile,
zoneinfo), not from the importer's code. Fixture origins: data/README.md.
"""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from integrations.files.tests.test_import import counts, set_zone, upload
from integrations.files.tests.test_import import stored_treatments as treatments_by_time
from readings.models import Kind, Reading

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient)
    return client


def stored(user):
    return list(
        Reading.objects.filter(patient=user.record)
        .order_by("taken_at", "kind")
        .values_list("taken_at", "value_mgdl", "kind")
    )


def stored_treatments(user):
    """Time, then type: a bolus and its carbohydrates often share a minute."""
    return sorted(treatments_by_time(user), key=lambda t: (t[0], t[1]))


def wall(text: str, fmt: str, zone: str) -> datetime:
    return datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


# --- xDrip+ ---------------------------------------------------------------------------------


def test_xdrip_zipped_export(signed_in, patient):
    set_zone(patient, "Europe/Berlin")
    archive = zipfile.ZipFile(DATA / "xdrip_export.zip")
    (name,) = archive.namelist()
    rows = list(csv.reader(io.StringIO(archive.read(name).decode()), delimiter=";"))[1:]
    expected = sorted(
        (wall(f"{r[0]} {r[1]}", "%d.%m.%Y %H:%M", "Europe/Berlin"), int(r[2] or r[3]),
         Kind.CGM if r[2] else Kind.FINGERSTICK)
        for r in rows if r[2] or r[3]
    )  # fmt: skip

    response = upload(signed_in, "xdrip_export.zip")

    assert response.context["summary"].format_label == "xDrip+"
    assert counts(response) == {
        "imported": len(expected) == 9 and 9,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": 1,  # a note on its own
    }
    assert stored(patient) == expected
    cgm = Reading.objects.filter(patient=patient.record, kind=Kind.CGM)
    assert set(cgm.values_list("cadence_min", flat=True)) == {5}  # the median interval
    at = wall("14.05.2024 19:45", "%d.%m.%Y %H:%M", "Europe/Berlin")
    assert stored_treatments(patient) == [(at, "bolus", 4.5, None), (at, "carbs", None, 45)]
    assert set(patient.record.treatments.values_list("notes", flat=True)) == {"Pasta\nSalat"}


# --- Nightscout entries ---------------------------------------------------------------------


def test_nightscout_entries_json(signed_in, patient):
    set_zone(patient, "Europe/Berlin")
    entries = json.loads((DATA / "nightscout_entries.json").read_text())
    expected = sorted(
        (datetime.fromtimestamp(e["date"] // 1000, tz=UTC), e["sgv"], Kind.CGM) for e in entries
    )

    response = upload(signed_in, "nightscout_entries.json")
    again = upload(signed_in, "nightscout_entries.json")

    assert counts(response)["imported"] == len(expected) == 13
    assert stored(patient) == expected
    readings = Reading.objects.filter(patient=patient.record)
    assert readings.get(value_mgdl=111).direction == "FortyFiveUp"
    assert readings.filter(external_id="6559a8ec7cd3a1e078474d5d").count() == 1
    assert counts(again)["imported"] == 0 and counts(again)["duplicates"] == 13


def test_nightscout_api_v3_csv(signed_in, patient):
    set_zone(patient, "UTC")
    rows = list(csv.DictReader(io.StringIO((DATA / "nightscout_entries_v3.csv").read_text())))
    expected = [
        (datetime.fromisoformat(r["dateString"]).astimezone(UTC), int(r["sgv"]), Kind.CGM)
        for r in rows
    ]

    response = upload(signed_in, "nightscout_entries_v3.csv")

    assert counts(response)["imported"] == 2
    assert stored(patient) == expected
    assert set(Reading.objects.values_list("external_id", flat=True)) == {
        r["identifier"] for r in rows
    }


def test_a_json_file_that_is_not_entries_is_refused(signed_in):
    response = upload(signed_in, b'{"status": 200, "result": {"version": "14.1.0"}}')
    assert "not a list of Nightscout entries" in response.content.decode()
    assert not Reading.objects.exists()


# --- mySugr ---------------------------------------------------------------------------------


def test_mysugr_export_with_insulin_and_carbs(signed_in, patient):
    set_zone(patient, "America/New_York")
    rows = list(csv.DictReader(io.StringIO((DATA / "mysugr_export.csv").read_text())))

    def when(row):
        return wall(f"{row['Date']} {row['Time']}", "%b %d, %Y %I:%M:%S %p", "America/New_York")

    expected = [
        (when(r), int(r["Blood Sugar Measurement (mg/dL)"]), Kind.FINGERSTICK)
        for r in rows
        if r["Blood Sugar Measurement (mg/dL)"]
    ]

    response = upload(signed_in, "mysugr_export.csv")

    assert counts(response) == {
        "imported": 3,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": 1,  # an activity
    }
    assert stored(patient) == expected
    assert list(
        Reading.objects.filter(patient=patient.record)
        .order_by("taken_at")
        .values_list("context", flat=True)
    ) == ["fasting", "before_meal", "unspecified"]
    lunch, basal, evening = when(rows[1]), when(rows[2]), when(rows[4])
    assert stored_treatments(patient) == [
        (lunch, "bolus", 5, None),  # the pen's total, not meal + correction again
        (lunch, "carbs", None, 60),
        (basal, "basal", 18, None),
        (evening, "bolus", 3.5, None),  # meal 1.5 + correction 2, no pen total
    ]


def test_mysugr_rows_are_read_in_the_zone_their_timezone_column_names(signed_in, patient):
    """A person who travelled: each row's Timezone cell (an IANA name or an offset) says
    where its wall time was; an empty or unknown cell means the patient's zone."""
    set_zone(patient, "America/New_York")
    text = (DATA / "mysugr_export.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    zones = ["Europe/Vienna", "GMT+01:00", "", "UTC-05:30", "Atlantis/Nowhere"]
    for row, zone in zip(rows, zones, strict=True):
        row["Timezone"] = zone
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)

    response = upload(signed_in, out.getvalue().encode(), file_name="mysugr.csv")

    # Independent: zoneinfo for names, a fixed offset for offsets, New York otherwise.
    zone_of = {
        "Europe/Vienna": ZoneInfo("Europe/Vienna"),
        "GMT+01:00": timezone(timedelta(hours=1)),
        "UTC-05:30": timezone(-timedelta(hours=5, minutes=30)),
    }

    def when(row):
        naive = datetime.strptime(f"{row['Date']} {row['Time']}", "%b %d, %Y %I:%M:%S %p")  # noqa: DTZ007
        tz = zone_of.get(row["Timezone"], ZoneInfo("America/New_York"))
        return naive.replace(tzinfo=tz).astimezone(UTC)

    assert counts(response)["imported"] == 3
    assert [at for at, *_ in stored(patient)] == sorted(
        when(r) for r in rows if r["Blood Sugar Measurement (mg/dL)"]
    )
    assert [at for at, *_ in stored_treatments(patient)] == sorted(
        [when(rows[1]), when(rows[1]), when(rows[2]), when(rows[4])]
    )
    assert when(rows[0]) != wall(
        f"{rows[0]['Date']} {rows[0]['Time']}", "%b %d, %Y %I:%M:%S %p", "America/New_York"
    )


# --- Medtronic CareLink ---------------------------------------------------------------------


def test_carelink_export(signed_in, patient):
    set_zone(patient, "America/Denver")
    lines = (DATA / "carelink_export.csv").read_text().splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("Index,"))
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[header_at:]))))

    def when(row):
        return wall(f"{row['Date']} {row['Time']}", "%m/%d/%Y %H:%M:%S", "America/Denver")

    expected = sorted(
        [(when(r), int(r["BG Reading (mg/dL)"]), Kind.FINGERSTICK)
         for r in rows if r["BG Reading (mg/dL)"]]
        + [(when(r), int(r["Sensor Glucose (mg/dL)"]), Kind.CGM)
           for r in rows if r["Sensor Glucose (mg/dL)"]]
    )  # fmt: skip

    response = upload(signed_in, "carelink_export.csv")

    assert response.context["summary"].format_label == "Medtronic CareLink"
    assert counts(response) == {
        "imported": 5,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": 2,  # the calibration (a meter value already counted) and a control test
    }
    assert stored(patient) == expected
    meal = when(rows[6])
    assert stored_treatments(patient) == [(meal, "bolus", 5.6, None), (meal, "carbs", None, 50)]


def test_carelink_with_ambiguous_slashed_dates_asks_for_the_order(signed_in, patient):
    set_zone(patient, "America/Denver")
    lines = (DATA / "carelink_export.csv").read_text().replace("8/29/2009", "8/9/2009")
    lines = lines.replace("8/30/2009", "8/10/2009")

    response = upload(signed_in, lines.encode())

    assert "read correctly both day first and month first" in response.content.decode()
    response = upload(signed_in, lines.encode(), date_order="day_first")
    assert counts(response)["imported"] == 5
    first = Reading.objects.order_by("taken_at").first()
    assert first.taken_at == datetime(2009, 9, 8, 15, 27, tzinfo=UTC)  # 8 September, MDT


# --- Glooko ---------------------------------------------------------------------------------


def test_glooko_zip_of_csv_files(signed_in, patient):
    set_zone(patient, "America/Los_Angeles")
    archive = zipfile.ZipFile(DATA / "glooko_export.zip")

    def member(part):
        name = next(n for n in archive.namelist() if part in n)
        text = archive.read(name).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))  # after "Name:…"

    def when(row):
        return wall(row["Timestamp"], "%Y-%m-%d %H:%M", "America/Los_Angeles")

    expected = sorted(
        [(when(r), int(r["CGM Glucose Value (mg/dl)"]), Kind.CGM) for r in member("cgm_")]
        + [(when(r), int(r["Glucose Value (mg/dl)"]), Kind.FINGERSTICK) for r in member("bg_")]
    )
    bolus = member("bolus_")

    response = upload(signed_in, "glooko_export.zip")

    assert response.context["summary"].format_label == "Glooko"
    assert counts(response)["imported"] == len(expected) == 7
    assert stored(patient) == expected
    assert stored_treatments(patient) == [
        (when(bolus[0]), "bolus", 4.5, None),
        (when(bolus[0]), "carbs", None, 45),
        (when(bolus[1]), "bolus", 1, None),  # no carbs: "0" is not a meal
    ]
    assert set(Reading.objects.filter(kind=Kind.CGM).values_list("cadence_min", flat=True)) == {5}


# --- Tandem Source --------------------------------------------------------------------------


def test_tandem_export_with_its_sections(signed_in, patient):
    set_zone(patient, "America/Chicago")
    sections, current = [], None
    for row in csv.reader(io.StringIO((DATA / "tandem_export.csv").read_text())):
        if "EventDateTime" in row or "CompletionDateTime" in row:
            current = {"header": row, "rows": []}
            sections.append(current)
        elif row and current:
            current["rows"].append(dict(zip(current["header"], row, strict=True)))
    egv, meter, boluses = (s["rows"] for s in sections)

    def when(text):
        return (
            datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)
        )

    expected = sorted(
        [(when(r["EventDateTime"]), int(r["Readings (mg/dL)"]), Kind.CGM) for r in egv]
        + [(when(r["EventDateTime"]), int(r["BG (mg/dL)"]), Kind.FINGERSTICK) for r in meter]
    )

    response = upload(signed_in, "tandem_export.csv")

    assert response.context["summary"].format_label == "Tandem Source"
    assert counts(response) == {
        "imported": 7,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": 1,  # a bolus of 0 units (cancelled)
    }
    assert stored(patient) == expected
    assert Reading.objects.get(kind=Kind.FINGERSTICK).notes == meter[0]["Note"]
    assert stored_treatments(patient) == [
        (when(boluses[0]["CompletionDateTime"]), "bolus", 5.25, None)
    ]
