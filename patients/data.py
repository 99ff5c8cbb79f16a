"""A login's own data: everything the site holds about it as one JSON file, and deleting the
login with all of it (DESIGN.md section 1). Both are driven by the personal-data registry
(core.personal_data), so a model registered there cannot be left out of either.

``account_data_export`` is a selector: it reads only what the acting login may see. It
streams, so a record with years of CGM readings (100,000+) costs flat memory. It holds:

- ``account``: the login (names, unit, roles, dates, email addresses) and every
  login-owned registered model (API tokens, clinic memberships, grants held, views of
  other records);
- ``records``: each record the login looks after (its own, and as a caregiver), marked with
  the login's role, with every record-owned registered model (the record, its grants and
  access log, targets, device secret, readings last).

Credentials (secret fields) appear only as "exists" with their dates; a physician's MRN
only on the record's side.

``account_delete`` is a service designed for MongoDB too, where Django has no transactions
and no database cascades (Django's deletion collector cascades in Python). The order is:

1. deactivate the login and make its password unusable (one write to one document): from
   here on nobody can sign in with it, its API token stops working, and its own record's
   device secret answers no more (both check ``is_active``);
2. delete the login's sessions, then every record it alone looks after (each record-owned
   registered model, then the record), then every login-owned registered model, then the
   admin history about the account;
3. delete the login row last, through Django's collector, which also removes anything
   another app adds later with a foreign key to the user.

A crash part-way leaves a login that cannot sign in and records nobody else sees, never one
that looks alive with data missing; every step deletes "what is left", so running
``account_delete`` again (or deleting the user in Django admin) finishes the job. On SQLite
the whole is one transaction.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
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

from accounts import roles
from accounts.models import User
from core.personal_data import Entry, Owner, entries
from patients.models import Patient, PatientAccess

EXPORT_FORMAT = "bgt-account-data"
EXPORT_VERSION = 2
STREAM_CHUNK_SIZE = 2000
DB_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)
# Grants through which a login looks after a record: their records are in its export, and
# deleted with it when it is the last one looking after them.
KEEPER_ROLES = (PatientAccess.Role.SELF, PatientAccess.Role.CAREGIVER)


# --- Export ---------------------------------------------------------------------------------


def account_data_export(*, user: User, now: dt.datetime | None = None) -> Iterator[str]:
    """Everything the site holds about ``user`` and the records they look after, as JSON
    text in chunks. Times are ISO 8601 (UTC); glucose is whole mg/dL as stored."""
    head = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _value(now or timezone.now()),
        "account": {**_account(user), **_sections(Owner.LOGIN, user)},
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    yield text[: -len("\n}")] + ',\n  "records": ['
    for index, grant in enumerate(_kept_records(user)):
        yield from _record(grant, first=index == 0)
    yield "\n  ]\n}\n"


def _account(user: User) -> dict:
    return {
        "id": str(user.pk),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "unit": user.unit,
        "roles": sorted(roles.role_names(user)),
        "date_joined": _value(user.date_joined),
        "last_login": _value(user.last_login),
    }


def _kept_records(user: User) -> list[PatientAccess]:
    return list(
        PatientAccess.objects.filter(
            user=user, role__in=KEEPER_ROLES, status=PatientAccess.Status.ACTIVE
        )
        .select_related("patient")
        .order_by("created_at")
    )


def _record(grant: PatientAccess, *, first: bool) -> Iterator[str]:
    """One record as a JSON object: the login's role, the small sections, the streamed ones
    (readings) last, so memory stays flat."""
    patient = grant.patient
    head = {"your_role": grant.role, **_sections(Owner.RECORD, patient, streamed=False)}
    text = json.dumps(head, ensure_ascii=False, indent=2).replace("\n", "\n    ")
    yield ("\n    " if first else ",\n    ") + text[: -len("\n    }")]
    for entry in entries(owner=Owner.RECORD):
        if entry.stream:
            yield from _streamed_section(entry, patient)
    yield "\n    }"


def _sections(owner: Owner, obj, *, streamed: bool = False) -> dict:
    sections = {}
    for entry in entries(owner=owner):
        if entry.stream and not streamed:
            continue
        rows = _rows(entry, obj)
        sections[entry.section] = rows[0] if entry.owner_field == "pk" else rows
    return sections


def _rows_queryset(entry: Entry, obj):
    owner = obj.pk if entry.owner_field == "pk" else obj
    return entry.model.objects.filter(**{entry.owner_field: owner}).order_by(entry.order_by)


def _exported(entry: Entry, obj):
    rows = _rows_queryset(entry, obj)
    return rows.exclude(**dict(entry.export_exclude)) if entry.export_exclude else rows


def _rows(entry: Entry, obj) -> list[dict]:
    return [_row(entry, row) for row in _exported(entry, obj)]


def _streamed_section(entry: Entry, patient: Patient) -> Iterator[str]:
    names = _field_names(entry)
    rows = _exported(entry, patient).values_list(*names).iterator(chunk_size=STREAM_CHUNK_SIZE)
    yield f',\n      "{entry.section}": ['
    separator, chunk = "\n        ", []
    for values in rows:
        row = {name: _value(value) for name, value in zip(names, values, strict=True)}
        chunk.append(separator + json.dumps(row, ensure_ascii=False))
        separator = ",\n        "
        if len(chunk) == STREAM_CHUNK_SIZE:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + ("\n      ]" if separator != "\n        " else "]")


def _field_names(entry: Entry) -> list[str]:
    """Every concrete field, foreign keys as their ids, except the owner's own key."""
    names = []
    for field in entry.model._meta.concrete_fields:
        if field.name == entry.owner_field:
            continue
        names.append(field.attname)
    return names


