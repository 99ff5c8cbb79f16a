"""The physician roster: 200 patients × 14 days of CGM (806,400 readings), DESIGN.md section 8.

Measures clinic.selectors.roster_for_physician and the /clinic/ page (medians), checks that
the query count does not grow with the roster (200 patients against 3). The aggregation
reads only the (owner, taken_at, value_mgdl) index of readings_reading.
"""

import math
import random
import sqlite3
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from accounts.models import User
from bench.common import count_queries, logged_in_client, measure
from clinic.selectors import roster_for_physician
from patients.models import PatientAccess
from readings.models import Kind, Reading, Source

PATIENTS = 200
DAYS = 14
PER_DAY = 288  # CGM every 5 minutes
READINGS = PATIENTS * DAYS * PER_DAY  # 806,400
BUDGET_MS = 300


def run(report):
    physician = make_physician("bench-roster@example.org")
    small = make_physician("bench-roster-small@example.org")
    seeded = seed_roster(physician, PATIENTS, seed=1)
    seed_roster(small, 3, seed=2)
    assert seeded == READINGS, seeded
    report.add("roster seed: 200 patients × 14 days of CGM", "setup", f"{seeded:,} readings", None)

    with CaptureQueriesContext(connection) as captured:
        rows = roster_for_physician(physician=physician)
    assert len(rows) == PATIENTS and all(row.count == DAYS * PER_DAY for row in rows)
    # Baseline: the selector's grouped query itself, straight from sqlite3 (no Django).
    grouped_sql = captured.captured_queries[-1]["sql"]
    assert grouped_sql.startswith('SELECT "readings_reading"."owner_id"'), grouped_sql[:80]
    raw = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    assert len(raw.execute(grouped_sql).fetchall()) == PATIENTS
    baseline = measure(lambda: raw.execute(grouped_sql).fetchall(), repeat=11, warmup=2)
    report.add(
        "raw sqlite3: the roster's grouped query over 806,400 readings",
        "baseline",
        str(baseline),
        None,
    )
    selector = measure(lambda: roster_for_physician(physician=physician), repeat=11, warmup=2)

    client = logged_in_client(physician)
    page = client.get("/clinic/")
    assert page.status_code == 200 and page.content.count(b"data-patient=") == PATIENTS
    page_timing = measure(lambda: client.get("/clinic/"), repeat=11, warmup=2)

    small_client = logged_in_client(small)
    small_client.get("/clinic/")
    queries = {
        "selector": (
            count_queries(lambda: roster_for_physician(physician=fresh(physician))),
            count_queries(lambda: roster_for_physician(physician=fresh(small))),
        ),
        "page": (
            count_queries(lambda: client.get("/clinic/")),
            count_queries(lambda: small_client.get("/clinic/")),
        ),
    }
    fixed = all(big == little for big, little in queries.values())
    report.add(
        "roster selector, 200 patients × 14 days CGM",
        f"≤ {BUDGET_MS} ms",
        f"{selector}; {queries['selector'][0]} queries (3 patients: {queries['selector'][1]})",
        selector.median_ms <= BUDGET_MS and fixed,
    )
    report.add(
        "/clinic/ roster page, 200 patients × 14 days CGM",
        f"≤ {BUDGET_MS} ms, fixed queries",
        f"{page_timing}; {queries['page'][0]} queries (3 patients: {queries['page'][1]})",
        page_timing.median_ms <= BUDGET_MS and fixed,
    )

    assert _has_covering_index(), "readings_reading needs its (owner, taken_at, value_mgdl) index"
    raw.close()
    connection.close()


def _has_covering_index() -> bool:
    """Whether the migrations already index readings by (owner, taken_at, value_mgdl)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Reading._meta.db_table)
    wanted = ["owner_id", "taken_at", "value_mgdl"]
    return any(c["index"] and c["columns"][:3] == wanted for c in constraints.values())


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
        "id, owner_id, value_mgdl, taken_at, kind, context, notes, source, external_id, "
        "direction, device, created_at, updated_at"
    )
    placeholders = ", ".join(["%s"] * 13)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (our names)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    moments = [now - timedelta(minutes=5 * i) for i in range(DAYS * PER_DAY)]
    times = [moment.strftime("%Y-%m-%d %H:%M:%S") for moment in moments]
    hours = [moment.hour + moment.minute / 60 for moment in moments]
    total = 0
    with transaction.atomic():
        for n in range(patients):
            patient = User.objects.create_user(
                email=f"roster-{seed}-{n}@example.org",
                first_name=f"Patient{n:03d}",
                last_name="Bench",
            )
            roles.grant_role(patient, roles.PATIENTS)
            PatientAccess.objects.create(
                physician=physician,
                patient=patient,
                status=PatientAccess.Status.ACTIVE,
                initiated_by=PatientAccess.Side.PHYSICIAN,
                responded_at=now,
            )
            rows = _trace(patient.pk.hex, times, hours, rng, stamp)
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            total += len(rows)
    return total


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
                stamp,
                stamp,
            )
        )
    return rows
