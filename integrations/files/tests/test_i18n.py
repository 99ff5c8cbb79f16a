"""The import pages in German and French: the page's words, the outcome in the language
with counts grouped the language's way, a refusal in the language, the progress label of
the JSON the page polls, and the plain statement that the CSV export is for programs."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integrations.files.tests.test_import import DATA, IMPORT_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient)
    return client


def post(client, data: bytes, name: str, language: str):
    form = {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "date_order": "auto"}
    return client.post(IMPORT_URL, form, HTTP_ACCEPT_LANGUAGE=language, follow=True)


def test_the_import_page_in_german_says_the_export_is_for_programs(signed_in):
    html = signed_in.get(IMPORT_URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Messwerte importieren" in html and "Dateien, die BGT lesen kann" in html
    assert "Dieses CSV ist für Programme gedacht" in html and "Dezimalpunkt" in html
    assert "Import readings" not in html
    # The JavaScript catalog comes before import.js (no inline script).
    catalog = html.index(reverse("javascript-catalog"))
    assert catalog < html.index("js/import.js")


def test_an_import_result_in_german(signed_in):
    response = post(signed_in, (DATA / "bgt_export.csv").read_bytes(), "bgt_export.csv", "de")
    html = response.content.decode()
    assert "Importergebnis" in html
    assert re.search(r"\d+ Messwerte? importiert\.", html), html[:2000]


def test_an_empty_file_is_refused_in_french(signed_in):
    html = post(signed_in, b"", "empty.csv", "fr").content.decode()
    assert "Le fichier est vide." in html or "Choisissez un fichier CSV à importer." in html


def test_an_unknown_file_is_refused_in_german(signed_in):
    html = post(signed_in, b"a,b,c\n1,2,3\n", "other.csv", "de").content.decode()
    assert "BGT erkennt diese Datei nicht." in html


def test_the_progress_label_groups_thousands_in_the_language():
    from django.utils import translation

    from integrations.files.jobs import Progress

    progress = Progress(rows_done=12_500, rows_total=25_920)
    with translation.override("de"):
        assert progress.label == "12.500 von 25.920 Zeilen gespeichert"
    with translation.override("fr"):
        assert progress.label == "12\xa0500 lignes sur 25\xa0920 enregistrées"
    with translation.override("en"):
        assert progress.label == "12,500 of 25,920 rows stored"
