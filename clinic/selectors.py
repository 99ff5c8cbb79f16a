"""Reads of the clinic side. This module is the single gate between physicians and patients'
data: a physician sees a patient only through an ``active`` roster link, checked on every
call (no caching, so a revocation takes effect at the next request), and every opening of
a patient's data writes an access-log entry the patient can read on /sharing/.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.utils import timezone

from accounts import roles
from accounts.models import MedicalProfile, User
from clinic.models import AccessLogEntry, Clinic, ClinicMembership, RosterLink
from readings import stats
from readings.models import Reading, UploadSecret
from readings.selectors import period_bounds

ROSTER_DAYS = 14


class PatientNotAvailable(ObjectDoesNotExist):
    """The physician has no active link to this patient (or the patient does not exist).

    A subclass of ObjectDoesNotExist, so Django's views and DRF turn it into a 404: a
    patient who has not accepted, or has revoked, is indistinguishable from no patient.
    """


# --- names -----------------------------------------------------------------------------------


def physician_title(physician: User) -> str:
    """How patients see a physician: "Dr. Grace House", or the email when no name is set."""
    name = physician.get_full_name()
    return f"Dr. {name}" if name else physician.email


# --- the roster --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One actively linked patient with their last 14 days, as the roster shows them.

    Glucose figures are mg/dL; percentages are shares of readings (not of time) rounded to
    0.01 by largest remainder, exactly as readings/stats.py computes them. Every figure is
    None when the patient has no reading in the 14 days (``count`` is then 0).
    """

    patient: User
    link: RosterLink
    name: str
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
    goals: list[stats.Goal] = field(default_factory=list)  # all six consensus goals

    @property
    def goal_flags(self) -> list[stats.Goal]:
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
    """The physician's actively linked patients with their last-14-day figures.

    ``sort`` is a key of ROSTER_SORTS, "-" first for descending; None or unknown gives
    "needs attention first". The 14 days are readings.selectors.period_bounds(14, now=now),
    the dashboard's own window, so the figures match the patient's 14-day dashboard.

    Four queries whatever the roster size: the links (with each patient's newest reading
    time as a correlated subquery on the (owner, taken_at) index), the patients, their
    medical profiles (for the age), and one grouped query in which the database counts
    and sums each patient's 14 days with conditional aggregates. Not a query per patient.
    """
    if not (physician.is_active and roles.is_physician(physician)):
        return []
    now = now or timezone.now()
    newest = (
        Reading.objects.filter(owner=OuterRef("patient"))
        .order_by("-taken_at")
        .values("taken_at")[:1]
    )
    links = list(
        RosterLink.objects.filter(physician=physician, status=RosterLink.Status.ACTIVE)
        .annotate(last_reading_at=Subquery(newest))
        .order_by()
    )
    if not links:
        return []
    ids = [link.patient_id for link in links]
    patients = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}
    profiles = {p.user_id: p for p in MedicalProfile.objects.filter(user__in=ids)}
    figures = _window_figures(ids, *period_bounds(ROSTER_DAYS, now=now))

    rows = []
    for link in links:
        patient = patients.get(link.patient_id)
        if patient is None:  # deactivated account: not shown to anyone
            continue
        link.patient = patient
        link.physician = physician
        profile = profiles.get(patient.pk)
        today = timezone.localdate(now, patient.tzinfo)
        rows.append(
            _row(
                link,
                patient,
                age=profile.age_on(today) if profile else None,
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
        Reading.objects.filter(owner__in=ids)
        .between(start, end)
        .values("owner")
        .annotate(
            n=Count(one),
            total=Sum("value_mgdl"),
            total_sq=Sum(F("value_mgdl") * F("value_mgdl")),
            below_54=Count(one, filter=Q(value_mgdl__lt=stats.VERY_LOW_BELOW)),
            below_70=Count(one, filter=Q(value_mgdl__lt=stats.LOW_BELOW)),
            upto_180=Count(one, filter=Q(value_mgdl__lte=stats.HIGH_ABOVE)),
            upto_250=Count(one, filter=Q(value_mgdl__lte=stats.VERY_HIGH_ABOVE)),
        )
        .order_by()
    )
    return {row["owner"]: row for row in rows}


def _band_counts(figures: dict) -> list[int]:
    """The five consensus band counts (stats.RANGE_KEYS order) from cumulative counts."""
    n, below_54, below_70 = figures["n"], figures["below_54"], figures["below_70"]
    upto_180, upto_250 = figures["upto_180"], figures["upto_250"]
    return [below_54, below_70 - below_54, upto_180 - below_70, upto_250 - upto_180, n - upto_250]


def _row(link: RosterLink, patient: User, *, age: int | None, figures: dict | None) -> RosterRow:
    n = figures["n"] if figures else 0
    if not n:
        return RosterRow(
            patient=patient,
            link=link,
            name=patient.display_name,
            age=age,
            last_reading_at=link.last_reading_at,
            count=0,
            mean_14d=None,
            cv=None,
            very_low_pct=None,
            low_pct=None,
            in_range_pct=None,
            high_pct=None,
            very_high_pct=None,
            very_low_count=0,
            goals=stats.consensus_goals(dict.fromkeys(stats.RANGE_KEYS), None),
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
            stats.RANGE_KEYS,
            stats.percentages(_band_counts(figures)),
            strict=True,
        )
    )
    return RosterRow(
        patient=patient,
        link=link,
        name=patient.display_name,
        age=age,
        last_reading_at=link.last_reading_at,
        count=n,
        mean_14d=round(mean, 2),
        cv=cv,
        very_low_pct=ranges["very_low"],
        low_pct=ranges["low"],
        in_range_pct=ranges["in_range"],
        high_pct=ranges["high"],
        very_high_pct=ranges["very_high"],
        very_low_count=int(figures["below_54"]),
        goals=stats.consensus_goals(ranges, cv),
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


# --- one patient, through the gate ------------------------------------------------------------


def patient_for_physician(*, physician: User, patient_id, what: str) -> User:
    """The patient, if ``physician`` has an ACTIVE link to them; logs the access.

    ``what`` names what is being opened ("report page", "API: readings", "API: stats") and
    is written to the patient's access log with the viewer and the time. Raises
    PatientNotAvailable (a 404 to views) when the viewer is not an active physician, the id
    is malformed or unknown, the patient's account is inactive, or the link is pending,
    declined or revoked; no log entry is written then. Checked against the database on
    every call, so a revocation takes effect at once. The returned user carries the
    active link as ``.roster_link`` (for its MRN).
    """
    if not (physician.is_active and roles.is_physician(physician)):
        raise PatientNotAvailable("Not a physician.")
    patient_uuid = _as_uuid(patient_id)
    if patient_uuid is None:
        raise PatientNotAvailable("No such patient.")
    link = RosterLink.objects.filter(
        physician=physician, patient_id=patient_uuid, status=RosterLink.Status.ACTIVE
    ).first()
    patient = User.objects.filter(pk=patient_uuid, is_active=True).first() if link else None
    if patient is None:
        raise PatientNotAvailable("No such patient on your roster.")
    AccessLogEntry.objects.create(
        viewer=physician,
        viewer_name=physician_title(physician),
        patient=patient,
        what=what,
        viewed_at=timezone.now(),
    )
    link.patient, link.physician = patient, physician
    patient.roster_link = link
    return patient


# --- links a user may act on (the consent flow's views) ------------------------------------


def roster_link_to_answer(*, user: User, link_id) -> RosterLink:
    """A pending link that ``user`` may accept or decline: they are its other side (the
    patient for a physician's request, the physician for a patient's offer). Anything else
    raises RosterLink.DoesNotExist (a 404)."""
    link = _party_link(user, link_id, statuses=[RosterLink.Status.PENDING])
    if link.side_of(user) != link.responder_side:
        raise RosterLink.DoesNotExist
    return link


def roster_link_to_end(*, user: User, link_id) -> RosterLink:
    """An active link of which ``user`` is either side (so may revoke it); else
    RosterLink.DoesNotExist (a 404)."""
    return _party_link(user, link_id, statuses=[RosterLink.Status.ACTIVE])


def _party_link(user: User, link_id, *, statuses) -> RosterLink:
    link_uuid = _as_uuid(link_id)
    if link_uuid is None or not user.is_authenticated:
        raise RosterLink.DoesNotExist
    return RosterLink.objects.get(
        Q(physician=user) | Q(patient=user), pk=link_uuid, status__in=statuses
    )


def offers_for_physician(*, physician: User) -> list[RosterLink]:
    """Patients' pending offers to share with ``physician``, newest first (with .patient)."""
    if not roles.is_physician(physician):
        return []
    links = list(
        RosterLink.objects.filter(
            physician=physician,
            status=RosterLink.Status.PENDING,
            initiated_by=RosterLink.Side.PATIENT,
        ).order_by("-created_at")
    )
    users = _users_by_id(link.patient_id for link in links)
    links = [link for link in links if link.patient_id in users]
    for link in links:
        link.patient, link.physician = users[link.patient_id], physician
    return links


# --- the patient's /sharing/ page --------------------------------------------------------------


@dataclass(frozen=True)
class SharedPhysician:
    link: RosterLink
    physician: User
    title: str  # "Dr. Grace House"
    clinics: list[str]  # clinic names


@dataclass(frozen=True)
class Sharing:
    """What /sharing/ shows a patient: who has access now, who is asking, and the history."""

    active: list[SharedPhysician]
    requests: list[SharedPhysician]  # pending requests from physicians, to accept or decline
    ended: list[SharedPhysician]  # declined or revoked, newest first


def sharing_for_patient(*, patient: User) -> Sharing:
    """The patient's links with physicians, grouped for /sharing/ (four queries).

    The patient's own pending offers are not listed: whether an email belongs to a
    physician is not revealed (DESIGN.md section 5), and an offer grants nothing until the
    physician accepts it.
    """
    links = list(RosterLink.objects.filter(patient=patient).order_by("-created_at"))
    physicians = _users_by_id(link.physician_id for link in links)
    clinics = _clinic_names(physicians)
    active, requests, ended = [], [], []
    for link in links:
        physician = physicians.get(link.physician_id)
        if physician is None:
            continue
        link.physician, link.patient = physician, patient
        entry = SharedPhysician(
            link, physician, physician_title(physician), clinics.get(physician.pk, [])
        )
        if link.status == RosterLink.Status.ACTIVE:
            active.append(entry)
        elif link.status == RosterLink.Status.PENDING:
            if link.initiated_by == RosterLink.Side.PHYSICIAN:
                requests.append(entry)
        else:
            ended.append(entry)
    ended.sort(key=lambda e: e.link.ended_at or e.link.created_at, reverse=True)
    return Sharing(active=active, requests=requests, ended=ended)


def access_log_for_patient(*, patient: User) -> QuerySet[AccessLogEntry]:
    """Every time a physician opened ``patient``'s data, newest first (a lazy queryset to
    paginate). ``viewer_name`` is the name as it was when they looked."""
    return AccessLogEntry.objects.filter(patient=patient).order_by("-viewed_at")


def upload_secret_for_patient(*, patient: User) -> UploadSecret | None:
    """The patient's device upload secret record (its creation time; the secret itself is
    never stored in clear), or None when they have none."""
    return UploadSecret.objects.filter(owner=patient).first()


def clinic_names_for(*, physician: User) -> list[str]:
    """The names of the clinics the physician works at, alphabetically."""
    return _clinic_names({physician.pk: physician}).get(physician.pk, [])


# --- helpers ---------------------------------------------------------------------------------


def _as_uuid(value) -> uuid.UUID | None:
    """A UUID from a URL or API argument; None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _users_by_id(ids: Iterable) -> dict:
    ids = set(ids)
    if not ids:
        return {}
    return {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}


def _clinic_names(physicians: dict) -> dict:
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
