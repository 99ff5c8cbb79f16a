"""Readings pages in a real browser (Playwright driving Debian's Chromium)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import screenshot
from readings import services
from readings.models import Kind, Reading
from readings.tests.factories import ReadingFactory, store

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, user, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")


def plotted_points(page, name):
    chart = page.locator(f'[data-figure-name="{name}"]')
    chart.scroll_into_view_if_needed()  # charts are drawn when they come into view
    chart.locator(".main-svg").first.wait_for()
    return chart.evaluate(
        "el => el.data ? el.data.reduce((n, t) => n + (t.x ? t.x.length : 0), 0) : -1"
    )


def test_add_a_reading_see_it_highlighted_and_plotted(browser_page, patient, password):
    patient.unit = "mmol/L"
    patient.save()
    patient.record.timezone = "Europe/Paris"
    patient.record.save()
    now = timezone.now()
    # A week of 15-minute CGM: enough for every CGM figure and the AGP curve.
    cgm = [95, 110, 160, 210, 140, 120, 105, 90] * 84
    store(
        ReadingFactory.build(
            patient=patient.record,
            value_mgdl=value,
            kind=Kind.CGM,
            cadence_min=15,
            taken_at=now - timedelta(minutes=15 * i + 20),
        )
        for i, value in enumerate(cgm)
    )
    page = browser_page
    sign_in(page, patient, password)

    page.get_by_role("link", name="Add reading").click()
    page.get_by_label("Glucose (mmol/L)").fill("2.7")
    page.get_by_label("Meal context").select_option(label="Before a meal")
    page.get_by_label("Notes").fill("shaky before lunch")
    page.get_by_role("button", name="Save reading").click()

    page.wait_for_url("**/readings/")
    assert (
        page.get_by_role("alert")
        .or_(page.locator(".alert-success"))
        .first.inner_text()
        .startswith("Saved a reading of 2.7 mmol/L")
    )
    row = page.locator(".reading-table tbody tr[data-kind]").first
    assert "2.7 mmol/L" in row.inner_text()
    badge = row.locator(".band")
    assert badge.inner_text().strip().endswith("Very low")
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(127, 29, 29)"
    reading = Reading.objects.get(notes="shaky before lunch")
    assert reading.value_mgdl == 49
    screenshot(page, "readings-table")

    page.get_by_role("link", name="Dashboard").click()
    page.locator('[data-figure-name="readings"]').scroll_into_view_if_needed()
    expect(page.locator('[data-figure-name="readings"] .main-svg').first).to_be_visible()
    # the grey line plus one marker per reading
    assert plotted_points(page, "readings") == 2 * (len(cgm) + 1)
    for name in ("agp", "ranges", "meter"):
        assert plotted_points(page, name) > 0, name
    # The fingerstick is a meter reading: in the meter block, never in CGM time.
    assert page.locator('[data-stat="below_54"] .goal-met').count() == 1
    very_low = page.locator('[data-table="meter-ranges"] tr', has_text="Very low")
    assert very_low.inner_text().split()[-2:] == ["100.0", "%"]
    screenshot(page, "dashboard")


def test_the_dashboard_redraws_when_a_device_adds_a_reading(
    browser_page, patient, password, settings
):
    settings.BGT_DASHBOARD_POLL_SECONDS = 1
    ReadingFactory(
        patient=patient.record, value_mgdl=120, taken_at=timezone.now() - timedelta(hours=1)
    )
    page = browser_page
    sign_in(page, patient, password)
    count = page.locator('[data-stat="count"] .stat-value')
    assert count.inner_text() == "1"

    services.reading_create(
        patient=patient.record,
        value_mgdl=250,
        taken_at=timezone.now() - timedelta(minutes=1),
        kind=Kind.CGM,
    )

    # Locator assertions, not wait_for_function: the strict CSP forbids evaluating strings.
    expect(count).to_have_text("2", timeout=10_000)
    assert plotted_points(page, "readings") == 4
    assert "newest readings" in page.locator("#dashboard-status").inner_text()
