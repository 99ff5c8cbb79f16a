"""The vendored plotly.js basic bundle (static/vendor/README.md): the file the README
names, the plotly.js version of the pinned plotly package, and enough for every chart."""

import hashlib
import re
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from readings.tests.factories import ReadingFactory, cgm_cycle
from treatments.tests.factories import TreatmentFactory

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
BASIC_TRACE_TYPES = {"scatter", "bar", "pie"}  # plotly.js lib/index-basic.js


def test_the_bundle_is_the_file_the_readme_names():
    readme = (VENDOR / "README.md").read_text()
    digest = hashlib.sha256((VENDOR / "plotly-basic.min.js").read_bytes()).hexdigest()

    assert f"sha256: `{digest}`" in readme


def test_the_bundle_is_the_plotly_js_of_the_pinned_plotly_package():
    bundled = Path(find_spec("plotly").submodule_search_locations[0]) / "package_data"
    package_version = re.search(
        r"plotly\.js v(\S+)", (bundled / "plotly.min.js").read_text()[:500]
    ).group(1)
    vendored = re.search(
        r"plotly\.js \(basic - minified\) v(\S+)",
        (VENDOR / "plotly-basic.min.js").read_text()[:500],
    ).group(1)

    assert vendored == package_version, "run make vendor-plotly PLOTLY_JS_VERSION=..."


@pytest.mark.django_db
def test_every_dashboard_and_day_chart_uses_only_trace_types_of_the_basic_bundle(client, patient):
    cgm_cycle(patient.record, [50, 120, 260], count=300)
    ReadingFactory(patient=patient.record, taken_at=timezone.now() - timedelta(hours=2))
    now = timezone.now()
    TreatmentFactory(patient=patient.record, taken_at=now - timedelta(hours=1))
    TreatmentFactory(
        patient=patient.record, type="carbs", insulin_units=None, carbs_g=40, taken_at=now
    )
    client.force_login(patient)

    figures = list(client.get(reverse("reports:dashboard-data")).json()["figures"].values())
    figures.append(client.get(reverse("reports:today")).context["figure"])

    used = {trace.get("type", "scatter") for figure in figures for trace in figure["data"]}
    assert "scatter" in used and "bar" in used
    assert used <= BASIC_TRACE_TYPES
