from datetime import UTC, datetime

import pytest
from django.db import connection

from core.expressions import EpochSeconds
from readings.models import Kind, Reading

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC),  # 1,000,000,000
    datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),  # Europe's spring-forward instant
]


def epochs_of(user) -> list[int]:
    return list(
        Reading.objects.filter(patient=user.record)
        .order_by("taken_at")
        .annotate(epoch=EpochSeconds("taken_at"))
        .values_list("epoch", flat=True)
    )


@pytest.fixture
def stored(patient):
    Reading.objects.bulk_create(
        Reading(patient=patient.record, value_mgdl=100, taken_at=moment, kind=Kind.CGM)
        for moment in MOMENTS
    )
    return patient


def test_the_database_computes_whole_unix_seconds(stored):
    assert epochs_of(stored) == [int(moment.timestamp()) for moment in MOMENTS]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's unixepoch() fallback")
def test_sqlite_before_3_38_uses_strftime_with_the_same_result(stored, monkeypatch):
    monkeypatch.setattr(connection.Database, "sqlite_version_info", (3, 37, 2))
    queryset = Reading.objects.annotate(epoch=EpochSeconds("taken_at")).values("epoch")

    assert "strftime" in str(queryset.query)
    assert epochs_of(stored) == [int(moment.timestamp()) for moment in MOMENTS]
