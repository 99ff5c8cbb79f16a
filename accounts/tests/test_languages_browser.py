"""The language in a real browser: a signed-out visitor switches the landing page and the
sign-in page to French with the footer's switcher; a signed-in user switches to German on the
profile. At a phone's width (390 px) nothing sticks out, German words included."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import get_resolver

from conftest import screenshot
from patients.tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_a_visitor_switches_the_landing_page_and_sign_in_to_french(browser_page):
    # The live server imports the URLconf (every view) on its first request: tens of
    # seconds on a loaded 2-core machine, longer than a page's 15 s. Import it now.
    assert get_resolver().url_patterns
    browser_page.set_viewport_size(PHONE)
    browser_page.goto("/")
    assert browser_page.locator("html").get_attribute("lang") == "en"

    browser_page.get_by_label("Language").select_option("fr")
    browser_page.get_by_role("button", name="Change language").click()

    assert browser_page.locator("html").get_attribute("lang") == "fr"
    heading = browser_page.get_by_role("heading", level=1).inner_text()
    assert heading == "Votre glycémie, en toute clarté."
    # The JavaScript catalog is loaded (a static script) and speaks French too.
    assert browser_page.evaluate("gettext('Cancel')") == "Annuler"
    assert page_width(browser_page) <= PHONE["width"]

    browser_page.get_by_role("main").get_by_role("link", name="Se connecter").click()

    assert browser_page.url.endswith("/accounts/login/")
    assert browser_page.get_by_role("heading", level=1).inner_text() == "Connexion"
    assert browser_page.get_by_label("Langue").input_value() == "fr"
    assert page_width(browser_page) <= PHONE["width"]
    screenshot(browser_page, "i18n-fr-login")


def test_a_signed_in_user_switches_to_german_on_the_profile(browser_page, live_server):
    user = PatientFactory(email="jonas@example.org")
    client = Client()
    client.force_login(user)
    assert client.session[SESSION_KEY] == str(user.pk)
    browser_page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    browser_page.set_viewport_size(PHONE)
    browser_page.goto("/profile/")
    assert browser_page.get_by_role("heading", level=1).inner_text() == "Your profile"

    browser_page.get_by_label("Language", exact=True).select_option("de")
    browser_page.get_by_role("button", name="Save preferences").click()

    assert browser_page.get_by_role("heading", level=1).inner_text() == "Ihr Profil"
    assert browser_page.get_by_role("status").inner_text().strip() == (
        "Ihre Änderungen sind gespeichert."
    )
    assert browser_page.locator("html").get_attribute("lang") == "de"
    assert page_width(browser_page) <= PHONE["width"]
    screenshot(browser_page, "i18n-de-profile")
    user.refresh_from_db()
    assert user.language == "de"

    browser_page.goto("/")  # every page now, not only the profile

    assert browser_page.get_by_role("heading", level=1).inner_text() == (
        "Ihr Blutzucker, klar und übersichtlich."
    )
    assert page_width(browser_page) <= PHONE["width"]
    screenshot(browser_page, "i18n-de-home")
