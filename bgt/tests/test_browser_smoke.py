import pytest

from conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_landing_page_in_a_real_browser(browser_page):
    browser_page.goto("/")

    assert (
        browser_page.get_by_role("heading", level=1).inner_text() == "Your blood glucose, clearly."
    )
    # Bootstrap's CSS is applied (served by the app): the navbar is laid out as a flex row.
    assert browser_page.locator("nav.navbar").evaluate("e => getComputedStyle(e).display") == "flex"
    screenshot(browser_page, "landing")
