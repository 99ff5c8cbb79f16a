"""Reads of health records and their grants. ``patient_for`` is the single gate between a
login and a record's data: it looks the signed-in user's grant up on every call (no
caching, so a revocation takes effect at the next request) and asks patients.access.

Nothing here writes. Logging that someone opened a record's data is the caller's explicit
next step (patients.services.access_log_record), because only the caller knows whether it
is opening the data or merely checking access.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from accounts.models import User
from patients import access
from patients.access import Action
from patients.models import AccessLogEntry, Patient, PatientAccess

Role, Status, Side = PatientAccess.Role, PatientAccess.Status, PatientAccess.Side


class PatientNotAvailable(ObjectDoesNotExist):
    """The user may not do this on this record (or there is no such record).

    A subclass of ObjectDoesNotExist, so Django's views and DRF turn it into a 404: a record
    one may not see is indistinguishable from no record.
    """


def physician_title(physician: User) -> str:
    """How patients see a physician: "Dr. Grace House", or the email when no name is set."""
    name = physician.get_full_name()
    return f"Dr. {name}" if name else physician.email


def as_uuid(value) -> uuid.UUID | None:
    """A UUID from a URL or API argument; None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- the gate ---------------------------------------------------------------------------------


def grant_for(*, user: User, patient_id) -> PatientAccess | None:
    """The signed-in ``user``'s active grant on the record, with ``.patient`` loaded; None
    when they have none, the id is malformed, or the login is inactive."""
    patient_uuid = as_uuid(patient_id)
    if patient_uuid is None or not (user.is_authenticated and user.is_active):
        return None
    grant = (
        PatientAccess.objects.filter(user=user, patient_id=patient_uuid, status=Status.ACTIVE)
        .select_related("patient")
        .first()
    )
    if grant is not None:
        grant.user = user
    return grant


def patient_for(*, user: User, patient_id, action: Action = Action.VIEW) -> Patient:
    """The record, if ``user`` may do ``action`` on it (patients.access); else
    PatientNotAvailable (a 404). The record carries the grant as ``.grant`` (its role, and a
    physician's MRN). Writes nothing: log an opening with services.access_log_record."""
    grant = grant_for(user=user, patient_id=patient_id)
    if not access.may(grant, action) or _closing(grant):
        raise PatientNotAvailable("No such patient record.")
    patient = grant.patient
    patient.grant = grant
    return patient


def _closing(grant: PatientAccess) -> bool:
    """Whether the record's own login was deactivated (an account being deleted): nobody
    else sees such a record any more (patients.data)."""
    if grant.role == Role.SELF:
        return False
    login = self_login(patient=grant.patient, include_inactive=True)
    return login is not None and not login.is_active


def own_record(*, user: User) -> Patient | None:
    """The record whose own login ``user`` is (their ``self`` grant), or None."""
    if not (user.is_authenticated and user.is_active):
        return None
    grant = (
        PatientAccess.objects.filter(user=user, role=Role.SELF, status=Status.ACTIVE)
        .select_related("patient")
        .first()
    )
    if grant is None:
        return None
    grant.user = user
    grant.patient.grant = grant
    return grant.patient


def records_for(
    *, user: User, action: Action = Action.VIEW, roles: tuple[str, ...] | None = None
) -> list[Patient]:
    """Every record ``user`` may do ``action`` on (through a grant of one of ``roles``, if
    given), their own first, then by name."""
    if not (user.is_authenticated and user.is_active):
        return []
    grants = PatientAccess.objects.filter(user=user, status=Status.ACTIVE).select_related("patient")
    if roles is not None:
        grants = grants.filter(role__in=roles)
    records = []
    for grant in grants:
        if access.may(grant, action):
            grant.user = user
            grant.patient.grant = grant
            records.append(grant.patient)
    return sorted(records, key=lambda p: (p.grant.role != Role.SELF, p.display_name.lower()))


def self_login(*, patient: Patient, include_inactive: bool = False) -> User | None:
    """The record's own login (its active ``self`` grant's user), or None; an inactive
    login counts only with ``include_inactive``."""
    grant = (
        PatientAccess.objects.filter(patient=patient, role=Role.SELF, status=Status.ACTIVE)
        .select_related("user")
        .first()
    )
    if grant is None or not (include_inactive or grant.user.is_active):
        return None
    return grant.user


def record_side_users(*, patient: Patient) -> list[User]:
    """The active logins that act for the record (its own login and its caregivers): the
    people told about grants on it."""
    grants = PatientAccess.objects.filter(
        patient=patient, role__in=[Role.SELF, Role.CAREGIVER], status=Status.ACTIVE
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=list(grants), is_active=True).order_by("email"))


# --- grants a user may act on (the consent flow's views) -------------------------------------


def side_of(grant: PatientAccess, user: User) -> str | None:
    """Which side of a physician grant ``user`` is on (a Side value), or None: the physician
    is the grantee; anyone who may share the record is the patient's side."""
    if user.pk == grant.user_id:
        return Side.PHYSICIAN
    if access.may(grant_for(user=user, patient_id=grant.patient_id), Action.SHARE):
        return Side.PATIENT
    return None


