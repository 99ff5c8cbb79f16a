"""Account deletion in a real browser: the confirmation page, the password, the goodbye."""

import pytest

from conftest import screenshot
from readings.models import Reading
from readings.tests.factories import ReadingFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def settle(page, quiet_ms: int = 250, timeout_ms: int = 5000):
    """Let the page finish its own requests (the browser fetches the favicon after "load")
    before navigating away, which would abort them, and browser_page fails a test on any
    aborted request. Waits until no request has been in flight for ``quiet_ms``."""
    if not hasattr(page, "_bgt_in_flight"):
        in_flight = page._bgt_in_flight = set()
        page.on("request", lambda request: in_flight.add(request))
        page.on("requestfinished", lambda request: in_flight.discard(request))
        page.on("requestfailed", lambda request: in_flight.discard(request))
    page.wait_for_load_state("load")
    quiet = waited = 0
    while quiet < quiet_ms and waited < timeout_ms:
        page.wait_for_timeout(50)
        waited += 50
        quiet = 0 if page._bgt_in_flight else quiet + 50


def test_delete_the_account_from_the_profile_page(browser_page, patient, password):
    for _ in range(3):
        ReadingFactory(owner=patient)
    page = browser_page
    page.goto("/accounts/login/")
    settle(page)
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")
    settle(page)

    page.goto("/profile/")
    settle(page)
    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_url("**/profile/delete/")
    assert "your 3 readings" in page.locator("main").inner_text()
    settle(page)

    page.get_by_label("Your password").fill("wrong password")
    page.get_by_role("button", name="Delete my account and all my data").click()
    page.wait_for_selector("text=That is not your password; nothing was deleted.")
    assert Reading.objects.count() == 3
    screenshot(page, "account-delete")
    settle(page)

    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Delete my account and all my data").click()
    page.wait_for_url("**/")
    assert "Your account and all its data have been deleted." in page.locator("main").inner_text()
    screenshot(page, "account-deleted")
    assert Reading.objects.count() == 0
