"""The consent flow in a real browser: a physician asks, the patient accepts on /sharing/,
the physician finds the patient flagged on the roster and opens the report with its charts,
and the patient sees that visit in the access log."""

import math
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.tests.factories import ClinicFactory, ClinicMembershipFactory
from conftest import screenshot
from patients.tests.factories import GrantFactory, PatientFactory
from readings.models import Kind, Reading, Source
from readings.tests.factories import ReadingFactory, store

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def seed_cgm_with_night_lows(patient, days=14):
    """Every 15 minutes: a daily rhythm with meal peaks, dipping below 54 mg/dL at night."""
    now = timezone.now().replace(second=0, microsecond=0)
    readings = []
    for i in range(days * 96):
        at = now - timedelta(minutes=15 * (i + 1))
        hour = at.hour + at.minute / 60
        meals = sum(70 * math.exp(-(((hour - h) % 24) ** 2) / 1.5) for h in (8, 13, 19.5))
        night_dip = 85 * math.exp(-(((hour - 3) % 24) ** 2) / 1.2)
        value = int(max(40, min(400, 125 + meals - night_dip + 10 * math.sin(i / 5))))
        readings.append(
            Reading(
                patient=patient.record,
                value_mgdl=value,
                taken_at=at,
                kind=Kind.CGM,
                source=Source.API,
            )
        )
    store(readings)


def seed_other_patients(physician):
    """Two patients already on the roster (one steady, one silent for weeks) and a pending
    offer, so that the roster shows its order and its offers."""
    now = timezone.now().replace(second=0, microsecond=0)
    steady = PatientFactory(first_name="Sam", last_name="Steady")
    store(
        Reading(
            patient=steady.record, value_mgdl=110 + i % 40, taken_at=now - timedelta(hours=i + 1)
        )
        for i in range(200)
    )
    silent = PatientFactory(first_name="Quinn", last_name="Quiet")
    ReadingFactory(patient=silent.record, value_mgdl=140, taken_at=now - timedelta(days=20))
    for patient in (steady, silent):
        GrantFactory(user=physician, patient=patient.record)
    GrantFactory(
        user=physician,
        patient=PatientFactory(first_name="Olive", last_name="Offer").record,
        status="pending",
        initiated_by="patient",
        responded_at=None,
    )


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    settle(page)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign In").click()
    # Let the landing page (the dashboard, with its charts) finish loading before moving on.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    settle(page)


def settle(page):
    """Wait until the page and its late requests (charts, favicon) are done: leaving a page
    earlier aborts them, which the browser fixture reports as failed requests."""
    page.wait_for_load_state("networkidle")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/(accounts/logout/)?$"))
    settle(page)


def test_request_accept_roster_report_and_access_log(browser_page, physician, patient, password):
    page = browser_page
    ClinicMembershipFactory(clinic=ClinicFactory(name="Riverside Clinic"), physician=physician)
    seed_cgm_with_night_lows(patient)
    seed_other_patients(physician)

    # The physician asks the patient for access.
    sign_in(page, physician.email, password)
    page.wait_for_url("**/clinic/")
    page.get_by_label("Patient's email").fill(patient.email)
    page.get_by_label("MRN (optional)").fill("RC-2041")
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("they have been asked to share their readings").wait_for()
    settle(page)
    assert "Pat Ient" not in page.locator("table.roster-table").inner_text()  # not yet
    sign_out(page)

    # The patient accepts on /sharing/.
    sign_in(page, patient.email, password)
    page.goto("/sharing/")
    settle(page)
    request = page.locator("[data-request]")
    assert "Dr. Grace House" in request.inner_text()
    assert "Riverside Clinic" in request.inner_text()
    screenshot(page, "clinic-sharing-request")
    request.get_by_role("button", name=re.compile("^Accept")).click()
    page.get_by_text("Dr. Grace House can now see your readings.").wait_for()
    settle(page)
    sign_out(page)

    # The physician sees the patient flagged on the roster and opens the report.
    sign_in(page, physician.email, password)
    page.wait_for_url("**/clinic/")
    row = page.locator(f"tr[data-patient='{patient.record.pk}']")
    assert "Pat Ient" in row.inner_text() and "RC-2041" in row.inner_text()
    flags = row.locator("[data-goal]").all_inner_texts()
    assert any(flag.startswith("✗ Below 54") for flag in flags), flags
    # Needs attention first: time very low, then no recent data, then the steady patient.
    names = page.locator("table.roster-table tbody th a").all_inner_texts()
    assert names == ["Pat Ient", "Quinn Quiet", "Sam Steady"], names
    assert "Olive Offer" in page.locator("[data-offer]").inner_text()
    in_range_standard = row.locator("td").nth(5).inner_text()  # 70-180 mg/dL
    screenshot(page, "clinic-roster")

    row.get_by_role("link", name="Pat Ient", exact=True).click()
    page.wait_for_url(f"**/clinic/patients/{patient.record.pk}/")
    for name in ("readings", "agp", "ranges", "meter"):
        # Charts are drawn when they come into view (the plotly bundle loads then).
        page.locator(f'[data-figure-name="{name}"]').scroll_into_view_if_needed()
        page.wait_for_function(
            f"() => {{ const el = document.querySelector('[data-figure-name={name}]');"
            " return el && el.data !== undefined; }"
        )
    for name in ("readings", "agp", "ranges"):
        assert page.evaluate(f"document.querySelector('[data-figure-name={name}]').data.length"), (
            name
        )
    # CGM only: the meter chart says there is nothing to draw.
    expect(page.locator('[data-figure-name="meter"] .annotation-text')).to_have_text(
        "No meter readings in this period."
    )
    assert page.get_by_role("link", name=re.compile("Edit")).count() == 0
    assert "Read-only" in page.get_by_role("heading", level=1).inner_text()
    settle(page)
    screenshot(page, "clinic-report")

    # The physician judges her by the pregnancy goals; the roster follows.
    page.get_by_label(re.compile("^Target preset")).select_option("pregnancy_t1")
    page.get_by_role("button", name="Save preset").click()
    page.get_by_text("Pat Ient's figures now follow: Pregnancy with type 1 diabetes.").wait_for()
    settle(page)
    page.goto("/clinic/?q=ient")
    settle(page)
    row = page.locator(f"tr[data-patient='{patient.record.pk}']")
    in_range_pregnancy = row.locator("td").nth(5).inner_text()  # 63-140 mg/dL
    assert float(in_range_pregnancy.split()[0]) < float(in_range_standard.split()[0])
    assert page.locator("table.roster-table tbody tr").count() == 1  # found by name
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "clinic-roster-search-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    # The patient sees the visit in the access log.
    sign_in(page, patient.email, password)
    page.goto("/sharing/")
    settle(page)
    log = page.locator(".access-log").inner_text()
    assert "Dr. Grace House viewed your report page on" in log
    screenshot(page, "clinic-sharing")

    # The device upload secret is shown once, with what to type into the uploader.
    page.get_by_role("button", name="Make a secret").click()
    secret = page.locator("[data-secret]").inner_text()
    assert len(secret) >= 12 and f"{secret}@" in page.locator("main").inner_text()
    settle(page)
    screenshot(page, "clinic-upload-secret")
    page.goto("/sharing/")
    settle(page)
    assert secret not in page.content()
    page.get_by_role("link", name="Stop sharing").click()
    page.wait_for_url("**/sharing/links/**/end/")
    settle(page)
    page.get_by_role("button", name="Stop sharing").click()
    page.get_by_text("Dr. Grace House can no longer see your readings.").wait_for()
    settle(page)
