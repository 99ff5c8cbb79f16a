"""The record an API request acts on (DESIGN.md section 6): ``?patient=<record id>`` when
given, else the signed-in person's own record. Access is patients.access's answer."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission

from patients import access
from patients.access import Action
from patients.mixins import WORKING_ROLES
from patients.models import Patient
from patients.selectors import PatientNotAvailable, grant_for, own_record, patient_for

NO_RECORD = "Only patients have readings; this account is not a patient account."


def api_record(request, *, action: Action = Action.VIEW) -> Patient:
    """The record of this request, cached on it; 404 for a record one may not act on, 403
    for a login without a record of its own."""
    key = f"_bgt_record_{action}"
    if not hasattr(request, key):
        patient_id = request.query_params.get("patient")
        if patient_id:
            grant = grant_for(user=request.user, patient_id=patient_id)
            # Physicians read the records shared with them under /api/v1/patients/<id>/.
            if grant is None or grant.role not in WORKING_ROLES:
                raise NotFound("No such patient record.")
            if access.may(grant, Action.VIEW) and not access.may(grant, action):
                raise PermissionDenied("You may not change this record.")
            try:
                patient = patient_for(user=request.user, patient_id=patient_id, action=action)
            except PatientNotAvailable:
                raise NotFound("No such patient record.") from None
        else:
            patient = own_record(user=request.user)
            if patient is None or not access.may(patient.grant, action):
                raise PermissionDenied(NO_RECORD)
        setattr(request, key, patient)
    return getattr(request, key)


class HasRecord(BasePermission):
    """A signed-in person with a record of their own (the default record of the API)."""

    message = NO_RECORD

    def has_permission(self, request, view):
        if request.query_params.get("patient"):
            return True  # api_record answers 404 for a record one may not see
        return own_record(user=request.user) is not None
