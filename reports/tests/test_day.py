"""The day view (one local day, readings and treatments on one chart, the same as tables)
and the meal form (a reading, carbohydrates and a bolus at once)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory
from patients.models import AccessLogEntry, PatientAccess
from readings.models import Reading
from readings.tests.factories import ReadingFactory
from reports.day import carbs_size, insulin_size
from reports.day_views import day_bounds
from treatments.models import Treatment
from treatments.tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def berlin(patient):
    record = patient.record
    record.timezone = "Europe/Berlin"
    record.save()
    return record


def traces(response) -> dict:
    return {trace["name"]: trace for trace in response.context["figure"]["data"]}


def test_the_day_shows_readings_and_sized_markers_in_local_time(client, patient, berlin):
    ReadingFactory(patient=berlin, value_mgdl=140, taken_at=utc(2025, 3, 30, 10, 0))
    TreatmentFactory(
        patient=berlin, type="carbs", insulin_units=None, carbs_g=60, taken_at=utc(2025, 3, 30, 10)
    )
    TreatmentFactory(patient=berlin, insulin_units=6, taken_at=utc(2025, 3, 30, 10, 5))
    TreatmentFactory(
        patient=berlin, type="site_change", insulin_units=None, taken_at=utc(2025, 3, 30, 18)
    )
    TreatmentFactory(patient=berlin, insulin_units=1, taken_at=utc(2025, 3, 30, 22, 30))  # 31st
    client.force_login(patient)

    response = client.get(reverse("reports:day", args=["2025-03-30"]))

    shown = traces(response)
    # 10:00 UTC is 12:00 in Berlin on the first day of summer time.
    noon = int(datetime(2025, 3, 30, 12, tzinfo=UTC).timestamp() * 1000)
    assert shown["Glucose"]["x"] == [noon] and shown["Glucose"]["y"] == [140]
    assert shown["Carbohydrates"]["text"] == ["60 g"]
    assert shown["Carbohydrates"]["marker"]["size"] == [carbs_size(60)]
    assert shown["Bolus"]["text"] == ["6 U"]  # the 1 U after local midnight is the 31st's
    assert shown["Events"]["text"] == ["Site change"]
    assert carbs_size(10) < carbs_size(60) and insulin_size(1) < insulin_size(6)
    page = response.content.decode()
    assert "60 g" in page and "Site change" in page  # the table equivalent
    assert response.context["insulin_total"] == "6" and response.context["carbs_total"] == "60"
    assert response.context["previous_day"] == date(2025, 3, 29)
    assert reverse("reports:day", args=["2025-03-31"]) in page


def test_a_dst_day_is_23_hours_and_today_has_no_next_link(client, patient, berlin):
    # (Python subtracts two times of one zone on the wall clock; the instants differ.)
    start, end = day_bounds(date(2025, 3, 30), berlin.tzinfo)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    start, end = day_bounds(date(2025, 10, 26), berlin.tzinfo)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)
    client.force_login(patient)
    response = client.get(reverse("reports:today"))
    assert response.context["is_today"] and response.context["next_day"] is None
    assert client.get("/day/2025-02-30/").status_code == 404


def test_a_follower_sees_the_day_read_only_and_is_logged(client, patient):
    follower = UserFactory(roles=[PATIENTS])
    PatientAccess.objects.create(
        user=follower,
        patient=patient.record,
        role="follower",
        status="active",
        initiated_by="patient",
    )
    TreatmentFactory(patient=patient.record, insulin_units=3)
    client.force_login(follower)
    response = client.get(reverse("reports:today"))
    assert response.status_code == 200 and not response.context["may_write"]
    assert "/edit/" not in response.content.decode()
    assert AccessLogEntry.objects.filter(viewer=follower, what="day view").exists()
    assert client.get(reverse("reports:meal")).status_code == 403


def meal(record, **values):
    now = timezone.now().astimezone(record.tzinfo) - timedelta(minutes=2)
    return {
        "date": now.date().isoformat(),
        "time": now.strftime("%H:%M"),
        "glucose": "",
        "context": "before_meal",
        "carbs_g": "",
        "bolus_units": "",
        "insulin_name": "",
        "notes": "",
        **values,
    }


def test_a_meal_records_the_reading_the_carbs_and_the_bolus_at_once(client, patient):
    client.force_login(patient)
    data = meal(patient.record, glucose="132", carbs_g="55", bolus_units="5,5", notes="Pasta")
    response = client.post(reverse("reports:meal"), data)
    assert response.status_code == 302
    day = data["date"]
    assert response["Location"] == reverse("reports:day", args=[day])
    reading = Reading.objects.get()
    assert (reading.value_mgdl, reading.context) == (132, "before_meal")
    carbs = Treatment.objects.get(type="carbs")
    bolus = Treatment.objects.get(type="bolus")
    assert (carbs.carbs_g, carbs.notes, bolus.insulin_units) == (55, "Pasta", 5.5)
    assert reading.taken_at == carbs.taken_at == bolus.taken_at
    shown = traces(client.get(response["Location"]))
    assert shown["Bolus"]["text"] == ["5.5 U"] and shown["Carbohydrates"]["text"] == ["55 g"]


def test_an_invalid_part_stores_nothing(client, patient):
    client.force_login(patient)
    response = client.post(
        reverse("reports:meal"),
        meal(patient.record, glucose="132", carbs_g="55", bolus_units="120"),
    )
    assert response.context["form"].errors["bolus_units"] == ["A bolus can be at most 100 units."]
    response = client.post(
        reverse("reports:meal"), meal(patient.record, glucose="900", carbs_g="55")
    )
    assert "glucose" in response.context["form"].errors
    response = client.post(reverse("reports:meal"), meal(patient.record))
    assert "Enter a glucose value" in response.content.decode()
    assert not Reading.objects.exists() and not Treatment.objects.exists()


def test_a_meal_already_recorded_is_refused_whole(client, patient):
    client.force_login(patient)
    data = meal(patient.record, glucose="132", carbs_g="55")
    client.post(reverse("reports:meal"), data)
    response = client.post(reverse("reports:meal"), {**data, "glucose": "140"})
    assert "already recorded" in str(response.context["form"].errors)
    assert Reading.objects.count() == 1 and Treatment.objects.count() == 1
