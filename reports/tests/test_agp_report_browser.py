"""In the browser: the dashboard's overlay of the last 14 days and the report's download
form at 390 px; the PDF comes through the button; the printable page prints, from the
browser itself, on the same three pages as the server's PDF, without the toolbar.
Screenshots at 390 and 1366 px under test-artifacts/."""

import io

import pypdf
import pytest

from conftest import screenshot
from reports.tests.seed import seed_cgm, seed_meter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, user, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_overlay_download_and_browser_print_of_the_report(browser_page, patient, password):
    record = patient.record
    record.display_name = "Ada Lovelace"
    record.timezone = "Europe/Paris"
    record.save()
    seed_cgm(record, days=14)
    seed_meter(record, days=3)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, patient, password)

    overlay = page.locator("[data-plotly-figure=figure-overlay]")
    overlay.scroll_into_view_if_needed()  # charts are drawn when they come into view
    overlay.locator(".main-svg").first.wait_for()
    assert overlay.evaluate("el => el.data.length") == 14
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
        " && !e.closest('.table-responsive'))"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    screenshot(page, "dashboard-report-390")
    assert wide == [] and no_sideways_scroll(page)
    form = page.locator(".report-download")
    form.scroll_into_view_if_needed()
    assert form.get_by_label("Period").input_value() == "14"
    assert form.get_by_label("Paper").input_value() == "letter"  # Chromium asks in en-US
    screenshot(page, "dashboard-report-390")

    with page.expect_download() as download:
        form.get_by_role("button", name="Download PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith("glucose-profile-ada-lovelace-")
    with open(pdf.path(), "rb") as handle:
        assert len(pypdf.PdfReader(handle).pages) == 3

    form.get_by_role("button", name="Printable page").click()
    page.wait_for_url("**/report/?*")
    page.locator("[data-page='3']").wait_for()
    assert page.get_by_role("button", name="Print").is_visible()
    screenshot(page, "report-page-390")
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "report-page-1366")

    page.emulate_media(media="print")
    assert not page.locator(".report-toolbar").is_visible()
    printed = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    # Chromium draws the @page margin boxes too ("Page 1 of 3"), and sets "fi" ligatures.
    texts = [" ".join(p.extract_text().replace("ﬁ", "fi").split()) for p in printed.pages]
    assert len(texts) == 3
    assert "Page 1 of 3" in texts[0] and "Page 3 of 3" in texts[2]
    assert "Glucose profile report (AGP-style)" in texts[0][:60]
    assert "not the licensed AGP Report" in texts[0]
    assert "Daily glucose profiles" in texts[1][:60] and "Definitions" not in texts[1]
    assert "Meter readings" in texts[2][:60]
    width, height = (float(x) for x in printed.pages[0].mediabox[2:])
    # The browser asks in en-US: the form chose US Letter, and the page's @page rule says so.
    assert (round(width), round(height)) == (612, 792)
