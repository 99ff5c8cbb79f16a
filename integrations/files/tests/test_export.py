"""/readings/export.csv: streamed BGT CSV, and export -> import reproducing the readings."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.units import mgdl_to_mmoll
from readings import services
from readings.models import Context, Kind, Reading, Source
from readings.tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "/readings/export.csv"
ROUND_TRIP_FIELDS = (
    "taken_at",
    "value_mgdl",
    "kind",
    "context",
    "notes",
    "source",
    "external_id",
    "direction",
)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def download(client, **params) -> tuple:
    response = client.get(EXPORT_URL, params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return response, body


def parsed_rows(body: str) -> list[dict]:
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:], newline="")))


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient)
    return client


def test_the_export_is_a_streamed_csv_attachment(signed_in, patient):
    ReadingFactory(patient=patient.record)

    response, body = download(signed_in)

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="bgt-readings.csv"'
    assert response["Cache-Control"] == "no-store"
    assert body.splitlines()[0] == (
        "\ufefftaken_at,value_mgdl,value_mmoll,kind,context,notes,source,external_id,trend"
    )


def test_rows_oldest_first_in_the_patients_zone_with_both_units(signed_in, patient):
    patient.unit = "mmol/L"
    patient.save()
    patient.record.timezone = "Pacific/Kiritimati"
    patient.record.save()
    ReadingFactory(
        patient=patient.record,
        taken_at=utc(2024, 7, 1, 20, 0),
        value_mgdl=181,
        kind=Kind.CGM,
        source=Source.NIGHTSCOUT,
        external_id="xdrip-1",
        direction="SingleUp",
    )
    ReadingFactory(
        patient=patient.record,
        taken_at=utc(2024, 7, 1, 8, 30, 15),
        value_mgdl=54,
        context=Context.BEFORE_MEAL,
        notes='Felt shaky, ate "2" tabs\nthen fine ☺',
    )

    _, body = download(signed_in)

    assert parsed_rows(body) == [
        {
            "taken_at": "2024-07-01T22:30:15+14:00",
            "value_mgdl": "54",
            "value_mmoll": "3.0",
            "kind": "fingerstick",
            "context": "before_meal",
            "notes": 'Felt shaky, ate "2" tabs\nthen fine ☺',
            "source": "web",
            "external_id": "",
            "trend": "",
        },
        {
            "taken_at": "2024-07-02T10:00:00+14:00",  # the next local day in Kiritimati
            "value_mgdl": "181",
            "value_mmoll": "10.0",
            "kind": "cgm",
            "context": "unspecified",
            "notes": "",
            "source": "nightscout",
            "external_id": "xdrip-1",
            "trend": "SingleUp",
        },
    ]


def test_offsets_follow_daylight_saving_time(signed_in, patient):
    patient.record.timezone = "Europe/Paris"
    patient.record.save()
    ReadingFactory(patient=patient.record, taken_at=utc(2024, 1, 15, 12))
    ReadingFactory(patient=patient.record, taken_at=utc(2024, 7, 15, 12))

    _, body = download(signed_in)

    assert [row["taken_at"] for row in parsed_rows(body)] == [
        "2024-01-15T13:00:00+01:00",
        "2024-07-15T14:00:00+02:00",
    ]


def test_cells_a_spreadsheet_would_run_are_neutralised(signed_in, patient):
    for i, note in enumerate(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "ok"]):
        ReadingFactory(patient=patient.record, taken_at=utc(2024, 1, 1, i), notes=note)

    _, body = download(signed_in)

    assert [row["notes"] for row in parsed_rows(body)] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "ok",
    ]


def test_a_formula_imported_in_the_trend_column_is_neutralised_in_the_export(signed_in, patient):
    # Issue 20 item 14: the trend cell came out of the export as it went in.
    imported = (
        "taken_at,value_mgdl,trend,source,external_id,notes\r\n"
        '2024-01-01T08:00:00+00:00,120,"=HYPERLINK(""x"")",nightscout,"@id","+note"\r\n'
        "2024-01-01T08:05:00+00:00,121,-1,web,,\r\n"
    )
    signed_in.post(
        "/readings/import/",
        {"file": SimpleUploadedFile("in.csv", imported.encode(), content_type="text/csv")},
    )
    assert Reading.objects.get(value_mgdl=120).direction == '=HYPERLINK("x")'

    _, body = download(signed_in)

    rows = parsed_rows(body)
    assert [row["trend"] for row in rows] == ['\'=HYPERLINK("x")', "'-1"]
    assert (rows[0]["external_id"], rows[0]["notes"]) == ("'@id", "'+note")
    # No cell of any column starts with a character a spreadsheet would run.
    assert all(not cell or cell[0] not in "=+-@\t\r" for row in rows for cell in row.values())


def test_the_table_filters_apply_with_local_days(signed_in, patient):
    patient.record.timezone = "Pacific/Pago_Pago"  # UTC-11
    patient.record.save()
    ReadingFactory(
        patient=patient.record, taken_at=utc(2024, 3, 1, 10, 59), context=Context.FASTING
    )
    ReadingFactory(patient=patient.record, taken_at=utc(2024, 3, 1, 11, 0), context=Context.FASTING)
    ReadingFactory(
        patient=patient.record, taken_at=utc(2024, 3, 2, 10, 59), context=Context.BEDTIME
    )
    ReadingFactory(
        patient=patient.record,
        taken_at=utc(2024, 3, 2, 11, 0),
        context=Context.FASTING,
        kind=Kind.CGM,
    )

    response, body = download(signed_in, start="2024-03-01", end="2024-03-01")
    assert [row["taken_at"] for row in parsed_rows(body)] == [
        "2024-03-01T00:00:00-11:00",
        "2024-03-01T23:59:00-11:00",
    ]
    assert response["Content-Disposition"] == (
        'attachment; filename="bgt-readings-from-2024-03-01-to-2024-03-01.csv"'
    )

    _, body = download(signed_in, context="fasting")
    assert len(parsed_rows(body)) == 3
    _, body = download(signed_in, context="fasting", kind="cgm")
    assert [row["taken_at"] for row in parsed_rows(body)] == ["2024-03-02T00:00:00-11:00"]


def test_invalid_filters_send_back_to_the_table(signed_in):
    response = signed_in.get(EXPORT_URL, {"start": "2024-03-02", "end": "2024-03-01"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("readings:list") + "?")
    assert "start=2024-03-02" in response.url


def test_an_empty_export_has_just_the_header(signed_in):
    _, body = download(signed_in)
    assert parsed_rows(body) == []


def test_a_large_export_streams_in_chunks(signed_in, patient):
    start = utc(2024, 1, 1)
    Reading.objects.bulk_create(
        Reading(patient=patient.record, value_mgdl=100 + i % 50, kind=Kind.CGM,
                taken_at=start + timedelta(minutes=5 * i))
        for i in range(1200)
    )  # fmt: skip
    response = signed_in.get(EXPORT_URL)

    chunks = list(response.streaming_content)

    assert len(chunks) == 3  # 500 + 500 + 200 rows (the header rides in the first)
    rows = parsed_rows(b"".join(chunks).decode())
    assert len(rows) == 1200
    assert rows[-1]["taken_at"] == "2024-01-05T03:55:00+00:00"


# --- Who may export -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(EXPORT_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_physicians_get_403(client, physician):
    client.force_login(physician)
    assert client.get(EXPORT_URL).status_code == 403


def test_another_patient_never_sees_your_rows(client, patient, other_patient):
    ReadingFactory(patient=patient.record, notes="mine")
    ReadingFactory(patient=other_patient.record, notes="theirs")
    client.force_login(other_patient)

    _, body = download(client)

    assert [row["notes"] for row in parsed_rows(body)] == ["theirs"]


# --- Round trip -----------------------------------------------------------------------------

ZONES = [
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Kathmandu",  # UTC+5:45
    "America/St_Johns",  # UTC-3:30 with DST
    "UTC",
]
NOW = timezone.now().replace(microsecond=0)

notes = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=500,
) | st.sampled_from(
    [
        'comma, "quotes", and\nnew\r\nlines',
        "=cmd|' /C calc'!A0",
        "'=already escaped",
        "-10 min walk",
        "@home",
        "\ttabbed",
        "日本語のメモ 🍎",
        "   spaces around   ",
    ]
)
reading_values = st.fixed_dictionaries(
    {
        "value_mgdl": st.integers(min_value=20, max_value=600),
        "taken_at": st.datetimes(
            min_value=datetime(2000, 1, 1),
            max_value=NOW.replace(tzinfo=None) - timedelta(minutes=1),
            timezones=st.just(UTC),
        ).map(lambda moment: moment.replace(microsecond=0)),
        "kind": st.sampled_from(Kind.values),
        "context": st.sampled_from(Context.values),
        "notes": notes,
        "source": st.sampled_from(Source.values),
        "external_id": st.none()
        | st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            min_size=1,
            max_size=200,
        ),
        "direction": st.sampled_from(
            ["", "Flat", "SingleUp", "DoubleDown", "NOT COMPUTABLE", "=1+1", "'-x", "@a"]
        ),
    }
)


def as_tuples(user) -> set[tuple]:
    return set(Reading.objects.filter(patient=user.record).values_list(*ROUND_TRIP_FIELDS))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    unit=st.sampled_from(["mg/dL", "mmol/L"]),
    readings=st.lists(
        reading_values,
        max_size=25,
        unique_by=(
            lambda r: (r["kind"], r["taken_at"], r["value_mgdl"]),
            lambda r: (r["source"], r["external_id"]) if r["external_id"] else object(),
        ),
    ),
)
def test_importing_an_export_reproduces_the_same_readings(client, patient, zone, unit, readings):
    Reading.objects.filter(patient=patient.record).delete()
    patient.unit = unit
    patient.save()
    patient.record.timezone = zone
    patient.record.save()
    client.force_login(patient)
    services.readings_bulk_create(patient=patient.record, readings=[Reading(**r) for r in readings])
    before = as_tuples(patient)
    assert len(before) == len(readings)

    _, body = download(client)
    for row in parsed_rows(body):
        assert row["value_mmoll"] == str(mgdl_to_mmoll(int(row["value_mgdl"])))
    Reading.objects.filter(patient=patient.record).delete()
    response = client.post(
        "/readings/import/",
        {
            "file": SimpleUploadedFile("export.csv", body.encode(), content_type="text/csv"),
            "date_order": "auto",
        },
    )

    assert as_tuples(patient) == before
    if readings:
        assert response.context["imported"] == len(readings)
        assert response.context["rejected_count"] == 0
