"""The physician roster: 2,000 patients × 14 days of CGM (8,064,000 readings), DESIGN.md
section 8.

Measures clinic.selectors.roster_for_physician and the /clinic/ page, checks that the query
count does not grow with the roster (2,000 patients against 3). The roster reads the per-day
sums the write services keep (readings.figures.daily, DaySummary): 28 days per patient (14
and the 14 before). Computing them for 2,000 x 28 days takes minutes, so the sums of
PATTERNS patients' real traces are computed (readings.figures.daily.day_sums) and every
other patient gets a copy of one of them: the roster's cost is the rows it reads, not their
values. Each figure is timed BGT_BENCH_ROSTER_REPEAT times (default 11).
"""

import math
import os
import random
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from accounts.models import User
from bench.common import count_queries, logged_in_client, measure
from clinic.selectors import roster_for_physician
from clinic.views import ROSTER_PER_PAGE
from patients.models import Patient, PatientAccess
from readings.day_summaries import day_summary_row, window_rows
from readings.figures import daily
from readings.models import DaySummary, Kind, Reading, Source

PATIENTS = int(os.environ.get("BGT_BENCH_ROSTER_PATIENTS", 2000))
DAYS = 14
# Raw readings seeded per patient: the roster reads from them only each record's newest
# reading time (an index seek, whatever the record holds); its figures come from the day
# and window rows. One day keeps the seeding to a minute (14 days: ~12 minutes).
RAW_DAYS = int(os.environ.get("BGT_BENCH_ROSTER_RAW_DAYS", 1))
PER_DAY = 288  # CGM every 5 minutes
READINGS = PATIENTS * RAW_DAYS * PER_DAY
BUDGET_MS = 300
REPEAT = int(os.environ.get("BGT_BENCH_ROSTER_REPEAT", 11))
SUMMARY_DAYS = 28
PATTERNS = 40


def run(report):
    physician = make_physician("bench-roster@example.org")
    small = make_physician("bench-roster-small@example.org")
    seeded = seed_roster(physician, PATIENTS, seed=1)
    seed_roster(small, 3, seed=2)
    assert seeded == READINGS, seeded
    roster = PatientAccess.objects.filter(user__in=[physician, small]).values_list("patient")
    seed_summaries(Patient.objects.filter(pk__in=roster).order_by("display_name"))
    report.add(
        f"roster seed: {PATIENTS:,} patients, {SUMMARY_DAYS} days of day sums each",
        "setup",
        f"{seeded:,} raw readings (the last {RAW_DAYS} day(s)), {PATTERNS} traces summed",
        None,
    )

    fresh_physician = fresh(physician)
    with CaptureQueriesContext(connection) as captured:
        rows = roster_for_physician(physician=fresh_physician)
    assert len(rows) == PATIENTS and all(row.count >= (DAYS - 1) * PER_DAY for row in rows)
    big_queries = len(captured.captured_queries)
    fresh_small = fresh(small)  # as for the big roster: the login loaded before counting
    small_queries = count_queries(lambda: roster_for_physician(physician=fresh_small))
    selector = measure(lambda: roster_for_physician(physician=physician), repeat=REPEAT, warmup=0)

    client = logged_in_client(physician)
    page_timing = measure(lambda: client.get("/clinic/"), repeat=REPEAT, warmup=0)
    page = client.get("/clinic/") if REPEAT > 1 else None
    # A page of the roster: the first ROSTER_PER_PAGE of the 2,000, needs-attention first.
    assert page is None or page.content.count(b"data-patient=") == ROSTER_PER_PAGE
    small_client = logged_in_client(small)
    small_client.get("/clinic/")
    small_page = count_queries(lambda: small_client.get("/clinic/"))
    fixed = big_queries == small_queries
    report.add(
        f"roster selector, {PATIENTS:,} patients × 14 days CGM",
        f"≤ {BUDGET_MS} ms, fixed queries",
        f"{selector}; {big_queries} queries (3 patients: {small_queries})",
        selector.median_ms <= BUDGET_MS and fixed,
        "window rows (DaySummary): 2 rows per patient",
    )
    report.add(
        f"/clinic/ roster page, {PATIENTS:,} patients × 14 days CGM (first page)",
        f"≤ {BUDGET_MS} ms, fixed queries",
        f"{page_timing}; 3 patients: {small_page} queries",
        page_timing.median_ms <= BUDGET_MS and fixed,
    )
    connection.close()


def make_physician(email: str) -> User:
    user = User.objects.create_user(email=email, password="bench-password-123")
    roles.grant_role(user, roles.PHYSICIANS)
    return user


def fresh(user: User) -> User:
    """The user as a new request loads it (the role cache empty)."""
    return User.objects.get(pk=user.pk)


