"""The roster and the physician's report show the same patient's figures identically: one
computation (readings.selectors.reading_stats_many runs the report's stats.compute) and one
formatting function (core.formatting). The readings are chosen so that "54-69" is exactly
4.05 %, where two roundings used to disagree (4.0 % on the roster, 4.1 % on the report)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from patients.tests.factories import GrantFactory
from readings.models import Kind, Reading
from readings.tests.factories import store

pytestmark = pytest.mark.django_db


def card(html: str, key: str) -> str:
    match = re.search(rf'data-stat="{key}">.*?<p class="stat-value mb-1">([^<]*)</p>', html, re.S)
    return match.group(1).strip()


def range_row(html: str, label: str) -> str:
    return re.search(
        rf"<td>{re.escape(label)}</td><td class=\"text-end\">([^<]*)</td>", html
    ).group(1)


def roster_cells(html: str, patient_pk) -> list[str]:
    row = re.search(rf'<tr data-patient="{patient_pk}">(.*?)</tr>', html, re.S).group(1)
    return [cell.strip() for cell in re.findall(r'<td class="text-end[^"]*">([^<]*)</td>', row)]


def test_the_roster_and_the_report_show_identical_figures(client, patient, physician):
    GrantFactory(user=physician, patient=patient.record)
    now = timezone.now()
    # 2,000 5-minute CGM readings (a week): 81 at 60 mg/dL (4.05 %), 30 at 50 (two runs of
    # 15, each a 75-minute level 2 event), the rest at 150; plus meter readings and scans,
    # which count on neither page.
    values = [150] * 900 + [50] * 15 + [60] * 81 + [150] * 500 + [50] * 15 + [150] * 489
    store(
        Reading(
            patient=patient.record,
            value_mgdl=value,
            kind=Kind.CGM,
            taken_at=now - timedelta(minutes=5 * (i + 1)),
        )
        for i, value in enumerate(values)
    )
    store(
        Reading(
            patient=patient.record,
            value_mgdl=45,
            kind=Kind.FINGERSTICK if i % 2 else Kind.SCAN,
            taken_at=now - timedelta(minutes=37 * (i + 1)),
        )
        for i in range(20)
    )
    client.force_login(physician)

    roster = client.get("/clinic/").content.decode()
    report = client.get(f"/clinic/patients/{patient.record.pk}/").content.decode()

    _age, active, mean, gmi, in_range, below_70, very_low, lv2, gri, _change = roster_cells(
        roster, patient.record.pk
    )
    assert (active, mean, gmi, in_range, below_70, very_low, lv2, gri) == (
        card(report, "active"),
        card(report, "mean"),
        card(report, "gmi"),
        card(report, "in_range"),
        card(report, "below_70"),
        card(report, "below_54"),
        card(report, "lv2_hypo"),
        card(report, "gri"),
    )
    assert range_row(report, "Low (54–69 mg/dL)") == "4.1 %"  # 81 / 2000 = 4.05 %, half up
    assert in_range == "94.5 %"  # 1889 / 2000 = 94.45 %, half up
    assert below_70 == "5.6 %"  # (81 + 30) / 2000 = 5.55 %, half up, on both pages
    assert very_low == "1.5 %"
    assert lv2 == "2"
    assert gmi == "–"  # a week of CGM: no GMI (Tidepool's 14-day rule), on both pages
    assert "Below 70: 5.6 % (goal &lt; 4 %)" in roster
