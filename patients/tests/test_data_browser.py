"""Account deletion in a real browser: the confirmation page, the password, the goodbye."""

import pytest

from conftest import screenshot
from readings.models import Reading
from readings.tests.factories import ReadingFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_delete_the_account_from_the_profile_page(browser_page, patient, password):
    for _ in range(3):
        ReadingFactory(patient=patient.record)
    page = browser_page
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")

    page.goto("/profile/")
    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_url("**/profile/delete/")
    assert "its 3 readings" in page.locator("main").inner_text()

    page.get_by_label("Your password").fill("wrong password")
    page.get_by_role("button", name="Delete my account and all my data").click()
    page.wait_for_selector("text=That is not your password; nothing was deleted.")
    assert Reading.objects.count() == 3
    screenshot(page, "account-delete")

    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Delete my account and all my data").click()
    page.wait_for_url("**/")
    assert "Your account and all its data have been deleted." in page.locator("main").inner_text()
    screenshot(page, "account-deleted")
    assert Reading.objects.count() == 0