def seed_roster(physician: User, patients: int, *, seed: int) -> int:
    """``patients`` patients with 14 days of CGM each, linked (active) to ``physician``.

    Readings go in with one executemany per patient on Django's own connection, in the
    column formats Django uses on SQLite (uuid hex, "YYYY-MM-DD HH:MM:SS"), which is about
    ten times faster than bulk_create for 806,400 rows.
    """
    rng = random.Random(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    table = Reading._meta.db_table
    columns = (
        "id, patient_id, value_mgdl, taken_at, kind, context, notes, source, external_id, "
        "direction, device, cadence_min, created_at, updated_at"
    )
    placeholders = ", ".join(["%s"] * 14)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (our names)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    moments = [now - timedelta(minutes=5 * i) for i in range(RAW_DAYS * PER_DAY)]
    times = [moment.strftime("%Y-%m-%d %H:%M:%S") for moment in moments]
    hours = [moment.hour + moment.minute / 60 for moment in moments]
    total = 0
    with transaction.atomic():
        for n in range(patients):
            # Records without logins of their own (a child's, say): what the roster reads.
            patient = Patient.objects.create(display_name=f"Patient{n:04d} Bench {seed}")
            PatientAccess.objects.create(
                user=physician,
                patient=patient,
                role=PatientAccess.Role.PHYSICIAN,
                status=PatientAccess.Status.ACTIVE,
                initiated_by=PatientAccess.Side.PHYSICIAN,
                responded_at=now,
            )
            rows = _trace(patient.pk.hex, times, hours, rng, stamp)
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            total += len(rows)
    return total


def seed_summaries(patients) -> None:
    """SUMMARY_DAYS of DaySummary rows for every patient: PATTERNS traces summed by the
    real function, copied round-robin to the others (see the module docstring)."""
    rng = random.Random(3)
    today = timezone.localdate(timezone.now(), ZoneInfo("UTC"))
    first = today - timedelta(days=SUMMARY_DAYS - 1)
    start = datetime.combine(first, time(0), tzinfo=UTC)
    moments = [start + timedelta(minutes=5 * i) for i in range(SUMMARY_DAYS * PER_DAY)]
    epochs = np.asarray([int(m.timestamp()) for m in moments])
    hours = [m.hour + m.minute / 60 for m in moments]
    patterns = []
    utc = Patient(timezone="UTC")  # the seeded records' zone and preset (standard)
    for _ in range(PATTERNS):
        values = np.asarray([row[2] for row in _trace("", moments, hours, rng, "")])
        n = len(values)
        arrays = (epochs, values, np.full(n, Kind.CGM), np.full(n, 5), np.full(n, "api"))
        pattern = []
        for d in range(SUMMARY_DAYS):
            day = first + timedelta(days=d)
            for fresh in (True, False):
                sums = daily.day_sums(*arrays, tz=ZoneInfo("UTC"), day=day, fresh=fresh)
                pattern.append(day_summary_row(None, day, fresh, sums))
        by_day = {
            (row.day, row.fresh): [getattr(row, name) for name in DaySummary.SUM_FIELDS]
            for row in pattern
        }
        ends = [first + timedelta(days=d) for d in range(SUMMARY_DAYS)]
        pattern += window_rows(utc, by_day, ends)
        patterns.append(pattern)
    batch = []
    for n, patient in enumerate(patients):
        for row in patterns[n % PATTERNS]:
            copy = DaySummary(**{f.attname: getattr(row, f.attname) for f in row._meta.fields})
            copy.pk, copy.patient_id = uuid.uuid4(), patient.pk
            batch.append(copy)
    DaySummary.objects.bulk_create(batch, batch_size=5000)


def _trace(owner_hex, times, hours, rng, stamp):
    """One patient's CGM: meal peaks, a personal baseline, and for some a night-time dip."""
    baseline = rng.uniform(110, 170)
    dip = rng.choice((0, 0, 40, 70))
    level = baseline
    rows = []
    for at, hour in zip(times, hours, strict=True):
        meals = sum(60 * math.exp(-(((hour - h) % 24) ** 2) / 1.5) for h in (8, 13, 19.5))
        night = dip * math.exp(-(((hour - 3) % 24) ** 2) / 1.5)
        level += (baseline + meals - night - level) * 0.15 + rng.gauss(0, 6)
        rows.append(
            (
                uuid.uuid4().hex,
                owner_hex,
                int(min(400, max(40, level))),
                at,
                Kind.CGM,
                "unspecified",
                "",
                Source.NIGHTSCOUT,
                None,
                "",
                "",
                5,
                stamp,
                stamp,
            )
        )
    return rows
