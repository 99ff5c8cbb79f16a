"""/api/v1/stats/: the section 4 figures of readings.stats, over the requested period."""

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.tests.factories import AdministratorFactory, PhysicianFactory
from core import consensus
from readings import stats
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


def expected_summary(readings, *, tz, start, end, low=70, high=180) -> dict:
    inside = [r for r in readings if start <= r.taken_at < end]
    summary = stats.summarize(
        [r.value_mgdl for r in inside],
        [r.taken_at for r in inside],
        kinds=[r.kind for r in inside],
        contexts=[r.context for r in inside],
        tz=tz,
        start=start,
        end=end,
        target_low=low,
        target_high=high,
    )
    data = dataclasses.asdict(summary)
    data["start"] = start.astimezone(tz).isoformat()
    data["end"] = end.astimezone(tz).isoformat()
    return {"unit": "mg/dL", "timezone": tz.key, **data}


def test_figures_equal_readings_stats_on_the_same_data(patient_client, patient):
    patient.record.timezone = "America/New_York"
    patient.record.save()
    TargetFactory(patient=patient.record, low_mgdl=80, high_mgdl=160)
    tz = ZoneInfo("America/New_York")
    # Three days spanning the US autumn DST change, fingersticks every 47 minutes.
    readings = make_readings(
        patient,
        start=datetime(2024, 11, 2, tzinfo=tz),
        days=3,
        step_minutes=47,
        kind=Kind.FINGERSTICK,
    )
    ReadingFactory(taken_at=datetime(2024, 11, 3, 12, tzinfo=UTC), value_mgdl=300)  # not theirs
    start = datetime(2024, 11, 2, 6, tzinfo=tz)
    end = datetime(2024, 11, 4, 18, tzinfo=tz)

    response = patient_client.get(URL, {"start": start.isoformat(), "end": end.isoformat()})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == expected_summary(readings, tz=tz, start=start, end=end, low=80, high=160)
    assert body["count"] > 50
    assert body["target_low"] == 80
    assert sum(body[key] for key in consensus.RANGE_KEYS) == pytest.approx(100)
    assert body["gmi"] is None
    assert body["gmi_unavailable_reason"].startswith("GMI needs CGM data on at least 14 days")
    assert body["start"].endswith("-04:00") and body["end"].endswith("-05:00")  # EDT -> EST


def test_gmi_is_given_with_14_days_of_cgm(patient_client, patient):
    now = timezone.now().replace(second=0, microsecond=0)
    # 10 minutes of slack: on a loaded MongoDB leg seeding 4,032 readings takes a while, and
    # the API's 14-day window must still contain the first one when the request comes.
    readings = make_readings(patient, start=now - timedelta(days=14, minutes=-10), days=14)
    response = patient_client.get(URL, {"days": 14})
    body = response.json()
    assert body["count"] == len(readings)
    mean = sum(r.value_mgdl for r in readings) / len(readings)
    assert body["gmi"] == pytest.approx(3.31 + 0.02392 * mean, abs=0.01)
    assert body["gmi_unavailable_reason"] is None
    assert len(body["agp"]) == 96 and body["agp_bin_minutes"] == 15


def test_the_default_period_is_the_last_14_days(patient_client, patient):
    now = timezone.now()
    ReadingFactory(patient=patient.record, taken_at=now - timedelta(days=13), value_mgdl=100)
    ReadingFactory(patient=patient.record, taken_at=now - timedelta(days=15), value_mgdl=300)
    body = patient_client.get(URL).json()
    assert (body["count"], body["mean"]) == (1, 100.0)
    start = datetime.fromisoformat(body["start"])
    assert abs((now - start) - timedelta(days=14)) < timedelta(minutes=1)


def test_an_empty_period_has_count_0_and_null_figures(patient_client):
    body = patient_client.get(URL, {"days": 7}).json()
    assert body["count"] == 0
    assert body["mean"] is None and body["in_range"] is None
    assert body["gmi_unavailable_reason"] == "There are no readings in this period."


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
