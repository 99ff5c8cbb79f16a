"""Insulin and carbohydrate rows of Dexcom Clarity and LibreView exports become treatments
with the right units and times; importing the file again adds nothing."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from readings.models import Reading
from treatments.models import Treatment

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def berlin(client, patient):
    patient.record.timezone = "Europe/Berlin"
    patient.record.save()
    client.force_login(patient)
    return patient


def upload(client, name):
    data = (DATA / name).read_bytes()
    return client.post(
        reverse("files:import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "date_order": "auto"},
    )


def treatments(patient):
    return list(
        Treatment.objects.filter(patient=patient.record)
        .order_by("taken_at", "type")
        .values_list("taken_at", "type", "insulin_units", "carbs_g", "source")
    )


def test_clarity_insulin_and_carbs_rows_are_treatments(client, berlin):
    response = upload(client, "dexcom_treatments.csv")

    assert response.status_code == 200
    # The evening before the clocks change is CET (UTC+1), the morning after CEST (UTC+2).
    assert treatments(berlin) == [
        (utc(2025, 3, 29, 22, 30), "basal", 18, None, "import"),  # Long-Acting
        (utc(2025, 3, 30, 6, 5), "carbs", None, 45, "import"),
        (utc(2025, 3, 30, 6, 6), "bolus", 4.5, None, "import"),  # Fast-Acting
        (utc(2025, 3, 30, 10, 30), "carbs", None, 60, "import"),
        (utc(2025, 3, 30, 10, 31), "bolus", 6, None, "import"),
    ]
    assert Reading.objects.filter(patient=berlin.record).count() == 2
    assert response.context["treatments_imported"] == 5
    assert response.context["summary"].ignored == 1  # the exercise event
    reasons = {p.line: p.reason for p in response.context["rejected"]}
    assert reasons == {
        13: "Insulin Value “150”: A bolus can be at most 100 units.",
        14: "No value in the Carb Value column.",
        15: "Insulin subtype “Mixed” is neither Fast-Acting nor Long-Acting.",
    }
    page = response.content.decode()
    assert "Imported 5 treatments (insulin and carbohydrates)." in page

    again = upload(client, "dexcom_treatments.csv")
    assert (again.context["treatments_imported"], again.context["treatment_duplicates"]) == (0, 5)
    assert Treatment.objects.count() == 5


def test_libreview_insulin_and_food_records_are_treatments(client, berlin):
    response = upload(client, "libreview_treatments.csv")

    assert response.context["summary"].date_order == "day_first"
    assert treatments(berlin) == [
        (utc(2025, 3, 29, 22, 30), "basal", 16, None, "import"),  # long-acting
        (utc(2025, 3, 30, 6, 5), "carbs", None, 45, "import"),  # grams
        (utc(2025, 3, 30, 6, 6), "bolus", 4.5, None, "import"),  # rapid-acting
        (utc(2025, 3, 30, 10, 30), "carbs", None, 45, "import"),  # 3 servings
        (utc(2025, 3, 30, 10, 31), "bolus", 4.5, None, "import"),  # meal 3 + correction 1.5
    ]
    notes = dict(Treatment.objects.values_list("taken_at", "notes"))
    assert notes[utc(2025, 3, 30, 6, 5)] == "Porridge"
    assert notes[utc(2025, 3, 30, 10, 30)] == "Imported as 3 serving(s) of 15 g each."
    assert response.context["summary"].ignored == 2  # non-numeric food, a note (type 6)
    reasons = {p.line: p.reason for p in response.context["rejected"]}
    assert reasons == {
        10: "Rapid-Acting Insulin “-2”: Enter a number of at least 0.",
        11: "02:30 did not exist on 2025-03-30 in Europe/Berlin (the clocks moved forward).",
    }
    again = upload(client, "libreview_treatments.csv")
    assert again.context["treatments_imported"] == 0
    assert Treatment.objects.count() == 5


def test_a_file_with_only_treatments_is_imported(client, berlin):
    header = (DATA / "dexcom_treatments.csv").read_text().splitlines()[0]
    text = f"{header}\n1,2025-03-30T08:05:00,Carbs,,,,iPhone G7,,,30,,,,\n"
    response = client.post(
        reverse("files:import"),
        {"file": SimpleUploadedFile("c.csv", text.encode()), "date_order": "auto"},
    )
    assert response.status_code == 200
    assert response.context["treatments_imported"] == 1
    assert "Imported 1 treatment" in response.content.decode()
