"""/readings/import/: fixture files in each format, checked value by value and time by time.

The fixtures in readings/tests/data/ were written from the documented headers of each
export (Dexcom Clarity, LibreView US and EU, BGT's own) with preamble rows, both units,
Low/High markers, local times that repeat or do not exist at a DST change, malformed rows
and a duplicate row. Line numbers below are the files' physical lines, counting from 1.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integrations.files.importers import MAX_UPLOAD_BYTES
from readings.models import Kind, Reading, Source
from readings.tests.factories import ReadingFactory
from treatments.models import Treatment

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
IMPORT_URL = "/readings/import/"
LOW_NOTE = "Imported “{}”: below the sensor's range, stored at 20 mg/dL (1.1 mmol/L)."
HIGH_NOTE = "Imported “{}”: above the sensor's range, stored at 600 mg/dL (33.3 mmol/L)."
DEXCOM_LOW = "Imported “{}”: below the Dexcom sensor's range, stored at 40 mg/dL (2.2 mmol/L)."
DEXCOM_HIGH = "Imported “{}”: above the Dexcom sensor's range, stored at 400 mg/dL (22.2 mmol/L)."


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def upload(client, name_or_bytes, *, file_name="readings.csv", markers=False, date_order="auto"):
    data = (DATA / name_or_bytes).read_bytes() if isinstance(name_or_bytes, str) else name_or_bytes
    if isinstance(name_or_bytes, str):
        file_name = name_or_bytes
    form = {
        "file": SimpleUploadedFile(file_name, data, content_type="text/csv"),
        "date_order": date_order,
    }
    if markers:
        form["store_out_of_range"] = "on"
    return client.post(IMPORT_URL, form)


def stored(user):
    """The user's readings as comparable tuples, oldest first."""
    return list(
        Reading.objects.filter(patient=user.record)
        .order_by("taken_at", "kind", "value_mgdl")
        .values_list("taken_at", "value_mgdl", "kind", "notes", "source")
    )


def stored_treatments(user):
    return list(
        Treatment.objects.filter(patient=user.record)
        .order_by("taken_at")
        .values_list("taken_at", "type", "insulin_units", "carbs_g")
    )


def counts(response):
    context = response.context
    return {
        "imported": context["imported"],
        "duplicates": context["duplicates"],
        "rejected": context["rejected_count"],
        "skipped": context["skipped_count"],
        "ignored": context["summary"].ignored,
    }


def rejected_lines(response):
    return [problem.line for problem in response.context["rejected"]]


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient)
    return client


def set_zone(user, zone, unit="mg/dL"):
    """The login's unit, and its own record's time zone."""
    user.unit = unit
    user.save()
    user.record.timezone = zone
    user.record.save()


# --- Dexcom Clarity -------------------------------------------------------------------------


def test_dexcom_mgdl_export_with_markers_stored_at_the_meter_limits(signed_in, patient):
    set_zone(patient, "America/New_York")

    response = upload(signed_in, "dexcom_mgdl.csv", markers=True)

    assert response.status_code == 200
    assert response.templates[0].name == "integrations/import_result.html"
    assert counts(response) == {
        "imported": 7,
        "duplicates": 0,  # line 18 repeats line 9: one reading, stored once
        "rejected": 4,
        "skipped": 0,
        "ignored": 0,  # the six preamble rows are not counted
    }
    # The insulin and carbs events are treatments (22:25 and 22:30 EDT).
    assert stored_treatments(patient) == [
        (utc(2023, 11, 5, 2, 25), "bolus", 4.5, None),
        (utc(2023, 11, 5, 2, 30), "carbs", None, 45),
    ]
    # New York is UTC-4 until 2 a.m. on 5 November 2023, UTC-5 after.
    assert stored(patient) == [
        (utc(2023, 11, 5, 2, 0), 142, Kind.CGM, "", Source.IMPORT),
        (utc(2023, 11, 5, 2, 5), 145, Kind.CGM, "", Source.IMPORT),
        # Clarity's Low and High: the sensor's limits, 40 and 400, with the marker noted.
        (utc(2023, 11, 5, 2, 10), 40, Kind.CGM, DEXCOM_LOW.format("Low"), Source.IMPORT),
        (utc(2023, 11, 5, 2, 15), 400, Kind.CGM, DEXCOM_HIGH.format("High"), Source.IMPORT),
        (utc(2023, 11, 5, 2, 20), 118, Kind.FINGERSTICK, "", Source.IMPORT),  # Calibration
        # 01:30 happened twice that night: the transmitter count (3 h 15 min after the
        # 22:00 reading's) points at the first occurrence (EDT).
        (utc(2023, 11, 5, 5, 30), 101, Kind.CGM, "", Source.IMPORT),
        (utc(2023, 11, 5, 11, 5), 87, Kind.CGM, "", Source.IMPORT),  # "2023-11-05 6:05:00"
    ]
    assert response.context["summary"].ambiguous_times == 1
    reasons = {p.line: p.reason for p in response.context["rejected"]}
    assert reasons == {
        16: "Timestamp “2023-11-05T25:00:00” is not a valid date and time.",
        17: "Glucose value “n/a”: Enter a number.",
        19: "02:30 did not exist on 2024-03-10 in America/New_York (the clocks moved forward).",
        20: "Glucose value “700”: Enter a value between 20 and 600 mg/dL.",
    }
    page = response.content.decode()
    assert "Imported 7 readings." in page
    assert "did not exist on 2024-03-10" in page
    assert (
        "5 November 2023: 1 in the first occurrence "
        "(before the clocks went back), from the Dexcom transmitter" in page
    )


