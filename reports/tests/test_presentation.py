"""reports.selectors.dashboard_get and reports.presentation: the window, the cards, the meter
block and the comparison as the dashboard and the physician's report show them."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from readings.models import Context, Kind
from readings.tests.factories import ReadingFactory, TargetFactory, cgm_cycle
from reports.presentation import dashboard_context
from reports.selectors import dashboard_get

pytestmark = pytest.mark.django_db


def test_the_window_is_whole_local_days_ending_today(patient):
    patient.record.timezone = "Europe/Berlin"
    patient.record.save()
    tz = patient.record.tzinfo
    now = timezone.now()

    dashboard = dashboard_get(patient=patient.record, days=7, now=now)

    today = timezone.localdate(now, tz)
    window = dashboard.figures.window
    assert window.start == datetime.combine(today - timedelta(days=6), time(0), tzinfo=tz)
    assert window.end == datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    assert dashboard.start == window.start and dashboard.end <= window.end
    previous = dashboard.figures.comparison
    assert previous.previous_end == window.start
    assert previous.previous_start == datetime.combine(
        today - timedelta(days=13), time(0), tzinfo=tz
    )


def test_cards_follow_the_preset_and_say_cgm_time(patient):
    patient.record.target_preset = "pregnancy_t1"
    patient.record.save()
    TargetFactory(patient=patient.record, low_mgdl=80, high_mgdl=120)
    cgm_cycle(patient.record, [100, 130, 150, 200])

    context = dashboard_context(dashboard_get(patient=patient.record, days=14), unit="mg/dL")

    cards = {card.key: card for card in context["cards"]}
    assert cards["in_range"].title == "Time in range 63–140" and cards["in_range"].value == "50.0 %"
    assert cards["in_range"].goal == "Goal: more than 70 %" and cards["in_range"].met is False
    assert cards["above_140"].value == "50.0 %"
    assert "above_180" not in cards
    assert cards["in_target"].value == "25.0 %"  # the patient's own 80-120
    assert cards["tight_range"].value == "50.0 %"  # 70-140
    assert cards["gmi"].value == "–" and cards["gmi"].detail.startswith("GMI needs a window")
    # 25 hours of readings touch two or three local dates.
    assert cards["active"].detail in {f"{n} of 14 days with CGM data" for n in (2, 3)}
    assert "% of CGM time" in cards["below_63"].detail
    assert context["sufficiency"].banner.startswith("Less than 70 % of possible CGM data")


def test_the_meter_block_shows_meal_pairs_in_percent_of_meter_readings(patient):
    tz = patient.record.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    day = today - timedelta(days=1)
    at = lambda h, m=0: datetime.combine(day, time(h, m), tzinfo=tz)  # noqa: E731
    ReadingFactory(
        patient=patient.record, value_mgdl=100, taken_at=at(7), context=Context.BEFORE_MEAL
    )
    ReadingFactory(
        patient=patient.record, value_mgdl=190, taken_at=at(9), context=Context.AFTER_MEAL
    )
    ReadingFactory(patient=patient.record, value_mgdl=110, taken_at=at(6), context=Context.FASTING)

    context = dashboard_context(dashboard_get(patient=patient.record, days=14), unit="mg/dL")

    meter = context["meter"]
    assert meter["count"] == 3
    breakfast = meter["meals"][0]
    assert breakfast == ("Breakfast", 1, "100 mg/dL", "190 mg/dL", "90 mg/dL", "100.0 %")
    assert ("Fasting", 1, "110 mg/dL", "100.0 %") in meter["contexts"]
    assert dict(meter["bands"])["In range (70–180 mg/dL)"] == "66.7 %"
    assert context["range_rows"] == []  # no CGM: no time in ranges
    assert context["window_last_day"] == today  # said even without CGM figures


def test_the_comparison_gives_each_change_in_points(patient):
    now = timezone.now()
    cgm_cycle(patient.record, [100])  # this window: all in range
    cgm_cycle(patient.record, [250], minutes_ago=60 * 24 * 15)  # the previous one: all high
    context = dashboard_context(
        dashboard_get(patient=patient.record, days=14, now=now), unit="mg/dL"
    )
    rows = {
        label: (now_, before, change) for label, now_, before, change in context["comparison_rows"]
    }
    assert rows["Time 70–180 mg/dL"] == ("100.0 %", "0.0 %", "+100.0 points")
    assert rows["Average glucose (mg/dL)"] == ("100 mg/dL", "250 mg/dL", "−150.0 mg/dL")

    in_mmol = dashboard_context(
        dashboard_get(patient=patient.record, days=14, now=now), unit="mmol/L"
    )
    rows = {label: rest for label, *rest in in_mmol["comparison_rows"]}
    assert rows["Time 3.9–10.0 mmol/L"] == ["100.0 %", "0.0 %", "+100.0 points"]
    assert rows["Average glucose (mmol/L)"] == ["5.6 mmol/L", "13.9 mmol/L", "−8.3 mmol/L"]
    assert not [label for label in rows if "mg/dL" in label]


def test_scans_and_fingersticks_never_enter_the_cgm_cards(patient):
    cgm_cycle(patient.record, [120])
    cgm_cycle(patient.record, [45], count=50, cadence=5, kind=Kind.SCAN, minutes_ago=7)
    context = dashboard_context(dashboard_get(patient=patient.record, days=14), unit="mg/dL")
    cards = {card.key: card for card in context["cards"]}
    assert cards["below_70"].value == "0.0 %" and cards["mean"].value == "120 mg/dL"
    assert cards["count"].value == "350"  # every reading in the window, of any kind


def test_the_pages_name_the_window_in_the_patients_zone(client, patient):
    patient.record.timezone = (
        "Pacific/Kiritimati"  # UTC+14: local midnight is the day before in UTC
    )
    patient.record.save()
    tz = patient.record.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    first = today - timedelta(days=13)
    ReadingFactory(patient=patient.record, taken_at=timezone.now() - timedelta(hours=1))
    client.force_login(patient)

    html = client.get("/dashboard/").content.decode()

    expected = f"{first.day} {first:%b} to {today.day} {today:%b %Y}"
    assert f"The last 14 whole days, {expected};" in html


def test_the_dashboard_marks_insulin_and_carbs_on_the_readings_chart_and_sums_them(client, patient):
    from datetime import timedelta

    from django.utils import timezone

    from readings.tests.factories import ReadingFactory
    from treatments import services as treatment_services

    now = timezone.now()
    ReadingFactory(patient=patient.record, taken_at=now - timedelta(hours=3), value_mgdl=140)
    treatment_services.treatment_create(
        patient=patient.record, type="carbs", carbs_g=45, taken_at=now - timedelta(hours=2)
    )
    treatment_services.treatment_create(
        patient=patient.record, type="bolus", insulin_units=4.5, taken_at=now - timedelta(hours=2)
    )
    client.force_login(patient)

    response = client.get("/dashboard/")

    figure = response.context["figures"]["readings"]
    names = {trace["name"]: trace for trace in figure["data"]}
    assert names["Carbohydrates"]["yaxis"] == names["Bolus"]["yaxis"] == "y2"
    assert len(names["Carbohydrates"]["x"]) == len(names["Bolus"]["x"]) == 1
    html = response.content.decode()
    assert "<strong>4.5 U</strong> of insulin a day" in html
    assert "<strong>45 g</strong> of carbohydrates a day" in html
