"""The sharing page and the physician's roster in a real browser in German and French
(Accept-Language from the browser's locale), on a phone (390 px) and a desktop (1366 px):
the words from the catalogs, numbers with the language's decimal mark, nothing wider than
the screen (German words are long). Screenshots go to test-artifacts/ for people to look
at."""

import re

import pytest
from django.conf import settings
from django.test import Client

from clinic.tests.test_api import link
from clinic.tests.test_browser import seed_cgm_with_night_lows
from conftest import screenshot
from patients.models import AccessLogEntry
from patients.tests.factories import PatientFactory
from readings.tests.factories import cgm_cycle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WORDS = {
    "de": {
        "roster": "Meine Patienten",
        "flag": re.compile(r"Unter 3,0: \d+,\d %"),
        "sharing": "Ärzte, die Ihre Messwerte sehen können",
        "log": "hat am",
    },
    "fr": {
        "roster": "Mes patients",
        "flag": re.compile(r"Sous 3,0 : \d+,\d %"),
        "sharing": "Médecins qui peuvent voir vos mesures",
        "log": "a consulté",
    },
}


def open_as(chromium, live_server, user, *, locale: str, width: int):
    """A browser tab signed in as ``user`` (the session of a test client's login), whose
    browser asks for ``locale``."""
    client = Client()
    client.force_login(user)
    context = chromium.new_context(
        base_url=live_server.url, locale=locale, viewport={"width": width, "height": 900}
    )
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
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def no_overflow(page) -> None:
    """Nothing makes the page scroll sideways (a wide table scrolls inside its own box)."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


@pytest.fixture
def shared(physician, patient):
    """The patient's record on the physician's roster, with two weeks of CGM that dip below
    54 mg/dL at night, another patient, and the physician's look at the report logged."""
    physician.unit = "mmol/L"
    physician.save(update_fields=["unit"])
    link(physician, patient, mrn="RC-2041")
    seed_cgm_with_night_lows(patient)
    other = PatientFactory(first_name="Sam", last_name="Steady")
    link(physician, other)
    cgm_cycle(other.record, [100, 120, 140])
    AccessLogEntry.objects.create(
        viewer=physician,
        viewer_name="Dr. Grace House",
        patient=patient.record,
        what=AccessLogEntry.REPORT_PAGE,
    )
    return patient


@pytest.mark.parametrize("language", ["de", "fr"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_roster_and_the_sharing_page_in_the_browsers_language(
    chromium, live_server, shared, physician, language, width
):
    words = WORDS[language]
    context, page, errors = open_as(chromium, live_server, physician, locale=language, width=width)
    page.goto("/clinic/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == words["roster"]
    row = page.locator(f"tr[data-patient='{shared.record.pk}']")
    cells = row.inner_text()
    assert re.search(r"\d+,\d mmol/L", cells), cells  # the mean
    assert not re.search(r"\d+\.\d (mmol/L|%)", cells), cells
    flags = " ".join(row.locator("[data-goal]").all_inner_texts())
    assert words["flag"].search(flags), flags
    no_overflow(page)
    screenshot(page, f"i18n-roster-{language}-{width}")
    context.close()

    context, page, errors2 = open_as(chromium, live_server, shared, locale=language, width=width)
    page.goto("/sharing/")
    page.wait_for_load_state("networkidle")
    assert words["sharing"] in page.locator("#access-heading").inner_text()
    log = page.locator(".access-log").inner_text()
    assert "Dr. Grace House" in log and words["log"] in log, log
    no_overflow(page)
    screenshot(page, f"i18n-sharing-{language}-{width}")
    context.close()
    assert not errors and not errors2, errors + errors2
