"""The record a page acts on. A person may look after several records (their own, their
children's) and picks the one they work on from the navigation bar; every page then acts on
that record and says whose it is.

Views of a record's data inherit RecordMixin: anonymous visitors are sent to sign in; a
person whose chosen record does not allow the view's action gets 403 (a follower on an edit
page); a patient-side login with no record at all is sent to make one; ``self.patient``
is the record (patients.selectors is the gate).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from patients import access
from patients.access import Action
from patients.models import Patient, PatientAccess
from patients.selectors import records_for

SESSION_KEY = "bgt_record"
# Grants through which a record is one a person works on (physicians open theirs from the
# roster instead).
WORKING_ROLES = (PatientAccess.Role.SELF, PatientAccess.Role.CAREGIVER, PatientAccess.Role.FOLLOWER)


def working_records(request) -> list[Patient]:
    """The records the signed-in person works on, their own first (cached per request)."""
    if not hasattr(request, "_bgt_working_records"):
        # Filtered in the query: a physician's 2,000 roster grants are not read per page.
        request._bgt_working_records = records_for(user=request.user, roles=WORKING_ROLES)
    return request._bgt_working_records


def chosen_record(request) -> Patient | None:
    """The record chosen in the switcher (kept in the session), else their own, else the
    first one they look after; None when they work on no record."""
    records = working_records(request)
    if not records:
        return None
    chosen = request.session.get(SESSION_KEY)
    for record in records:
        if str(record.pk) == chosen:
            return record
    return records[0]


def current_record(request, *, action: Action = Action.VIEW) -> Patient | None:
    """The chosen record if the person may do ``action`` on it, else None. Never another
    record: acting on a different record than the page says would be worse than a 403."""
    record = chosen_record(request)
    if record is None or not access.may(record.grant, action):
        return None
    return record


def choose_record(request, patient: Patient) -> None:
    request.session[SESSION_KEY] = str(patient.pk)


class RecordMixin(LoginRequiredMixin):
    """``self.patient``: the record this page acts on (see current_record)."""

    record_action: Action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        record = chosen_record(request)
        if record is None and roles.is_patient(request.user):
            messages.info(request, _("Add the record of the person whose diabetes you look after."))
            return redirect("patients:record-create")
        if record is None or not access.may(record.grant, self.record_action):
            raise PermissionDenied("You may not do this on this patient record.")
        self.patient = record
        # Times on the page are the record's local ones: its zone is the current zone for
        # the templates' date filters (not the server's UTC).
        with timezone.override(record.tzinfo):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # a TemplateResponse renders later, outside this zone
            return response

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "patient": self.patient,
            "may_write": access.may(self.patient.grant, Action.WRITE),
            "may_share": access.may(self.patient.grant, Action.SHARE),
            # "your readings" to the patient, "Mia's readings" to her parents.
            "whose": whose(self.patient),
        }


def whose(patient: Patient) -> str:
    if patient.grant.role == PatientAccess.Role.SELF:
        return "your"
    return f"{patient.display_name}'s"
