"""Reads of the clinic side: a physician's roster of the records shared with them, and the
clinics physicians work at. A physician sees a record only through an ``active`` physician
grant (patients.PatientAccess), checked on every call; one record's data is opened through
patients.selectors.patient_for like everyone else's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts import roles
from accounts.models import User
from clinic.models import Clinic, ClinicMembership
from core import consensus
from core.formatting import format_percent
from patients.models import Patient, PatientAccess
from readings.models import DaySummary, Reading
from readings.selectors import PeriodPair, period_figures_many
from readings.window_figures import WindowFigures

ROSTER_DAYS = DaySummary.ROSTER_DAYS  # the window the day summaries keep
# What a roster reads of grants and records (2,000 of each: every column costs).
ROSTER_GRANT_FIELDS = ("id", "patient", "user", "role", "status", "mrn")
ROSTER_PATIENT_FIELDS = ("id", "display_name", "date_of_birth", "timezone", "target_preset")


# --- the roster --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """Why a patient needs attention: a missed preset goal, low CGM wear or a TIR drop."""

    key: str  # a goal key (in_range, below_70 ... cv, gmi, mean), "wear" or "tir_drop"
    text: str  # words, never colour alone: "Below 54: 3.2 % (goal < 1 %)"


@dataclass(frozen=True)
class RosterRow:
    """One actively linked patient with their last 14 whole local days, as the roster shows
    them: the report's figures, computed by the same functions from the per-day sums the
    write services keep (readings.selectors.period_figures_many). CGM only, deduplicated,
    cadence-weighted; percentages are of CGM time. Figures are None when CGM figures are
    withheld (under 24 h of CGM data).
    """

    patient: Patient
    grant: PatientAccess  # the physician's grant (its MRN; its id ends it)
    name: str
    email: str  # the record's own login's address ("" for a record without one)
    age: int | None
    last_reading_at: datetime | None  # the newest reading ever, of any kind
    count: int  # deduplicated CGM readings in the window (0: nothing to judge)
    active_pct: float  # % time CGM active
    mean_14d: float | None  # mg/dL
    gmi: float | None
    gmi_reason: str | None
    cv: float | None
    in_range_pct: float | None  # the preset's range
    below_70_pct: float | None
    very_low_pct: float | None  # < 54
    low_pct: float | None  # 54-69 (band)
    high_pct: float | None  # 181-250 (band)
    very_high_pct: float | None  # > 250 (band)
    lv2_hypo_events: int | None  # >= 15 min below 54 (2023 consensus)
    gri: float | None
    gri_zone: str | None
    tir_change: float | None  # points against the previous 14 days
    figures: WindowFigures | None = None  # what the row's figures were read from

    @cached_property
    def flags(self) -> list[Flag]:
        """Why this patient needs attention, in words: each missed goal, low CGM wear, a
        drop in time in range (worded when asked for: a page shows 50 of 2,000 rows)."""
        flags = [Flag(goal.key, goal_flag_text(goal)) for goal in self.goal_flags]
        if self.active_pct < WEAR_FLAG_BELOW:
            flags.append(Flag("wear", f"CGM wear < 70 %: {format_percent(self.active_pct)}"))
        if self.tir_change is not None and self.tir_change <= -TIR_DROP_POINTS:
            flags.append(Flag("tir_drop", f"TIR fell ≥ 15 points: {self.tir_change:+.1f}"))
        return flags

    @property
    def goals(self) -> list[consensus.Goal]:
        """The preset's goals, then mean, GMI and CV, judged."""
        return list(self.figures.goals) if self.figures else []

    @property
    def goal_flags(self) -> list[consensus.Goal]:
        """The preset goals this patient missed (none when there is nothing to judge)."""
        return self.figures.missed_goals() if self.figures else []

    @property
    def has_recent_data(self) -> bool:
        return self.count > 0


WEAR_FLAG_BELOW = 70.0  # % time CGM active (Consensus 2019)
TIR_DROP_POINTS = 15.0  # Tidepool TIDE: "drop in time in range >= 15 %"


