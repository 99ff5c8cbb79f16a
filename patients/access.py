"""Who may do what on a health record: the one place that answers it (DESIGN.md section 1).

Pure: a grant (or None) and an action in, a yes or no out. No queries, no side effects;
selectors fetch the grant, and writing the access log is a separate, explicit call
(patients.services.access_log_record). Every view, selector and API endpoint that acts on
a record asks ``may`` (usually through patients.selectors.patient_for), so a rule changes
here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum

from patients.models import PatientAccess

Role = PatientAccess.Role


class Action(StrEnum):
    VIEW = "view"  # readings, treatments, dashboard, report, the "now" view
    WRITE = "write"  # add, edit, delete readings; targets; import
    EXPORT = "export"  # CSV and JSON exports of the record
    SHARE = "share"  # offer, invite, accept, revoke grants; device credentials
    VIEW_LOG = "view_log"  # who opened the record's data, and when
    EDIT_RECORD = "edit_record"  # name, time zone, date of birth, diabetes type
    SET_PRESET = "set_preset"  # the consensus goal set the figures are judged by


_ALLOWED: dict[str, frozenset[Action]] = {
    Role.SELF: frozenset(Action),
    Role.CAREGIVER: frozenset(Action),
    Role.FOLLOWER: frozenset({Action.VIEW}),
    Role.PHYSICIAN: frozenset({Action.VIEW, Action.SET_PRESET}),
}

# Roles whose every opening of a record's data is written to the record's access log.
LOGGED_ROLES = frozenset({Role.CAREGIVER, Role.FOLLOWER, Role.PHYSICIAN})


def may(grant: PatientAccess | None, action: Action) -> bool:
    """True when ``grant`` lets its holder do ``action`` on its record.

    Only an active grant counts: a pending, declined or revoked one allows nothing.
    (Grants are looked up for the signed-in, hence active, login: patients.selectors.)
    """
    if grant is None or grant.status != PatientAccess.Status.ACTIVE:
        return False
    return action in _ALLOWED.get(grant.role, frozenset())


def is_logged(grant: PatientAccess) -> bool:
    """Whether opening the record's data through ``grant`` goes into the access log."""
    return grant.role in LOGGED_ROLES
