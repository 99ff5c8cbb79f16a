"""The readings and treatments pages in German and French (issue 19): translated words,
numbers with a decimal comma, dates in the language's order, and forms that read a decimal
comma and answer in the visitor's language. English stays the default (other tests)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from readings.models import Context, Kind, Reading
from readings.now import latest_glucose
from readings.tests.factories import ReadingFactory
from treatments.tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# A Wednesday: its German and French names and month abbreviations are checked below.
DAY = datetime(2026, 12, 2, 8, 5, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _english_afterwards():
    # The test client leaves the last request's language active in this thread.
    yield
    translation.deactivate()


@pytest.fixture
def mmol_patient(patient):
    patient.unit = "mmol/L"
    patient.save()
    patient.record.timezone = "Europe/Paris"
    patient.record.save()
    return patient


def text_of(response) -> str:
    """The page's visible text, tags stripped and whitespace folded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def reading_form(**overrides):
    now = timezone.now().astimezone(PARIS) - timedelta(hours=1)
    data = {
        "value": "5,6",
        "date": now.date().isoformat(),
        "time": now.strftime("%H:%M"),
        "kind": Kind.FINGERSTICK,
        "context": Context.BEFORE_MEAL,
        "notes": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("language", "words", "day", "mean"),
    [
        (
            "de",
            ["Messwerte", "Messwert hinzufügen", "Glukose", "Uhrzeit"],
            "Mi, 2. Dez 2026",
            "Mittelwert",
        ),
        ("fr", ["Mesures", "Ajouter une mesure", "Glycémie", "Heure"], "mer 2 déc 2026", "moyenne"),
    ],
)
def test_the_readings_table_speaks_the_browsers_language_with_its_numbers(
    client, mmol_patient, language, words, day, mean
):
    for minutes, value in ((0, 101), (60, 130)):  # 5.6 and 7.2 mmol/L
        ReadingFactory(
            patient=mmol_patient.record, value_mgdl=value, taken_at=DAY + timedelta(minutes=minutes)
        )
    client.force_login(mmol_patient)

    response = client.get(
        reverse("readings:list"), {"day": "2026-12-02"}, HTTP_ACCEPT_LANGUAGE=language
    )

    text = text_of(response)
    for word in words:
        assert word in text
    assert day in text
    assert f"2 {'Messwerte' if language == 'de' else 'mesures'}, {mean} 6,4 mmol/L" in text
    assert "5,6 mmol/L" in text and "7,2 mmol/L" in text
    assert "5.6 mmol/L" not in text
    assert "09:05" in text  # 24-hour clock, the record's zone
    assert "Add a reading" not in text and "Readings by day" not in text


def test_the_add_reading_form_answers_in_german_and_keeps_the_decimal_comma(client, mmol_patient):
    client.force_login(mmol_patient)
    future = timezone.now().astimezone(PARIS) + timedelta(hours=2)

    response = client.post(
        reverse("readings:create"),
        reading_form(value="5,6", date=future.date().isoformat(), time=future.strftime("%H:%M")),
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "Diese Uhrzeit liegt in der Zukunft" in text
    assert "Messwert speichern" in text and "Glukose (mmol/L)" in text
    assert 'value="5,6"' in response.content.decode()  # what was typed comes back
    assert not Reading.objects.exists()


@pytest.mark.parametrize("typed", ["5,6", "5.6"])
def test_a_german_visitor_may_type_a_decimal_comma_or_point(client, mmol_patient, typed):
    client.force_login(mmol_patient)

    response = client.post(
        reverse("readings:create"), reading_form(value=typed), HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 302
    assert Reading.objects.get().value_mgdl == 101
    message = text_of(client.get(response.url, HTTP_ACCEPT_LANGUAGE="de"))
    assert "Messwert von 5,6 mmol/L gespeichert." in message


def test_a_required_field_left_empty_is_named_in_french(client, mmol_patient):
    client.force_login(mmol_patient)

    response = client.post(
        reverse("readings:create"), reading_form(value=""), HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text_of(response)
    assert "Entre 1,1 et 33,3 mmol/L." in text_of(response)  # the help text's range


def test_the_edit_form_shows_the_stored_value_with_the_languages_separator(client, mmol_patient):
    reading = ReadingFactory(patient=mmol_patient.record, value_mgdl=101, taken_at=DAY)
    client.force_login(mmol_patient)
    url = reverse("readings:update", args=[reading.pk])

    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get(url).content.decode()

    assert 'value="5,6"' in german and "Messwert bearbeiten" in german
    assert 'value="5.6"' in english and "Edit reading" in english


def test_treatments_in_german_with_amounts_and_dates_in_its_format(client, mmol_patient):
    TreatmentFactory(
        patient=mmol_patient.record, type="bolus", insulin_units=4.5, taken_at=DAY, carbs_g=None
    )
    TreatmentFactory(
        patient=mmol_patient.record, type="carbs", carbs_g=42.5, taken_at=DAY, insulin_units=None
    )
    client.force_login(mmol_patient)

    response = client.get(
        reverse("treatments:list"),
        {"start": "2026-11-30", "end": "2026-12-03"},
        HTTP_ACCEPT_LANGUAGE="de",
    )

    text = text_of(response)
    assert "Ihre Behandlungen" in text and "Tagessummen" in text
    assert "Bolusinsulin" in text and "Kohlenhydrate" in text
    assert "4,5 U" in text and "42,5 g" in text
    assert "Vom 30. Nov 2026 bis 3. Dez 2026, in den Tagen von Pat Ient" in text
    assert "Mi, 2. Dez" in text


def test_trend_words_follow_the_language_they_are_shown_in():
    newest = Reading(value_mgdl=150, taken_at=DAY, kind=Kind.CGM, direction="FortyFiveUp")

    latest = latest_glucose([newest])

    with translation.override("de"):
        assert str(latest.trend_words) == "leicht steigend"
    with translation.override("fr"):
        assert str(latest.trend_words) == "en légère hausse"
    with translation.override("en"):
        assert str(latest.trend_words) == "rising slowly"


def test_the_javascript_catalog_carries_the_dashboards_notice(client):
    german = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="de")

    body = german.content.decode()
    assert "Das Dashboard enth\\u00e4lt jetzt Ihre neuesten Messwerte." in body or (
        "Das Dashboard enthält jetzt Ihre neuesten Messwerte." in body
    )
    assert '"DECIMAL_SEPARATOR": ","' in body
