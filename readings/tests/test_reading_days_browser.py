"""The readings table by day in a real browser, with JavaScript off: the fold works by
links alone. Screenshots at 390 px (a phone) and 1366 px (a laptop)."""

from datetime import datetime, timedelta

import pytest
from django.test import Client

from conftest import screenshot
from readings.models import Kind, Reading, Source
from readings.tests.factories import ReadingFactory, store

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def signed_in(chromium, live_server, user, width):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        java_script_enabled=False,
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_a_day_of_cgm_unfolds_and_folds_by_links_alone(chromium, live_server, patient):
    record = patient.record
    today = datetime.now(record.tzinfo).date()
    midnight = datetime.combine(today - timedelta(days=1), datetime.min.time(), record.tzinfo)
    store(
        Reading(
            patient=record,
            value_mgdl=[70, 110, 160, 230][i % 4],
            taken_at=midnight + timedelta(minutes=5 * i),
            kind=Kind.CGM,
            cadence_min=5,
            source=Source.NIGHTSCOUT,
        )
        for i in range(288)
    )
    ReadingFactory(
        patient=record,
        value_mgdl=52,
        context="before_meal",
        notes="Shaky before lunch; juice and a biscuit, then 15 minutes sitting down.",
        taken_at=midnight + timedelta(hours=12, seconds=30),
    )
    for width in (390, 1366):
        context = signed_in(chromium, live_server, patient, width)
        page = context.new_page()
        page.goto("/readings/")
        day = page.locator("tbody[data-day]").first
        assert day.locator("tr[data-kind]").count() == 1  # the fingerstick only
        assert "289 readings" in day.locator(".day-summary").inner_text()
        screenshot(page, f"readings-by-day-{width}")

        page.get_by_role("link", name="Show 288 sensor readings").click()
        assert page.locator("tbody[data-day]").first.locator("tr[data-kind]").count() == 289
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        page.get_by_role("link", name="Fold the sensor readings").click()
        assert page.locator("tbody[data-day]").first.locator("tr[data-kind]").count() == 1
        context.close()
