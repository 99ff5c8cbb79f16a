"""Reads of the clinic side: a physician's roster of the records shared with them, and the
clinics physicians work at. A physician sees a record only through an ``active`` physician
grant (patients.PatientAccess), checked on every call; one record's data is opened through
patients.selectors.patient_for like everyone else's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.utils import timezone

from accounts import roles
from accounts.models import User
from clinic.models import Clinic, ClinicMembership
from core import consensus
from patients.models import Patient, PatientAccess
from readings.models import Reading
from readings.selectors import period_bounds

ROSTER_DAYS = 14


# --- the roster --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One actively linked patient with their last 14 days, as the roster shows them.

    Glucose figures are mg/dL; percentages are shares of readings (not of time) rounded to
    0.01 by largest remainder, exactly as readings/stats.py computes them. Every figure is
    None when the patient has no reading in the 14 days (``count`` is then 0).
    """

    patient: Patient
    grant: PatientAccess  # the physician's grant (its MRN; its id ends it)
    name: str
    email: str  # the record's own login's address ("" for a record without one)
    age: int | None
    last_reading_at: datetime | None  # the newest reading ever, not only in the 14 days
    count: int  # readings in the 14 days
    mean_14d: float | None  # mg/dL, rounded to 0.01
    cv: float | None  # %, sample SD / mean
    very_low_pct: float | None  # < 54 mg/dL
    low_pct: float | None  # 54-69 mg/dL
    in_range_pct: float | None  # 70-180 mg/dL
    high_pct: float | None  # 181-250 mg/dL
    very_high_pct: float | None  # > 250 mg/dL
    very_low_count: int  # readings < 54 mg/dL in the 14 days
    goals: list[consensus.Goal] = field(default_factory=list)  # all six consensus goals

    @property
    def goal_flags(self) -> list[consensus.Goal]:
        """The consensus goals this patient missed (none when there is nothing to judge)."""
        return [goal for goal in self.goals if goal.met is False]

    @property
    def has_recent_data(self) -> bool:
        return self.count > 0


# Default order, "needs attention first" (DESIGN.md section 5): most time very low, then
# most time low, then least time in range, then the stalest data. A patient with no
# reading in 14 days counts as 0 % in range: missing data needs attention too.
def _attention_key(row: RosterRow):
    last = row.last_reading_at.timestamp() if row.last_reading_at else -math.inf
    return (
        -(row.very_low_pct or 0.0),
        -(row.low_pct or 0.0),
        row.in_range_pct or 0.0,
        last,
        row.name.lower(),
    )


# Column sorts: the value each column sorts by. Rows without a value go last either way.
ROSTER_SORTS = {
    "name": lambda row: row.name.lower(),
    "age": lambda row: row.age,
    "last_reading": lambda row: row.last_reading_at,
    "mean": lambda row: row.mean_14d,
    "in_range": lambda row: row.in_range_pct,
    "low": lambda row: row.low_pct,
    "very_low": lambda row: row.very_low_pct,
    "very_low_count": lambda row: row.very_low_count if row.count else None,
    "goals": lambda row: len(row.goal_flags),
}
DEFAULT_SORT = "attention"


def parse_sort(sort: str | None) -> tuple[str, bool]:
    """``"-mean"`` -> ("mean", True). Anything unknown is the default order."""
    sort = (sort or "").strip()
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in ROSTER_SORTS:
        return DEFAULT_SORT, False
    return key, descending


def roster_for_physician(
    *, physician: User, sort: str | None = None, now: datetime | None = None
) -> list[RosterRow]:
    """The records shared with the physician (active physician grants), with their last-14-day
    figures.

    ``sort`` is a key of ROSTER_SORTS, "-" first for descending; None or unknown gives
    "needs attention first". The 14 days are readings.selectors.period_bounds(14, now=now),
    the dashboard's own window, so the figures match the patient's 14-day dashboard.

    Five queries whatever the roster size: the grants (with each record's newest reading
    time as a correlated subquery on the (patient, taken_at) index), the records, their own
    logins' emails (two), and one grouped query in which the database counts and sums each
    record's 14 days with conditional aggregates. Not a query per patient.
    """
    if not (physician.is_active and roles.is_physician(physician)):
        return []
    now = now or timezone.now()
    newest = (
        Reading.objects.filter(patient=OuterRef("patient"))
        .order_by("-taken_at")
        .values("taken_at")[:1]
    )
    grants = list(
        PatientAccess.objects.filter(
            user=physician,
            role=PatientAccess.Role.PHYSICIAN,
            status=PatientAccess.Status.ACTIVE,
        )
        .annotate(last_reading_at=Subquery(newest))
        .order_by()
    )
    if not grants:
        return []
    ids = [grant.patient_id for grant in grants]
    patients = {patient.pk: patient for patient in Patient.objects.filter(pk__in=ids)}
    emails = _self_emails(ids)
    figures = _window_figures(ids, *period_bounds(ROSTER_DAYS, now=now))

    rows = []
    for grant in grants:
        patient = patients.get(grant.patient_id)
        email = emails.get(grant.patient_id, "")
        if patient is None or email is None:  # gone, or its own login is being deleted
            continue
        grant.patient, grant.user = patient, physician
        patient.grant = grant
        today = timezone.localdate(now, patient.tzinfo)
        rows.append(
            _row(
                grant,
                patient,
                email=email,
                age=patient.age_on(today),
                figures=figures.get(patient.pk),
            )
        )
    return _sorted(rows, sort)


