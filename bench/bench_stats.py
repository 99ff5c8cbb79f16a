"""Statistics over 90 days of CGM, and the 14-day dashboard page (DESIGN.md section 8)."""

from django.db import connection

from bench.common import (
    count_queries,
    logged_in_client,
    make_patient,
    measure,
    raw_sqlite_fetch,
    seed_cgm,
)
from readings import selectors

READINGS_90_DAYS = 90 * 288  # 25,920


def run(report):
    patient = make_patient("bench-stats@example.org", timezone="Europe/Paris")
    seed_cgm(patient, days=90)
    start, end = selectors.period_bounds(90)

    fetch, rows = raw_sqlite_fetch(patient, start, end)
    assert rows == READINGS_90_DAYS, rows
    baseline = measure(fetch)
    report.add("raw sqlite3 fetch, 90 days CGM (25,920 rows)", "baseline", str(baseline), None)

    summary = selectors.reading_stats(patient=patient.record, start=start, end=end)
    assert summary.count == READINGS_90_DAYS
    timing = measure(lambda: selectors.reading_stats(patient=patient.record, start=start, end=end))
    ratio = timing.median_ms / baseline.median_ms
    report.add(
        "stats, 90 days CGM: selector + readings/stats.py",
        "≤ 60 ms, ≤ 4× raw",
        f"{timing} = {ratio:.1f}× raw",
        timing.median_ms <= 60 and ratio <= 4,
        "the same figures the stats API and pages serve",
    )

    client = logged_in_client(patient)
    response = client.get("/dashboard/?days=14")
    assert response.status_code == 200 and b"figure-readings" in response.content
    page = measure(lambda: client.get("/dashboard/?days=14"))
    queries_full = count_queries(lambda: client.get("/dashboard/?days=14"))
    sparse = make_patient("bench-sparse@example.org")
    seed_cgm(sparse, days=1)
    sparse_client = logged_in_client(sparse)
    sparse_client.get("/dashboard/?days=14")
    queries_sparse = count_queries(lambda: sparse_client.get("/dashboard/?days=14"))
    connection.close()
    report.add(
        "dashboard page, 14 days CGM (4,032 readings)",
        "≤ 150 ms, fixed queries",
        f"{page}; {queries_full} queries (1 day of data: {queries_sparse})",
        page.median_ms <= 150 and queries_full == queries_sparse,
    )
