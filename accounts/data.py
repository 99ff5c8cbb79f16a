"""A user's own data: everything the site holds about them as one JSON file, and deleting the
account with all of it (DESIGN.md section 1: patients may delete their own account).

``account_data_export`` is a selector: it reads only the acting user's own rows. It streams,
so a patient with years of CGM readings (100,000+) costs flat memory.

``account_delete`` is a service designed for MongoDB too, where Django has no transactions
and no database cascades (Django's deletion collector cascades in Python). The order is:

1. deactivate the account and make its password unusable (one write to one document): from
   here on nobody can sign in, the API token and device upload secret stop working (both
   check ``is_active``) and no physician's roster or report shows the patient (clinic
   selectors show active accounts only);
2. delete the user's sessions, API tokens and upload secret, roster links (both sides) and
   the access log about them, then their email addresses, readings, targets and medical
   profile, and the admin history about their account;
3. delete the user row last, through Django's collector, which also removes group
   memberships and anything another app adds later with a foreign key to the user.

A crash part-way leaves an account that cannot sign in and that nobody sees, never one that
looks alive with data missing; every step deletes "what is left for this user", so running
``account_delete`` again (or deleting the user in Django admin, whose collector cascades the
same way) finishes the job. On SQLite the whole is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import roles
from accounts.models import MedicalProfile, User
from clinic.models import AccessLogEntry, ClinicMembership, RosterLink
from readings.models import Reading, Target, UploadSecret
from readings.units import MAX_MGDL, MIN_MGDL, mgdl_to_mmoll

EXPORT_FORMAT = "bgt-account-data"
EXPORT_VERSION = 1
READINGS_CHUNK_SIZE = 2000
READING_FIELDS = (
    "id",
    "taken_at",
    "value_mgdl",
    "kind",
    "context",
    "notes",
    "source",
    "external_id",
    "direction",
    "created_at",
    "updated_at",
)
_MMOLL = {value: float(mgdl_to_mmoll(value)) for value in range(MIN_MGDL, MAX_MGDL + 1)}
DB_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


# --- Export ---------------------------------------------------------------------------------


def account_data_export(*, user: User, now: datetime | None = None) -> Iterator[str]:
    """Everything the site holds about ``user``, as JSON text in chunks.

    Times are ISO 8601 with the offset of the user's zone; glucose is whole mg/dL (the
    stored value) plus mmol/L with one decimal. Never included: the password hash, API
    token keys, the upload secret's digest, session keys. Other people appear by name and
    email only where the user already sees them (their physicians, their patients), and a
    clinic's record number (MRN) only in the patient's own export. ``readings`` comes last,
    streamed from the database in chunks, so memory stays flat for any number of readings.
    """
    tz = user.tzinfo
    head = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _time(now or timezone.now(), tz),
        "account": _account(user, tz),
        "medical_profile": _medical_profile(user, tz),
        "targets": _targets(user, tz),
        "device_upload_secret": _upload_secret(user, tz),
        "api_tokens": [
            {"exists": True, "created_at": _time(created, tz)}
            for created in Token.objects.filter(user=user).values_list("created", flat=True)
        ],
        "clinics": [
            {"clinic": membership.clinic.name, "joined_at": _time(membership.joined_at, tz)}
            for membership in ClinicMembership.objects.filter(physician=user).select_related(
                "clinic"
            )
        ],
        "roster_links": _roster_links(user, tz),
        "access_log": [
            {
                "viewer": entry.viewer_name,
                "what": entry.what,
                "viewed_at": _time(entry.viewed_at, tz),
            }
            for entry in AccessLogEntry.objects.filter(patient=user).order_by("viewed_at")
        ],
        "access_log_as_viewer": _views_by(user, tz),
        "readings_count": Reading.objects.filter(owner=user).count(),
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    # The head object, reopened to append "readings" as its last member.
    yield text[: -len("\n}")] + ',\n  "readings": ['
    readings = (
        Reading.objects.filter(owner=user)
        .order_by("taken_at")
        .values_list(*READING_FIELDS)
        .iterator(chunk_size=READINGS_CHUNK_SIZE)
    )
    separator = "\n    "
    chunk: list[str] = []
    for row in readings:
        chunk.append(separator + json.dumps(_reading(row, tz), ensure_ascii=False))
        separator = ",\n    "
        if len(chunk) == READINGS_CHUNK_SIZE:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + ("\n  ]\n}\n" if separator != "\n    " else "]\n}\n")


def _time(moment: datetime | None, tz) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def _account(user: User, tz) -> dict:
    return {
        "id": str(user.pk),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "unit": user.unit,
        "timezone": user.timezone,
        "roles": sorted(roles.role_names(user)),
        "date_joined": _time(user.date_joined, tz),
        "last_login": _time(user.last_login, tz),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
    }


def _medical_profile(user: User, tz) -> dict | None:
    profile = MedicalProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else None,
        "diabetes_type": profile.diabetes_type,
        "updated_at": _time(profile.updated_at, tz),
    }


def _targets(user: User, tz) -> dict | None:
    target = Target.objects.filter(owner=user).first()
    if target is None:
        return None  # never set: the defaults (70-180 mg/dL) apply
    return {
        "low_mgdl": target.low_mgdl,
        "high_mgdl": target.high_mgdl,
        "updated_at": _time(target.updated_at, tz),
    }


def _upload_secret(user: User, tz) -> dict:
    created = UploadSecret.objects.filter(owner=user).values_list("created_at", flat=True).first()
    return {"exists": created is not None, "created_at": _time(created, tz)}


def _person(person: User) -> dict:
    return {"name": person.get_full_name(), "email": person.email}


def _roster_links(user: User, tz) -> list[dict]:
    links = (
        RosterLink.objects.filter(patient=user) | RosterLink.objects.filter(physician=user)
    ).select_related("physician", "patient")
    out = []
    for link in links.order_by("created_at"):
        as_patient = link.patient_id == user.pk
        entry = {
            "your_side": RosterLink.Side.PATIENT if as_patient else RosterLink.Side.PHYSICIAN,
            "physician" if as_patient else "patient": _person(
                link.physician if as_patient else link.patient
            ),
            "status": link.status,
            "initiated_by": link.initiated_by,
            "created_at": _time(link.created_at, tz),
            "responded_at": _time(link.responded_at, tz),
            "ended_at": _time(link.ended_at, tz),
            "ended_by": link.ended_by,
        }
        if as_patient:
            entry["mrn"] = link.mrn
        out.append(entry)
    return out


def _views_by(user: User, tz) -> list[dict]:
    """A physician's own views of patients' data (the other side of their access log)."""
    entries = AccessLogEntry.objects.filter(viewer=user).select_related("patient")
    return [
        {
            "patient": _person(entry.patient),
            "what": entry.what,
            "viewed_at": _time(entry.viewed_at, tz),
        }
        for entry in entries.order_by("viewed_at")
    ]


def _reading(row: tuple, tz) -> dict:
    values = dict(zip(READING_FIELDS, row, strict=True))
    return {
        "id": str(values["id"]),
        "taken_at": _time(values["taken_at"], tz),
        "value_mgdl": values["value_mgdl"],
        "value_mmoll": _MMOLL.get(values["value_mgdl"]),
        "kind": values["kind"],
        "context": values["context"],
        "notes": values["notes"],
        "source": values["source"],
        "external_id": values["external_id"],
        "trend": values["direction"],
        "created_at": _time(values["created_at"], tz),
        "updated_at": _time(values["updated_at"], tz),
    }


# --- Deletion -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSummary:
    """What deleting the account removes, for the confirmation page."""

    readings: int
    physicians: int  # physicians with active access to the user's data
    patients: int  # for a physician: patients on their roster
    has_medical_profile: bool
    has_targets: bool
    has_upload_secret: bool
    api_tokens: int


def account_summary(*, user: User) -> AccountSummary:
    return AccountSummary(
        readings=Reading.objects.filter(owner=user).count(),
        physicians=RosterLink.objects.filter(patient=user, status=RosterLink.Status.ACTIVE).count(),
        patients=RosterLink.objects.filter(physician=user, status=RosterLink.Status.ACTIVE).count(),
        has_medical_profile=MedicalProfile.objects.filter(user=user).exists(),
        has_targets=Target.objects.filter(owner=user).exists(),
        has_upload_secret=UploadSecret.objects.filter(owner=user).exists(),
        api_tokens=Token.objects.filter(user=user).count(),
    )


def account_delete(*, user: User) -> None:
    """Delete ``user`` and everything the site holds about them; see the module docstring
    for the order and why. Idempotent: safe to run again after a crash part-way.

    Kept elsewhere, by design: access-log entries of a deleted *physician* stay in their
    patients' logs with the viewer's name as written then (the viewer link becomes empty).
    """
    with transaction.atomic():  # all or nothing on SQL; a no-op on MongoDB (see above)
        User.objects.filter(pk=user.pk).update(is_active=False, password=make_password(None))
        _delete_sessions(user)
        Token.objects.filter(user=user).delete()
        UploadSecret.objects.filter(owner=user).delete()
        RosterLink.objects.filter(patient=user).delete()
        RosterLink.objects.filter(physician=user).delete()
        AccessLogEntry.objects.filter(patient=user).delete()
        EmailAddress.objects.filter(user=user).delete()  # with their pending confirmations
        Reading.objects.filter(owner=user).delete()
        Target.objects.filter(owner=user).delete()
        MedicalProfile.objects.filter(user=user).delete()
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).delete()
        User.objects.filter(pk=user.pk).delete()


def _delete_sessions(user: User) -> None:
    """End the user's sessions on every device.

    Sessions do not record their user in a column, so each unexpired session is decoded:
    linear in the number of live sessions, acceptable for an action this rare. With a
    cache-only or cookie session engine there is nothing to enumerate; those sessions stop
    working anyway, because an inactive or deleted user never authenticates.
    """
    if settings.SESSION_ENGINE not in DB_SESSION_ENGINES:
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    live = Session.objects.filter(expire_date__gt=timezone.now())
    doomed = [
        session.session_key
        for session in live.iterator(chunk_size=500)
        if session.get_decoded().get(SESSION_KEY) == user_id
    ]
    for key in doomed:
        store(session_key=key).delete()