def test_dexcom_mmoll_export_skips_markers_unless_asked(signed_in, patient):
    set_zone(patient, "Europe/London", unit="mmol/L")

    response = upload(signed_in, "dexcom_mmoll.csv")

    assert counts(response) == {
        "imported": 3,
        "duplicates": 0,  # a row repeated in the file is stored once
        "rejected": 2,
        "skipped": 2,
        "ignored": 0,
    }
    # London: BST (UTC+1) until 2 a.m. on 29 October 2023, then GMT; 01:30 is the first one.
    assert stored(patient) == [
        (utc(2023, 10, 28, 23, 50), 99, Kind.CGM, "", Source.IMPORT),  # 5.5 mmol/L
        (utc(2023, 10, 29, 0, 30), 180, Kind.CGM, "", Source.IMPORT),  # 10.0 mmol/L
        (utc(2023, 10, 29, 2, 25), 110, Kind.FINGERSTICK, "", Source.IMPORT),  # 6.1 mmol/L
    ]
    assert [(p.line, p.reason) for p in response.context["skipped"]] == [
        (8, "“Low”: below the sensor's range"),
        (9, "“High”: above the sensor's range"),
    ]
    assert rejected_lines(response) == [10, 13]
    assert response.context["rejected"][0].reason == (
        "Glucose value “33.4”: Enter a value between 1.1 and 33.3 mmol/L."
    )
    assert "import the file again with that option ticked" in response.content.decode()


# --- LibreView ------------------------------------------------------------------------------


def test_libreview_us_export_month_first_with_am_pm(signed_in, patient):
    set_zone(patient, "America/New_York")

    response = upload(signed_in, "libreview_us_mgdl.csv", markers=True)

    assert response.context["summary"].date_order == "month_first"
    assert counts(response) == {
        "imported": 8,
        "duplicates": 0,  # a row repeated in the file is stored once
        "rejected": 2,
        "skipped": 0,
        "ignored": 1,  # record type 6 (a note); 4 (insulin) and 5 (food) are treatments
    }
    assert stored_treatments(patient) == [
        (utc(2023, 11, 5, 2, 30), "bolus", 4, None),
        (utc(2023, 11, 5, 2, 31), "carbs", None, 30),
    ]
    assert stored(patient) == [
        (utc(2023, 11, 5, 2, 0), 142, Kind.CGM, "", Source.IMPORT),
        (utc(2023, 11, 5, 2, 15), 151, Kind.CGM, "", Source.IMPORT),
        (utc(2023, 11, 5, 2, 20), 155, Kind.SCAN, "after dinner, walk", Source.IMPORT),
        (utc(2023, 11, 5, 4, 15), 87, Kind.CGM, "", Source.IMPORT),  # 12:15 AM
        (utc(2023, 11, 5, 5, 30), 98, Kind.CGM, "", Source.IMPORT),  # 01:30 AM, first one
        (utc(2023, 11, 5, 12, 0), 20, Kind.FINGERSTICK, LOW_NOTE.format("LO"), Source.IMPORT),
        (utc(2023, 11, 5, 17, 0), 104, Kind.FINGERSTICK, "", Source.IMPORT),  # 12:00 PM strip
        (utc(2023, 11, 13, 13, 0), 131, Kind.CGM, "", Source.IMPORT),
    ]
    reasons = {p.line: p.reason for p in response.context["rejected"]}
    assert reasons == {
        14: "Device Timestamp “not a date” is not a date and time like 31-01-2024 08:30 or "
        "01-31-2024 08:30 AM.",
        16: "No glucose value in the Historic Glucose column.",
    }


