"""Whole journeys in a real browser (Playwright, Debian's Chromium, the strict CSP on).

browser_page fails a test on any console error, uncaught exception or failed request, so
every page these journeys touch is also checked for CSP violations and missing assets.
The physician's journey (request, accept, roster, report, access log) is
clinic/tests/test_browser.py; importing a Dexcom file is readings/tests/test_import_browser.py.
"""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts import roles
from accounts.models import User
from accounts.tests.factories import AdministratorFactory, UserFactory
from accounts.tests.test_admin import PERMISSION_LOOKUP_DEVIATION
from conftest import screenshot
from patients.selectors import own_record
from readings.models import Reading
from readings.tests.factories import ReadingFactory, TargetFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-unguessable-passphrase"


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_a_new_patient_from_signup_to_export(browser_page, tmp_path):
    page = browser_page

    # Sign up, confirm the address from the mail, sign in.
    page.goto("/")
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Email").fill("new.patient@example.org")
    page.get_by_label("Password*", exact=True).fill(PASSWORD)  # "*": required
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "new.patient@example.org", PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    user = User.objects.get(email="new.patient@example.org")
    assert roles.is_patient(user)

    # Preferences: mmol/L on the profile, a far time zone on the record's settings.
    page.get_by_role("link", name="Profile").click()
    page.get_by_label("mmol/L").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator(".alert-success")).to_contain_text("Your changes are saved.")
    page.get_by_role("link", name="Record settings").click()
    page.get_by_role("combobox", name="Time zone").select_option("Pacific/Auckland")
    page.get_by_role("button", name="Save name and time zone").click()
    expect(page.locator(".alert-success")).to_contain_text("Your changes are saved.")
    user.refresh_from_db()
    user.record = own_record(user=user)
    assert (user.unit, user.record.timezone) == ("mmol/L", "Pacific/Auckland")

    # Two readings through the form: one very low, one high.
    for value, context in (("2.8", "Before a meal"), ("12.5", "After a meal")):
        page.get_by_role("link", name="Add reading").click()
        page.get_by_label("Glucose (mmol/L)").fill(value)
        page.get_by_label("Meal context").select_option(label=context)
        page.get_by_role("button", name="Save reading").click()
        expect(page.locator(".alert-success")).to_contain_text(f"Saved a reading of {value} mmol/L")
    badges = page.locator(".reading-table .band")
    expect(badges).to_have_count(2)
    labels = sorted(badges.nth(i).inner_text().strip() for i in range(2))
    assert labels == ["▲ High", "▼▼ Very low"]
    assert sorted(
        Reading.objects.filter(patient=user.record).values_list("value_mgdl", flat=True)
    ) == [
        50,
        225,
    ]

    # Meter readings are drawn over time and in the meter chart; the CGM charts say why
    # they are empty (CGM figures never include meter readings).
    page.get_by_role("link", name="Dashboard").click()
    for name in ("readings", "meter"):
        chart = page.locator(f'[data-figure-name="{name}"]')
        chart.scroll_into_view_if_needed()  # charts are drawn when they come into view
        expect(chart.locator(".main-svg").first).to_be_visible()
        points = chart.evaluate("el => el.data.reduce((n, t) => n + (t.y ? t.y.length : 0), 0)")
        assert points > 0, name
    for name in ("agp", "ranges"):
        page.locator(f'[data-figure-name="{name}"]').scroll_into_view_if_needed()
        expect(page.locator(f'[data-figure-name="{name}"] .annotation-text')).to_contain_text(
            "CGM data"
        )
    expect(page.locator('[data-table="meter-ranges"]')).to_contain_text("50.0 %")
    screenshot(page, "journey-dashboard")

    # Import a CSV (BGT's own format), then export everything.
    csv = tmp_path / "meter.csv"
    taken = (timezone.now() - timedelta(days=1)).replace(microsecond=0).isoformat()
    csv.write_text(
        "taken_at,value_mgdl,value_mmoll,kind,context,notes,source,external_id,trend\n"
        f"{taken},101,5.6,fingerstick,fasting,from my old meter,import,,\n"
    )
    # Import is in the menu.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Import"
    ).click()
    page.locator('input[type="file"]').set_input_files(str(csv))
    page.get_by_role("button", name=re.compile("Import")).click()
    expect(page.get_by_role("heading", name="Import result")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Imported 1 reading")
    page.get_by_role("link", name="See your readings").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert exported.count("\n") == 4  # header + 3 readings
    assert "from my old meter" in exported and ",225," in exported
    screenshot(page, "journey-readings")


@pytest.mark.parametrize(
    "kind", [pytest.param("administrator", marks=PERMISSION_LOOKUP_DEVIATION), "superuser"]
)
def test_an_administrator_manages_a_user_and_never_sees_medical_data(
    browser_page, kind, password, patient
):
    admin_user = (
        UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
        if kind == "superuser"
        else AdministratorFactory(email="admin@example.org")
    )
    ReadingFactory(patient=patient.record, value_mgdl=487, notes="SENTINEL-NOTE")
    TargetFactory(patient=patient.record, low_mgdl=77, high_mgdl=177)
    patient.record.date_of_birth, patient.record.diabetes_type = date(1911, 11, 11), "type_1"
    patient.record.save()
    page = browser_page
    seen = []

    sign_in(page, admin_user.email, password)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    seen.append(page.content())
    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("textbox").first.fill("patient@example.org")
    page.keyboard.press("Enter")
    expect(page.locator("#result_list")).to_contain_text(patient.email)
    seen.append(page.content())
    page.locator("#result_list").get_by_role("link", name=patient.email).click()
    seen.append(page.content())
    page.get_by_label("Last name").fill("Renamed")
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    seen.append(page.content())
    page.locator("#result_list").get_by_role("link", name=patient.email).click()
    page.get_by_role("link", name="History").click()
    seen.append(page.content())
    page.go_back()
    page.get_by_role("link", name="Delete").click()
    seen.append(page.content())
    screenshot(page, "journey-admin-delete-confirmation")

    patient.refresh_from_db()
    assert (patient.last_name, patient.is_active) == ("Renamed", False)
    for html in seen:
        for sentinel in ("487", "SENTINEL-NOTE", "1911", "Type 1", ">77<", ">177<"):
            assert sentinel not in html, sentinel


def tab_to(page, element_id, limit=40):
    """Press Tab until the element with ``element_id`` has focus; the ids passed on the
    way, in order."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        passed.append(focused)
        if focused == element_id:
            return passed
    raise AssertionError(f"{element_id} never got focus; went through {passed}")


def labels_of(page, selector):
    return page.locator(selector).evaluate_all(
        "els => els.map(e => [e.id, e.labels.length ? e.labels[0].innerText.trim() : ''])"
    )


def test_signup_and_the_reading_form_work_with_the_keyboard_alone(browser_page):
    page = browser_page
    page.goto("/accounts/signup/")

    # The first Tab reaches the skip link, which jumps over the navigation.
    page.keyboard.press("Tab")
    assert (
        page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to main content"
    )
    assert all(label for _, label in labels_of(page, "main input:not([type=hidden])"))
    tab_to(page, "id_email")
    page.keyboard.type("keys.only@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_password1"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_password2"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    link = re.search(r"(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    tab_to(page, "BUTTON")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.goto("/readings/new/")
    fields = labels_of(page, "main input:not([type=hidden]), main select, main textarea")
    assert [field_id for field_id, _ in fields] == [
        "id_value",
        "id_date",
        "id_time",
        "id_context",
        "id_kind",
        "id_notes",
    ]
    assert all(label for _, label in fields), fields
    order = tab_to(page, "id_value")
    assert "id_notes" not in order  # the form starts with the value
    page.keyboard.type("140")
    for expected in ("id_date", "id_time", "id_context", "id_kind", "id_notes"):
        # Date and time inputs take a Tab per segment (month, day, year...): skip through.
        tab_to(page, expected, limit=8)
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Save reading"
    page.keyboard.press("Enter")

    expect(page.locator(".alert-success")).to_contain_text("Saved a reading of 140 mg/dL")
    reading = Reading.objects.get(notes="typed without a mouse")
    assert reading.value_mgdl == 140
