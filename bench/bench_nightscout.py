"""The workloads BGT and Nightscout both serve (issue 21), on whichever database the run
uses: ``make bench`` runs this module on SQLite and again on SecantusDB (MongoDB wire
protocol), so both legs measure the same requests in one run.

One patient, 90 days of CGM (25,920 entries) as Nightscout holds them; requests through the
test client with the record's upload secret, as uploaders and followers send them:

- ``GET /api/v1/entries/sgv.json?count=288`` and ``?count=2016`` (the latest entries);
- ``GET /api/v1/entries.json?find[date][$gte]=<90 days ago>&count=30000``;
- ``POST /api/v1/entries`` of a new day (288 entries, gzip, as xDrip+ sends), with 10 days
  stored and again with 90 (the time must not grow with what is stored);
- the dashboard page (90 days) and its "has anything changed?" poll, with gzip.

Nightscout's own figures (cgm-remote-monitor 15 on SecantusDB, issue 21, on an idle
machine) are printed beside them for reference; they are not re-measured here.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.bench_api import timed_runs, xdrip_day
from bench.common import count_queries, logged_in_client, make_patient, measure, seed_cgm
from integrations.nightscout.credentials import upload_secret_rotate
from readings.models import Reading
from readings.services import readings_changed

# Issue 21's Nightscout column (medians, ms; SecantusDB). SQLite has no Nightscout leg.
NIGHTSCOUT_MS = {"sgv288": 9.8, "sgv2016": 140, "entries90": 2309, "post": 1454}
RUNS = 7
GZIP = {"accept-encoding": "gzip, deflate, br"}


def leg() -> str:
    return "SecantusDB" if connection.vendor == "mongodb" else "SQLite"


def reference(key: str, timing_ms: float) -> str:
    if leg() != "SecantusDB":
        return ""
    return (
        f"Nightscout on SecantusDB {NIGHTSCOUT_MS[key]:,} ms: {timing_ms / NIGHTSCOUT_MS[key]:.1f}×"
    )


def read_budget(key: str, median_ms: float) -> tuple[str, bool | None]:
    """Issue 21's bar for a read: on SQLite the latest day at or under Nightscout's 10 ms;
    on SecantusDB every read within 2x Nightscout's figure on the same server."""
    if leg() == "SecantusDB":
        return "≤ 2× Nightscout", median_ms <= 2 * NIGHTSCOUT_MS[key]
    if key == "sgv288":
        return "≤ 10 ms (Nightscout)", median_ms <= 10
    return "–", None


def raw_baseline(report, patient, since, request_timing) -> None:
    """The 90-day entries.json against a raw sqlite3 fetch of the same rows (the fields an
    entry shows, newest first, count + 1): the rows read and shaped as entries (what the
    endpoint serves, before JSON and gzip) within 3x, and the whole request beside it."""
    import sqlite3

    from django.conf import settings

    from integrations.nightscout.entries import entries_queryset
    from integrations.nightscout.entry_rows import entries_of, entry_rows

    raw = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    sql = (
        "SELECT id, kind, value_mgdl, taken_at, source, device, direction, delta, filtered, "
        "unfiltered, noise, rssi FROM readings_reading WHERE patient_id = ? AND taken_at >= ? "
        "ORDER BY taken_at DESC LIMIT ?"
    )
    limit = settings.BGT_NIGHTSCOUT_MAX_COUNT
    args = (patient.record.pk.hex, since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), limit + 1)
    params = {"find[date][$gte]": str(int(since.timestamp() * 1000)), "count": str(limit)}
    record = patient.record

    def shaped():
        rows = entry_rows(entries_queryset(patient=record, query_params=params))
        return entries_of(rows, record.tzinfo, count=limit)

    def fetch():
        return raw.execute(sql, args).fetchall()

    assert len(fetch()) == limit + 1 and len(shaped()) == limit
    baseline = timed_runs(lambda i: None, lambda _: fetch(), lambda: None, runs=RUNS)
    timing = timed_runs(lambda i: None, lambda _: shaped(), lambda: None, runs=RUNS)
    ratio, cpu_ratio = timing.median_ms / baseline.median_ms, timing.cpu_ms / baseline.cpu_ms
    report.add(
        f"[SQLite] 90-day entries read and shaped ({limit:,}) vs raw sqlite3 fetch",
        "≤ 3× raw",
        f"{timing.median_ms:.0f} ms = {ratio:.1f}× raw {baseline.median_ms:.0f} ms; CPU "
        f"{cpu_ratio:.1f}×; the whole request (JSON, gzip): "
        f"{request_timing.median_ms / baseline.median_ms:.1f}×",
        ratio <= 3,
    )


