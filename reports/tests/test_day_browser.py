"""On a phone (390 px wide), a meal is recorded in one form (reading, carbs, bolus) and its
markers appear on the day view; screenshots of both at 390 and 1366 px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import screenshot
from readings.models import Kind, Reading
from readings.tests.factories import ReadingFactory
from treatments.models import Treatment
from treatments.tests.factories import TreatmentFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, user, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")


def trace_texts(page, name):
    return page.locator("[data-plotly-figure=figure-day]").evaluate(
        f"el => (el.data || []).filter(t => t.name === {name!r}).flatMap(t => t.text || [])"
    )


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_meal_recorded_on_a_phone_shows_on_the_day_view(browser_page, patient, password):
    record = patient.record
    record.timezone = "Europe/Berlin"
    record.save()
    now = timezone.now()
    # Earlier today: a CGM curve, a long-acting dose and a site change, so the day is full.
    local = now.astimezone(record.tzinfo)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = int((local - midnight).total_seconds() // 60) - 20
    for step in range(0, max(minutes, 0), 15):
        ReadingFactory(
            patient=record,
            kind=Kind.CGM,
            value_mgdl=110 + (step // 15 % 12) * 8,
            taken_at=midnight + timedelta(minutes=step),
        )
    TreatmentFactory(
        patient=record, type="basal", insulin_units=16, taken_at=midnight + timedelta(minutes=1)
    )
    TreatmentFactory(
        patient=record,
        type="site_change",
        insulin_units=None,
        taken_at=midnight + timedelta(minutes=2),
    )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, patient, password)

    page.goto("/meal/new/")
    page.get_by_label("Glucose (mg/dL)").fill("139")
    page.get_by_label("Carbohydrates (g)").fill("60")
    page.get_by_label("Bolus (units)").fill("6,5")
    page.get_by_label("Insulin name").fill("Fiasp")
    page.get_by_label("Notes").fill("Pasta")
    assert no_sideways_scroll(page)
    screenshot(page, "meal-form-390")
    page.get_by_role("button", name="Save meal").click()

    page.wait_for_url("**/day/*/")
    page.locator("[data-plotly-figure=figure-day] .main-svg").first.wait_for()
    assert "Saved a reading, carbohydrates and a bolus." in page.locator(".messages").inner_text()
    assert trace_texts(page, "Carbohydrates") == ["60 g"]
    assert trace_texts(page, "Bolus") == ["6.5 U"]
    assert trace_texts(page, "Events") == ["Site change"]
    # The same entries as a table for screen readers.
    table = page.get_by_role(
        "table", name="Treatments of the day, in time order (the chart's markers)"
    )
    assert "60 g" in table.inner_text() and "6.5 U" in table.inner_text()
    assert page.get_by_test_id("day-insulin").inner_text() == "22.5 U"
    assert page.get_by_test_id("day-carbs").inner_text() == "60 g"
    assert no_sideways_scroll(page)
    screenshot(page, "day-view-390")
    reading = Reading.objects.get(value_mgdl=139)
    assert reading.context == "before_meal"
    assert Treatment.objects.filter(patient=record).count() == 4

    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    page.locator("[data-plotly-figure=figure-day] .main-svg").first.wait_for()
    screenshot(page, "day-view-1366")
    page.goto("/meal/new/")
    screenshot(page, "meal-form-1366")
    page.goto("/treatments/")
    screenshot(page, "treatment-log-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/treatments/")
    screenshot(page, "treatment-log-390")
    assert no_sideways_scroll(page)

    # The add form shows the fields of the chosen type only.
    page.get_by_role("link", name="Add a treatment").click()
    page.get_by_label("What").select_option("basal")
    assert page.get_by_label("Temporary basal rate (U/h)").is_visible()
    assert not page.get_by_label("Carbohydrates (g)").is_visible()
    page.get_by_label("What").select_option("carbs")
    assert page.get_by_label("Carbohydrates (g)").is_visible()
    assert not page.get_by_label("Insulin (units)").is_visible()
    assert no_sideways_scroll(page)
    screenshot(page, "treatment-form-390")
