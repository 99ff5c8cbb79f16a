"""The glucose profile report (AGP-style): the PDF's pages, paper sizes and figures against
the stats API; the fingerstick-only and the short-wear reports; who may produce it and
what it writes to the access log; the print page; nothing fetched while rendering."""

import io
import logging
import socket
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.tests.factories import PhysicianFactory, UserFactory
from core.formatting import format_percent
from patients.models import AccessLogEntry, PatientAccess
from patients.tests.factories import GrantFactory
from readings.tests.factories import ReadingFactory
from reports import agp_report
from reports.pdf import html_to_pdf
from reports.tests.seed import seed_cgm, seed_meter

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)  # points
LETTER = (612.0, 792.0)


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def api_stats(user, query="days=14") -> dict:
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(f"/api/v1/stats/?{query}")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def cgm_patient(patient):
    record = patient.record
    record.display_name = "Ada Lovelace"
    record.date_of_birth = date(1985, 3, 4)
    record.timezone = "Europe/Paris"
    record.save()
    seed_cgm(record, days=14)
    seed_meter(record, days=5)
    return patient


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER)])
def test_14_days_of_cgm_page_1_is_one_page_and_shows_the_stats_api_figures(
    client, cgm_patient, paper, size
):
    client.force_login(cgm_patient)
    reader, pages = pdf_pages(client.get(f"{reverse('reports:agp-pdf')}?days=14&paper={paper}"))

    assert len(pages) == 3
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            size, abs=0.5
        )
    first, second, third = pages
    # Page 1 holds all of its content, from the title to the last line of its footer.
    assert first.startswith("Glucose profile report (AGP-style)")
    for heading in ("Time in ranges", "Goals", "Glucose metrics", "Ambulatory glucose profile"):
        assert heading in first
    assert "Definitions" in first and "not the licensed AGP Report" in first
    assert "BGT is not a medical device" in first
    assert "Daily glucose profiles" not in first
    # Page 2: the daily profiles, and nothing of page 1 spilt over.
    assert second.startswith("Daily glucose profiles")
    assert "Definitions" not in second and "Meter readings" not in second
    assert "Compared with the previous 14 days" in second
    # Page 3: the meter block and the events.
    assert third.startswith("Meter readings")
    assert "Hypoglycaemia events" in third

    api = api_stats(cgm_patient)
    cgm, suff = api["cgm"], api["sufficiency"]
    lv2 = next(e for e in api["events"] if e["key"] == "lv2_hypo")
    expected = {
        "mean": f"{round(api['mean'])} mg/dL",
        "sd": f"{round(api['sd'])} mg/dL",
        "gmi": format_percent(api["gmi"]),
        "cv": format_percent(api["cv"]),
        "active": format_percent(suff["active_percent"]),
        "days": f"{suff['days_with_data']} of {suff['window_days']}",
        "gri": f"{cgm['gri']['value']:.1f} (zone {cgm['gri']['zone']})",
        "tight": format_percent(cgm["tight_range"]),
        "below_70": format_percent(cgm["below_70"]),
        "above_180": format_percent(cgm["above_180"]),
        **{key: format_percent(api[key]) for key in ("very_low", "low", "in_range", "high")},
        "very_high": format_percent(api["very_high"]),
        "lv2": f"Level 2 hypo events {lv2['total']} {lv2['per_week']:.1f} a week",
    }
    assert api["gmi"] is not None and lv2["total"] > 0
    missing = {key: text for key, text in expected.items() if text not in first}
    assert missing == {}
    assert f"Very high (above 250) {expected['very_high']}" in first
    assert f"Target range (70–180) {expected['in_range']}" in first
    assert f"Very low (below 54) {expected['very_low']}" in first
    hypo_total = next(e for e in api["events"] if e["key"] == "lv1_hypo")["total"]
    assert f"Hypoglycaemia events ({hypo_total})" in third


def test_the_report_in_mmol_l_shows_the_api_mean_converted(client, cgm_patient):
    cgm_patient.unit = "mmol/L"
    cgm_patient.save()
    client.force_login(cgm_patient)
    _, pages = pdf_pages(client.get(f"{reverse('reports:agp-pdf')}?days=14"))
    api = api_stats(cgm_patient)
    assert f"{round(api['mean']) / 18.01559:.1f} mmol/L" in pages[0]
    assert "Target range (3.9–10.0) " + format_percent(api["in_range"]) in pages[0]
    assert "mg/dL" not in pages[0].replace("mean glucose in mg/dL", "")


def test_fingerstick_only_has_the_meter_block_and_no_cgm_sections_or_gmi(client, patient):
    seed_meter(patient.record, days=14)
    client.force_login(patient)
    _, pages = pdf_pages(client.get(reverse("reports:agp-pdf")))

    text = " ".join(pages)
    assert len(pages) == 1
    assert "Meter readings" in pages[0]
    assert "No CGM figures for this period" in pages[0]
    assert "CGM figures need at least 24 hours of CGM data" in pages[0]
    for cgm_only in (
        "GMI",
        "Time in ranges",
        "Ambulatory glucose profile",
        "Daily glucose profiles",
        "Glucose metrics",
        "Time CGM active",
    ):
        assert cgm_only not in text
    meter = api_stats(patient)["meter"]
    assert f"{meter['count']} readings" in pages[0]
    assert f"average {round(meter['mean'])} mg/dL" in pages[0]
    assert f"CV {format_percent(meter['cv'])}" in pages[0]


