"""Writes to health records: creating and editing a record, and the access log.

Grants between records and physicians (requests, offers, answers, revocations) are in
patients.grants.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from patients import access
from patients.models import AccessLogEntry, Patient, PatientAccess
from patients.selectors import own_record, physician_title

Role, Status, Side = PatientAccess.Role, PatientAccess.Status, PatientAccess.Side

RECORD_EDITABLE_FIELDS = ("display_name", "timezone", "date_of_birth", "diabetes_type")


def patient_create_for_self(*, user: User, timezone_name: str = "UTC") -> Patient:
    """The login's own record (an adult who records their own diabetes), made once: a
    repeated call returns the record they already have.

    The record takes the login's id when that id is free, so that ids given out before
    records were apart from logins (API and URL ids of patients) keep naming the same
    person. Nothing relies on the two being equal.
    """
    existing = own_record(user=user)
    if existing is not None:
        return existing
    patient = Patient(
        display_name=user.get_full_name() or user.email,
        timezone=timezone_name or "UTC",
    )
    if not Patient.objects.filter(pk=user.pk).exists():
        patient.id = user.pk
    patient.full_clean()
    now = timezone.now()
    with transaction.atomic():
        patient.save(force_insert=True)
        try:
            with transaction.atomic():
                PatientAccess.objects.create(
                    user=user,
                    patient=patient,
                    role=Role.SELF,
                    status=Status.ACTIVE,
                    initiated_by=Side.PATIENT,
                    created_at=now,
                    responded_at=now,
                )
        except IntegrityError:
            # A concurrent call made the grant first (one open grant per pair): use its record.
            patient.delete()
            return own_record(user=user)
    return patient


def patient_update(*, patient: Patient, **changes) -> Patient:
    """Change the record's name, time zone, date of birth or diabetes type; validated."""
    unknown = set(changes) - set(RECORD_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(patient, name, value)
    patient.full_clean()
    patient.save(update_fields=[*changes, "updated_at"])
    return patient


def medical_profile_set(
    *, patient: Patient, date_of_birth: date | None, diabetes_type: str
) -> Patient:
    return patient_update(patient=patient, date_of_birth=date_of_birth, diabetes_type=diabetes_type)


def access_log_record(*, grant: PatientAccess, what: str) -> AccessLogEntry | None:
    """Write that ``grant``'s holder opened its record's data (``what``: the page or
    endpoint, never a value), when their role is one that is logged (patients.access: a
    patient's own views are not). The patient reads the log on the sharing page."""
    if not access.is_logged(grant):
        return None
    viewer = grant.user
    if grant.role == Role.PHYSICIAN:
        name = physician_title(viewer)
    else:
        name = viewer.get_full_name() or viewer.email
    return AccessLogEntry.objects.create(
        viewer=viewer,
        viewer_name=name,
        patient_id=grant.patient_id,
        what=what,
        viewed_at=timezone.now(),
    )
