"""The consent flow between physicians and patient records: every write to physician grants.

A physician asks a record's own login by email (a request); the patient, or a caregiver
acting for the record, offers a physician access by email (an offer); the other side
accepts or declines; either side, or an administrator, revokes.

Each write is a single-document operation, because MongoDB gives Django no transactions:
a new grant is one insert guarded by the database's "one open grant per pair" index, and
every change of status is one conditional update (``filter(status=...).update(...)``) that
only the first of two racing or retried calls can win. A retry therefore never opens a
second grant nor changes a decided one; it returns the grant as it now is.

Emails tell the other side what happened (plain text, no medical data). A request or offer
to an email that is not a patient's (or not a physician's) account sends nothing and
returns None; callers must show the same message either way, so nobody can learn from
BGT whether an account exists.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from accounts.languages import in_language_of
from accounts.managers import normalize_email
from accounts.models import User
from core.text import one_line
from patients import access
from patients.access import Action
from patients.models import Patient, PatientAccess
from patients.selectors import (
    grant_for,
    own_record,
    physician_title,
    record_side_users,
    side_of,
)

Status = PatientAccess.Status
Side = PatientAccess.Side
Role = PatientAccess.Role

MRN_MAX_LENGTH = PatientAccess._meta.get_field("mrn").max_length


def physician_access_request(
    *, physician: User, patient_email: str, mrn: str = "", base_url: str = ""
) -> PatientAccess | None:
    """A physician asks a patient, by the email of the record's own login, to share it.

    Returns the pending grant and emails the patient, or None (sending nothing) when the
    email is not an active patient's with a record of their own. If the pair already has an
    open grant it is returned unchanged (no second grant, no second email), except that a
    pending *offer* to this physician is thereby accepted: both sides have now said yes.
    ``mrn`` (optional, the clinic's medical record number, at most 64 characters) is stored
    on the grant. ``base_url`` ("https://bgt.example/") makes the email's link absolute.
    """
    if not (physician.is_active and roles.is_physician(physician)):
        raise ValidationError(_("Only physicians can ask patients for access."))
    mrn = _clean_mrn(mrn)
    login = _account(patient_email, role=roles.is_patient, other_than=physician)
    patient = own_record(user=login) if login else None
    if patient is None:
        return None
    return _ask(physician, patient, asker=Side.PHYSICIAN, mrn=mrn, base_url=base_url)


def physician_access_offer(
    *, patient: Patient, by: User, physician_email: str, base_url: str = ""
) -> PatientAccess | None:
    """The patient (or a caregiver, ``by``) offers a physician, by email, access to the
    record. Returns the pending grant and emails the physician, or None (sending nothing)
    when the email is not an active physician's. An open grant for the pair is returned
    unchanged, except that a pending *request* from this physician is thereby accepted.
    """
    _require_sharer(patient, by)
    physician = _account(physician_email, role=roles.is_physician, other_than=by)
    if physician is None or _holds_record(physician, patient):
        return None
    return _ask(physician, patient, asker=Side.PATIENT, mrn="", base_url=base_url)


def physician_access_request_withdraw(
    *, physician: User, patient_email: str, base_url: str = ""
) -> PatientAccess | None:
    """A physician withdraws their pending request to a patient, by the patient's email.

    Returns the withdrawn grant (the patient is emailed), or None when there was no pending
    request of this physician to an active patient with this email; the caller answers
    both the same way. An accepted request is ended with physician_access_revoke instead.
    """
    login = _account(patient_email, role=roles.is_patient, other_than=physician)
    patient = own_record(user=login) if login else None
    if patient is None:
        return None
    return _withdraw(physician, patient, asker=Side.PHYSICIAN, by=physician, base_url=base_url)


def physician_access_offer_withdraw(
    *, patient: Patient, by: User, physician_email: str, base_url: str = ""
) -> PatientAccess | None:
    """The record's side withdraws a pending offer to a physician, by the physician's email,
    before the physician accepts it (after that, physician_access_revoke ends the sharing).

    Offers are not listed (that would tell which emails are physicians'), so they are
    withdrawn by email, with the same answer whether or not one was pending. Returns the
    withdrawn grant (the physician is emailed) or None.
    """
    _require_sharer(patient, by)
    physician = _account(physician_email, role=roles.is_physician, other_than=by)
    if physician is None:
        return None
    return _withdraw(physician, patient, asker=Side.PATIENT, by=by, base_url=base_url)


def physician_access_accept(
    *, grant: PatientAccess, by: User, mrn: str = "", base_url: str = ""
) -> PatientAccess:
    """The other side says yes: a pending grant becomes active and the physician can read
    the record from now on. Only the side that did not ask may accept (ValidationError
    otherwise). Accepting an already active grant changes nothing (a retry); a declined or
    revoked one cannot be revived (ask again instead). A physician accepting an offer may
    add the clinic's ``mrn``. Emails the side that asked.
    """
    _require_responder(grant, by, verb="accept")
    mrn = _clean_mrn(mrn)
    changes = {"status": Status.ACTIVE, "responded_at": timezone.now()}
    if mrn and side_of(grant, by) == Side.PHYSICIAN:
        changes["mrn"] = mrn
    if not _transition(grant, Status.PENDING, **changes):
        if grant.status == Status.ACTIVE:
            return grant
        raise ValidationError(_("This request is no longer pending; it cannot be accepted."))
    _notify(_asker_side(grant), "accepted", grant=grant, base_url=base_url)
    return grant


def physician_access_decline(
    *, grant: PatientAccess, by: User, base_url: str = ""
) -> PatientAccess:
    """The other side says no: a pending grant ends as ``declined`` (nothing was ever
    shared). Only the side that did not ask may decline; declining again is a no-op.
    Emails the side that asked."""
    _require_responder(grant, by, verb="decline")
    now = timezone.now()
    if not _transition(
        grant,
        Status.PENDING,
        status=Status.DECLINED,
        responded_at=now,
        ended_at=now,
        ended_by=side_of(grant, by),
    ):
        if grant.status == Status.DECLINED:
            return grant
        raise ValidationError(_("This request is no longer pending; it cannot be declined."))
    _notify(_asker_side(grant), "declined", grant=grant, base_url=base_url)
    return grant


def physician_access_revoke(*, grant: PatientAccess, by: User, base_url: str = "") -> PatientAccess:
    """End a grant at once: either side, or a site administrator, may revoke it.

    From the next request on, the physician can no longer open the record (pages and API
    check the grant every time). Revoking a pending grant withdraws the request or offer.
    Revoking an ended grant changes nothing. Emails the other side (both sides when an
    administrator ends it).
    """
    side = side_of(grant, by)
    if side is None:
        if not roles.is_site_admin(by):
            raise ValidationError(_("Only the physician or the patient can end this link."))
        side = Side.ADMINISTRATOR
    if not _transition(
        grant,
        list(PatientAccess.OPEN_STATUSES),
        status=Status.REVOKED,
        ended_at=timezone.now(),
        ended_by=side,
    ):
        return grant  # already declined or revoked: nothing more to end
    physician_side = [_physician(grant)]
    record_side = record_side_users(patient=grant.patient)
    if side == Side.ADMINISTRATOR:
        recipients = physician_side + record_side
    else:
        recipients = record_side if side == Side.PHYSICIAN else physician_side
    _notify([r for r in recipients if r.pk != by.pk], "revoked", grant=grant, base_url=base_url)
    return grant


# --- internals -----------------------------------------------------------------------------


def _clean_mrn(mrn: str) -> str:
    mrn = (mrn or "").strip()
    if len(mrn) > MRN_MAX_LENGTH:
        raise ValidationError(
            {
                "mrn": _("An MRN has at most %(limit)d characters; this has %(length)d.")
                % {"limit": MRN_MAX_LENGTH, "length": len(mrn)}
            }
        )
    return mrn


def _account(email: str, *, role, other_than: User) -> User | None:
    """The active account with this email if it has ``role``; None otherwise (including
    one's own email), so callers cannot tell "no account" from "wrong role"."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None or user.pk == other_than.pk or not role(user):
        return None
    return user


def _require_sharer(patient: Patient, by: User) -> None:
    """Only someone who may share the record (its own login, a caregiver) offers access."""
    if not (by.is_active and access.may(grant_for(user=by, patient_id=patient.pk), Action.SHARE)):
        raise ValidationError(_("Only patients can offer access to their readings."))


def _holds_record(user: User, patient: Patient) -> bool:
    """Whether ``user`` already acts for the record (its own login or a caregiver)."""
    return any(u.pk == user.pk for u in record_side_users(patient=patient))


def _physician(grant: PatientAccess) -> User:
    return grant.user


def _asker_side(grant: PatientAccess) -> list[User]:
    if grant.initiated_by == Side.PHYSICIAN:
        return [_physician(grant)]
    return record_side_users(patient=grant.patient)


def _open_grant(physician: User, patient: Patient) -> PatientAccess | None:
    grant = PatientAccess.objects.filter(
        user=physician, patient=patient, status__in=PatientAccess.OPEN_STATUSES
    ).first()
    if grant is not None:
        grant.user, grant.patient = physician, patient
    return grant


def _ask(
    physician: User, patient: Patient, *, asker: str, mrn: str, base_url: str
) -> PatientAccess:
    """Open a pending grant asked by ``asker`` and email the other side, unless the pair
    already has an open grant: that one is returned, accepted first if the other side had
    asked (both have now said yes)."""
    grant, created = _open_grant(physician, patient), False
    if grant is None:
        grant, created = _create(physician, patient, initiated_by=asker, mrn=mrn)
    if created:
        if asker == Side.PHYSICIAN:
            _notify(record_side_users(patient=patient), "request", grant=grant, base_url=base_url)
        else:
            _notify([physician], "offer", grant=grant, base_url=base_url)
        return grant
    if grant.role != Role.PHYSICIAN:
        return grant
    if grant.status == Status.PENDING and grant.initiated_by != asker:
        if asker == Side.PHYSICIAN:
            by = physician
        else:
            by = next(iter(record_side_users(patient=patient)), None)
        if by is not None:
            return physician_access_accept(grant=grant, by=by, mrn=mrn, base_url=base_url)
    return grant


def _withdraw(
    physician: User, patient: Patient, *, asker: str, by: User, base_url: str
) -> PatientAccess | None:
    grant = _open_grant(physician, patient)
    if (
        grant is None
        or grant.role != Role.PHYSICIAN
        or grant.status != Status.PENDING
        or grant.initiated_by != asker
    ):
        return None
    grant = physician_access_revoke(grant=grant, by=by, base_url=base_url)
    return grant if grant.status == Status.REVOKED else None


def _create(
    physician: User, patient: Patient, *, initiated_by: str, mrn: str
) -> tuple[PatientAccess, bool]:
    """Insert a pending physician grant. If a concurrent or retried call opened one first,
    the database's partial unique index refuses this insert and that grant is returned
    instead (with False)."""
    grant = PatientAccess(
        user=physician,
        patient=patient,
        role=Role.PHYSICIAN,
        status=Status.PENDING,
        initiated_by=initiated_by,
        mrn=mrn,
    )
    grant.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # SQLite: keep an outer transaction usable
            grant.save(force_insert=True)
    except IntegrityError:
        existing = _open_grant(physician, patient)
        if existing is None:
            raise
        return existing, False
    return grant, True


def _transition(grant: PatientAccess, from_status, **changes) -> bool:
    """Apply ``changes`` if the grant is still in ``from_status`` (one status or a list):
    a single conditional update, so racing or repeated calls cannot both win. Refreshes
    ``grant`` either way; True if this call made the change."""
    statuses = from_status if isinstance(from_status, list) else [from_status]
    updated = PatientAccess.objects.filter(pk=grant.pk, status__in=statuses).update(**changes)
    grant.refresh_from_db(fields=["status", "mrn", "responded_at", "ended_at", "ended_by"])
    return bool(updated)


def _require_responder(grant: PatientAccess, by: User, *, verb: str) -> None:
    side = side_of(grant, by)
    if side is None:
        raise ValidationError(_NOT_A_SIDE[verb])
    if side != grant.responder_side:
        raise ValidationError(_NOT_THE_RESPONDER[verb, grant.responder_side])


_NOT_A_SIDE = {
    "accept": gettext_lazy("Only the physician or the patient can accept this request."),
    "decline": gettext_lazy("Only the physician or the patient can decline this request."),
}
_NOT_THE_RESPONDER = {
    ("accept", Side.PATIENT): gettext_lazy("Only the patient can accept this request."),
    ("accept", Side.PHYSICIAN): gettext_lazy("Only the physician can accept this request."),
    ("decline", Side.PATIENT): gettext_lazy("Only the patient can decline this request."),
    ("decline", Side.PHYSICIAN): gettext_lazy("Only the physician can decline this request."),
}


def _notify(recipients: list[User], event: str, *, grant: PatientAccess, base_url: str) -> None:
    """Email each of ``recipients`` about ``event`` (templates patients/email/<event>_
    subject.txt and _body.txt). Plain text; names and links only, never a medical value."""
    physician = _physician(grant)
    for recipient in recipients:
        context = {
            "recipient": recipient,
            "physician": physician,
            "physician_title": physician_title(physician),
            "patient_name": one_line(grant.patient.display_name),
            "grant": grant,
            "for_patient": recipient.pk != physician.pk,
            "base_url": base_url.rstrip("/"),
        }
        with in_language_of(recipient):  # their stored language, not the sender's
            subject = render_to_string(f"patients/email/{event}_subject.txt", context)
            body = render_to_string(f"patients/email/{event}_body.txt", context)
        send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
            body,
            None,
            [recipient.email],
        )
