"""Nightscout access tokens of a record: making, listing, revoking, finding; and the
short-lived JWTs a token is traded for (``/api/v2/authorization/request/<token>``).

A token reads ``<name>-<24 hex>`` like Nightscout's ``<name>-<16 hex>``: clients treat it as
an opaque string. Only SHA-256 of it is stored; the plain token is shown once. A JWT carries
the token's id and is refused as soon as the token is revoked (every use looks it up).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from integrations.models import AccessToken, TokenRole
from patients.models import Patient
from patients.selectors import self_login

JWT_LIFETIME = timedelta(hours=8)  # Nightscout's own JWTs live 8 hours
JWT_ALGORITHM = "HS256"
# last_used_at is written at most this often per token (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


def _jwt_key() -> bytes:
    # A key of its own, derived from SECRET_KEY, so a JWT is good for nothing else.
    return hashlib.sha256(f"bgt.nightscout.jwt:{settings.SECRET_KEY}".encode()).digest()


def access_token_create(*, patient: Patient, name: str, role: str) -> tuple[AccessToken, str]:
    """Make a named token with ``role`` (TokenRole); returns it and its text, shown once."""
    if role not in TokenRole.values:
        raise ValueError(f"Unknown role {role!r}")
    label = slugify(name)[:20] or "token"
    text = f"{label}-{secrets.token_hex(12)}"
    token = AccessToken.objects.create(
        patient=patient,
        name=name.strip()[:50],
        role=role,
        digest=AccessToken.digest_of(text),
        prefix=text[: len(label) + 5],
    )
    return token, text


def access_token_revoke(*, token: AccessToken) -> None:
    token.delete()


def access_tokens_of(*, patient: Patient) -> list[AccessToken]:
    return list(AccessToken.objects.filter(patient=patient).order_by("name", "created_at"))


def access_token_get(*, patient: Patient, token_id) -> AccessToken:
    """One of the record's tokens; raises AccessToken.DoesNotExist for any other."""
    return AccessToken.objects.get(patient=patient, pk=token_id)


_TOKEN_TEXT = re.compile(r"^[a-z0-9-]{1,60}-[0-9a-f]{16,64}$")


def access_token_find(*, text: str) -> AccessToken | None:
    """The token with this text, if it exists and its record's own login (if any) is active."""
    text = text.strip()
    if not _TOKEN_TEXT.match(text):
        return None
    token = (
        AccessToken.objects.select_related("patient")
        .filter(digest=AccessToken.digest_of(text))
        .first()
    )
    return token if token is not None and _usable(token.patient) else None


def _usable(patient: Patient) -> bool:
    login = self_login(patient=patient, include_inactive=True)
    return login is None or login.is_active


def access_token_touch(*, token: AccessToken) -> None:
    """Note the token's use (what the sharing page shows as "last used")."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def jwt_issue(*, token: AccessToken) -> dict:
    """A JWT for ``token``, as Nightscout's /api/v2/authorization/request answers it."""
    now = timezone.now()
    expires = now + JWT_LIFETIME
    payload = {
        "accessToken": str(token.pk),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return {
        "token": jwt.encode(payload, _jwt_key(), algorithm=JWT_ALGORITHM),
        "sub": token.name,
        "permissionGroups": [[f"role:{token.role}"]],
        "iat": payload["iat"],
        "exp": payload["exp"],
    }


def jwt_token(*, encoded: str) -> AccessToken | None:
    """The (unrevoked) token a valid, unexpired JWT was made from, else None."""
    try:
        payload = jwt.decode(
            encoded, _jwt_key(), algorithms=[JWT_ALGORITHM], options={"require": ["exp"]}
        )
    except jwt.PyJWTError:
        return None
    token_id = payload.get("accessToken")
    if not isinstance(token_id, str):
        return None
    try:
        token = AccessToken.objects.select_related("patient").filter(pk=token_id).first()
    except (ValueError, TypeError):
        return None
    return token if token is not None and _usable(token.patient) else None
