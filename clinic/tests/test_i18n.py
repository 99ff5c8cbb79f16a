"""The roster in German and French: the page's words from the catalogs, every figure with
the language's decimal mark, the flags worded in the reader's unit and language, a German
validation error, and the English page unchanged when no language is asked for."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from clinic.tests.test_api import link
from patients.tests.factories import PatientFactory
from readings.tests.factories import cgm_cycle

pytestmark = pytest.mark.django_db


def german_email_error() -> str:
    """Django's "Enter a valid email address." as the German catalogs word it (allauth's
    catalog words it too): from the catalogs, not copied here."""
    english = "Enter a valid email address."
    with translation.override("de"):
        text = gettext(english)
    assert text != english
    return text


@pytest.fixture
def roster(client, physician):
    """One patient with a day of CGM low enough to be flagged, read by a mmol/L physician."""
    physician.unit = "mmol/L"
    physician.save(update_fields=["unit"])
    low = PatientFactory(email="lou@example.org", first_name="Lou", last_name="Low")
    link(physician, low)
    cgm_cycle(low.record, [45, 50, 101, 180])
    client.force_login(physician)
    return client


def test_the_roster_in_german_has_decimal_commas_and_german_flags(roster):
    html = roster.get(reverse("clinic:roster"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<h1 class="h3 mb-0">Meine Patienten</h1>' in html
    assert "Einen Patienten um Zugriff bitten" in html and "Ask a patient" not in html
    row = html[html.index("data-patient=") : html.index("</tr>", html.index("data-patient="))]
    assert re.search(r"\d+,\d mmol/L", row), row  # the mean
    assert re.search(r"\d+,\d %", row), row  # the percentages
    assert not re.search(r"\d+\.\d (mmol/L|%)", row), row
    # Below 54 mg/dL is 3.0 mmol/L: "Unter 3,0: 45,0 % (Ziel < 1 %)".
    assert re.search(r"Unter 3,0: \d+,\d % \(Ziel &lt; 1 %\)", row), row
    assert "Sehr niedrig" not in row  # the bands are named in the goals, not the row


def test_the_roster_in_french_names_its_columns_and_flags_in_french(roster):
    html = roster.get(reverse("clinic:roster"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mes patients" in html and "Sous 3,9" in html  # the "below 70" column heading
    assert re.search(r"Sous 3,0 : \d+,\d % \(objectif &lt; 1 %\)", html)
    assert "1 patient" in html  # the count, singular


def test_a_german_request_form_error_is_german(roster):
    response = roster.post(
        reverse("clinic:request"), {"email": "not-an-address"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    html = response.content.decode()
    assert german_email_error() in html
    assert "E-Mail-Adresse des Patienten" in html  # the field's label


def test_without_a_language_the_roster_stays_english(roster):
    html = roster.get(reverse("clinic:roster")).content.decode()
    assert "My patients" in html
    assert re.search(r"Below 3\.0: \d+\.\d % \(goal &lt; 1 %\)", html)