def test_libreview_eu_export_in_mmoll_day_first(signed_in, patient):
    set_zone(patient, "Europe/Berlin", unit="mmol/L")

    response = upload(signed_in, "libreview_eu_mmoll.csv")

    assert response.context["summary"].date_order == "day_first"
    assert counts(response) == {
        "imported": 4,
        "duplicates": 0,  # a row repeated in the file is stored once
        "rejected": 3,
        "skipped": 1,
        "ignored": 1,  # a ketone record (type 3)
    }
    # Berlin: CEST (UTC+2) until 3 a.m. on 29 October 2023; 02:30 is read as CEST.
    assert stored(patient) == [
        (utc(2023, 10, 28, 21, 45), 101, Kind.CGM, "", Source.IMPORT),  # 5.6
        (utc(2023, 10, 29, 0, 30), 130, Kind.CGM, "", Source.IMPORT),  # 7.2
        (utc(2023, 10, 29, 2, 0), 151, Kind.SCAN, "", Source.IMPORT),  # 8.4
        (utc(2023, 10, 29, 7, 10), 79, Kind.FINGERSTICK, "", Source.IMPORT),  # 4.4, strip
    ]
    reasons = {p.line: p.reason for p in response.context["rejected"]}
    assert reasons == {
        8: "Record Type “x” is not a number.",
        11: "02:30 did not exist on 2023-03-26 in Europe/Berlin (the clocks moved forward).",
        12: "Historic Glucose “0.5”: Enter a value between 1.1 and 33.3 mmol/L.",
    }
    assert [p.line for p in response.context["skipped"]] == [9]


def test_a_libreview_file_whose_dates_read_both_ways_is_refused_until_the_order_is_chosen(
    signed_in, patient
):
    response = upload(signed_in, "libreview_ambiguous.csv")

    assert response.templates[0].name == "integrations/import_form.html"
    assert "read correctly both day first and month first" in response.content.decode()
    assert not Reading.objects.exists()

    response = upload(signed_in, "libreview_ambiguous.csv", date_order="day_first")
    assert counts(response)["imported"] == 3
    assert [t.date().isoformat() for t, *_ in stored(patient)] == [
        "2024-06-05",
        "2024-06-05",
        "2024-06-06",
    ]


def test_the_chosen_month_first_order_reads_the_same_file_the_other_way(signed_in, patient):
    upload(signed_in, "libreview_ambiguous.csv", date_order="month_first")

    assert [t.date().isoformat() for t, *_ in stored(patient)] == [
        "2024-05-06",
        "2024-05-06",
        "2024-06-06",
    ]


# --- BGT CSV --------------------------------------------------------------------------------


def test_bgt_csv_keeps_everything_an_export_carries(signed_in, patient):
    set_zone(patient, "Pacific/Auckland")

    response = upload(signed_in, "bgt_export.csv")

    assert counts(response) == {
        "imported": 8,
        "duplicates": 0,  # line 13 repeats line 3: stored once
        "rejected": 6,
        "skipped": 0,
        "ignored": 0,
    }
    rows = list(
        Reading.objects.filter(patient=patient.record)
        .order_by("taken_at")
        .values_list(
            "taken_at", "value_mgdl", "kind", "context", "notes", "source", "external_id",
            "direction",
        )
    )  # fmt: skip
    assert rows == [
        (utc(2024, 4, 5, 18, 45), 104, "fingerstick", "fasting", "", "web", None, ""),
        (
            utc(2024, 4, 5, 23, 30),
            162,
            "fingerstick",
            "after_meal",
            'Lunch: pasta, salad and "tiramisu"',
            "web",
            None,
            "",
        ),
        (
            utc(2024, 4, 6, 8, 0, 5),
            88,
            "cgm",
            "unspecified",
            "",
            "nightscout",
            "xdrip-1712390405000",
            "Flat",
        ),
        (
            utc(2024, 4, 6, 9, 0),
            75,
            "fingerstick",
            "bedtime",
            "Line one\r\nline two — café ☕",
            "api",
            "phone-42",
            "",
        ),
        # The export's apostrophe that guards spreadsheets is taken off again.
        (
            utc(2024, 4, 6, 10, 0),
            190,
            "fingerstick",
            "before_snack",
            '=HYPERLINK("x")',
            "import",
            None,
            "",
        ),  # fmt: skip
        # "2024-04-07 02:30" without offset, in Auckland: the first 02:30 (NZDT, UTC+13).
        (
            utc(2024, 4, 6, 13, 30),
            140,
            "fingerstick",
            "unspecified",
            "naive local time",
            "import",
            None,
            "",
        ),  # fmt: skip
        (utc(2024, 4, 7, 0, 0), 130, "fingerstick", "unspecified", "", "import", None, ""),
        (utc(2024, 4, 7, 9, 0), 110, "fingerstick", "fasting", "mmol only", "import", None, ""),
    ]
    reasons = {p.line: p.reason for p in response.context["rejected"]}
    assert reasons == {
        10: "value_mgdl 130 and value_mmoll “9.9” disagree (130 mg/dL is 7.2 mmol/L); keep "
        "only one of them.",
        11: "kind “finger” is not one of: fingerstick, cgm, scan.",
        12: "02:30 did not exist on 2023-09-24 in Pacific/Auckland (the clocks moved forward).",
        14: "taken_at “yesterday” is not an ISO 8601 date and time (like "
        "2024-03-01T08:30:00+01:00).",
        15: "This time is in the future; a reading can be at most 10 minutes ahead of now.",
        17: "value_mgdl “650”: Enter a value between 20 and 600 mg/dL.",
    }


