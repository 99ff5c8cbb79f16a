"""The dashboard's "now" card: reports.now (pure) and the page and poll that show it."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory
from patients.models import PatientAccess
from readings.models import Kind
from readings.now import Latest
from readings.tests.factories import ReadingFactory, TargetFactory
from reports.now import age_text, curve_24h, delta_text, now_card

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


# --- reports.now (pure) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-120, "just now"),
        (59, "just now"),
        (4 * 60 + 30, "4 min ago"),
        (59 * 60, "59 min ago"),
        (3600, "1 h ago"),
        (3600 + 5 * 60, "1 h 5 min ago"),
        (25 * 3600, "1 day ago"),
        (3 * 86400, "3 days ago"),
    ],
)
def test_age_text(seconds, text):
    assert age_text(timedelta(seconds=seconds)) == text


@pytest.mark.parametrize(
    ("delta", "minutes", "unit", "text"),
    [
        (6, 5, "mg/dL", "+6 mg/dL in 5 min"),
        (-12, 5, "mg/dL", "−12 mg/dL in 5 min"),
        (0, 5, "mg/dL", "±0 mg/dL in 5 min"),
        (6, 5, "mmol/L", "+0.3 mmol/L in 5 min"),
        (-18, 15, "mmol/L", "−1.0 mmol/L in 15 min"),
        (40, 90, "mg/dL", "+40 mg/dL in 1 h 30 min"),
        (None, None, "mg/dL", ""),
    ],
)
def test_delta_text(delta, minutes, unit, text):
    assert delta_text(delta, minutes, unit) == text


def card(minutes_ago, *, value=142, unit="mg/dL", direction="Flat", delta=3):
    latest = Latest(
        value_mgdl=value,
        taken_at=NOW - timedelta(minutes=minutes_ago),
        kind="cgm",
        direction=direction,
        delta_mgdl=delta,
        delta_minutes=5,
    )
    return now_card(latest, unit=unit, target_low=70, target_high=180, tz=BERLIN, now=NOW)


def test_a_fresh_reading_shows_value_arrow_change_age_and_band():
    shown = card(4)

    assert shown.state == "fresh"
    assert (shown.value, shown.unit, shown.arrow) == ("142", "mg/dL", "→")
    assert (shown.delta, shown.age) == ("+3 mg/dL in 5 min", "4 min ago")
    assert (shown.band, shown.band_label) == ("in_range", "In range")
    assert shown.taken_at.tzinfo == BERLIN and shown.taken_at.hour == 12  # 11:56 UTC
    assert shown.title == "142 →"


def test_after_15_minutes_the_card_is_stale_and_the_title_says_how_old():
    shown = card(20)

    assert shown.state == "stale"
    assert shown.title == "142 → (20 min ago)"


def test_after_an_hour_there_is_no_recent_data():
    shown = card(61)

    assert shown.state == "old"
    assert shown.age == "1 h 1 min ago"
    assert shown.title == "No recent data"


def test_mmol_users_read_mmol_and_bands_follow_the_targets():
    shown = card(2, value=60, unit="mmol/L", direction="SingleDown", delta=-9)

    assert (shown.value, shown.unit, shown.arrow) == ("3.3", "mmol/L", "↓")
    assert shown.delta == "−0.5 mmol/L in 5 min"
    assert (shown.band, shown.band_label) == ("low", "Low")
    assert shown.title == "3.3 ↓"


def test_no_reading_is_the_none_state():
    shown = now_card(None, unit="mg/dL", target_low=70, target_high=180, tz=BERLIN, now=NOW)

    assert shown.state == "none" and shown.title == ""


def test_curve_breaks_at_gaps_and_draws_meter_readings_as_dots():
    start = int(NOW.timestamp())
    epochs = [start - 3600 * 5, start - 3600 * 5 + 300, start - 3600, start - 3600 + 300]
    epochs += [start - 1800, start - 60]
    values = [100, 110, 200, 210, 45, 400]
    kinds = ["cgm", "cgm", "cgm", "cgm", "fingerstick", "cgm"]

    curve = curve_24h(
        epochs, values, kinds, now=NOW, tz=BERLIN, unit="mg/dL", target_low=70, target_high=180
    )

    assert len(curve.lines) == 2  # 5 h ago, 1 h ago; the newest CGM reading is alone
    assert [band for _, _, band in curve.dots] == ["very_low", "very_high"]
    assert curve.last[2] == "very_high"
    assert curve.plot_right - 1 < curve.last[0] <= curve.plot_right  # a minute before now
    assert curve.last[1] == curve.plot_top  # 400 mg/dL: the scale went up to 400
    # Hours every 6 hours on the record's clock: 12:00 UTC is 13:00 in Berlin.
    assert [label for _, _, label in curve.x_labels] == ["18:00", "00:00", "06:00", "12:00"]
    assert [label for _, label in curve.y_labels] == ["180", "70"]
    assert curve.count == 6
    assert "6 readings from 45 mg/dL to 400 mg/dL" in curve.description


def test_an_hour_label_at_the_right_edge_stays_inside_the_picture():
    curve = curve_24h([], [], [], now=NOW, tz=UTC, unit="mg/dL", target_low=70, target_high=180)

    line_x, text_x, label = curve.x_labels[-1]
    assert (line_x, label) == (curve.plot_right, "12:00")  # now, on the hour
    assert text_x == curve.width - 20


def test_curve_in_mmol_labels_the_target_in_mmol():
    curve = curve_24h([], [], [], now=NOW, tz=BERLIN, unit="mmol/L", target_low=70, target_high=180)

    assert [label for _, label in curve.y_labels] == ["10.0", "3.9"]
    assert curve.lines == () and curve.last is None
    assert curve.description == "No readings in the last 24 hours."


# --- the page and the poll ----------------------------------------------------------------


def cgm(record, *values, minutes_ago=4, every=5, direction=""):
    """CGM readings newest first, ``every`` minutes apart from ``minutes_ago``."""
    now = timezone.now().replace(microsecond=0)
    for i, value in enumerate(values):
        ReadingFactory(
            patient=record,
            value_mgdl=value,
            kind=Kind.CGM,
            direction=direction if i == 0 else "",
            taken_at=now - timedelta(minutes=minutes_ago + i * every),
        )


def now_section(html: str) -> str:
    start = html.index("data-now ")
    return html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_dashboard_opens_on_the_now_card_and_the_tab_title_shows_it(client, patient):
    cgm(patient.record, 142, 136, 130, direction="FortyFiveUp")
    client.force_login(patient)

    html = client.get(reverse("reports:dashboard")).content.decode()

    assert "<title>142 ↗ · Dashboard · BGT</title>" in html
    section = now_section(html)
    assert '<span class="now-number">142</span>' in section
    assert "Rising slowly" in section and "+6 mg/dL in 5 min" in section
    assert "4 min ago" in section and "In range" in section
    assert 'href="/readings/new/"' in section  # "+ Add", one tap away
    # The card comes before the period's figures and charts.
    assert html.index("data-now ") < html.index('id="stat-cards"')


@pytest.mark.django_db
def test_mmol_user_sees_mmol_and_a_computed_trend_is_marked(client, patient):
    patient.unit = "mmol/L"
    patient.save()
    cgm(patient.record, 250, 240)
    TargetFactory(patient=patient.record, low_mgdl=80, high_mgdl=160)
    client.force_login(patient)

    section = now_section(client.get(reverse("reports:dashboard")).content.decode())

    assert '<span class="now-number">13.9</span>' in section and "mmol/L" in section
    assert "+0.6 mmol/L in 5 min" in section
    assert "Rising" in section and "(from the last readings)" in section
    assert "High" in section  # above the record's own 160 mg/dL target
    assert ">10.0<" not in section and ">8.9<" in section  # the target line labels, mmol/L


@pytest.mark.django_db
def test_stale_and_old_readings_say_so(client, patient):
    cgm(patient.record, 120, minutes_ago=25)
    client.force_login(patient)

    section = now_section(client.get(reverse("reports:dashboard")).content.decode())
    assert "Not updated for 25 min" in section

    patient.record.readings.update(taken_at=timezone.now() - timedelta(hours=3))
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "No recent data: the last reading was 3 h ago." in now_section(html)
    assert "<title>No recent data · Dashboard · BGT</title>" in html


@pytest.mark.django_db
def test_no_readings_yet(client, patient):
    client.force_login(patient)

    html = client.get(reverse("reports:dashboard")).content.decode()

    # A record without any reading opens on how to start, not on an empty "now" card.
    assert "data-now " not in html and "data-first-steps" in html
    assert "No readings yet: three ways to start" in html
    assert "<title>Dashboard · BGT</title>" in html


@pytest.fixture
def follower(patient):
    user = UserFactory(roles=[PATIENTS], email="gran@example.org")
    PatientAccess.objects.create(
        user=user,
        patient=patient.record,
        role=PatientAccess.Role.FOLLOWER,
        status=PatientAccess.Status.ACTIVE,
        initiated_by=PatientAccess.Side.PATIENT,
    )
    return user


@pytest.mark.django_db
def test_a_follower_sees_the_now_card_in_their_own_unit_without_add(client, patient, follower):
    follower.unit = "mmol/L"
    follower.save()
    cgm(patient.record, 90, 99)
    client.force_login(follower)

    section = now_section(client.get(reverse("reports:dashboard")).content.decode())
    data = client.get(reverse("reports:now")).json()

    assert '<span class="now-number">5.0</span>' in section
    assert "Falling slowly" in section  # -9 in 5 min: -1.8 a minute
    assert "+ Add" not in section and "+ Add" not in data["html"]
    assert data["title"] == "5.0 ↘"


@pytest.mark.django_db
def test_the_poll_gives_the_card_the_title_and_the_readings_version(client, patient):
    cgm(patient.record, 150, 150)
    client.force_login(patient)
    first = client.get(reverse("reports:now")).json()

    cgm(patient.record, 60, minutes_ago=0)
    second = client.get(reverse("reports:now")).json()

    assert first["title"] == "150 →" and first["state"] == "fresh"
    assert second["title"] == "60 ⇊"  # -90 mg/dL in 4 minutes
    assert "Low" in second["html"] and "just now" in second["html"].lower()
    assert second["version"] == client.get(reverse("reports:version")).json()["version"]
    assert second["version"] != first["version"]


@pytest.mark.django_db
def test_the_poll_is_only_for_people_on_the_record(client, patient, other_patient, physician):
    cgm(patient.record, 177)
    assert client.get(reverse("reports:now")).status_code == 401
    client.force_login(physician)
    assert client.get(reverse("reports:now")).status_code == 403
    client.force_login(other_patient)
    data = client.get(reverse("reports:now")).json()
    assert data["state"] == "none" and "177" not in json.dumps(data)
