"""Shared pieces of the benchmarks (bench/run.py runs every bench/bench_*.py module).

Benchmarks run in-process against a throwaway SQLite file database with Django's test
environment (DEBUG off, test client), with the garbage collector set up as bgt/wsgi.py sets
it up in production (bgt/collector.py).
They report medians against DESIGN.md section 8; they are measurements, not tests.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


@dataclass
class Timing:
    median_ms: float
    p90_ms: float
    min_ms: float
    runs: int

    def __str__(self):
        return (
            f"{self.median_ms:.1f} ms (p90 {self.p90_ms:.1f}, min {self.min_ms:.1f}, n={self.runs})"
        )


def measure(fn: Callable[[], object], *, repeat: int = 21, warmup: int = 3) -> Timing:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return Timing(
        median_ms=statistics.median(times),
        p90_ms=times[min(len(times) - 1, int(len(times) * 0.9))],
        min_ms=times[0],
        runs=repeat,
    )


def count_queries(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


@dataclass
class Row:
    metric: str
    budget: str
    measured: str
    ok: bool | None  # None: informational, no budget
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, metric: str, budget: str, measured: str, ok: bool | None, note: str = ""):
        self.rows.append(Row(metric, budget, measured, ok, note))
        status = {True: "pass", False: "FAIL", None: "info"}[ok]
        print(f"  [{status}] {metric}: {measured} (budget {budget}) {note}".rstrip(), flush=True)

    def table(self) -> str:
        headers = ("Budget (DESIGN.md section 8)", "Limit", "Measured", "Result")
        body = [
            (r.metric, r.budget, r.measured, {True: "pass", False: "FAIL", None: "–"}[r.ok])
            for r in self.rows
        ]
        widths = [max(len(str(x)) for x in col) for col in zip(headers, *body, strict=False)]
        line = "+".join("-" * (w + 2) for w in widths)
        out = [
            " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
            line,
        ]
        out += [
            " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in body
        ]
        notes = [f"- {r.metric}: {r.note}" for r in self.rows if r.note]
        return "\n".join(out + ([""] + notes if notes else []))

    @property
    def failed(self) -> bool:
        return any(r.ok is False for r in self.rows)


def raw_sqlite_fetch(patient, start: datetime, end: datetime) -> tuple[Callable[[], list], int]:
    """The stats baseline of DESIGN.md section 8: the same rows the statistics read,
    straight from sqlite3 with no Django. Returns (fetch, row count)."""
    import sqlite3

    from django.conf import settings

    raw = sqlite3.connect(settings.DATABASES["default"]["NAME"], check_same_thread=False)
    sql = (
        "SELECT value_mgdl, kind, context, source, cadence_min, taken_at FROM readings_reading "
        "WHERE patient_id = ? AND taken_at >= ? AND taken_at < ? ORDER BY taken_at"
    )

    def utc(moment: datetime) -> str:  # Django stores UTC on SQLite
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")

    args = (patient.record.pk.hex, utc(start), utc(end))

    def fetch():
        return raw.execute(sql, args).fetchall()

    return fetch, len(fetch())


def make_patient(email: str, *, timezone: str = "UTC", **fields):
    """A patient's login with its own record (``user.record``) in ``timezone``."""
    from accounts import roles
    from accounts.models import User
    from patients.services import patient_create_for_self

    user = User.objects.create_user(email=email, password="bench-password-123", **fields)
    roles.grant_role(user, roles.PATIENTS)
    user.record = patient_create_for_self(user=user, timezone_name=timezone)
    return user


def seed_cgm(
    user, *, days: float, end: datetime | None = None, every_minutes: int = 5, seed: int = 1
):
    """Bulk-insert a realistic CGM trace (every 5 minutes) for ``user`` over (end - days, end].

    Values follow a daily rhythm with meal peaks and noise, clipped to 40-400 mg/dL.
    Returns the number of readings inserted.
    """
    import math
    import random

    from readings.models import Kind, Reading, Source

    rng = random.Random(seed)
    end = (end or timezone.now()).replace(second=0, microsecond=0)
    count = int(days * 24 * 60 / every_minutes)
    start = end - timedelta(minutes=every_minutes * (count - 1))
    batch = []
    level = 140.0
    with transaction.atomic():
        for i in range(count):
            at = start + timedelta(minutes=every_minutes * i)
            hour = at.hour + at.minute / 60
            meal = sum(60 * math.exp(-(((hour - h) % 24) ** 2) / 1.5) for h in (8, 13, 19.5))
            level += (130 + meal - level) * 0.15 + rng.gauss(0, 6)
            value = int(min(400, max(40, level)))
            batch.append(
                Reading(
                    patient=user.record,
                    value_mgdl=value,
                    taken_at=at,
                    kind=Kind.CGM,
                    source=Source.NIGHTSCOUT,
                    cadence_min=every_minutes,
                )
            )
            if len(batch) == 5000:
                Reading.objects.bulk_create(batch)
                batch = []
        Reading.objects.bulk_create(batch)
    return count


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