# Default order, "needs attention first" (DESIGN.md section 5): most time very low, then
# most time below 70, then least time in range, then the stalest data. A patient without
# CGM figures counts as 0 % in range: missing data needs attention too.
def _attention_key(row: RosterRow):
    last = row.last_reading_at.timestamp() if row.last_reading_at else -math.inf
    return (
        -(row.very_low_pct or 0.0),
        -(row.below_70_pct or 0.0),
        row.in_range_pct or 0.0,
        last,
        row.name.lower(),
    )


# Column sorts: the value each column sorts by. Rows without a value go last either way.
ROSTER_SORTS = {
    "name": lambda row: row.name.lower(),
    "age": lambda row: row.age,
    "last_reading": lambda row: row.last_reading_at,
    "active": lambda row: row.active_pct,
    "mean": lambda row: row.mean_14d,
    "gmi": lambda row: row.gmi,
    "in_range": lambda row: row.in_range_pct,
    "below_70": lambda row: row.below_70_pct,
    "very_low": lambda row: row.very_low_pct,
    "lv2_hypo": lambda row: row.lv2_hypo_events,
    "gri": lambda row: row.gri,
    "tir_change": lambda row: row.tir_change,
    "goals": lambda row: len(row.flags),  # worded for every row only for this sort
    # The first API version's names.
    "low": lambda row: row.low_pct,
    "very_low_count": lambda row: row.lv2_hypo_events,
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
    """The records shared with the physician (active physician grants), with their last
    14 whole local days: the report's own figures, through
    readings.selectors.period_figures_many.

    ``sort`` is a key of ROSTER_SORTS, "-" first for descending; None or unknown gives
    "needs attention first". A fixed number of queries whatever the roster size: the grants
    (each record's newest reading time as a correlated subquery), the records, their own
    logins' emails (two), the targets and the readings.
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
        .only(*ROSTER_GRANT_FIELDS)
        .order_by()
    )
    if not grants:
        return []
    ids = [grant.patient_id for grant in grants]
    patients = {
        patient.pk: patient
        for patient in Patient.objects.filter(pk__in=ids).only(*ROSTER_PATIENT_FIELDS)
    }
    emails = _self_emails(ids)
    shown = [p for pk, p in patients.items() if emails.get(pk, "") is not None]
    figures = period_figures_many(patients=shown, now=now)

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
                summary=figures[patient.pk],
            )
        )
    return _sorted(rows, sort)


def roster_matching(rows: list[RosterRow], search: str) -> list[RosterRow]:
    """The rows whose name, email or MRN contains ``search`` (any case); all for ""."""
    needle = search.strip().casefold()
    if not needle:
        return rows
    return [
        row
        for row in rows
        if needle in row.name.casefold()
        or needle in row.email.casefold()
        or needle in (row.grant.mrn or "").casefold()
    ]


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


GOAL_WORDS = {">": "goal >", "<": "goal <", "<=": "goal ≤"}


def goal_flag_text(goal: consensus.Goal) -> str:
    """ "Below 54: 3.2 % (goal < 1 %)"; the mean in mg/dL."""
    label = goal.label.removeprefix("Time ").replace(" mg/dL", "")
    label = label[:1].upper() + label[1:]
    words = f"{GOAL_WORDS[goal.comparator]} {goal.threshold:g}"
    if goal.key == "mean":
        return f"Mean: {goal.value:.0f} mg/dL ({words} mg/dL)"
    return f"{label}: {format_percent(goal.value)} ({words} %)"


def _row(grant, patient, *, email: str, age: int | None, summary: PeriodPair) -> RosterRow:
    f = summary.current
    tir_change = summary.in_range_change
    return RosterRow(
        patient=patient,
        grant=grant,
        name=patient.display_name,
        email=email,
        age=age,
        last_reading_at=grant.last_reading_at,
        count=f.count,
        active_pct=f.active_percent,
        mean_14d=f.mean,
        gmi=f.gmi,
        gmi_reason=f.gmi_reason,
        cv=f.cv,
        in_range_pct=f.in_range,
        below_70_pct=f.below_70,
        very_low_pct=f.below_54,
        low_pct=f.low,
        high_pct=f.high,
        very_high_pct=f.very_high,
        lv2_hypo_events=f.lv2_hypo_events,
        gri=f.gri,
        gri_zone=f.gri_zone,
        tir_change=tir_change,
        figures=f,
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
