"""Writes to health records: creating and editing a record, and the access log.

Grants between records and physicians (requests, offers, answers, revocations) are in
patients.grants.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from patients import access, signals
from patients.access import Action
from patients.models import AccessLogEntry, Patient, PatientAccess, TargetPreset
from patients.selectors import grant_for, own_record, physician_title, self_login

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
    zone_before = patient.timezone
    for name, value in changes.items():
        setattr(patient, name, value)
    patient.full_clean()
    patient.save(update_fields=[*changes, "updated_at"])
    if patient.timezone != zone_before:
        signals.record_zone_changed.send(sender=Patient, patient=patient)
    return patient


def patient_preset_set(*, patient: Patient, preset: str) -> Patient:
    """Judge the record's figures by another consensus target preset (DESIGN.md 4.7); who
    may is patients.access's SET_PRESET (the patient, caregivers, physicians)."""
    if preset not in TargetPreset.values:
        raise ValidationError({"target_preset": _("Choose one of the listed target presets.")})
    if patient.target_preset == preset:
        return patient
    patient.target_preset = preset
    with transaction.atomic():
        patient.save(update_fields=["target_preset", "updated_at"])
        signals.record_preset_changed.send(sender=Patient, patient=patient)
    return patient


def _viewer_name(grant: PatientAccess) -> str:
    viewer = grant.user
    if grant.role == Role.PHYSICIAN:
        return physician_title(viewer)
    return viewer.get_full_name() or viewer.email


def access_log_record(*, grant: PatientAccess, what: str) -> AccessLogEntry | None:
    """Write that ``grant``'s holder opened its record's data (``what``: the page or
    endpoint, never a value), when their role is one that is logged (patients.access: a
    patient's own views are not). The patient reads the log on the sharing page."""
    if not access.is_logged(grant):
        return None
    return AccessLogEntry.objects.create(
        viewer=grant.user,
        viewer_name=_viewer_name(grant),
        patient_id=grant.patient_id,
        what=what,
        viewed_at=timezone.now(),
    )


def access_log_record_many(
    *, grants: list[PatientAccess], what: str, once_per: timedelta = timedelta(hours=1)
) -> int:
    """access_log_record for many records at once (a physician's roster shows every
    patient's figures): one query and at most one insert, whatever the number of records.
    A record whose log already has this viewer and ``what`` within ``once_per`` gets no
    second entry (a physician refreshing the roster all morning would otherwise fill every
    patient's log). Returns the number of entries written."""
    logged = [grant for grant in grants if access.is_logged(grant)]
    if not logged:
        return 0
    now = timezone.now()
    viewers = {grant.user_id for grant in logged}
    recent = set(
        AccessLogEntry.objects.filter(
            viewer_id__in=viewers, what=what, viewed_at__gte=now - once_per
        ).values_list("viewer_id", "patient_id")
    )
    names: dict = {}
    entries = []
    for grant in logged:
        if (grant.user_id, grant.patient_id) in recent:
            continue
        key = (grant.user_id, grant.role)
        if key not in names:
            names[key] = _viewer_name(grant)
        entries.append(
            AccessLogEntry(
                viewer=grant.user,
                viewer_name=names[key],
                patient_id=grant.patient_id,
                what=what,
                viewed_at=now,
            )
        )
    AccessLogEntry.objects.bulk_create(entries)
    return len(entries)


def patient_create_for_caregiver(
    *,
    user: User,
    display_name: str,
    timezone_name: str = "UTC",
    date_of_birth: date | None = None,
    diabetes_type: str = "",
) -> Patient:
    """A record that ``user`` looks after (a parent for a child): no login of its own; the
    user is its caregiver."""
    patient = Patient(
        display_name=display_name.strip(),
        timezone=timezone_name or "UTC",
        date_of_birth=date_of_birth,
        diabetes_type=diabetes_type,
    )
    patient.full_clean()
    now = timezone.now()
    with transaction.atomic():
        patient.save(force_insert=True)
        PatientAccess.objects.create(
            user=user,
            patient=patient,
            role=Role.CAREGIVER,
            status=Status.ACTIVE,
            initiated_by=Side.PATIENT,
            created_at=now,
            responded_at=now,
        )
    return patient


def grant_revoke(*, grant: PatientAccess, by: User) -> PatientAccess:
    """End a caregiver's or follower's access at once. The record's own login and any
    caregiver may (a caregiver may also leave); nobody can remove the record's own login.
    Physicians' grants are ended through patients.grants (it tells them by email)."""
    if grant.role == Role.SELF:
        raise ValidationError(_("Nobody can remove the record's own login."))
    if grant.role == Role.PHYSICIAN:
        raise ValidationError(_("End a physician's access with “Stop sharing”."))
    leaving = grant.user_id == by.pk
    if not leaving and not access.may(
        grant_for(user=by, patient_id=grant.patient_id), Action.SHARE
    ):
        raise ValidationError(_("Only the patient or a caregiver can remove someone's access."))
    if grant.role == Role.CAREGIVER and not _other_keepers(grant):
        raise ValidationError(
            _(
                "This is the last person looking after the record: invite another caregiver "
                "first, or delete the record."
            )
        )
    PatientAccess.objects.filter(pk=grant.pk, status__in=PatientAccess.OPEN_STATUSES).update(
        status=Status.REVOKED, ended_at=timezone.now(), ended_by=Side.PATIENT
    )
    grant.refresh_from_db(fields=["status", "ended_at", "ended_by"])
    return grant


def _other_keepers(grant: PatientAccess) -> bool:
    """Whether someone else than ``grant``'s holder looks after its record (a record is
    never left without its own login or a caregiver)."""
    return (
        PatientAccess.objects.filter(
            patient_id=grant.patient_id,
            role__in=[Role.SELF, Role.CAREGIVER],
            status=Status.ACTIVE,
        )
        .exclude(pk=grant.pk)
        .exists()
    )


def may_delete_record(*, patient: Patient, user: User) -> bool:
    """A record is deleted by its own login, or, when it has none, by any caregiver."""
    grant = grant_for(user=user, patient_id=patient.pk)
    if grant is None or grant.status != Status.ACTIVE:
        return False
    if grant.role == Role.SELF:
        return True
    return (
        grant.role == Role.CAREGIVER and self_login(patient=patient, include_inactive=True) is None
    )
