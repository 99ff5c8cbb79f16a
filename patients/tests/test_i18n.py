"""The sharing page and its messages in German and French: the page's words, the access
log's dates and times in the language (weekday and month names, 24-hour clock), and the
messages of the consent flow."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from patients.models import AccessLogEntry
from patients.tests.factories import GrantFactory

pytestmark = pytest.mark.django_db


def german_email_error() -> str:
    """Django's "Enter a valid email address." as the German catalogs word it (allauth's
    catalog words it too): from the catalogs, not copied here."""
    english = "Enter a valid email address."
    with translation.override("de"):
        text = gettext(english)
    assert text != english
    return text


VIEWED = datetime(2026, 3, 5, 14, 30, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def shared(client, patient, physician):
    """A record shared with a physician, who looked at the report once."""
    GrantFactory(user=physician, patient=patient.record)
    AccessLogEntry.objects.create(
        viewer=physician,
        viewer_name="Dr. Grace House",
        patient=patient.record,
        what=AccessLogEntry.REPORT_PAGE,
        viewed_at=VIEWED,
    )
    client.force_login(patient)
    return client


def test_the_sharing_page_in_german(shared):
    html = shared.get(reverse("patients:sharing"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ärzte, die Ihre Messwerte sehen können" in html
    assert "Teilen beenden" in html and "Einem Arzt Zugriff anbieten" in html
    # Thursday 5 March 2026, 14:30 UTC, in German words and a 24-hour clock.
    assert "Dr. Grace House hat am" in html
    assert "Donnerstag 5 März 2026 um 14:30" in html
    assert "geöffnet: Berichtsseite" in html
    assert "Physicians who can see" not in html


def test_the_sharing_page_in_french(shared):
    html = shared.get(reverse("patients:sharing"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Médecins qui peuvent voir vos mesures" in html
    assert "jeudi 5 mars 2026 à 14:30" in html
    assert "page de rapport" in html
    with translation.override("fr"):
        since = date_format(datetime.now(tz=ZoneInfo("UTC")), "j M Y")
    assert f"Depuis le {since}" in html


def test_a_german_form_error_on_the_sharing_page(shared):
    response = shared.post(
        reverse("patients:offer"), {"email": "kein-arzt"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    html = response.content.decode()
    assert german_email_error() in html
    assert "E-Mail-Adresse des Arztes" in html  # the field's label, from patients' catalog


def test_the_consent_flow_speaks_french(shared, physician):
    response = shared.post(
        reverse("patients:offer"),
        {"email": "someone@example.org"},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert "Si someone@example.org appartient à un médecin sur BGT" in response.content.decode()


def test_without_a_language_the_sharing_page_stays_english(shared):
    html = shared.get(reverse("patients:sharing")).content.decode()
    assert "Physicians who can see your readings" in html
    assert "Dr. Grace House viewed your report page on" in html
    assert "Thursday 5 March 2026 at 14:30" in html
