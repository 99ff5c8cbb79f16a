"""Real mySugr exports through /readings/import/: a Danish one (mmol/L with decimal commas,
dates day first, Danish column names and tags) and an English one (mg/dL, "Aug 7, 2017",
AM/PM times).

Every expectation is computed here from the fixture by an independent parse (the csv
module, Decimal and zoneinfo), never by the importer's code. The columns are read by
their place, which both files share. The fixtures and where they come from: data/README.md.
"""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from integrations.files.tests.test_import import (
    counts,
    set_zone,
    stored,
    stored_treatments,
    upload,
)
from integrations.files.tests.test_import_locales import DATA, mgdl
from readings.models import Context, Kind, Reading, Source

pytestmark = pytest.mark.django_db

DATE, TIME, TAGS, GLUCOSE, PEN, BASAL, PUMP, MEAL_INSULIN, CORRECTION = range(9)
CARBS, MEAL, NOTE = 11, 12, 17
WHEN = {
    "Før måltidet": Context.BEFORE_MEAL,
    "Before the meal": Context.BEFORE_MEAL,
    "Efter måltidet": Context.AFTER_MEAL,
    "After the meal": Context.AFTER_MEAL,
    "Fastende": Context.FASTING,
}


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient)
    return client


def data_rows(name: str) -> list[list[str]]:
    text = (DATA / name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))[1:]


def number(text: str) -> float:
    return float(Decimal(text.replace(",", ".")))


def expectation(name, *, unit, date_format, time_format, zone):
    """(readings, treatments, contexts) as stored, oldest first."""
    tz = ZoneInfo(zone)
    readings, treatments, contexts = [], [], []
    for row in data_rows(name):
        wall = datetime.strptime(f"{row[DATE]} {row[TIME]}", f"{date_format} {time_format}")  # noqa: DTZ007
        at = wall.replace(tzinfo=tz).astimezone(UTC)
        notes = " ".join(filter(None, (row[MEAL].strip(), row[NOTE].strip())))
        if row[GLUCOSE]:
            readings.append((at, mgdl(row[GLUCOSE], unit), Kind.FINGERSTICK, notes, Source.IMPORT))
            # The first of the row's tags that says when it was taken.
            context = next(
                (WHEN[tag] for tag in row[TAGS].split(",") if tag in WHEN), Context.UNSPECIFIED
            )
            contexts.append((at, context))
        bolus = row[PEN] or row[PUMP]
        parts = [number(cell) for cell in (row[MEAL_INSULIN], row[CORRECTION]) if cell]
        units = number(bolus) if bolus else sum(parts)
        if units:
            treatments.append((at, "bolus", units, None))
        if row[BASAL]:
            treatments.append((at, "basal", number(row[BASAL]), None))
        if row[CARBS]:
            treatments.append((at, "carbs", None, number(row[CARBS])))
    return sorted(readings), sorted(treatments), sorted(contexts)


def stored_contexts(user):
    return sorted(Reading.objects.filter(patient=user.record).values_list("taken_at", "context"))


def test_a_real_danish_mysugr_export_with_decimal_commas(signed_in, patient):
    set_zone(patient, "Europe/Copenhagen", unit="mmol/L")
    name = "mysugr_da_mmoll.csv"
    readings, treatments, contexts = expectation(
        name, unit="mmol/L", date_format="%d-%m-%Y", time_format="%H:%M:%S",
        zone="Europe/Copenhagen",
    )  # fmt: skip
    rows = data_rows(name)
    assert len(rows) == 45 and len(readings) == 45
    assert sum("," in row[GLUCOSE] for row in rows) == 41  # the decimals, not just whole ones

    response = upload(signed_in, name)

    assert counts(response) == {
        "imported": 45,
        "duplicates": 0,
        "rejected": 0,
        "skipped": 0,
        "ignored": 0,
    }
    assert stored(patient) == readings
    assert sorted(stored_treatments(patient)) == treatments
    assert len(treatments) == 46
    assert stored_contexts(patient) == contexts
    assert {context for _at, context in contexts} == {
        Context.BEFORE_MEAL, Context.AFTER_MEAL, Context.UNSPECIFIED,
    }  # fmt: skip


def test_a_real_english_mysugr_export(signed_in, patient):
    set_zone(patient, "America/New_York")
    name = "mysugr_en_mgdl.csv"
    readings, treatments, contexts = expectation(
        name, unit="mg/dL", date_format="%b %d, %Y", time_format="%I:%M:%S %p",
        zone="America/New_York",
    )  # fmt: skip
    rows = data_rows(name)

    response = upload(signed_in, name)

    assert counts(response)["imported"] == len(readings) == 29
    assert counts(response)["rejected"] == 0
    # Rows with neither a blood sugar nor insulin or carbs: none in this excerpt.
    assert counts(response)["ignored"] == 0 == len(rows) - len(
        {row[DATE] + row[TIME] for row in rows
         if row[GLUCOSE] or row[PEN] or row[MEAL_INSULIN] or row[CORRECTION] or row[CARBS]}
    )  # fmt: skip
    assert stored(patient) == readings
    assert sorted(stored_treatments(patient)) == treatments
    assert stored_contexts(patient) == contexts
    # "After the meal" as the app writes it (the first row) is a context, not lost.
    assert (readings[-1][0], Context.AFTER_MEAL) in contexts
