"""/api/v1/stats/: the section 4 figures of readings.selectors.reading_stats (readings.figures)
over the requested period, with the first version's flat field names kept."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.tests.factories import AdministratorFactory, PhysicianFactory
from core import consensus
from readings import selectors
from readings.api.stats_shape import stats_data
from readings.models import Context, Kind, Reading
from readings.tests.factories import ReadingFactory, TargetFactory
from readings.tests.test_api_readings import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/"


def make_readings(owner, *, start: datetime, days: int, step_minutes: int = 5, kind=Kind.CGM):
    """A plausible trace: values cycle through lows, in range and highs."""
    count = days * 24 * 60 // step_minutes
    contexts = list(Context.values)
    readings = [
        Reading(
            patient=owner.record,
            value_mgdl=40 + (index * 37) % 300,
            taken_at=start + timedelta(minutes=step_minutes * index),
            kind=kind,
            context=contexts[index % len(contexts)],
        )
        for index in range(count)
    ]
    Reading.objects.bulk_create(readings)
    return readings


def expected_body(patient, *, start, end) -> dict:
    """What reading_stats computes for the record, as the API serializes it."""
    summary = selectors.reading_stats(patient=patient.record, start=start, end=end)
    return stats_data(summary, patient.record.tzinfo)


def test_figures_equal_reading_stats_on_the_same_data(patient_client, patient):
    patient.record.timezone = "America/New_York"
    patient.record.save()
    TargetFactory(patient=patient.record, low_mgdl=80, high_mgdl=160)
    tz = ZoneInfo("America/New_York")
    # Three days spanning the US autumn DST change, 5-minute CGM and some fingersticks.
    make_readings(patient, start=datetime(2024, 11, 2, tzinfo=tz), days=3)
    make_readings(
        patient, start=datetime(2024, 11, 2, 0, 1, tzinfo=tz), days=3, step_minutes=47,
        kind=Kind.FINGERSTICK,
    )  # fmt: skip
    ReadingFactory(taken_at=datetime(2024, 11, 3, 12, tzinfo=UTC), value_mgdl=300)  # not theirs
    start = datetime(2024, 11, 2, tzinfo=tz)
    end = datetime(2024, 11, 5, tzinfo=tz)

    response = patient_client.get(URL, {"start": start.isoformat(), "end": end.isoformat()})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == json.loads(json.dumps(expected_body(patient, start=start, end=end)))
    assert body["cgm"]["count"] == 3 * 288  # 72 hours of readings in a 73-hour window
    assert body["count"] == body["cgm"]["count"] + body["meter"]["count"]
    assert body["target_low"] == 80
    assert sum(body[key] for key in consensus.BAND_KEYS) == pytest.approx(100)
    assert body["mean"] == body["cgm"]["mean"]  # the old flat name, now the CGM figure
    # % time CGM active over the 73 hours (the 25-hour day counts as it is).
    assert body["cgm_coverage"] == body["sufficiency"]["active_percent"] == 98.63
    assert body["gmi"] is None
    assert body["gmi_unavailable_reason"].startswith("GMI needs a window of at least 14 days")
    assert body["start"].endswith("-04:00") and body["end"].endswith("-05:00")  # EDT -> EST
    assert body["window"]["days"] == 3 and body["preset"]["key"] == "standard"
    assert {e["key"] for e in body["events"]} >= {"lv1_hypo", "lv2_hypo", "lv1_hyper"}
    assert body["meter"]["count"] > 50 and body["meter"]["bands"] is not None


def test_gmi_is_given_with_14_days_of_cgm_and_the_window_is_whole_local_days(
    patient_client, patient
):
    patient.record.timezone = "Pacific/Auckland"
    patient.record.save()
    tz = patient.record.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    first = datetime.combine(today - timedelta(days=14), datetime.min.time(), tzinfo=tz)
    readings = make_readings(patient, start=first, days=14)  # up to yesterday, 24:00
    response = patient_client.get(URL, {"days": 14})
    body = response.json()
    assert datetime.fromisoformat(body["window"]["start"]) == first + timedelta(days=1)
    assert body["window"]["end"].startswith((today + timedelta(days=1)).isoformat())
    inside = [r for r in readings if r.taken_at >= first + timedelta(days=1)]
    assert body["count"] == len(inside) == 13 * 288
    # 13 days of full wear in a 14-day window: 3,744 h >= 235.2 h (Tidepool), so a GMI.
    mean = sum(r.value_mgdl for r in inside) / len(inside)
    assert body["gmi"] == pytest.approx(3.31 + 0.02392 * mean, abs=0.01)
    assert body["gmi_unavailable_reason"] is None
    assert body["sufficiency"]["days_with_data"] == 13
    assert len(body["agp"]) == 288 and body["agp_bin_minutes"] == 5
    assert body["ea1c"] is None  # never for CGM
    # The previous 14 days hold one day of CGM (the day before the window): 1/14 active.
    comparison = {c["key"]: c for c in body["comparison"]["changes"]}
    assert comparison["active_percent"]["previous"] == 7.14
    assert comparison["active_percent"]["change"] == pytest.approx(92.86 - 7.14, abs=0.01)


def test_a_libre_history_at_full_wear_is_100_percent_active_with_a_gmi(patient_client, patient):
    tz = patient.record.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    first = datetime.combine(today - timedelta(days=14), datetime.min.time(), tzinfo=tz)
    Reading.objects.bulk_create(
        Reading(
            patient=patient.record, value_mgdl=100 + i % 50, kind=Kind.CGM, cadence_min=15,
            taken_at=first + timedelta(minutes=15 * i),
        )
        for i in range(14 * 96)
    )  # fmt: skip
    # Scans every 5 minutes for a day: never CGM time, never in the figures.
    Reading.objects.bulk_create(
        Reading(
            patient=patient.record, value_mgdl=50, kind=Kind.SCAN,
            taken_at=first + timedelta(days=3, minutes=5 * i + 1),
        )
        for i in range(288)
    )  # fmt: skip
    body = patient_client.get(URL, {"days": 15}).json()
    assert body["sufficiency"]["cgm_minutes"] == 14 * 1440
    assert body["gmi"] is not None and body["very_low"] == 0.0
    assert body["cgm"]["min"] == 100


def test_the_default_period_is_14_whole_local_days(patient_client, patient):
    now = timezone.now()
    tz = patient.record.tzinfo
    ReadingFactory(patient=patient.record, taken_at=now - timedelta(days=12), value_mgdl=100)
    ReadingFactory(patient=patient.record, taken_at=now - timedelta(days=15), value_mgdl=300)
    body = patient_client.get(URL).json()
    assert body["count"] == 1
    start = datetime.fromisoformat(body["start"])
    assert start == datetime.combine(
        timezone.localdate(now, tz) - timedelta(days=13), datetime.min.time(), tzinfo=tz
    )
    assert body["window"]["days"] == 14


def test_an_empty_period_has_count_0_and_null_figures(patient_client):
    body = patient_client.get(URL, {"days": 7}).json()
    assert body["count"] == 0
    assert body["mean"] is None and body["in_range"] is None and body["cgm"] is None
    assert body["gmi_unavailable_reason"] == "GMI needs CGM data; this window has none."
    assert body["events"] == [] and body["agp"] == [] and body["agp_curve"] is None


def test_start_without_end_runs_to_now(patient_client, patient):
    ReadingFactory(
        patient=patient.record, taken_at=timezone.now() - timedelta(hours=1), value_mgdl=150
    )
    start = (timezone.now() - timedelta(days=2)).isoformat()
    body = patient_client.get(URL, {"start": start}).json()
    assert body["count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 367}, "days"),
        ({"days": "a week"}, "days"),
        ({"days": 7, "start": "2025-01-01T00:00:00Z"}, "days"),
        ({"end": "2025-01-01T00:00:00Z"}, "start"),
        ({"start": "2025-01-02T00:00:00Z", "end": "2025-01-01T00:00:00Z"}, "end"),
        ({"start": "2025-01-01T00:00:00"}, "start"),
        ({"start": "last monday"}, "start"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(patient_client, params, field):
    response = patient_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_only_patients_have_statistics(api_client, patient):
    assert api_client.get(URL).status_code == 401
    assert client_for(PhysicianFactory()).get(URL).status_code == 403
    assert client_for(AdministratorFactory()).get(URL).status_code == 403


def test_another_patient_gets_their_own_statistics(patient, other_patient):
    ReadingFactory(patient=patient.record, taken_at=timezone.now() - timedelta(hours=2))
    assert client_for(other_patient).get(URL).json()["count"] == 0


def test_a_linked_physician_uses_the_patients_endpoint_not_this_one(patient, physician):
    from patients.tests.factories import GrantFactory

    GrantFactory(user=physician, patient=patient.record)
    ReadingFactory(patient=patient.record, taken_at=timezone.now() - timedelta(hours=2))
    assert client_for(physician).get(URL).status_code == 403
