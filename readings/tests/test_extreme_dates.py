"""Security issue, finding 13: dates at the ends of Python's range are a 4xx, never a 500.

A day's bounds are computed from it (the next midnight; the local midnight in UTC), so
9999-12-31 overflowed and year 1 in a zone at +14:00 fell into year 0: OverflowError,
500. Checked for records at both extremes of the world's offsets, on every page that
takes a day typed by the user. (count=², and 1e1000000 in a Nightscout query, are covered
by integrations/nightscout/tests/test_nightscout.py.)
"""

import pytest
from django.urls import reverse

from patients.services import patient_update
from readings.models import Reading
from readings.tests.factories import ReadingFactory
from treatments.models import Treatment

pytestmark = pytest.mark.django_db

ZONES = ["Pacific/Kiritimati", "Etc/GMT+12"]  # +14:00 and -12:00


@pytest.fixture(params=ZONES)
def signed_in(request, client, patient):
    patient_update(patient=patient.record, timezone=request.param)
    ReadingFactory(patient=patient.record)
    client.force_login(patient)
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"end": "9999-12-31"},
        {"start": "0001-01-01"},
        {"start": "0001-01-01", "end": "0001-01-01"},
        {"start": "9999-12-31", "end": "9999-12-31"},
    ],
)
def test_the_readings_table_refuses_days_out_of_range_with_a_400(signed_in, query):
    response = signed_in.get(reverse("readings:list"), query)

    assert response.status_code == 400
    assert "Enter a date between 1 January 1900 and 31 December 2999." in response.content.decode()


@pytest.mark.parametrize("query", [{"end": "9999-12-31"}, {"start": "0001-01-01"}])
def test_the_export_sends_out_of_range_days_back_to_the_table(signed_in, query):
    response = signed_in.get(reverse("files:export"), query, follow=True)

    assert response.redirect_chain and response.status_code == 400
    assert "Fix the filters before exporting." in response.content.decode()


@pytest.mark.parametrize("query", [{"end": "9999-12-31"}, {"start": "0001-01-01"}])
def test_the_treatment_log_refuses_days_out_of_range(signed_in, query):
    response = signed_in.get(reverse("treatments:list"), query)

    assert response.status_code < 500
    assert "Enter a date between 1 January 1900 and 31 December 2999." in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_day_view_of_a_day_out_of_range_is_a_404(signed_in, day):
    assert signed_in.get(reverse("reports:day", args=[day])).status_code == 404


@pytest.mark.parametrize(
    ("url", "data", "model"),
    [
        (
            "readings:create",
            {"value": "100", "kind": "fingerstick", "context": "unspecified"},
            Reading,
        ),
        ("treatments:create", {"type": "carbs", "carbs_g": "10"}, Treatment),
    ],
)
def test_entry_forms_refuse_year_one(signed_in, url, data, model):
    before = model.objects.count()

    response = signed_in.post(reverse(url), {**data, "date": "0001-01-01", "time": "00:00"})

    assert response.status_code == 200
    assert "Enter a date between 1 January 1900" in response.content.decode()
    assert model.objects.count() == before


def test_ordinary_filters_still_answer_200(signed_in):
    response = signed_in.get(reverse("readings:list"), {"start": "2020-01-01", "end": "2030-12-31"})
    assert response.status_code == 200
