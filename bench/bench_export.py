"""CSV export of a year of CGM (105,120 readings) through /readings/export.csv: time and
memory growth while streaming (DESIGN.md section 8: flat memory, < 50 MB growth); the
account's JSON data export of the same year; and importing 90 days of Dexcom Clarity CGM
(25,920 rows) through /readings/import/.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from bench.common import logged_in_client, make_patient, measure, seed_cgm
from readings.models import Reading

YEAR_OF_CGM = 365 * 288  # 105,120
DAYS_IMPORTED = 90
RUNS = 5
MEMORY_BUDGET_MB = 50
DEXCOM_HEADER = (
    "Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Event Subtype,Patient Info,Device Info,"
    "Source Device ID,Glucose Value (mg/dL),Insulin Value (u),Carb Value (grams),"
    "Duration (hh:mm:ss),Glucose Rate of Change (mg/dL/min),Transmitter Time (Long Integer),"
    "Transmitter ID"
)


def rss_bytes() -> int:
    """Resident set size now (Linux), for the growth while a response streams."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def stream(client, url: str, *, on_chunk=None) -> tuple[int, int, float]:
    """GET ``url`` and read the streamed body chunk by chunk without keeping it.
    Returns (bytes received, line breaks received, milliseconds to the first chunk)."""
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    size = lines = 0
    first_ms = None
    for chunk in response.streaming_content:
        if first_ms is None:
            first_ms = (time.perf_counter() - start) * 1000
        size += len(chunk)
        lines += chunk.count(b"\n")
        if on_chunk:
            on_chunk()
    response.close()
    return size, lines, first_ms or 0.0


def memory_growth(client, url: str) -> tuple[float, float]:
    """(tracemalloc peak of Python allocations, peak RSS growth), both in MB, while
    streaming ``url`` once. RSS is sampled at every chunk."""
    gc.collect()
    baseline = rss_bytes()
    peak_rss = baseline

    def sample():
        nonlocal peak_rss
        peak_rss = max(peak_rss, rss_bytes())

    tracemalloc.start()
    try:
        stream(client, url, on_chunk=sample)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20, (peak_rss - baseline) / 2**20


def dexcom_csv(days: int, end: datetime) -> bytes:
    """A Dexcom Clarity export of ``days`` days of 5-minute CGM, local (naive) times."""
    lines = [
        DEXCOM_HEADER,
        "1,,FirstName,,Bench,,,,,,,,,",
        "2,,LastName,,Patient,,,,,,,,,",
        "3,,Device,,,Dexcom G6 Mobile App,Android G6,,,,,,,",
    ]
    count = days * 288
    start = end - timedelta(minutes=5 * count)
    for i in range(count):
        at = (start + timedelta(minutes=5 * i)).strftime("%Y-%m-%dT%H:%M:%S")
        value = 70 + (i * 7) % 180
        lines.append(f"{i + 4},{at},EGV,,,,Android G6,{value},,,,,{i * 300},8AM1EY")
    return ("\n".join(lines) + "\n").encode()


def run(report):
    patient = make_patient("bench-export@example.org", timezone="America/New_York")
    seed_cgm(patient, days=365)
    assert Reading.objects.filter(patient=patient.record).count() == YEAR_OF_CGM
    client = logged_in_client(patient)
    url = "/readings/export.csv"

    size, lines, first_ms = stream(client, url)
    assert lines == YEAR_OF_CGM + 1, lines  # the header and every reading
    timing = measure(lambda: stream(client, url), repeat=RUNS, warmup=1)
    traced_mb, rss_mb = memory_growth(client, url)
    report.add(
        "CSV export, a year of CGM (105,120 readings), streamed",
        f"< {MEMORY_BUDGET_MB} MB growth",
        f"{timing}; {size / 2**20:.1f} MB sent, first chunk after {first_ms:.0f} ms; "
        f"peak Python allocations {traced_mb:.1f} MB, RSS growth {rss_mb:.1f} MB",
        traced_mb < MEMORY_BUDGET_MB and rss_mb < MEMORY_BUDGET_MB,
        "header + 105,120 rows; the time is informational (no budget)",
    )

    json_url = "/profile/data.json"
    size, _, _ = stream(client, json_url)
    json_timing = measure(lambda: stream(client, json_url), repeat=3, warmup=1)
    traced_mb, rss_mb = memory_growth(client, json_url)
    report.add(
        "Account data export (JSON), the same year",
        f"< {MEMORY_BUDGET_MB} MB growth",
        f"{json_timing}; {size / 2**20:.1f} MB sent; peak Python allocations "
        f"{traced_mb:.1f} MB, RSS growth {rss_mb:.1f} MB",
        traced_mb < MEMORY_BUDGET_MB and rss_mb < MEMORY_BUDGET_MB,
    )

    # Import: 90 days of Dexcom CGM into a new patient each run, then the same file again
    # (every row already stored).
    data = dexcom_csv(DAYS_IMPORTED, timezone.now().replace(microsecond=0, tzinfo=None))
    importers = []

    def fresh_import():
        user = make_patient(f"bench-import-{len(importers)}@example.org", timezone="Europe/Paris")
        importers.append(user)
        response = logged_in_client(user).post(
            "/readings/import/",
            {"file": SimpleUploadedFile("clarity.csv", data), "date_order": "auto"},
        )
        assert response.status_code == 200
        assert response.context["imported"] == DAYS_IMPORTED * 288, response.context

    first = measure(fresh_import, repeat=3, warmup=1)
    again_client = logged_in_client(importers[0])

    def repeat_import():
        response = again_client.post(
            "/readings/import/",
            {"file": SimpleUploadedFile("clarity.csv", data), "date_order": "auto"},
        )
        assert response.context["duplicates"] == DAYS_IMPORTED * 288

    again = measure(repeat_import, repeat=3, warmup=1)
    gc.collect()
    tracemalloc.start()
    try:
        fresh_import()
        _, import_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    connection.close()
    report.add(
        f"CSV import, 90 days of Dexcom CGM (25,920 rows, {len(data) / 2**20:.1f} MB)",
        "none (informational)",
        f"new readings {first}; same file again (all already there) {again}; "
        f"peak Python allocations {import_peak / 2**20:.1f} MB",
        None,
        "every row parsed and checked first, then stored oldest first in batches of 5,000",
    )