def test_under_24_hours_of_cgm_withholds_the_cgm_sections_and_says_why(client, patient):
    seed_cgm(patient.record, days=0.75)  # 18 hours
    client.force_login(patient)
    _, pages = pdf_pages(client.get(reverse("reports:agp-pdf")))

    text = " ".join(pages)
    assert len(pages) == 1
    reason = api_stats(patient)["sufficiency"]["cgm_withheld_reason"]
    assert reason.startswith("CGM figures need at least 24 hours")
    assert reason in pages[0]
    for section in ("Time in ranges", "Ambulatory glucose profile", "Daily glucose profiles"):
        assert section not in text
    assert "Time CGM active" in pages[0]


def test_a_week_without_enough_days_draws_no_profile_and_gives_the_reason(client, patient):
    seed_cgm(patient.record, days=3)
    client.force_login(patient)
    _, pages = pdf_pages(client.get(f"{reverse('reports:agp-pdf')}?days=7"))
    reason = api_stats(patient, "days=7")["sufficiency"]["agp_reason"]
    assert reason.startswith("Insufficient CGM data to draw the profile")
    assert reason in pages[0]
    assert "Time in ranges" in pages[0]
    assert "GMI needs a window of at least 14 days" in pages[0]


def test_a_custom_range_is_the_whole_local_days_asked_for(client, cgm_patient):
    client.force_login(cgm_patient)
    today = timezone.localdate(timezone=cgm_patient.record.tzinfo)
    first, last = today - timedelta(days=9), today - timedelta(days=3)
    response = client.get(f"{reverse('reports:agp')}?start={first}&end={last}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"7 days:</strong> {first:%a} {first.day} {first:%b %Y}" in html
    tz = cgm_patient.record.tzinfo
    bounds = {
        "start": datetime.combine(first, time(), tzinfo=tz).isoformat(),
        "end": datetime.combine(last + timedelta(days=1), time(), tzinfo=tz).isoformat(),
    }
    api = api_stats(cgm_patient, urlencode(bounds))
    assert api["window"]["days"] == 7
    assert f"<strong>{format_percent(api['in_range'])}</strong>" in html
    assert f"{round(api['mean'])} mg/dL" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("days=12", "Choose 7, 14, 30, 90 days"),
        ("start=2026-01-10&end=2026-01-01", "must not be before"),
        ("start=2020-01-01&end=2020-12-31", "at most 90 days"),
        ("start=yesterday&end=", "as dates"),
    ],
)
def test_a_period_that_is_not_offered_is_refused_with_the_reason(client, patient, query, message):
    client.force_login(patient)
    response = client.get(f"{reverse('reports:agp-pdf')}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_the_period_after_today_is_refused():
    today = date(2026, 3, 14)
    with pytest.raises(ValueError, match="after today"):
        agp_report.period_from({"start": "2026-03-10", "end": "2026-03-15"}, today=today)
    assert agp_report.period_from({}, today=today) == agp_report.Period(14, today)
    assert agp_report.period_from({"days": "90"}, today=today).first_day == date(2025, 12, 15)


@pytest.mark.parametrize(
    ("accept", "paper"),
    [
        ("en-US,en;q=0.9", "letter"),
        ("fr-CA", "letter"),
        ("es_MX", "letter"),
        ("en-GB,en;q=0.8", "a4"),
        ("de-DE", "a4"),
        ("en", "a4"),
        ("", "a4"),
    ],
)
def test_the_paper_follows_the_viewers_locale(accept, paper):
    assert agp_report.paper_for(accept) == paper


def test_the_dashboard_offers_the_download_on_the_viewers_paper(client, patient):
    ReadingFactory(patient=patient.record)  # a record without readings has nothing to report
    client.force_login(patient)
    html = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert f'action="{reverse("reports:agp-pdf")}"' in html
    assert '<option value="letter" selected>' in html
    assert f'formaction="{reverse("reports:agp")}"' in html


def test_the_physicians_page_offers_the_download_and_the_report_has_the_mrn(client, cgm_patient):
    physician = PhysicianFactory()
    GrantFactory(user=physician, patient=cgm_patient.record, mrn="MRN-4711")
    client.force_login(physician)
    record = cgm_patient.record
    page = client.get(reverse("reports:patient", args=[record.pk])).content.decode()
    assert reverse("reports:patient-agp-pdf", args=[record.pk]) in page

    _, pages = pdf_pages(client.get(reverse("reports:patient-agp-pdf", args=[record.pk])))
    assert "MRN MRN-4711" in pages[0]
    assert "Ada Lovelace" in pages[0] and "4 Mar 1985" in pages[0]


def test_the_patients_own_report_has_no_mrn_field(client, cgm_patient):
    client.force_login(cgm_patient)
    html = client.get(reverse("reports:agp")).content.decode()
    assert "<dt>MRN</dt>" not in html


def test_each_report_produced_is_one_access_log_entry(client, cgm_patient):
    follower = UserFactory()
    PatientAccess.objects.create(
        user=follower,
        patient=cgm_patient.record,
        role="follower",
        status="active",
        initiated_by="patient",
    )
    client.force_login(follower)
    before = AccessLogEntry.objects.count()
    for days in (7, 14, 30):  # choosing a period on the dashboard is not a report
        client.get(f"{reverse('reports:dashboard')}?days={days}")
    assert not AccessLogEntry.objects.filter(what__startswith="glucose profile").exists()

    client.get(f"{reverse('reports:agp-pdf')}?days=14")
    client.get(f"{reverse('reports:agp')}?days=30")
    entries = AccessLogEntry.objects.filter(what__startswith="glucose profile report")
    assert sorted(entries.values_list("what", flat=True)) == [
        "glucose profile report (PDF)",
        "glucose profile report (print page)",
    ]
    assert AccessLogEntry.objects.count() == before + 3 + 2
    assert set(entries.values_list("viewer", "patient")) == {(follower.pk, cgm_patient.record.pk)}


def test_the_patients_own_report_is_not_logged(client, cgm_patient):
    client.force_login(cgm_patient)
    client.get(reverse("reports:agp"))
    assert not AccessLogEntry.objects.exists()


def test_the_print_page_has_no_navigation_and_no_polling_and_breaks_like_the_pdf(
    client, cgm_patient
):
    client.force_login(cgm_patient)
    html = client.get(f"{reverse('reports:agp')}?days=14&paper=letter").content.decode()
    assert "navbar" not in html and "data-dashboard" not in html
    assert "dashboard.js" not in html and "plotly" not in html
    assert html.count('class="page"') == 3
    assert "css/report.css" in html and "css/report-letter.css" in html
    assert "<script>" not in html  # strict CSP: code only from static files
    with open("static/css/report.css") as css:
        rules = css.read()
    assert "@media print" in rules and ".report-toolbar {\n    display: none;" in rules
    assert ".page {\n  break-before: page;" in rules


def test_the_pdf_is_a_download_that_is_not_cached(client, cgm_patient):
    client.force_login(cgm_patient)
    response = client.get(f"{reverse('reports:agp-pdf')}?days=7")
    today = timezone.localdate(timezone=cgm_patient.record.tzinfo)
    first = today - timedelta(days=6)
    assert response["Content-Disposition"] == (
        f'attachment; filename="glucose-profile-ada-lovelace-{first}-{today}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]


def test_rendering_fetches_nothing_from_the_network(monkeypatch, caplog):
    attempts = []

    def no_network(*args, **kwargs):
        attempts.append(args)
        raise OSError("network used while rendering")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<html><head><link rel="stylesheet" href="/static/css/report.css">'
        '<link rel="stylesheet" href="https://cdn.example.org/x.css"></head>'
        '<body><p>Report</p><img src="http://example.org/tracker.png">'
        '<img src="file:///etc/passwd"></body></html>'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert attempts == []
    refused = [r.getMessage() for r in caplog.records if "not fetched" in r.getMessage()]
    assert len(refused) == 3
    # The site's own stylesheet was read from disk: its @page size is A4.
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)


def test_page_1_still_fits_letter_with_the_low_data_banner_and_the_gmi_reason(client, patient):
    """The tallest page 1: a warning banner (under 70 % active), the GMI withheld with its
    reason, and the profile still drawn (8 full days)."""
    patient.record.target_preset = "pregnancy_t1"
    patient.record.save()
    seed_cgm(patient.record, days=8)
    client.force_login(patient)
    _, pages = pdf_pages(client.get(f"{reverse('reports:agp-pdf')}?days=14&paper=letter"))

    first = pages[0]
    assert "Less than 70 % of possible CGM data" in first
    assert "GMI needs a window of at least 14 days" in first
    assert "Ambulatory glucose profile" in first and "Insufficient CGM data" not in first
    assert "Goals for pregnancy with type 1 diabetes" in first
    assert "not the licensed AGP Report" in first
    assert pages[1].startswith("Daily glucose profiles")


def test_static_files_only_come_from_the_sites_static_folders():
    from reports.pdf import BASE_URL, static_path

    assert static_path(f"{BASE_URL}static/css/report.css").endswith("static/css/report.css")
    assert static_path(f"{BASE_URL}static/../bgt/settings.py") is None
    assert static_path(f"{BASE_URL}media/secret.pdf") is None
    assert static_path("https://cdn.example.org/static/css/report.css") is None
    assert static_path(f"{BASE_URL}static/css/no-such-file.css") is None
