"""Inviting caregivers and followers to a record, and handing a record over to the grown-up
patient (DESIGN.md section 1).

Whoever may share a record (its own login, or a caregiver) invites by email; the email
carries a link with a random token (only its SHA-256 is stored). The invitee accepts or
declines there, signed in with that email's account, or making the account on the spot
(the token proves the mailbox). An invitation to an email with or without an account is
answered the same way to the inviter, so nobody learns from BGT who has an account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.languages import in_language_of
from accounts.managers import normalize_email
from accounts.models import User
from core.text import one_line
from patients import access
from patients.access import Action
from patients.models import Invitation, Patient, PatientAccess
from patients.selectors import grant_for, self_login

Role, Status = PatientAccess.Role, PatientAccess.Status
VALID_FOR = timedelta(days=14)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_send(
    *,
    patient: Patient,
    by: User,
    email: str,
    role: str,
    keep_caregivers: bool = True,
    base_url: str = "",
) -> Invitation | None:
    """Invite ``email`` to the record as ``role`` (caregiver, follower, or ``self`` for a
    hand-over) and email them the link. Returns None, sending nothing, when the email
    already has access or a pending invitation (the caller answers the same either way).
    Raises ValidationError when ``by`` may not share the record, or a hand-over is asked
    for a record that already has its own login."""
    if role not in Invitation.ROLES:
        raise ValidationError(_("Invite a caregiver, a follower, or hand the record over."))
    grant = grant_for(user=by, patient_id=patient.pk)
    if not access.may(grant, Action.SHARE):
        raise ValidationError(_("Only the patient or a caregiver can invite people to a record."))
    if role == Role.SELF and self_login(patient=patient, include_inactive=True) is not None:
        raise ValidationError(_("This record already has its own login; it cannot be handed over."))
    email = normalize_email(email)
    if _has_access(patient, email):
        return None
    token = secrets.token_urlsafe(24)
    invitation = Invitation(
        patient=patient,
        email=email,
        role=role,
        keep_caregivers=keep_caregivers,
        token_digest=token_digest(token),
        invited_by=by,
        inviter_name=by.get_full_name() or by.email,
    )
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError:  # a pending invitation to this email already exists
        return None
    _email(
        invitation.email,
        "invitation",
        invitation=invitation,
        link=f"{base_url.rstrip('/')}/invitations/{token}/",
    )
    return invitation


def invitation_for_token(*, token: str) -> Invitation:
    """The pending, unexpired invitation behind ``token``; Invitation.DoesNotExist else."""
    return Invitation.objects.select_related("patient").get(
        token_digest=token_digest(token or ""),
        status=Invitation.Status.PENDING,
        created_at__gte=timezone.now() - VALID_FOR,
    )


def invitation_accept(*, invitation: Invitation, user: User) -> PatientAccess:
    """``user`` (whose verified email the invitation went to) takes the grant. A hand-over
    makes them the record's own login, and revokes the caregivers' grants when the
    hand-over said so. Idempotent for a retry by the same person."""
    _require_invitee(invitation, user)
    now = timezone.now()
    existing = PatientAccess.objects.filter(
        user=user, patient=invitation.patient, status__in=PatientAccess.OPEN_STATUSES
    ).first()
    if existing is not None and existing.role == invitation.role:
        grant = existing
    else:
        if existing is not None:  # a follower who becomes a caregiver, a caregiver her own
            PatientAccess.objects.filter(pk=existing.pk).update(
                status=Status.REVOKED, ended_at=now, ended_by=PatientAccess.Side.PATIENT
            )
        try:
            with transaction.atomic():
                grant = PatientAccess.objects.create(
                    user=user,
                    patient=invitation.patient,
                    role=invitation.role,
                    status=Status.ACTIVE,
                    initiated_by=PatientAccess.Side.PATIENT,
                    created_at=now,
                    responded_at=now,
                )
        except IntegrityError:
            raise ValidationError(_("This record already has its own login.")) from None
    if invitation.role == Role.SELF:
        if not roles.is_patient(user):
            roles.grant_role(user, roles.PATIENTS)
        if not invitation.keep_caregivers:
            PatientAccess.objects.filter(
                patient=invitation.patient, role=Role.CAREGIVER, status=Status.ACTIVE
            ).update(status=Status.REVOKED, ended_at=now, ended_by=PatientAccess.Side.PATIENT)
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.ACCEPTED, responded_at=now
    )
    if invitation.invited_by_id:
        inviter = User.objects.filter(pk=invitation.invited_by_id, is_active=True).first()
        if inviter is not None:
            _email(inviter.email, "invitation_accepted", invitation=invitation, invitee=user)
    return grant


def invitation_accept_new_login(*, invitation: Invitation, password: str) -> User:
    """Make the invitee's account (the email is verified: the token reached its mailbox),
    then accept. ValidationError when the email already has an account or the password is
    refused by the password validators."""
    from django.contrib.auth.password_validation import validate_password

    email = invitation.email
    if User.objects.filter(email=email).exists():
        raise ValidationError(_("This email already has an account: sign in to accept."))
    user = User(email=email)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        roles.grant_role(user, roles.PATIENTS)
    invitation_accept(invitation=invitation, user=user)
    return user


def invitation_decline(*, invitation: Invitation, user: User | None = None) -> None:
    """The invitee says no (signed in or not: the token is enough to decline)."""
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.DECLINED, responded_at=timezone.now()
    )


def invitation_withdraw(*, invitation: Invitation, by: User) -> None:
    """Someone who may share the record takes a pending invitation back."""
    if not access.may(grant_for(user=by, patient_id=invitation.patient_id), Action.SHARE):
        raise ValidationError(_("Only the patient or a caregiver can withdraw an invitation."))
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED, responded_at=timezone.now()
    )


def pending_invitations(*, patient: Patient) -> list[Invitation]:
    """The record's pending invitations (the emails its own side typed), newest first."""
    return list(
        Invitation.objects.filter(
            patient=patient,
            status=Invitation.Status.PENDING,
            created_at__gte=timezone.now() - VALID_FOR,
        ).order_by("-created_at")
    )


# --- internals -----------------------------------------------------------------------------


def _has_access(patient: Patient, email: str) -> bool:
    user = User.objects.filter(email=email).first()
    return user is not None and (
        PatientAccess.objects.filter(user=user, patient=patient, status=Status.ACTIVE).exists()
    )


def _require_invitee(invitation: Invitation, user: User) -> None:
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not (user.is_active and verified):
        raise ValidationError(
            _("This invitation was sent to %(email)s: sign in with that address to accept it.")
            % {"email": invitation.email}
        )


def _email(address: str, event: str, **context) -> None:
    """Plain text, names and links only, never a medical value. Names go in on one line
    (core.text.one_line): a name stored before names were validated may hold line breaks."""
    invitation = context.get("invitation")
    if invitation is not None:
        context["inviter_name"] = one_line(invitation.inviter_name)
        context["record_name"] = one_line(invitation.patient.display_name)
    # An address with a login gets its stored language; a new one the sender's.
    with in_language_of(address):
        subject = render_to_string(f"patients/email/{event}_subject.txt", context)
        body = render_to_string(f"patients/email/{event}_body.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        None,
        [address],
    )
