"""The report pages in German and French: the physician's patient page, the printable
report and its PDF (consensus terms from the shared table, decimal commas, dates in the
language), and the charts' words and number separators."""

import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import translation

from patients.tests.factories import GrantFactory
from reports import charts
from reports.labels import event_label, range_label
from reports.tests.seed import seed_cgm, seed_meter

pytestmark = pytest.mark.django_db


@pytest.fixture
def cgm_patient(patient):
    record = patient.record
    record.display_name = "Ada Lovelace"
    record.timezone = "Europe/Paris"
    record.save()
    seed_cgm(record, days=14)
    seed_meter(record, days=5)
    return patient


def test_the_printable_report_in_german(client, cgm_patient):
    cgm_patient.unit = "mmol/L"
    cgm_patient.save(update_fields=["unit"])
    client.force_login(cgm_patient)
    html = client.get(reverse("reports:agp"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in html
    german = (
        "Zeit in den Bereichen",
        "Ambulantes Glukoseprofil",
        "Glukosekennzahlen",
        "Zielbereich (3,9–10,0)",
        "Hypo Stufe 2 (≥ 15 min unter 3,0 mmol/L)",
    )
    for words in german:
        assert words in html, words
    assert re.search(r"\d+,\d %", html) and re.search(r"\d+,\d mmol/L", html)
    assert "Time in ranges" not in html and "Ambulatory glucose profile" not in html


def test_the_german_pdf_names_the_consensus_terms(client, cgm_patient):
    client.force_login(cgm_patient)
    response = client.get(f"{reverse('reports:agp-pdf')}?days=14", HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Glukoseprofil-Bericht (AGP-Stil)" in first
    assert "Ambulantes Glukoseprofil" in first and "Variabilität (VK)" in first
    assert re.search(r"\d+,\d %", first), first[:500]
    assert "Seite 1 von " in first  # the page numbers in the margin box


def test_the_physicians_patient_page_in_french(client, cgm_patient, physician):
    grant = GrantFactory(user=physician, patient=cgm_patient.record)
    client.force_login(physician)
    url = reverse("reports:patient", args=[grant.patient.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Lecture seule" in html and "Mesures de cette période" in html
    assert "Temps dans la cible 70–180" in html  # the card of the preset's range
    assert re.search(r"\d+,\d %", html)
    assert "Read-only" not in html


@pytest.mark.parametrize(("language", "separators"), [("de", ",."), ("fr", ",\xa0"), ("en", ".,")])
def test_plotly_figures_take_the_languages_separators(language, separators):
    with translation.override(language):
        figure = charts.time_in_ranges_figure(None)
    assert figure["layout"]["separators"] == separators


def test_chart_and_table_names_follow_the_language_and_the_unit():
    with translation.override("de"):
        assert range_label("in_range", "mmol/L") == "Zielbereich (3,9–10,0 mmol/L)"
        assert event_label("lv2_hypo", "mg/dL") == "Hypo Stufe 2 (≥ 15 min unter 54)"
        assert charts.range_legend("mmol/L")["very_low"] == "Sehr niedrig (<3,0 mmol/L)"
    with translation.override("fr"):
        assert charts.time_in_ranges_figure(None)["layout"]["title"]["text"] == (
            "Temps dans les plages (CGM)"
        )
    with translation.override("en"):
        assert charts.range_legend("mmol/L")["very_low"] == "Very low (<3.0 mmol/L)"
