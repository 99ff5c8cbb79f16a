"""The record's device upload secret: making, revoking, and finding the record by it."""

from __future__ import annotations

import hashlib
import secrets

from accounts.models import User
from integrations.models import UploadSecret
from patients.models import Patient
from patients.selectors import self_login


def upload_secret_rotate(*, patient: Patient) -> str:
    """Make (or replace) the record's device upload secret and return it, once, in plain
    text. The previous secret stops working at once. 24 URL-safe characters (144 bits)."""
    secret = secrets.token_urlsafe(18)
    # SHA-1 is what the Nightscout protocol sends; it is hashed again before storage.
    digest = UploadSecret.digest_of(hashlib.sha1(secret.encode()).hexdigest())  # noqa: S324
    UploadSecret.objects.update_or_create(patient=patient, defaults={"digest": digest})
    return secret


def upload_secret_revoke(*, patient: Patient) -> None:
    UploadSecret.objects.filter(patient=patient).delete()


def upload_secret_of(*, patient: Patient) -> UploadSecret | None:
    """The record's secret (its creation time; the secret itself is never stored in clear)."""
    return UploadSecret.objects.filter(patient=patient).first()


def upload_secret_record(*, api_secret_sha1_hex: str) -> Patient | None:
    """The record whose device upload secret has this SHA-1 hex digest, else None. A record
    whose own login was deactivated (an account being deleted) answers to no secret."""
    found = upload_secret_holder(api_secret_sha1_hex=api_secret_sha1_hex)
    return found[0] if found is not None else None


def upload_secret_holder(*, api_secret_sha1_hex: str) -> tuple[Patient, User | None] | None:
    """upload_secret_record, with the record's own login (None when it has none): the two
    queries a request with the secret needs, and no more."""
    if not api_secret_sha1_hex:
        return None
    found = (
        UploadSecret.objects.select_related("patient")
        .filter(digest=UploadSecret.digest_of(api_secret_sha1_hex))
        .first()
    )
    if found is None:
        return None
    login = self_login(patient=found.patient, include_inactive=True)
    if login is not None and not login.is_active:
        return None
    return found.patient, login
