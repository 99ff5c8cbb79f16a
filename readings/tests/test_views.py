import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from readings import services
from readings.models import Context, Kind, Reading
from readings.tests.factories import ReadingFactory, TargetFactory, cgm_cycle

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def patient_ny(patient):
    patient.record.timezone = "America/New_York"
    patient.record.save()
    return patient


def form_data(**overrides):
    now = timezone.now().astimezone(NEW_YORK) - timedelta(hours=1)
    data = {
        "value": "130",
        "date": now.date().isoformat(),
        "time": now.strftime("%H:%M"),
        "kind": Kind.FINGERSTICK,
        "context": Context.BEFORE_MEAL,
        "notes": "",
    }
    data.update(overrides)
    return data


# --- who may see what -----------------------------------------------------------------------


def page_urls(reading):
    return [
        reverse("reports:dashboard"),
        reverse("readings:list"),
        reverse("readings:create"),
        reverse("readings:update", args=[reading.pk]),
        reverse("readings:delete", args=[reading.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, patient):
    reading = ReadingFactory(patient=patient.record)

    for url in page_urls(reading):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url
    for url in (reverse("reports:version"), reverse("reports:dashboard-data")):
        assert client.get(url).status_code == 401


def test_physicians_without_the_patient_role_get_403(client, physician, patient):
    reading = ReadingFactory(patient=patient.record)
    client.force_login(physician)

    for url in [
        *page_urls(reading),
        reverse("reports:version"),
        reverse("reports:dashboard-data"),
    ]:
        assert client.get(url).status_code == 403, url


def test_another_patients_reading_is_a_404_and_stays_untouched(client, patient, other_patient):
    reading = ReadingFactory(patient=patient.record, value_mgdl=111)
    client.force_login(other_patient)

    for name in ("readings:update", "readings:delete"):
        url = reverse(name, args=[reading.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(value="222")).status_code == 404
    reading.refresh_from_db()
    assert reading.value_mgdl == 111
    # Neither its value nor its id on the other patient's list (a bare "111" can be part of
    # a random UUID on the page).
    html = client.get(reverse("readings:list")).content.decode()
    assert "111 mg/dL" not in html and str(reading.pk) not in html


# --- adding, editing, deleting ------------------------------------------------------------


def test_add_a_reading_in_mgdl_at_local_time(client, patient_ny):
    client.force_login(patient_ny)
    now_ny = timezone.now().astimezone(NEW_YORK)
    local = (now_ny - timedelta(hours=2)).replace(second=0, microsecond=0)

    response = client.post(
        reverse("readings:create"),
        form_data(
            value="131", date=local.date().isoformat(), time=local.strftime("%H:%M"), notes="lunch"
        ),
    )

    assert response.status_code == 302
    reading = Reading.objects.get()
    assert reading.value_mgdl == 131
    assert reading.taken_at == local.astimezone(UTC)
    assert (reading.context, reading.notes, reading.source) == ("before_meal", "lunch", "web")


def test_add_a_reading_in_mmoll(client, patient):
    patient.unit = "mmol/L"
    patient.save()
    client.force_login(patient)

    page = client.get(reverse("readings:create")).content.decode()
    client.post(reverse("readings:create"), form_data(value="7,2"))

    assert "Glucose (mmol/L)" in page and "Between 1.1 and 33.3 mmol/L." in page
    assert Reading.objects.get().value_mgdl == 130


def test_the_form_starts_at_now_in_the_users_time_zone(client, patient_ny):
    client.force_login(patient_ny)

    form = client.get(reverse("readings:create")).context["form"]

    now_ny = timezone.now().astimezone(NEW_YORK)
    initial = datetime.combine(form.initial["date"], form.initial["time"], tzinfo=NEW_YORK)
    assert timedelta(0) <= now_ny - initial < timedelta(minutes=2)


@pytest.mark.parametrize(
    ("unit", "overrides", "field", "message"),
    [
        ("mg/dL", {"value": "0"}, "value", "Enter a value between 20 and 600 mg/dL."),
        ("mg/dL", {"value": "601"}, "value", "Enter a value between 20 and 600 mg/dL."),
        ("mmol/L", {"value": "40"}, "value", "Enter a value between 1.1 and 33.3 mmol/L."),
        ("mg/dL", {"value": "high"}, "value", "Enter a number."),
        ("mg/dL", {"value": ""}, "value", "This field is required."),
        ("mg/dL", {"notes": "x" * 10_000}, "notes", "at most 500 characters"),
        ("mg/dL", {"kind": "pump"}, "kind", "Select a valid choice."),
        ("mg/dL", {"date": "2026-02-30"}, "date", "Enter a valid date."),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(
    client, patient, unit, overrides, field, message
):
    patient.unit = unit
    patient.save()
    client.force_login(patient)

    response = client.post(reverse("readings:create"), form_data(**overrides))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Reading.objects.exists()


def test_a_time_two_hours_ahead_is_refused(client, patient_ny):
    client.force_login(patient_ny)
    later = timezone.now().astimezone(NEW_YORK) + timedelta(hours=2)

    response = client.post(
        reverse("readings:create"),
        form_data(date=later.date().isoformat(), time=later.strftime("%H:%M")),
    )

    assert "This time is in the future" in response.context["form"].errors["time"][0]
    assert not Reading.objects.exists()


def test_a_time_skipped_by_daylight_saving_is_refused(client, patient_ny):
    client.force_login(patient_ny)

    response = client.post(reverse("readings:create"), form_data(date="2026-03-08", time="02:30"))

    assert (
        "did not exist on 2026-03-08 in America/New_York"
        in response.context["form"].errors["time"][0]
    )
    assert not Reading.objects.exists()


def test_the_same_reading_twice_is_refused_with_a_message(client, patient):
    client.force_login(patient)
    client.post(reverse("readings:create"), form_data())

    response = client.post(reverse("readings:create"), form_data())

    assert "This reading is already recorded." in response.content.decode()
    assert Reading.objects.count() == 1


def test_save_and_add_another_returns_to_the_form(client, patient):
    client.force_login(patient)

    response = client.post(reverse("readings:create"), {**form_data(), "add_another": "1"})

    assert response.url == reverse("readings:create")


def test_edit_shows_the_reading_in_the_users_unit_and_zone_and_saves(client, patient_ny):
    patient_ny.unit = "mmol/L"
    patient_ny.save()
    reading = ReadingFactory(
        patient=patient_ny.record, value_mgdl=130, taken_at=datetime(2026, 1, 5, 13, 15, tzinfo=UTC)
    )
    client.force_login(patient_ny)
    url = reverse("readings:update", args=[reading.pk])

    form = client.get(url).context["form"]
    assert str(form.initial["value"]) == "7.2"
    assert (form.initial["date"], form.initial["time"].strftime("%H:%M")) == (
        date(2026, 1, 5),
        "08:15",
    )

    response = client.post(url, form_data(value="8.0", date="2026-01-05", time="08:45"))

    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.value_mgdl == 144
    assert reading.taken_at == datetime(2026, 1, 5, 13, 45, tzinfo=UTC)


def test_edit_with_bad_input_changes_nothing(client, patient):
    reading = ReadingFactory(patient=patient.record, value_mgdl=130)
    client.force_login(patient)

    client.post(reverse("readings:update", args=[reading.pk]), form_data(value="601"))

    reading.refresh_from_db()
    assert reading.value_mgdl == 130


def test_delete_asks_first_then_deletes(client, patient):
    reading = ReadingFactory(patient=patient.record, value_mgdl=130)
    client.force_login(patient)
    url = reverse("readings:delete", args=[reading.pk])

    page = client.get(url)
    assert page.status_code == 200 and "130 mg/dL" in page.content.decode()
    assert Reading.objects.exists()

    response = client.post(url)

    assert response.url == reverse("readings:list")
    assert not Reading.objects.exists()


# --- the table ----------------------------------------------------------------------------


def test_table_is_newest_first_with_units_bands_and_words(client, patient):
    patient.unit = "mmol/L"
    patient.save()
    TargetFactory(patient=patient.record, low_mgdl=80, high_mgdl=160)
    now = timezone.now()
    for hours, value in [(5, 50), (4, 75), (3, 120), (2, 170), (1, 300)]:
        ReadingFactory(
            patient=patient.record, value_mgdl=value, taken_at=now - timedelta(hours=hours)
        )
    client.force_login(patient)

    response = client.get(reverse("readings:list"))

    rows = response.context["rows"]
    assert [r.reading.value_mgdl for r in rows] == [300, 170, 120, 75, 50]
    assert [r.value for r in rows] == [
        "16.7 mmol/L",
        "9.4 mmol/L",
        "6.7 mmol/L",
        "4.2 mmol/L",
        "2.8 mmol/L",
    ]
    # 75 is in the consensus range but below this patient's own low target of 80.
    assert [r.band_label for r in rows] == ["Very high", "High", "In range", "Low", "Very low"]
    html = response.content.decode()
    assert 'class="band band-very_low"' in html and "Very low</span>" in html


def test_table_filters_by_local_days_context_and_kind(client, patient_ny):
    # 2026-01-05 23:30 in New York is 2026-01-06 04:30 UTC: it belongs to the 5th locally.
    late = ReadingFactory(
        patient=patient_ny.record,
        value_mgdl=101,
        taken_at=datetime(2026, 1, 6, 4, 30, tzinfo=UTC),
        context="bedtime",
    )
    ReadingFactory(
        patient=patient_ny.record,
        value_mgdl=102,
        taken_at=datetime(2026, 1, 6, 5, 30, tzinfo=UTC),
        context="fasting",
    )
    ReadingFactory(
        patient=patient_ny.record,
        value_mgdl=103,
        taken_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
        kind="cgm",
    )
    client.force_login(patient_ny)
    url = reverse("readings:list")

    def shown(query):
        return client.get(url, query).context["page"].readings

    by_day = shown({"start": "2026-01-05", "end": "2026-01-05"})
    by_context = shown({"context": "bedtime"})
    by_kind = shown({"kind": "cgm"})

    assert {r.value_mgdl for r in by_day} == {101, 103}
    assert by_context == [late]
    assert [r.value_mgdl for r in by_kind] == [103]


def test_table_averages_cover_the_filtered_rows_overall_per_context_and_per_day(client, patient_ny):
    for utc_hour, value, context in [
        (13, 100, "before_meal"),
        (15, 200, "after_meal"),
        (17, 120, "before_meal"),
    ]:
        ReadingFactory(
            patient=patient_ny.record,
            value_mgdl=value,
            context=context,
            taken_at=datetime(2026, 1, 5, utc_hour, tzinfo=UTC),
        )
    ReadingFactory(
        patient=patient_ny.record,
        value_mgdl=90,
        taken_at=datetime(2026, 1, 7, 13, tzinfo=UTC),
        context="fasting",
    )
    client.force_login(patient_ny)

    context = client.get(
        reverse("readings:list"), {"start": "2026-01-05", "end": "2026-01-06"}
    ).context

    assert context["mean"] == "140 mg/dL"
    assert context["context_means"] == [
        ("After a meal", 1, "200 mg/dL"),
        ("Before a meal", 2, "110 mg/dL"),
    ]
    [day] = context["groups"]
    assert (day.day, day.count, day.mean) == (date(2026, 1, 5), 3, "140 mg/dL")


def test_table_pages_by_seven_local_days_and_keeps_the_filters(client, patient_ny):
    tz = patient_ny.record.tzinfo
    for day in (1, 2, 8, 9, 30):  # days of January 2026; a gap from the 9th to the 30th
        ReadingFactory(
            patient=patient_ny.record,
            kind="fingerstick",
            taken_at=datetime(2026, 1, day, 23, 30, tzinfo=tz),  # late, local: same day
        )
    client.force_login(patient_ny)
    url = reverse("readings:list")

    def page(**query):
        response = client.get(url, {"kind": "fingerstick", **query})
        return response.context["page"], [g.day.day for g in response.context["groups"]], response

    newest, days, response = page()
    assert (newest.first_day, newest.last_day, days) == (date(2026, 1, 24), date(2026, 1, 30), [30])
    # "Older" skips the empty days: the next page ends on the 9th.
    assert newest.older == date(2026, 1, 9) and newest.newer is None
    assert '?kind=fingerstick&amp;day=2026-01-09">Older days</a>' in response.content.decode()

    older, days, _ = page(day="2026-01-09")
    assert days == [9, 8]
    assert (older.older, older.newer) == (date(2026, 1, 2), date(2026, 1, 30))

    oldest, days, _ = page(day="2026-01-02")
    assert days == [2, 1] and oldest.older is None


def test_jump_to_a_day_shows_the_week_ending_there(client, patient):
    tz = patient.record.tzinfo
    for day in range(1, 21):
        ReadingFactory(patient=patient.record, taken_at=datetime(2026, 3, day, 8, tzinfo=tz))
    client.force_login(patient)

    response = client.get(reverse("readings:list"), {"day": "2026-03-10"})

    assert [g.day.day for g in response.context["groups"]] == [10, 9, 8, 7, 6, 5, 4]
    html = response.content.decode()
    assert 'name="day" id="id_day" class="form-control" value="2026-03-10"' in html
    assert "4 Mar to 10 Mar 2026" in html


def test_a_jump_to_a_day_without_readings_says_so_and_offers_the_neighbours(client, patient):
    tz = patient.record.tzinfo
    for day in (1, 28):
        ReadingFactory(patient=patient.record, taken_at=datetime(2026, 3, day, 8, tzinfo=tz))
    client.force_login(patient)

    response = client.get(reverse("readings:list"), {"day": "2026-03-15"})

    html = response.content.decode()
    assert "No readings in the 7 days to 15 Mar 2026." in html
    assert 'day=2026-03-01">Older days</a>' in html
    assert 'day=2026-03-28">Newer days</a>' in html


def test_the_filter_form_reports_an_inverted_range(client, patient):
    client.force_login(patient)

    response = client.get(reverse("readings:list"), {"start": "2026-01-07", "end": "2026-01-05"})

    assert "The end date is before the start date." in response.content.decode()


# --- the dashboard ------------------------------------------------------------------------


def readings_at(patient, *values, kind="cgm", every=timedelta(minutes=30)):
    now = timezone.now()
    for i, value in enumerate(values):
        ReadingFactory(
            patient=patient.record, value_mgdl=value, kind=kind, taken_at=now - (i + 1) * every
        )


def figures(response):
    html = response.content.decode()
    found = {}
    for name in ("readings", "agp", "ranges", "meter"):
        start = html.index(f'id="figure-{name}" type="application/json">') + len(
            f'id="figure-{name}" type="application/json">'
        )
        found[name] = json.loads(html[start : html.index("</script>", start)])
    return found


def test_dashboard_plots_the_period_with_cards_and_goals(client, patient):
    cgm_cycle(patient.record, [50, 100, 150, 200, 300])  # 25 hours of 5-minute CGM
    ReadingFactory(
        patient=patient.record, value_mgdl=222, taken_at=timezone.now() - timedelta(days=20)
    )
    client.force_login(patient)

    response = client.get(reverse("reports:dashboard"))

    assert response.context["days"] == 14
    assert response.context["summary"].count == 300  # the 20-day-old reading is outside
    plotted = figures(response)
    points = sum(len(trace["x"]) for trace in plotted["readings"]["data"][1:])
    assert points == 300
    names = [trace["name"] for trace in plotted["readings"]["data"][1:]]
    assert names == ["Very low", "In range", "High", "Very high"]
    html = response.content.decode()
    assert "Goal: more than 70 %" in html and "Goal missed." in html
    assert "% of CGM time" in html
    # 25 hours of CGM in 14 days: the low-data banner, and no GMI (the Tidepool rule).
    assert "Less than 70 % of possible CGM data" in html
    assert "GMI needs a window of at least 14 days with at least 235.2 hours" in html
    # plotly.js is loaded by dashboard.js when a chart scrolls into view, not by the page.
    assert 'data-plotly-src="/static/vendor/plotly-basic.min.js"' in html
    assert "plotly.min.js" not in html


@pytest.mark.parametrize(
    ("query", "days", "count"),
    [("7", 7, 1), ("30", 30, 2), ("90", 90, 3), ("5", 14, 1), ("x", 14, 1)],
)
def test_dashboard_period_selector(client, patient, query, days, count):
    now = timezone.now()
    for age in (3, 20, 60):
        ReadingFactory(patient=patient.record, taken_at=now - timedelta(days=age))
    client.force_login(patient)

    response = client.get(reverse("reports:dashboard"), {"days": query})

    assert response.context["days"] == days
    assert response.context["summary"].count == count


def test_dashboard_of_a_record_without_readings_says_how_to_start_and_draws_nothing(
    client, patient
):
    client.force_login(patient)

    html = client.get(reverse("reports:dashboard")).content.decode()

    assert "No readings yet: three ways to start" in html
    assert f'href="{reverse("files:import")}">Import a file</a>' in html
    # No blank cards, no empty charts, and no chart library to download.
    assert "data-stat=" not in html and "data-plotly-figure" not in html
    assert "plotly" not in html


def test_dashboard_of_a_period_without_readings_says_so(client, patient):
    ReadingFactory(patient=patient.record, taken_at=timezone.now() - timedelta(days=40))
    client.force_login(patient)

    response = client.get(reverse("reports:dashboard"))

    assert "There are no readings in this period yet." in response.content.decode()


def test_plotly_is_served_by_the_app(client):
    response = client.get("/static/vendor/plotly-basic.min.js")

    assert response.status_code == 200
    assert b"plotly.js (basic - minified) v" in b"".join(response.streaming_content)[:2000]


def test_version_changes_when_readings_change(client, patient):
    client.force_login(patient)

    def version():
        return client.get(reverse("reports:version")).json()["version"]

    before = version()
    reading = services.reading_create(
        patient=patient.record, value_mgdl=100, taken_at=timezone.now() - timedelta(hours=1)
    )
    after_add = version()
    services.reading_update(reading=reading, value_mgdl=140)
    after_edit = version()
    services.reading_delete(reading=reading)
    after_delete = version()

    assert before != after_add != after_edit != after_delete


def test_the_version_poll_reads_one_row_not_the_readings(client, patient):
    client.force_login(patient)
    now = timezone.now()
    day = [
        Reading(value_mgdl=100 + n % 50, taken_at=now - timedelta(minutes=5 * n), kind=Kind.CGM)
        for n in range(288)
    ]

    def version():
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(reverse("reports:version")).json()["version"]
        read = [q["sql"] for q in queries.captured_queries]
        assert not any(re.search(r"\breadings_reading\b", sql) for sql in read), read
        return answer

    before = version()
    services.readings_bulk_create(patient=patient.record, readings=day)
    after_upload = version()
    again = [Reading(value_mgdl=r.value_mgdl, taken_at=r.taken_at, kind=r.kind) for r in day]
    services.readings_bulk_create(patient=patient.record, readings=again)  # all duplicates

    assert before != after_upload == version()


def test_dashboard_data_gives_fresh_cards_and_figures(client, patient):
    readings_at(patient, 100, 110)
    client.force_login(patient)

    data = client.get(reverse("reports:dashboard-data"), {"days": 7}).json()

    assert data["days"] == 7
    assert set(data["figures"]) == {"readings", "agp", "ranges", "meter", "overlay"}
    assert 'data-stat="count"' in data["cards_html"] and ">2<" in data["cards_html"]
    assert data["version"] == client.get(reverse("reports:version")).json()["version"]


def test_the_table_shows_the_records_local_clock_not_utc(client, patient):
    patient.record.timezone = "Europe/Berlin"
    patient.record.save()
    ReadingFactory(patient=patient.record, taken_at=datetime(2025, 6, 1, 10, 0, tzinfo=UTC))
    client.force_login(patient)
    html = client.get(reverse("readings:list")).content.decode()
    assert 'datetime="2025-06-01T12:00:00+02:00">12:00</time>' in html  # noon in Berlin
    assert ">10:00<" not in html
