"""The roster and the physician's report show the same patient's figures identically: one
definition (readings.stats and the roster's aggregate of the same bands) and one
formatting function (core.formatting). The readings are chosen so that "below 70" is
exactly 4.05 %, where two roundings used to disagree (4.0 % on the roster, 4.1 % on the
report)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from patients.tests.factories import GrantFactory
from readings.models import Kind
from readings.tests.factories import ReadingFactory

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
    # 2,000 readings in the last 14 days: 81 at 60 mg/dL (4.05 % below 70), 30 at 50.
    values = [60] * 81 + [50] * 30 + [150] * 1889
    for i, value in enumerate(values):
        ReadingFactory(
            patient=patient.record,
            value_mgdl=value,
            kind=Kind.CGM,
            taken_at=now - timedelta(minutes=10 * (i + 1)),
        )
    client.force_login(physician)

    roster = client.get("/clinic/").content.decode()
    report = client.get(f"/clinic/patients/{patient.record.pk}/").content.decode()

    _age, mean, in_range, low, very_low, _count = roster_cells(roster, patient.record.pk)
    assert (mean, in_range, very_low) == (
        card(report, "mean"),
        card(report, "in_range"),
        card(report, "very_low"),
    )
    assert low == range_row(report, "Low (54–69 mg/dL)")
    assert in_range == "94.5 %"  # 1889 / 2000 = 94.45 %, half up
    assert low == "4.1 %"  # 81 / 2000 = 4.05 %: the rounding that used to differ
    below_70 = card(report, "low_or_below")
    assert below_70 == "5.6 %"  # (81 + 30) / 2000 = 5.55 %, half up, on both pages
    assert f"Below 70: {below_70} (goal &lt; 4 %)" in roster
