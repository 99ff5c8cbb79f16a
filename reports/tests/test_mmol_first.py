"""mmol/L first everywhere for mmol/L readers (DESIGN.md section 3): range cards, the
time-in-ranges legend, the dashboard's tables; mg/dL readers keep mg/dL."""

import json

import pytest
from django.urls import reverse

from readings.models import Kind
from readings.tests.factories import ReadingFactory, cgm_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard(client, patient):
    # 25 hours of CGM across every range, and meter readings for the meter block.
    cgm_cycle(patient.record, (45, 60, 100, 150, 200, 260))
    for value in (95, 140, 210):
        ReadingFactory(patient=patient.record, kind=Kind.FINGERSTICK, value_mgdl=value)
    client.force_login(patient)

    def get(unit):
        patient.unit = unit
        patient.save()
        response = client.get(reverse("reports:dashboard"))
        html = response.content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        ranges = json.loads(
            main.split('id="figure-ranges" type="application/json">')[1].split("</script>")[0]
        )
        return main, [trace["name"] for trace in ranges["data"]]

    return get


def test_a_mmol_reader_sees_no_mg_dl_on_the_dashboard(dashboard):
    main, legend = dashboard("mmol/L")

    assert "mg/dL" not in main
    assert "Time in range 3.9–10.0" in main and "Time below 3.0" in main
    assert "Time in tight range 3.9–7.8" in main
    assert "≥ 15 min below 3.0 mmol/L" in main
    assert "In range (3.9–10.0 mmol/L)" in main and "High (10.1–13.9 mmol/L)" in main
    assert "Below 3.9 mmol/L (low and very low)" in main
    assert legend == [
        "Very low (<3.0 mmol/L)",
        "Low (3.0–3.8)",
        "In range (3.9–10.0)",
        "High (10.1–13.9)",
        "Very high (>13.9)",
    ]


def test_a_mg_dl_reader_keeps_mg_dl(dashboard):
    main, legend = dashboard("mg/dL")

    assert "Time in range 70–180" in main and "In range (70–180 mg/dL)" in main
    assert "mmol/L" not in main
    assert legend[0] == "Very low (<54 mg/dL)"
