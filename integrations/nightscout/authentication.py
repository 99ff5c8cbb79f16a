"""Nightscout credentials as a DRF authentication scheme: the record's API secret (full
access) and its access tokens (a role each), and the role check on every Nightscout path.

Nightscout uploaders (xDrip+, Spike, ...) send the lowercase hex SHA-1 of the secret in an
``api-secret`` header; Nightscout clients may instead put the plain secret or an access
token in ``?token=``, or the SHA-1 in ``?secret=``, as Nightscout itself accepts. Only the
Nightscout endpoints use this scheme (it is not a BGT API token).
"""

import hashlib
import re

from allauth.core.internal.ratelimit import get_ip
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import User
from core import ratelimit
from core.api.throttling import CounterRateThrottle
from core.units import Unit
from integrations.models import TokenRole
from integrations.nightscout import tokens
from integrations.nightscout.credentials import upload_secret_holder
from patients.selectors import own_record, self_login

# ACCOUNT_RATE_LIMITS key: every Nightscout credential check, per client address.
RATE_LIMIT_ACTION = "nightscout_credential"

_SHA1_HEX = re.compile(r"^[0-9a-fA-F]{40}$")


def sha1_hex(secret: str) -> str:
    # SHA-1 is what the Nightscout protocol specifies; BGT stores only SHA-256 of it.
    return hashlib.sha1(secret.encode()).hexdigest()  # noqa: S324


_UNKNOWN = object()  # RecordDevice's login when the caller has not looked it up


class RecordDevice:
    """The principal of a request made with a record's API secret or one of its access
    tokens: a device or follower acting for one record, not a person. ``request.user`` is
    this object on the Nightscout paths; ``role`` says what it may do (TokenRole)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    pk = None

    def __init__(self, patient, role: str = TokenRole.FULL, token=None, *, login=_UNKNOWN):
        self.patient = patient
        self.role = role
        self.token = token
        if login is _UNKNOWN:
            login = self_login(patient=patient)
        self.unit = login.unit if login else Unit.MGDL  # the record's own login's unit

    def __str__(self):
        return f"device of record {self.patient.pk}"


def record_of(request):
    """The record a Nightscout request acts on: the credential's record, or the signed-in
    person's own record (token or session). HasNightscoutRecord has checked there is one."""
    user = request.user
    if isinstance(user, RecordDevice):
        return user.patient
    if not hasattr(request, "_nightscout_record"):
        request._nightscout_record = own_record(user=user)
    return request._nightscout_record


def role_of(request) -> str:
    """The request's role: a token's, else full (the API secret, the record's own login)."""
    user = request.user
    return user.role if isinstance(user, RecordDevice) else TokenRole.FULL


class HasNightscoutRecord(BasePermission):
    message = "Only patients have readings; this account has no health record of its own."

    def has_permission(self, request, view):
        return isinstance(request.user, User | RecordDevice) and record_of(request) is not None


class RoleAllows(BasePermission):
    """readable: reads only; upload: reads, adds and changes, never deletes; full: all."""

    message = "This access token may not do that (its role is too narrow)."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        role = role_of(request)
        if role == TokenRole.READABLE:
            return False
        return role == TokenRole.FULL or request.method != "DELETE"


def count_credential_check(request) -> None:
    """Every credential check counts against the client's address (allauth's reading of
    it, so ALLAUTH_TRUSTED_PROXY_COUNT applies), GETs too: followers only GET. Counted by
    core.ratelimit, not allauth's limiter, which serialises every request of an address
    behind one cache lock."""
    allowed = ratelimit.allow(
        action=RATE_LIMIT_ACTION,
        who=get_ip(request._request),
        rates=settings.ACCOUNT_RATE_LIMITS.get(RATE_LIMIT_ACTION),
    )
    if not allowed:
        raise exceptions.Throttled(detail="Too many credential checks from this address.")


class NightscoutThrottle(CounterRateThrottle):
    """The API's throttle on the Nightscout paths: a record's credential (its device or
    follower) counts per record at the user rate, a signed-in person per login (anyone else
    is refused by the permissions, which DRF checks first). DRF's UserRateThrottle counted
    every record's devices as one client: their principal has no pk."""

    def ident(self, request) -> str | None:
        user = request.user
        if isinstance(user, RecordDevice):
            return f"record:{user.patient.pk}"
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return None


class NightscoutSecretAuthentication(BaseAuthentication):
    """The record's API secret or one of its access tokens, as Nightscout clients send them:

    - ``api-secret: <sha1 hex of the secret>`` (``?secret=`` too);
    - ``api-secret: token=<access token>`` (py-nightscout);
    - ``?token=<access token>``, or ``?token=<the secret itself>`` (BGT hashes it);
    - ``Authorization: Bearer <JWT>`` from /api/v2/authorization/request/<token>.

    Present but wrong -> 401 at once (a revoked token or rotated secret stops working on
    the next request: every lookup is by the stored digest, never cached). Absent -> None,
    so that a signed-in user (token or session) may use their own record too.
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_API_SECRET")
        query_hash = request.query_params.get("secret")
        token = request.query_params.get("token")
        bearer = request.META.get("HTTP_AUTHORIZATION", "")
        if header is None and query_hash is None and token is None:
            if not bearer.startswith("Bearer "):
                return None
        count_credential_check(request)
        if header is not None and header.strip().startswith("token="):
            token, header = header.strip()[len("token=") :], None
        principal = None
        if header is not None or query_hash is not None:
            principal = _secret_principal((header if header is not None else query_hash).strip())
        elif token is not None:
            principal = _token_principal(token.strip())
        else:
            found = tokens.jwt_token(encoded=bearer[len("Bearer ") :].strip())
            principal = _principal_of_token(found)
        if principal is None:
            raise exceptions.AuthenticationFailed(
                "Wrong or revoked device upload secret, or access token. Make a new one on "
                "your Sharing page."
            )
        return principal, "nightscout"

    def authenticate_header(self, request):
        return 'API-SECRET realm="nightscout"'


def _secret_principal(digest: str) -> RecordDevice | None:
    if not _SHA1_HEX.match(digest):
        return None
    found = upload_secret_holder(api_secret_sha1_hex=digest)
    if found is None:
        return None
    patient, login = found
    return RecordDevice(patient, login=login)


def _token_principal(text: str) -> RecordDevice | None:
    """An access token, else the API secret itself (Nightscout takes both in token=)."""
    found = tokens.access_token_find(text=text)
    if found is not None:
        return _principal_of_token(found)
    return _secret_principal(sha1_hex(text))


def _principal_of_token(found) -> RecordDevice | None:
    if found is None:
        return None
    tokens.access_token_touch(token=found)
    return RecordDevice(found.patient, role=found.role, token=found)


class NightscoutSecretScheme(OpenApiAuthenticationExtension):
    target_class = NightscoutSecretAuthentication
    name = ["nightscoutApiSecret", "nightscoutSecret", "nightscoutToken"]

    def get_security_requirement(self, auto_schema):
        # Any one suffices (OR), unlike the default AND of several names.
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "api-secret",
                "description": "Lowercase hex SHA-1 of the patient's device upload secret "
                "(made on the Sharing page), as Nightscout uploaders send it.",
            },
            {
                "type": "apiKey",
                "in": "query",
                "name": "secret",
                "description": "The same SHA-1 hex in the query string (Nightscout accepts it).",
            },
            {
                "type": "apiKey",
                "in": "query",
                "name": "token",
                "description": "The device upload secret itself (BGT hashes it).",
            },
        ]