def grant_to_answer(*, user: User, grant_id) -> PatientAccess:
    """A pending physician grant that ``user`` may accept or decline: they are its other side
    (the patient's side for a physician's request, the physician for an offer). Anything
    else raises PatientAccess.DoesNotExist (a 404)."""
    grant = _physician_grant(grant_id, statuses=[Status.PENDING])
    if side_of(grant, user) != grant.responder_side:
        raise PatientAccess.DoesNotExist
    return grant


def grant_to_end(*, user: User, grant_id) -> PatientAccess:
    """An active physician grant of which ``user`` is either side (so may revoke it); else
    PatientAccess.DoesNotExist (a 404)."""
    grant = _physician_grant(grant_id, statuses=[Status.ACTIVE])
    if side_of(grant, user) is None:
        raise PatientAccess.DoesNotExist
    return grant


def _physician_grant(grant_id, *, statuses) -> PatientAccess:
    grant_uuid = as_uuid(grant_id)
    if grant_uuid is None:
        raise PatientAccess.DoesNotExist
    return PatientAccess.objects.select_related("user", "patient").get(
        pk=grant_uuid, role=Role.PHYSICIAN, status__in=statuses
    )


def offers_for_physician(*, physician: User) -> list[PatientAccess]:
    """Patients' pending offers to share with ``physician``, newest first, each with
    ``.patient`` and ``.patient_email`` (the record's own login's address, or "")."""
    offers = list(
        PatientAccess.objects.filter(
            user=physician,
            role=Role.PHYSICIAN,
            status=Status.PENDING,
            initiated_by=Side.PATIENT,
        )
        .select_related("patient")
        .order_by("-created_at")
    )
    for offer in offers:
        login = self_login(patient=offer.patient)
        offer.patient_email = login.email if login else ""
    return offers


# --- the record's sharing page ----------------------------------------------------------------


@dataclass(frozen=True)
class SharedPhysician:
    grant: PatientAccess
    physician: User
    title: str  # "Dr. Grace House"
    clinics: list[str]  # clinic names


@dataclass(frozen=True)
class Sharing:
    """What the sharing page shows: who has access now, who is asking, and the history."""

    active: list[SharedPhysician]
    requests: list[SharedPhysician]  # pending requests from physicians, to accept or decline
    ended: list[SharedPhysician]  # declined or revoked, newest first


# Where each physician works, for the sharing page: the clinic app, a layer above, adds its
# lookup here when it loads (clinic.apps). Each takes {pk: User} and returns {pk: [names]}.
PHYSICIAN_AFFILIATIONS: list[Callable[[dict], dict]] = []


def sharing_for(*, patient: Patient) -> Sharing:
    """The record's grants to physicians, grouped for the sharing page.

    The record's own pending offers are not listed: whether an email belongs to a physician
    is not revealed (DESIGN.md section 5), and an offer grants nothing until the physician
    accepts it.
    """
    grants = list(
        PatientAccess.objects.filter(patient=patient, role=Role.PHYSICIAN).order_by("-created_at")
    )
    physicians = users_by_id(grant.user_id for grant in grants)
    clinics: dict = {}
    for affiliations in PHYSICIAN_AFFILIATIONS:
        clinics.update(affiliations(physicians) if physicians else {})
    active, requests, ended = [], [], []
    for grant in grants:
        physician = physicians.get(grant.user_id)
        if physician is None:
            continue
        grant.user, grant.patient = physician, patient
        entry = SharedPhysician(
            grant, physician, physician_title(physician), clinics.get(physician.pk, [])
        )
        if grant.status == Status.ACTIVE:
            active.append(entry)
        elif grant.status == Status.PENDING:
            if grant.initiated_by == Side.PHYSICIAN:
                requests.append(entry)
        else:
            ended.append(entry)
    ended.sort(key=lambda e: e.grant.ended_at or e.grant.created_at, reverse=True)
    return Sharing(active=active, requests=requests, ended=ended)


def people_with_access(*, patient: Patient) -> list[PatientAccess]:
    """The record's active grants to its own login, caregivers and followers (physicians
    are listed apart), each with ``.user``: its own login first, then by role and email."""
    grants = list(
        PatientAccess.objects.filter(
            patient=patient,
            role__in=[Role.SELF, Role.CAREGIVER, Role.FOLLOWER],
            status=Status.ACTIVE,
        )
    )
    users = users_by_id(grant.user_id for grant in grants)
    order = {Role.SELF: 0, Role.CAREGIVER: 1, Role.FOLLOWER: 2}
    found = []
    for grant in grants:
        if grant.user_id in users:
            grant.user = users[grant.user_id]
            found.append(grant)
    return sorted(found, key=lambda g: (order[g.role], g.user.email))


def access_log_for(*, patient: Patient) -> QuerySet[AccessLogEntry]:
    """Every time someone other than the patient opened the record's data, newest first (a
    lazy queryset to paginate). ``viewer_name`` is the name as it was when they looked."""
    return AccessLogEntry.objects.filter(patient=patient).order_by("-viewed_at")


def users_by_id(ids: Iterable) -> dict:
    """Active logins by primary key (one query; none for an empty set)."""
    ids = set(ids)
    if not ids:
        return {}
    return {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}
