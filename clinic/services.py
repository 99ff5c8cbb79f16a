"""The consent flow between physicians and patients: every write to roster links.

Each write is a single-document operation, because MongoDB gives Django no transactions:
a new link is one insert guarded by the database's "one open link per pair" index, and
every change of status is one conditional update (``filter(status=...).update(...)``) that
only the first of two racing or retried calls can win. A retry therefore never opens a
second link nor changes a decided one; it returns the link as it now is.

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

from accounts import roles
from accounts.managers import normalize_email
from accounts.models import User
from clinic.models import RosterLink
from clinic.selectors import physician_title

Status = RosterLink.Status
Side = RosterLink.Side

MRN_MAX_LENGTH = RosterLink._meta.get_field("mrn").max_length


def roster_link_request(
    *, physician: User, patient_email: str, mrn: str = "", base_url: str = ""
) -> RosterLink | None:
    """A physician asks a patient, by email, to share their readings.

    Returns the pending link and emails the patient, or None (sending nothing) when the
    email is not an active patient's. If the pair already has an open link it is returned
    unchanged (no second link, no second email), except that a pending *offer* from this
    patient is thereby accepted: both sides have now said yes. ``mrn`` (optional, the
    clinic's medical record number, at most 64 characters) is stored on the link.
    ``base_url`` ("https://bgt.example/") makes the email's link absolute.
    """
    if not (physician.is_active and roles.is_physician(physician)):
        raise ValidationError("Only physicians can ask patients for access.")
    mrn = _clean_mrn(mrn)
    patient = _account(patient_email, role=roles.is_patient, other_than=physician)
    if patient is None:
        return None
    return _ask(physician, patient, asker=Side.PHYSICIAN, mrn=mrn, base_url=base_url)


def roster_link_offer(
    *, patient: User, physician_email: str, base_url: str = ""
) -> RosterLink | None:
    """A patient offers a physician, by email, access to their readings.

    Returns the pending link and emails the physician, or None (sending nothing) when the
    email is not an active physician's. An open link for the pair is returned unchanged,
    except that a pending *request* from this physician is thereby accepted.
    """
    if not (patient.is_active and roles.is_patient(patient)):
        raise ValidationError("Only patients can offer access to their readings.")
    physician = _account(physician_email, role=roles.is_physician, other_than=patient)
    if physician is None:
        return None
    return _ask(physician, patient, asker=Side.PATIENT, mrn="", base_url=base_url)


def roster_link_request_withdraw(
    *, physician: User, patient_email: str, base_url: str = ""
) -> RosterLink | None:
    """A physician withdraws their pending request to a patient, by the patient's email.

    Returns the withdrawn link (the patient is emailed), or None when there was no pending
    request of this physician to an active patient with this email; the caller answers
    both the same way. An accepted request is ended with roster_link_revoke instead.
    """
    patient = _account(patient_email, role=roles.is_patient, other_than=physician)
    if patient is None:
        return None
    return _withdraw(physician, patient, asker=Side.PHYSICIAN, base_url=base_url)


def roster_link_offer_withdraw(
    *, patient: User, physician_email: str, base_url: str = ""
) -> RosterLink | None:
    """A patient withdraws their pending offer to a physician, by the physician's email,
    before the physician accepts it (after that, roster_link_revoke ends the sharing).

    Offers are not listed to the patient (that would tell which emails are physicians'),
    so they are withdrawn by email, with the same answer whether or not one was pending.
    Returns the withdrawn link (the physician is emailed) or None.
    """
    physician = _account(physician_email, role=roles.is_physician, other_than=patient)
    if physician is None:
        return None
    return _withdraw(physician, patient, asker=Side.PATIENT, base_url=base_url)


def roster_link_accept(
    *, link: RosterLink, by: User, mrn: str = "", base_url: str = ""
) -> RosterLink:
    """The other side says yes: a pending link becomes active and the physician can read
    the patient's data from now on. Only the side that did not ask may accept
    (ValidationError otherwise). Accepting an already active link changes nothing (a
    retry); a declined or revoked one cannot be revived (ask again instead). A physician
    accepting an offer may add the clinic's ``mrn``. Emails the side that asked.
    """
    _require_responder(link, by, verb="accept")
    mrn = _clean_mrn(mrn)
    now = timezone.now()
    changes = {"status": Status.ACTIVE, "responded_at": now}
    if mrn and link.side_of(by) == Side.PHYSICIAN:
        changes["mrn"] = mrn
    if not _transition(link, Status.PENDING, **changes):
        if link.status == Status.ACTIVE:
            return link
        raise ValidationError("This request is no longer pending; it cannot be accepted.")
    asker = link.physician if link.initiated_by == Side.PHYSICIAN else link.patient
    _notify(
        asker,
        "accepted",
        physician=link.physician,
        patient=link.patient,
        link=link,
        base_url=base_url,
    )
    return link


def roster_link_decline(*, link: RosterLink, by: User, base_url: str = "") -> RosterLink:
    """The other side says no: a pending link ends as ``declined`` (nothing was ever
    shared). Only the side that did not ask may decline; declining again is a no-op.
    Emails the side that asked."""
    _require_responder(link, by, verb="decline")
    now = timezone.now()
    side = link.side_of(by)
    if not _transition(
        link,
        Status.PENDING,
        status=Status.DECLINED,
        responded_at=now,
        ended_at=now,
        ended_by=side,
    ):
        if link.status == Status.DECLINED:
            return link
        raise ValidationError("This request is no longer pending; it cannot be declined.")
    asker = link.physician if link.initiated_by == Side.PHYSICIAN else link.patient
    _notify(
        asker,
        "declined",
        physician=link.physician,
        patient=link.patient,
        link=link,
        base_url=base_url,
    )
    return link


def roster_link_revoke(*, link: RosterLink, by: User, base_url: str = "") -> RosterLink:
    """End a link at once: either side, or a site administrator, may revoke it.

    From the next request on, the physician can no longer open the patient's data (pages
    and API check the link every time). Revoking a pending link withdraws the request or
    offer. Revoking an ended link changes nothing. Emails the other side (both sides when
    an administrator ends it).
    """
    side = link.side_of(by)
    if side is None:
        if not roles.is_site_admin(by):
            raise ValidationError("Only the physician or the patient can end this link.")
        side = Side.ADMINISTRATOR
    now = timezone.now()
    if not _transition(
        link,
        list(RosterLink.OPEN_STATUSES),
        status=Status.REVOKED,
        ended_at=now,
        ended_by=side,
    ):
        return link  # already declined or revoked: nothing more to end
    if side == Side.ADMINISTRATOR:
        recipients = [link.physician, link.patient]
    else:
        recipients = [link.patient if side == Side.PHYSICIAN else link.physician]
    for recipient in recipients:
        _notify(
            recipient,
            "revoked",
            physician=link.physician,
            patient=link.patient,
            link=link,
            base_url=base_url,
        )
    return link


# --- internals -----------------------------------------------------------------------------


def _clean_mrn(mrn: str) -> str:
    mrn = (mrn or "").strip()
    if len(mrn) > MRN_MAX_LENGTH:
        raise ValidationError(
            {"mrn": f"An MRN has at most {MRN_MAX_LENGTH} characters; this has {len(mrn)}."}
        )
    return mrn


def _account(email: str, *, role, other_than: User) -> User | None:
    """The active account with this email if it has ``role``; None otherwise (including
    one's own email), so callers cannot tell "no account" from "wrong role"."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None or user.pk == other_than.pk or not role(user):
        return None
    return user


def _open_link(physician: User, patient: User) -> RosterLink | None:
    link = RosterLink.objects.filter(
        physician=physician, patient=patient, status__in=RosterLink.OPEN_STATUSES
    ).first()
    if link is not None:
        link.physician, link.patient = physician, patient
    return link


def _ask(physician: User, patient: User, *, asker: str, mrn: str, base_url: str) -> RosterLink:
    """Open a pending link asked by ``asker`` and email the other side, unless the pair
    already has an open link: that one is returned, accepted first if the other side had
    asked (both have now said yes)."""
    link, created = _open_link(physician, patient), False
    if link is None:
        link, created = _create(physician, patient, initiated_by=asker, mrn=mrn)
    if created:
        recipient = patient if asker == Side.PHYSICIAN else physician
        event = "request" if asker == Side.PHYSICIAN else "offer"
        _notify(
            recipient, event, physician=physician, patient=patient, link=link, base_url=base_url
        )
        return link
    if link.status == Status.PENDING and link.initiated_by != asker:
        by = physician if asker == Side.PHYSICIAN else patient
        return roster_link_accept(link=link, by=by, mrn=mrn, base_url=base_url)
    return link


def _withdraw(physician: User, patient: User, *, asker: str, base_url: str) -> RosterLink | None:
    link = _open_link(physician, patient)
    if link is None or link.status != Status.PENDING or link.initiated_by != asker:
        return None
    by = physician if asker == Side.PHYSICIAN else patient
    link = roster_link_revoke(link=link, by=by, base_url=base_url)
    return link if link.status == Status.REVOKED else None


def _create(
    physician: User, patient: User, *, initiated_by: str, mrn: str
) -> tuple[RosterLink, bool]:
    """Insert a pending link. If a concurrent or retried call opened one first, the
    database's partial unique index refuses this insert and that link is returned instead
    (with False). The constraints are not validated here: the caller looked for an open
    link, _account() excludes oneself, and the database has the last word on races."""
    link = RosterLink(
        physician=physician,
        patient=patient,
        status=Status.PENDING,
        initiated_by=initiated_by,
        mrn=mrn,
    )
    link.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # SQLite: keep an outer transaction usable
            link.save(force_insert=True)
    except IntegrityError:
        existing = _open_link(physician, patient)
        if existing is None:
            raise
        return existing, False
    return link, True


def _transition(link: RosterLink, from_status, **changes) -> bool:
    """Apply ``changes`` if the link is still in ``from_status`` (one status or a list):
    a single conditional update, so racing or repeated calls cannot both win. Refreshes
    ``link`` either way; True if this call made the change."""
    statuses = from_status if isinstance(from_status, list) else [from_status]
    updated = RosterLink.objects.filter(pk=link.pk, status__in=statuses).update(**changes)
    link.refresh_from_db(
        fields=["status", "mrn", "responded_at", "ended_at", "ended_by"],
    )
    return bool(updated)


def _require_responder(link: RosterLink, by: User, *, verb: str) -> None:
    side = link.side_of(by)
    if side is None:
        raise ValidationError(f"Only the physician or the patient can {verb} this request.")
    if side != link.responder_side:
        other = "patient" if link.responder_side == Side.PATIENT else "physician"
        raise ValidationError(f"Only the {other} can {verb} this request.")


def _notify(recipient: User, event: str, *, physician, patient, link, base_url: str) -> None:
    """Email ``recipient`` about ``event`` (templates clinic/email/<event>_subject.txt and
    _body.txt). Plain text; names and links only, never a medical value."""
    context = {
        "recipient": recipient,
        "physician": physician,
        "physician_title": physician_title(physician),
        "patient": patient,
        "patient_name": patient.display_name,
        "link": link,
        "for_patient": recipient.pk == patient.pk,
        "base_url": base_url.rstrip("/"),
    }
    subject = render_to_string(f"clinic/email/{event}_subject.txt", context)
    body = render_to_string(f"clinic/email/{event}_body.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        None,
        [recipient.email],
    )
