"""The dashboard and the add-reading form in a German and a French browser at phone width
(issue 19): words, numbers with a decimal comma, the charts' separators and date ticks.
Screenshots go to test-artifacts/ (i18n-*-390.png) for people to look at."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import screenshot
from readings.models import Kind, Reading
from readings.tests.factories import ReadingFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

LANGUAGES = {
    # Accept-Language, the words to find, a date tick of the readings chart (day and month
    # in the language's order and names).
    "de": {
        "accept": "de-DE,de",
        "add": "Messwert hinzufügen",
        "save": "Messwert speichern",
        "future": "Diese Uhrzeit liegt in der Zukunft",
        "range": "Zwischen 1,1 und 33,3 mmol/L.",
        "saved": "Messwert von 5,6 mmol/L gespeichert.",
        "trend": "Leicht steigend",
        "tick": re.compile(r"^\d{1,2}\. \w+"),
        "separators": ",.",
    },
    "fr": {
        "accept": "fr-FR,fr",
        "add": "Ajouter une mesure",
        "save": "Enregistrer la mesure",
        "future": "Cette heure est dans le futur",
        "range": "Entre 1,1 et 33,3 mmol/L.",
        "saved": "Mesure de 5,6 mmol/L enregistrée.",
        "trend": "En légère hausse",
        "tick": re.compile(r"^\d{1,2} \w+"),
        "separators": ",\u00a0",  # Django's French thousands separator: a no-break space
    },
}


@pytest.fixture
def phone(chromium, live_server, request):
    """A 390 px wide tab whose browser asks for ``request.param``'s language; fails the test
    on any console error, uncaught exception or failed request, like browser_page."""
    language = LANGUAGES[request.param]
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale=language["accept"].split(",")[0],
        extra_http_headers={"Accept-Language": language["accept"]},
    )
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_default_timeout(15_000)
    with_language_shell(page, request.param)
    yield page, request.param, language
    context.close()
    assert not problems, problems


def with_language_shell(page, language: str) -> None:
    """What base.html does once i18n-platform's branch is merged: <html lang> of the active
    language and Django's JavaScript catalog before the page's scripts. Until then the
    test adds both to the HTML it receives (a no-op once base.html has them)."""

    def handle(route):
        response = route.fetch()
        html = response.text()
        if "jsi18n" not in html:
            html = html.replace('<html lang="en">', f'<html lang="{language}">', 1)
            html = html.replace("</head>", '<script src="/jsi18n/"></script></head>', 1)
        route.fulfill(response=response, body=html)

    page.route(re.compile(r".*/dashboard/$"), handle)  # not called for a redirect's target


def sign_in(page, user, password):
    page.goto("/accounts/login/")
    page.locator('input[name="login"]').fill(user.email)
    page.locator('input[name="password"]').fill(password)
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url("**/dashboard/")


def a_week_of_cgm(record):
    now = timezone.now()
    rising = [95, 110, 160, 210, 140, 120, 105, 90] * 84
    for i, value in enumerate(rising):
        ReadingFactory(
            patient=record,
            value_mgdl=value,
            kind=Kind.CGM,
            cadence_min=15,
            taken_at=now - timedelta(minutes=15 * i + 20),
        )
    # The newest: 9 mg/dL up on the one 5 minutes before, "FortyFiveUp" from the uploader.
    ReadingFactory(
        patient=record,
        value_mgdl=104,
        kind=Kind.CGM,
        cadence_min=5,
        direction="FortyFiveUp",
        taken_at=now - timedelta(minutes=2),
    )


@pytest.mark.parametrize("phone", ["de", "fr"], indirect=True)
def test_the_dashboard_in_the_browsers_language_with_its_number_formats(phone, patient, password):
    page, code, language = phone
    patient.unit = "mmol/L"
    patient.save()
    patient.record.timezone = "Europe/Paris"
    patient.record.save()
    a_week_of_cgm(patient.record)

    sign_in(page, patient, password)
    page.goto("/dashboard/")  # Playwright's routes skip the sign-in's redirect

    expect(page.locator("[data-now-trend]")).to_contain_text(language["trend"])
    chart = page.locator('[data-figure-name="readings"]')
    chart.scroll_into_view_if_needed()
    chart.locator(".xtick text").first.wait_for()
    assert chart.evaluate("el => el._fullLayout.separators") == language["separators"]
    ticks = chart.locator(".xtick text").all_text_contents()
    assert any(language["tick"].match(tick) for tick in ticks), ticks
    page.evaluate("() => window.scrollTo(0, 0)")
    assert not overflows(page)
    screenshot(page, f"i18n-dashboard-{code}-390")


@pytest.mark.parametrize("phone", ["de", "fr"], indirect=True)
def test_the_add_reading_form_with_a_validation_error_then_saved(phone, patient, password):
    page, code, language = phone
    patient.unit = "mmol/L"
    patient.save()
    patient.record.timezone = "Europe/Paris"
    patient.record.save()
    sign_in(page, patient, password)

    page.goto("/readings/new/")
    expect(page.locator("h1")).to_have_text(language["add"])
    page.locator('input[name="value"]').fill("5,6")
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(patient.record.tzinfo)
    page.locator('input[name="date"]').fill(tomorrow.date().isoformat())
    page.get_by_role("button", name=language["save"]).click()

    expect(page.locator("form[novalidate]")).to_contain_text(language["future"])
    expect(page.locator('input[name="value"]')).to_have_value("5,6")
    expect(page.locator("form[novalidate]")).to_contain_text(language["range"])
    assert not overflows(page)
    screenshot(page, f"i18n-add-reading-error-{code}-390")

    today = timezone.now().astimezone(patient.record.tzinfo) - timedelta(minutes=30)
    page.locator('input[name="date"]').fill(today.date().isoformat())
    page.locator('input[name="time"]').fill(today.strftime("%H:%M"))
    page.get_by_role("button", name=language["save"]).click()

    page.wait_for_url("**/readings/")
    expect(page.locator("body")).to_contain_text(language["saved"])
    assert Reading.objects.get().value_mgdl == 101
    table = page.locator(".reading-days").locator("xpath=..")  # its .table-responsive
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth")  # no sideways scrolling
    if code == "de":
        screenshot(page, "i18n-readings-de-390")


def overflows(page) -> list[str]:
    """Elements wider than the viewport (a long German word that does not wrap)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          return Array.from(document.querySelectorAll("body *"))
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .filter((el) => !el.closest(".table-responsive, .scroll-box, .chart, svg"))
            .map((el) => el.tagName + "." + el.className);
        }"""
    )
