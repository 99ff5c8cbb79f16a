from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from core.mongo import flat_match, rows
from readings.models import Kind, Reading, Source

NOW = datetime(2026, 6, 1, 12, 0)
LATER = datetime(2026, 6, 2, 12, 0)


def test_the_backends_nested_and_becomes_one_document():
    # As django-mongodb-backend sends filter(patient=p, taken_at__gte=a, taken_at__lt=b).
    nested = {
        "$and": [
            {"patient_id": "p1"},
            {"taken_at": {"$gte": NOW}},
            {
                "$and": [
                    {"taken_at": {"$lt": LATER}},
                    {"$and": [{"taken_at": {"$exists": True}}, {"taken_at": {"$ne": None}}]},
                ]
            },
        ]
    }

    assert flat_match(nested) == {"patient_id": "p1", "taken_at": {"$gte": NOW, "$lt": LATER}}


def test_null_checks_stay_where_no_bound_implies_them():
    assert flat_match({"$and": [{"a": {"$exists": True}}, {"a": {"$ne": None}}]}) == {
        "a": {"$exists": True, "$ne": None}
    }
    # $gte: null matches nulls, so the check beside it still means something.
    assert flat_match({"$and": [{"a": {"$gte": None}}, {"a": {"$ne": None}}]}) == {
        "a": {"$gte": None, "$ne": None}
    }


def test_an_inclusive_upper_bound_stays_unmerged():
    # SecantusDB drops the documents equal to a $lte bound when it plans it on an index
    # with a further key field (issue 21); left under $and, it is scanned and right.
    assert flat_match({"$and": [{"p": 1}, {"t": {"$gte": NOW}}, {"t": {"$lte": LATER}}]}) == {
        "p": 1,
        "t": {"$gte": NOW},
        "$and": [{"t": {"$lte": LATER}}],
    }


def test_what_cannot_merge_keeps_its_meaning():
    either = {"$or": [{"kind": "cgm"}, {"kind": "scan"}]}
    # Two equalities on one field, and an $or, stay under $and: merging would change them.
    assert flat_match({"$and": [{"a": 1}, {"a": 2}, either, {"b": 3}]}) == {
        "a": 1,
        "b": 3,
        "$and": [{"a": 2}, either],
    }
    # Two bounds of one kind on one field: both kept.
    assert flat_match({"$and": [{"a": {"$gt": 1}}, {"a": {"$gt": 5}}]}) == {
        "a": {"$gt": 1},
        "$and": [{"a": {"$gt": 5}}],
    }
    assert flat_match({"a": 1}) == {"a": 1}


@pytest.fixture
def stored(patient):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    Reading.objects.bulk_create(
        Reading(
            patient=patient.record,
            value_mgdl=80 + n,
            taken_at=start + timedelta(hours=n),
            kind=Kind.FINGERSTICK if n % 5 == 0 else Kind.CGM,
            source=Source.NIGHTSCOUT,
            external_id=f"id-{n}" if n % 2 else None,
        )
        for n in range(48)
    )
    return patient.record, start


@pytest.mark.django_db
def test_rows_are_what_values_list_gives(stored):
    record, start = stored
    readings = Reading.objects.of(record)
    window = readings.filter(taken_at__gte=start + timedelta(hours=10)).filter(
        taken_at__lt=start + timedelta(hours=30)
    )
    querysets = [
        window.order_by("-taken_at").values_list("pk", "kind", "value_mgdl", "taken_at"),
        window.filter(kind=Kind.CGM).order_by("-taken_at").values_list("value_mgdl")[:5],
        readings.filter(external_id__in=["id-3", "id-5", "id-8"]).values_list(
            "external_id", flat=True
        ),
        readings.filter(taken_at__lte=start).values_list("taken_at", flat=True),
        readings.none().values_list("pk"),
    ]
    for queryset in querysets:
        assert sorted(rows(queryset), key=str) == sorted(queryset, key=str)
    assert rows(querysets[1]) == [(109,), (108,), (107,), (106,), (104,)]  # not 25: meter


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "mongodb", reason="the MongoDB query shape")
def test_a_window_of_readings_reads_only_that_window_from_the_index(stored):
    record, start = stored
    queryset = (
        Reading.objects.of(record)
        .filter(kind=Kind.CGM, taken_at__gte=start + timedelta(hours=40))
        .order_by("-taken_at")
        .values_list("value_mgdl", flat=True)
    )
    compiler = queryset.query.get_compiler(using=queryset.db)
    compiler.pre_sql_setup()
    query = compiler.build_query(compiler.columns)
    query.match_mql = flat_match(query.match_mql)
    explained = connection.database.command(
        "explain",
        {"aggregate": "readings_reading", "pipeline": query.get_pipeline(), "cursor": {}},
        verbosity="executionStats",
    )
    cursor = explained["stages"][0]["$cursor"] if "stages" in explained else explained
    stats = cursor["executionStats"]

    assert len(rows(queryset)) == 6  # hours 40-47 but 40 and 45 (fingersticks)
    assert stats["totalDocsExamined"] == 6  # the index range, not the 48 stored
