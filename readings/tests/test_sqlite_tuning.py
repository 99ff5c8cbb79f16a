from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from readings import services
from readings.models import Kind, Reading

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's bound-variable limit")
def test_bulk_uploads_use_sqlite_s_real_variable_limit(patient):
    start = timezone.now().replace(microsecond=0) - timedelta(days=30)
    readings = [
        Reading(value_mgdl=100 + i % 200, taken_at=start + timedelta(minutes=5 * i), kind=Kind.CGM)
        for i in range(5000)
    ]

    with CaptureQueriesContext(connection) as queries:
        result = services.readings_bulk_create(patient=patient.record, readings=readings)

    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(result.created) == 5000
    assert connection.features.max_query_params > 999
    assert len(inserts) <= 3  # not 66 statements of 76 rows
