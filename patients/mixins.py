"""The record a page acts on. Views of a record's data inherit RecordMixin: anonymous
visitors are sent to sign in, a signed-in person without a record they may do the view's
action on gets 403, and ``self.patient`` is the record (patients.selectors is the gate)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from patients import access
from patients.access import Action
from patients.models import Patient, PatientAccess
from patients.selectors import own_record, records_for


def current_record(request, *, action: Action = Action.VIEW) -> Patient | None:
    """The record the signed-in person is working on, if they may do ``action`` on it: their
    own record, else the first record they look after; None when there is none. A
    physician's patients are not "working records": physicians open them from the roster."""
    user = request.user
    own = own_record(user=user)
    if own is not None:
        return own if access.may(own.grant, action) else None
    records = [
        record
        for record in records_for(user=user, action=action)
        if record.grant.role != PatientAccess.Role.PHYSICIAN
    ]
    return records[0] if records else None


class RecordMixin(LoginRequiredMixin):
    """``self.patient``: the record this page acts on (see current_record)."""

    record_action: Action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.patient = current_record(request, action=self.record_action)
        if self.patient is None:
            raise PermissionDenied("You have no patient record to show here.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "patient": self.patient}
