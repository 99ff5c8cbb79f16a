"""The readings table for sensor data: grouped by the record's local day with a summary,
CGM folded away unless asked for, device readings without Edit, and what a record without
readings says to do first."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory
from patients.models import PatientAccess
from readings.models import Kind, Reading, Source
from readings.presentation import day_groups
from readings.tests.factories import ReadingFactory, TargetFactory, store

pytestmark = pytest.mark.django_db


def a_day_of_cgm(record, day, values, *, start_hour=0):
    """5-minute CGM of ``record`` on local ``day`` from ``start_hour``, cycling ``values``."""
    tz = record.tzinfo
    first = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=start_hour)
    return store(
        Reading(
            patient=record,
            value_mgdl=values[i % len(values)],
            taken_at=first + timedelta(minutes=5 * i),
            kind=Kind.CGM,
            cadence_min=5,
            source=Source.NIGHTSCOUT,
            device="xDrip-DexcomG6",
        )
        for i in range(12 * (24 - start_hour))
    )


@pytest.fixture
def week(patient):
    """Yesterday and the day before in Paris: a full day of CGM each, two fingersticks and
    a scan yesterday, and a CGM reading with a note."""
    record = patient.record
    record.timezone = "Europe/Paris"
    record.save()
    TargetFactory(patient=record, low_mgdl=70, high_mgdl=180)
    today = datetime.now(record.tzinfo).date()
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    a_day_of_cgm(record, yesterday, [60, 100, 150, 200])  # 1 in 4 below, 1 in 4 above
    a_day_of_cgm(record, before, [120])
    at = datetime.combine(yesterday, datetime.min.time(), tzinfo=record.tzinfo)
    meter = [
        ReadingFactory(patient=record, value_mgdl=95, taken_at=at + timedelta(hours=7, seconds=7)),
        ReadingFactory(
            patient=record, value_mgdl=250, taken_at=at + timedelta(hours=13, seconds=7)
        ),
        ReadingFactory(
            patient=record,
            value_mgdl=140,
            kind=Kind.SCAN,
            source=Source.IMPORT,
            taken_at=at + timedelta(hours=18, seconds=7),
        ),
    ]
    noted = Reading.objects.filter(patient=record, kind=Kind.CGM, value_mgdl=60).earliest(
        "taken_at"
    )
    noted.notes = "Sensor said low, felt fine"
    noted.save()
    return {"yesterday": yesterday, "before": before, "meter": meter, "noted": noted}


def test_each_day_has_a_summary_and_cgm_is_folded_away(client, patient, week):
    client.force_login(patient)

    response = client.get(reverse("readings:list"))

    first, second = response.context["groups"]
    assert (first.day, second.day) == (week["yesterday"], week["before"])
    # 288 CGM + 2 fingersticks + 1 scan; the CGM quarter in range 70-180 is 100 and 150.
    assert (first.count, first.cgm_count, first.meter_count) == (291, 288, 3)
    assert first.cgm_in_target == "50.0 %"
    assert first.meter_in_target == 2  # 95 and the scan's 140; 250 is above
    # Only the meter readings, the scan and the CGM reading with a note are rows.
    assert sorted(r.reading.value_mgdl for r in first.rows) == [60, 95, 140, 250]
    assert first.hidden == 287 and second.hidden == 288 and second.rows == []
    html = response.content.decode()
    assert "291 readings, mean" in html
    assert "50.0 % of 288 sensor readings; 2 of 3 meter readings" in " ".join(html.split())
    day = week["yesterday"].isoformat()
    assert f'day={day}&amp;open={day}#day-{day}">Show 287 sensor readings</a>' in html


def test_a_day_opens_to_show_its_cgm_rows_and_folds_again(client, patient, week):
    client.force_login(patient)
    day = week["before"].isoformat()
    last = week["yesterday"].isoformat()

    response = client.get(reverse("readings:list"), {"day": last, "open": day})

    first, second = response.context["groups"]
    assert len(second.rows) == 288 and second.open and not first.open
    assert len(first.rows) == 4
    assert f'href="?day={last}#day-{day}">Fold the sensor readings</a>' in response.content.decode()


def test_device_readings_have_delete_but_no_edit(client, patient, week):
    client.force_login(patient)

    html = client.get(reverse("readings:list")).content.decode()

    typed = week["meter"][0]
    for reading in (week["meter"][2], week["noted"]):  # an imported scan, an uploaded CGM
        assert reverse("readings:update", args=[reading.pk]) not in html
        assert reverse("readings:delete", args=[reading.pk]) in html
    assert reverse("readings:update", args=[typed.pk]) in html
    assert "xDrip-DexcomG6" in html  # the device that sent it


def test_the_meal_context_is_shown_only_when_known(client, patient):
    ReadingFactory(patient=patient.record, context="before_meal", notes="A")
    ReadingFactory(patient=patient.record, notes="B")
    client.force_login(patient)

    html = client.get(reverse("readings:list")).content.decode()

    assert "Before a meal" in html
    assert "Unspecified" not in html.split("reading-days")[1]


def test_day_groups_follow_the_records_local_day_across_midnight_utc(patient):
    record = patient.record
    record.timezone = "America/New_York"
    record.save()
    late = ReadingFactory(
        patient=record,
        taken_at=datetime(2026, 1, 6, 4, 30, tzinfo=datetime.now().astimezone().tzinfo.utc),
    )
    groups = day_groups([late], unit="mg/dL", tz=record.tzinfo, target=TargetFactory.build())

    assert [g.day.isoformat() for g in groups] == ["2026-01-05"]  # 23:30 in New York


def test_the_page_reads_a_week_in_a_fixed_number_of_queries(
    client, patient, week, django_assert_max_num_queries
):
    client.force_login(patient)

    with django_assert_max_num_queries(20):
        client.get(reverse("readings:list"))


# --- a record without readings -------------------------------------------------------------


def test_a_record_without_readings_says_how_to_start(client, patient):
    client.force_login(patient)

    response = client.get(reverse("readings:list"))

    html = response.content.decode()
    assert "No readings yet: three ways to start" in html
    assert f'href="{reverse("readings:create")}">Add a reading</a>' in html
    assert f'href="{reverse("files:import")}">Import a file</a>' in html
    assert f'href="{reverse("patients:sharing")}#uploads-heading">Connect an uploader</a>' in html
    assert "reading-table" not in html and "Averages" not in html


def test_a_follower_of_an_empty_record_is_told_without_links_to_act(client, patient):
    follower = UserFactory(email="mum@example.org", roles=[PATIENTS])
    PatientAccess.objects.create(
        user=follower,
        patient=patient.record,
        role="follower",
        status="active",
        initiated_by="patient",
    )
    client.force_login(follower)

    html = client.get(reverse("readings:list")).content.decode()

    assert "No readings yet" in html and "Nothing has been recorded" in html
    assert "Add a reading" not in html and "Import a file" not in html


def test_import_is_in_the_menu_and_add_is_one_tap_away_for_those_who_may_write(client, patient):
    follower = UserFactory(email="mum@example.org", roles=[PATIENTS])
    PatientAccess.objects.create(
        user=follower,
        patient=patient.record,
        role="follower",
        status="active",
        initiated_by="patient",
    )
    client.force_login(patient)
    html = client.get(reverse("home")).content.decode()
    nav = html[html.index('aria-label="Main navigation"') : html.index("</nav>")]
    client.force_login(follower)
    html = client.get(reverse("home")).content.decode()
    follower_nav = html[html.index('aria-label="Main navigation"') : html.index("</nav>")]

    assert f'href="{reverse("files:import")}">Import</a>' in nav
    # Outside the collapsed menu, shown on phones only: one tap to the form.
    button = nav[: nav.index('id="main-nav"')]
    assert f'd-lg-none nav-add" href="{reverse("readings:create")}"' in button
    assert reverse("files:import") not in follower_nav
    assert reverse("readings:create") not in follower_nav
