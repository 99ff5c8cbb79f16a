"""Statistics over 90 days of CGM, and the 14-day dashboard page (DESIGN.md section 8).

reading_stats over 90 whole local days also reads the 90 days before them (the comparison
with the previous window), so the raw baseline fetches the same 180 days of rows."""

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


def run(report):
    patient = make_patient("bench-stats@example.org", timezone="Europe/Paris")
    seed_cgm(patient, days=180)
    start, end = selectors.report_bounds(patient=patient.record, days=90)
    first = selectors.load_from(patient=patient.record, start=start, end=end)

    fetch, rows = raw_sqlite_fetch(patient, first, end)
    assert rows > 2 * 89 * 288, rows
    baseline = measure(fetch)
    report.add(
        f"raw sqlite3 fetch, 2 × 90 days CGM ({rows:,} rows)", "baseline", str(baseline), None
    )

    summary = selectors.reading_stats(patient=patient.record, start=start, end=end)
    assert summary.figures.cgm.count > 89 * 288 and summary.figures.comparison.reason is None
    timing = measure(lambda: selectors.reading_stats(patient=patient.record, start=start, end=end))
    ratio = timing.median_ms / baseline.median_ms
    report.add(
        "stats, 90 days CGM + previous 90: reading_stats (readings/figures)",
        "≤ 3× raw (DESIGN.md 8)",
        f"{timing} = {ratio:.1f}× raw",
        ratio <= 3,
        "the same figures the stats API and pages serve: dedup, events, AGP, comparison",
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
