"""In the browser: the dashboard's first screen on a phone (the now card, the last 24 hours
and "+ Add" without scrolling, no chart library until a chart is scrolled to), the live
"now" card and tab title, and dark mode following the device. Screenshots of the dashboard
light and dark at 390 and 1366 px under test-artifacts/."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from conftest import screenshot
from readings import services
from readings.models import Kind
from reports.tests.seed import seed_cgm, seed_meter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def open_dashboard(chromium, live_server, patient):
    """A new browser tab signed in as ``patient`` (a session cookie, no login form) in a
    given viewport and colour scheme, failing the test on console errors or failed
    requests; returns the page on the dashboard and the URLs it requested."""
    contexts, problems = [], []

    def open_(viewport, color_scheme="light"):
        client = Client()
        client.force_login(patient)
        context = chromium.new_context(
            base_url=live_server.url, viewport=viewport, color_scheme=color_scheme
        )
        contexts.append(context)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto("/dashboard/")
        page.wait_for_load_state("networkidle")
        return page, requested

    yield open_
    for context in contexts:
        context.close()
    assert not problems, problems


def seeded(patient):
    record = patient.record
    record.timezone = "Europe/Paris"
    record.save()
    seed_cgm(record, days=14)
    seed_meter(record, days=3)


def first_screen(page, locator) -> bool:
    box = page.locator(locator).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_first_screen_and_charts_loaded_when_scrolled_to(open_dashboard, patient):
    seeded(patient)
    page, requested = open_dashboard(PHONE)

    assert first_screen(page, "[data-now-value]")
    assert first_screen(page, "[data-now-curve]")
    assert first_screen(page, "a.now-add")
    assert page.locator("[data-now-curve] path.now-curve-line").count() >= 1
    assert no_sideways_scroll(page)
    screenshot(page, "dashboard-390-light")
    # Nothing of plotly.js on the first screen: it comes when a chart is scrolled to.
    assert not [url for url in requested if "plotly" in url]
    chart = page.locator('[data-figure-name="readings"]')
    assert not first_screen(page, '[data-figure-name="readings"]')
    chart.scroll_into_view_if_needed()
    chart.locator(".main-svg").first.wait_for()
    assert [url for url in requested if "plotly" in url] == [
        page.evaluate("location.origin") + "/static/vendor/plotly-basic.min.js"
    ]
    assert no_sideways_scroll(page)


def test_dark_mode_follows_the_device_charts_included(open_dashboard, patient):
    seeded(patient)
    page, _ = open_dashboard(PHONE, color_scheme="dark")

    assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(33, 37, 41)"  # Bootstrap's dark body
    screenshot(page, "dashboard-390-dark")
    chart = page.locator('[data-figure-name="agp"]')
    chart.scroll_into_view_if_needed()
    chart.locator(".main-svg").first.wait_for()
    # The chart sits on the card's dark background with light text.
    assert chart.evaluate("el => el._fullLayout.paper_bgcolor") == "rgba(0,0,0,0)"
    assert chart.evaluate("el => el._fullLayout.font.color") == "#dee2e6"
    # The median, dark blue on white, is light blue on the dark card.
    median = chart.evaluate("el => el._fullData.find(t => t.name === 'Median').line.color")
    assert median == "#8fb3ff"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_desktop_screenshots(open_dashboard, patient, scheme):
    seeded(patient)
    page, _ = open_dashboard(DESKTOP, color_scheme=scheme)

    assert page.locator("[data-now-value]").is_visible()
    assert no_sideways_scroll(page)
    for chart in page.locator("[data-plotly-figure]").all():
        chart.scroll_into_view_if_needed()  # drawn when seen: draw them all for the picture
        chart.locator(".main-svg").first.wait_for()
    screenshot(page, f"dashboard-1366-{scheme}")


def test_the_now_card_and_tab_title_follow_new_readings_without_reloading(
    open_dashboard, patient, settings
):
    settings.BGT_DASHBOARD_POLL_SECONDS = 1
    now = timezone.now().replace(microsecond=0)
    for minutes, value in ((9, 100), (4, 104)):
        services.reading_create(
            patient=patient.record,
            value_mgdl=value,
            kind=Kind.CGM,
            taken_at=now - timedelta(minutes=minutes),
        )
    page, _ = open_dashboard(PHONE)
    assert page.title() == "104 → · Dashboard · BGT"

    services.reading_create(
        patient=patient.record, value_mgdl=62, kind=Kind.CGM, taken_at=timezone.now()
    )

    expect(page).to_have_title(re.compile("^62 "))  # polled every second
    assert page.title() == "62 ⇊ · Dashboard · BGT"
    card = page.locator("[data-now]")
    assert "62" in card.locator(".now-number").inner_text()
    assert "Low" in card.inner_text() and "−42 mg/dL in 4 min" in card.inner_text()
    # The period's cards were redrawn too (the readings' version changed).
    expect(page.locator("#dashboard-status")).to_contain_text("newest readings")