@pytest.mark.parametrize(
    ("fixture", "zone", "markers"),
    [
        ("dexcom_mgdl.csv", "America/New_York", True),
        ("dexcom_mmoll.csv", "Europe/London", False),
        ("libreview_us_mgdl.csv", "America/New_York", True),
        ("libreview_eu_mmoll.csv", "Europe/Berlin", False),
        ("bgt_export.csv", "Pacific/Auckland", False),
    ],
)
def test_importing_the_same_file_again_adds_nothing(signed_in, patient, fixture, zone, markers):
    set_zone(patient, zone)
    first = upload(signed_in, fixture, markers=markers)
    before = stored(patient)

    again = upload(signed_in, fixture, markers=markers)

    assert stored(patient) == before
    assert counts(again)["imported"] == 0
    assert counts(again)["duplicates"] == counts(first)["imported"] + counts(first)["duplicates"]
    assert "No new readings" in again.content.decode()


def test_readings_already_entered_by_hand_are_not_doubled(signed_in, patient):
    set_zone(patient, "America/New_York")
    ReadingFactory(
        patient=patient.record, value_mgdl=142, kind=Kind.CGM, taken_at=utc(2023, 11, 5, 2)
    )

    response = upload(signed_in, "dexcom_mgdl.csv")

    assert counts(response)["duplicates"] == 1  # the file's own repeated row is collapsed
    assert Reading.objects.filter(patient=patient.record, value_mgdl=142).count() == 1


# --- Refused files: nothing imported --------------------------------------------------------


def refused(response, message):
    assert response.status_code == 200
    assert response.templates[0].name == "integrations/import_form.html"
    errors = response.context["form"].errors["file"]
    assert any(message in error for error in errors), errors
    assert not Reading.objects.exists()


def test_unknown_format_is_refused(signed_in):
    response = upload(signed_in, b"date,glucose\n2024-01-01 08:00,120\n")
    # The message names every format BGT reads and where each is exported.
    refused(response, "BGT does not recognise this file.")
    message = response.context["form"].errors["file"][0]
    for where in ("Dexcom Clarity", "clarity.dexcom.com", "LibreView", "libreview.com",
                  "BGT's own CSV"):  # fmt: skip
        assert where in message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"x" * 50,  # an .xlsx workbook
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    ],
    ids=["png", "xlsx", "pdf"],
)
def test_a_file_that_is_not_csv_is_refused(signed_in, data):
    refused(upload(signed_in, data, file_name="readings.csv"), "This is not a CSV file.")


def test_an_empty_file_is_refused(signed_in):
    refused(upload(signed_in, b""), "The file is empty.")
    refused(upload(signed_in, b"\n\n  \n"), "The file is empty.")