def run(report):
    name = leg()
    now = timezone.now().replace(second=0, microsecond=0)
    patient = make_patient(f"bench-ns-{name.lower()}@example.org")
    secret = upload_secret_rotate(patient=patient.record)
    client = Client(headers={"api-secret": hashlib.sha1(secret.encode()).hexdigest()})  # noqa: S324
    # Stored history ends 12 hours ago; each timed upload is a further day before it
    # begins, so none of the uploaded entries is a duplicate.
    history_end = now - timedelta(hours=12)

    def post_day(days_stored: float):
        first = history_end - timedelta(days=days_stored)

        def prepare(index: int) -> bytes:
            return xdrip_day(first - timedelta(days=1 + index, minutes=5))

        def upload(body: bytes):
            response = client.post(
                "/api/v1/entries",
                body,
                content_type="application/json",
                headers={"content-encoding": "gzip"},
            )
            assert response.status_code == 200, response.content[:300]
            assert {e["outcome"] for e in response.json()} == {"stored"}

        def cleanup():
            Reading.objects.filter(patient=patient.record, taken_at__lt=first).delete()
            readings_changed(patient=patient.record)  # as the write services leave it

        return timed_runs(prepare, upload, cleanup, runs=RUNS, warmup=1)

    seed_cgm(patient, days=10, end=history_end)
    after_10 = post_day(10)
    seed_cgm(patient, days=80, end=history_end - timedelta(days=10), seed=2)
    after_90 = post_day(90)
    stored = Reading.objects.filter(patient=patient.record).count()
    assert stored == 90 * 288, stored
    growth = after_90.median_ms / after_10.median_ms
    report.add(
        f"[{name}] POST /api/v1/entries, 288 entries, 10 → 90 days stored",
        "flat (± 20 %)",
        f"{after_10.median_ms:.0f} → {after_90.median_ms:.0f} ms ({growth:.2f}×); CPU "
        f"{after_10.cpu_ms:.0f} → {after_90.cpu_ms:.0f} ms",
        0.8 <= growth <= 1.2,
        f"{after_90}; {reference('post', after_90.median_ms)}".rstrip("; "),
    )

    since = int((now - timedelta(days=90)).timestamp() * 1000)
    reads = [
        ("sgv288", "sgv.json?count=288", "/api/v1/entries/sgv.json?count=288", 288),
        # Without a date filter Nightscout (and BGT) look at the last 4 days only.
        ("sgv2016", "sgv.json?count=2016", "/api/v1/entries/sgv.json?count=2016", int(3.5 * 288)),
        (
            "entries90",
            "entries.json?find[date][$gte]=<90 d>&count=30000",
            f"/api/v1/entries.json?find[date][$gte]={since}&count=30000",
            10_000,  # BGT_NIGHTSCOUT_MAX_COUNT
        ),
    ]
    for key, label, path, expected in reads:
        response = client.get(path)
        found = len(response.json())  # the window's edges move with the clock: ± 1
        assert response.status_code == 200 and abs(found - expected) <= 1, found
        packed = client.get(path, headers=GZIP)
        timing = timed_runs(
            lambda index: None,
            lambda _, path=path: client.get(path, headers=GZIP),
            lambda: None,
            runs=RUNS,
        )
        queries = count_queries(lambda path=path: client.get(path))
        budget, ok = read_budget(key, timing.median_ms)
        report.add(
            f"[{name}] GET {label}",
            budget,
            f"{timing}; median CPU {timing.cpu_ms:.0f} ms; {queries} round trips; "
            f"{len(packed.content):,} B gzip ({len(response.content):,} B plain)",
            ok,
            reference(key, timing.median_ms),
        )
        if key == "entries90" and connection.vendor == "sqlite":
            raw_baseline(report, patient, now - timedelta(days=90), timing)

    browser = logged_in_client(patient)
    page = browser.get("/dashboard/?days=90", headers=GZIP)
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    timing = measure(lambda: browser.get("/dashboard/?days=90", headers=GZIP), repeat=5, warmup=1)
    poll = measure(lambda: browser.get("/readings/version.json"), repeat=11, warmup=1)
    report.add(
        f"[{name}] dashboard page, 90 days; its change poll",
        "–",
        f"page {timing.median_ms:.0f} ms, {len(page.content):,} B gzip; poll {poll}",
        None,
        "server time of the HTML (the chart data is in it, json_script); Nightscout's main "
        "page: 0.94 MB, 1.8-2.5 s to chart in a browser (issue 21)",
    )
    Reading.objects.filter(patient=patient.record).delete()