def _window_figures(ids: list, start: datetime, end: datetime) -> dict:
    """Per patient, over the readings in [start, end): ``n``, ``total`` (sum of mg/dL),
    ``total_sq`` (sum of squares) and cumulative counts below each consensus threshold,
    computed by the database in one grouped query.

    Cumulative counts (< 54, < 70, <= 180, <= 250) cost one comparison per reading each,
    and COUNT of a constant needs no column: this scan of every reading in the window is
    the roster's whole cost (DESIGN.md section 8: 806,400 readings in 300 ms on SQLite).
    """
    one = Value(1)
    rows = (
        Reading.objects.filter(patient__in=ids)
        .between(start, end)
        .values("patient")
        .annotate(
            n=Count(one),
            total=Sum("value_mgdl"),
            total_sq=Sum(F("value_mgdl") * F("value_mgdl")),
            below_54=Count(one, filter=Q(value_mgdl__lt=consensus.VERY_LOW_BELOW)),
            below_70=Count(one, filter=Q(value_mgdl__lt=consensus.LOW_BELOW)),
            upto_180=Count(one, filter=Q(value_mgdl__lte=consensus.HIGH_ABOVE)),
            upto_250=Count(one, filter=Q(value_mgdl__lte=consensus.VERY_HIGH_ABOVE)),
        )
        .order_by()
    )
    return {row["patient"]: row for row in rows}


def _band_counts(figures: dict) -> list[int]:
    """The five consensus band counts (consensus.RANGE_KEYS order) from cumulative counts."""
    n, below_54, below_70 = figures["n"], figures["below_54"], figures["below_70"]
    upto_180, upto_250 = figures["upto_180"], figures["upto_250"]
    return [below_54, below_70 - below_54, upto_180 - below_70, upto_250 - upto_180, n - upto_250]


def _self_emails(ids: list) -> dict:
    """record pk -> its own login's email, or None when that login is deactivated (an
    account being deleted: its record is shown to nobody). Two queries; no join, which
    MongoDB lacks. Records without a login of their own are absent."""
    logins = dict(
        PatientAccess.objects.filter(
            patient__in=ids, role=PatientAccess.Role.SELF, status=PatientAccess.Status.ACTIVE
        ).values_list("user_id", "patient_id")
    )
    users = User.objects.filter(pk__in=list(logins)).values_list("pk", "email", "is_active")
    emails = {pk: email if active else None for pk, email, active in users}
    return {patient_id: emails.get(user_id) for user_id, patient_id in logins.items()}


def _row(
    grant: PatientAccess,
    patient: Patient,
    *,
    email: str,
    age: int | None,
    figures: dict | None,
) -> RosterRow:
    n = figures["n"] if figures else 0
    if not n:
        return RosterRow(
            patient=patient,
            grant=grant,
            name=patient.display_name,
            email=email,
            age=age,
            last_reading_at=grant.last_reading_at,
            count=0,
            mean_14d=None,
            cv=None,
            very_low_pct=None,
            low_pct=None,
            in_range_pct=None,
            high_pct=None,
            very_high_pct=None,
            very_low_count=0,
            goals=consensus.consensus_goals(dict.fromkeys(consensus.RANGE_KEYS), None),
        )
    total, total_sq = int(figures["total"]), int(figures["total_sq"])
    mean = total / n
    cv = None
    if n > 1:
        # Sample variance from exact integer sums: (n*S2 - S1^2) / (n(n-1)).
        variance = (n * total_sq - total * total) / (n * (n - 1))
        cv = round(100.0 * math.sqrt(max(variance, 0.0)) / mean, 2)
    ranges = dict(
        zip(
            consensus.RANGE_KEYS,
            consensus.percentages(_band_counts(figures)),
            strict=True,
        )
    )
    return RosterRow(
        patient=patient,
        grant=grant,
        name=patient.display_name,
        email=email,
        age=age,
        last_reading_at=grant.last_reading_at,
        count=n,
        mean_14d=round(mean, 2),
        cv=cv,
        very_low_pct=ranges["very_low"],
        low_pct=ranges["low"],
        in_range_pct=ranges["in_range"],
        high_pct=ranges["high"],
        very_high_pct=ranges["very_high"],
        very_low_count=int(figures["below_54"]),
        goals=consensus.consensus_goals(ranges, cv),
    )


def _sorted(rows: list[RosterRow], sort: str | None) -> list[RosterRow]:
    key, descending = parse_sort(sort)
    if key == DEFAULT_SORT:
        return sorted(rows, key=_attention_key)
    value_of = ROSTER_SORTS[key]
    known = [row for row in rows if value_of(row) is not None]
    unknown = [row for row in rows if value_of(row) is None]
    known.sort(key=lambda row: (value_of(row), row.name.lower()), reverse=descending)
    return known + sorted(unknown, key=lambda row: row.name.lower())


# --- helpers ---------------------------------------------------------------------------------


def clinic_names(physicians: dict) -> dict:
    """physician pk -> sorted clinic names (two queries; no join, which MongoDB lacks)."""
    if not physicians:
        return {}
    memberships = list(
        ClinicMembership.objects.filter(physician__in=list(physicians)).values_list(
            "physician_id", "clinic_id"
        )
    )
    names = dict(
        Clinic.objects.filter(pk__in={c for _, c in memberships}).values_list("id", "name")
    )
    result: dict = {}
    for physician_id, clinic_id in memberships:
        result.setdefault(physician_id, []).append(names[clinic_id])
    return {pk: sorted(found) for pk, found in result.items()}


def clinic_names_for(*, physician: User) -> list[str]:
    """The names of the clinics the physician works at, alphabetically."""
    return clinic_names({physician.pk: physician}).get(physician.pk, [])