def _row(entry: Entry, obj) -> dict:
    """A row of a section. Secret fields are left out (the row says it exists), and so are
    medical fields in a login's sections: a physician's grants held carry no MRN, which
    belongs to the record's side."""
    hidden = set(entry.secret_fields)
    if entry.owner == Owner.LOGIN:
        hidden |= set(entry.medical_fields)
    row = {}
    for name in _field_names(entry):
        if name in hidden:
            continue
        row[name] = _value(getattr(obj, name))
    if entry.secret_fields:
        row["exists"] = True
    return row


def _value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # e.g. an ObjectId key of a third-party model on MongoDB


# --- Deletion -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSummary:
    """What deleting the login removes, for the confirmation page."""

    records: list[Patient]  # the records deleted with it (nobody else looks after them)
    kept_records: list[Patient]  # records that stay (someone else looks after them too)
    counts: dict[str, int]  # rows per registry section in the deleted records and the login
    physicians: int  # physicians with active access to the deleted records
    patients: int  # for a physician: records on their roster


def records_deleted_with(user: User) -> tuple[list[Patient], list[Patient]]:
    """The records ``user`` looks after, split into those only they look after (deleted
    with the login) and those someone else also looks after (kept)."""
    doomed, kept = [], []
    for grant in _kept_records(user):
        others = (
            PatientAccess.objects.filter(
                patient=grant.patient_id,
                role__in=KEEPER_ROLES,
                status=PatientAccess.Status.ACTIVE,
            )
            .exclude(user=user)
            .exists()
        )
        (kept if others else doomed).append(grant.patient)
    return doomed, kept


def account_summary(*, user: User) -> AccountSummary:
    doomed, kept = records_deleted_with(user)
    ids = [patient.pk for patient in doomed]
    counts: dict[str, int] = {}
    for entry in entries(owner=Owner.RECORD):
        if entry.owner_field != "pk" and ids:
            found = entry.model.objects.filter(**{f"{entry.owner_field}__in": ids}).count()
            counts[entry.section] = counts.get(entry.section, 0) + found
    for entry in entries(owner=Owner.LOGIN):
        if entry.delete:
            counts[entry.section] = _rows_queryset(entry, user).count()
    active_physicians = PatientAccess.objects.filter(
        role=PatientAccess.Role.PHYSICIAN, status=PatientAccess.Status.ACTIVE
    )
    return AccountSummary(
        records=doomed,
        kept_records=kept,
        counts=counts,
        physicians=active_physicians.filter(patient__in=ids).count() if ids else 0,
        patients=active_physicians.filter(user=user).count(),
    )


def record_delete(*, patient: Patient) -> None:
    """Delete a record and everything registered as its data; idempotent.

    The grants go last, with the record row itself: they are how a retry after a crash
    part-way (MongoDB has no transactions) finds the record again through the login that
    was deleting it."""
    with transaction.atomic():
        for entry in reversed(entries(owner=Owner.RECORD)):
            if entry.owner_field != "pk" and entry.delete and entry.model is not PatientAccess:
                _rows_queryset(entry, patient).delete()
        Patient.objects.filter(pk=patient.pk).delete()  # its grants cascade with it


def account_delete(*, user: User) -> None:
    """Delete ``user``, the records only they look after, and everything registered as
    their data; see the module docstring for the order and why. Idempotent: safe to run
    again after a crash part-way.

    Kept elsewhere, by design: access-log entries of a deleted viewer stay in the records'
    logs with the viewer's name as written then (the viewer link becomes empty), and the
    records someone else also looks after (only this login's grant on them goes).
    """
    with transaction.atomic():  # all or nothing on SQL; a no-op on MongoDB (see above)
        User.objects.filter(pk=user.pk).update(is_active=False, password=make_password(None))
        _delete_sessions(user)
        doomed, _kept = records_deleted_with(user)
        for patient in doomed:
            record_delete(patient=patient)
        for entry in reversed(entries(owner=Owner.LOGIN)):
            if entry.delete:
                _rows_queryset(entry, user).delete()
        EmailAddress.objects.filter(user=user).delete()  # with their pending confirmations
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
