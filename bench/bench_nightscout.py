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
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.bench_api import timed_runs, xdrip_day
from bench.common import count_queries, logged_in_client, make_patient, measure, seed_cgm
from integrations.nightscout.credentials import upload_secret_rotate
from readings.models import Reading

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
        report.add(
            f"[{name}] GET {label}",
            "–",
            f"{timing}; median CPU {timing.cpu_ms:.0f} ms; {queries} round trips; "
            f"{len(packed.content):,} B gzip ({len(response.content):,} B plain)",
            None,
            reference(key, timing.median_ms),
        )

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