def test_a_file_over_10_mb_is_refused(signed_in):
    header = b"taken_at,value_mgdl\n"
    row = b"2024-01-01T08:00:00+00:00,120\n"
    data = header + row * ((MAX_UPLOAD_BYTES - len(header)) // len(row) + 1)
    assert len(data) > MAX_UPLOAD_BYTES

    refused(upload(signed_in, data), "files up to 10 MB can be imported")


def test_a_file_with_no_valid_rows_is_refused_and_says_why(signed_in):
    data = b"taken_at,value_mgdl\r\n2024-01-01T08:00:00+00:00,abc\r\nnot a time,120\r\n"

    response = upload(signed_in, data)

    refused(response, "Nothing was imported: this BGT CSV file has no valid readings.")
    assert rejected_lines(response) == [2, 3]
    assert "Rejected rows (2)" in response.content.decode()


def test_a_dexcom_file_of_only_markers_is_refused_pointing_at_the_option(signed_in):
    header = (DATA / "dexcom_mgdl.csv").read_text().splitlines()[0]
    data = f"{header}\n1,2023-11-04T22:10:00,EGV,,,,G6,Low,,,,,1,X\n".encode()

    response = upload(signed_in, data)

    refused(response, "tick the option")
    upload(signed_in, data, markers=True)
    assert Reading.objects.get().value_mgdl == 40  # Clarity's Low: the sensor's lower limit


def test_no_file_chosen(signed_in):
    response = signed_in.post(IMPORT_URL, {"date_order": "auto"})
    assert response.context["form"].errors["file"] == ["Choose a CSV file to import."]


def test_only_the_file_is_needed(signed_in, patient):
    set_zone(patient, "America/New_York")
    data = (DATA / "dexcom_mgdl.csv").read_bytes()
    response = signed_in.post(IMPORT_URL, {"file": SimpleUploadedFile("clarity.csv", data)})
    assert counts(response)["imported"] == 5


# --- Who may import -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(IMPORT_URL), upload(client, "dexcom_mgdl.csv")):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert not Reading.objects.exists()


def test_physicians_get_403(client, physician):
    client.force_login(physician)
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, "dexcom_mgdl.csv").status_code == 403
    assert not Reading.objects.exists()


def test_imports_go_to_the_signed_in_patient_only(signed_in, patient, other_patient):
    set_zone(patient, "America/New_York")
    upload(signed_in, "dexcom_mgdl.csv")
    assert Reading.objects.filter(patient=patient.record).count() == 5
    assert not Reading.objects.filter(patient=other_patient.record).exists()


def test_the_form_page_and_the_readings_table_link(signed_in):
    page = signed_in.get(IMPORT_URL)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    table = signed_in.get(reverse("readings:list")).content.decode()
    assert f'href="{IMPORT_URL}"' in table
    assert 'href="/readings/export.csv"' in table


# --- Kinds and cadences (DESIGN.md 4.1) -----------------------------------------------------


def cadences(user):
    return list(
        Reading.objects.filter(patient=user.record)
        .order_by("taken_at", "kind")
        .values_list("kind", "cadence_min")
    )


def test_libreview_history_is_15_minute_cgm_and_scans_are_scans(signed_in, patient):
    set_zone(patient, "America/New_York")
    upload(signed_in, "libreview_us_mgdl.csv", markers=True)
    assert cadences(patient) == [
        (Kind.CGM, 15),
        (Kind.CGM, 15),
        (Kind.SCAN, None),  # on demand: no cadence, never in CGM figures
        (Kind.CGM, 15),
        (Kind.CGM, 15),
        (Kind.FINGERSTICK, None),
        (Kind.FINGERSTICK, None),
        (Kind.CGM, 15),
    ]


def test_dexcom_egvs_are_5_minute_cgm(signed_in, patient):
    set_zone(patient, "America/New_York")
    upload(signed_in, "dexcom_mgdl.csv", markers=True)
    found = cadences(patient)
    assert {c for k, c in found if k == Kind.CGM} == {5}
    assert {c for k, c in found if k == Kind.FINGERSTICK} == {None}


# --- Limits and interrupted imports ---------------------------------------------------------


def test_imports_per_hour_are_limited(signed_in, patient, monkeypatch):
    from integrations.files import views

    monkeypatch.setattr(views, "IMPORTS_PER_HOUR", 2)
    set_zone(patient, "America/New_York")
    for _ in range(2):
        assert upload(signed_in, "dexcom_mgdl.csv").status_code == 200
    Reading.objects.all().delete()

    response = upload(signed_in, "dexcom_mgdl.csv")

    assert response.status_code == 429
    assert "You have started 2 imports in the past hour" in response.content.decode()
    assert not Reading.objects.exists()


def test_a_second_import_into_a_record_waits_for_the_first(signed_in, patient):
    from django.core.cache import cache

    cache.add(f"import-running:{patient.record.pk}", 1, 60)  # an import still running
    try:
        response = upload(signed_in, "dexcom_mgdl.csv")
    finally:
        cache.delete(f"import-running:{patient.record.pk}")

    assert response.status_code == 429
    assert "Another import into this record is still running" in response.content.decode()
    assert not Reading.objects.exists()
    assert upload(signed_in, "dexcom_mgdl.csv").status_code == 200  # and then it may
