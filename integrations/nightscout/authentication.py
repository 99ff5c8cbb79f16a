"""The Nightscout device upload secret as a DRF authentication scheme.

Nightscout uploaders (xDrip+, Spike, ...) send the lowercase hex SHA-1 of the secret in an
``api-secret`` header; Nightscout clients may instead put the plain secret in ``?token=``
(BGT hashes it) or the SHA-1 in ``?secret=``, as Nightscout itself accepts. Only the
Nightscout endpoints use this scheme: a device secret can upload and read entries, nothing
else (it is not an API token).
"""

import hashlib
import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from accounts.models import User
from core.units import Unit
from integrations.nightscout.credentials import upload_secret_record
from patients.selectors import own_record, self_login

_SHA1_HEX = re.compile(r"^[0-9a-fA-F]{40}$")


def sha1_hex(secret: str) -> str:
    # SHA-1 is what the Nightscout protocol specifies; BGT stores only SHA-256 of it.
    return hashlib.sha1(secret.encode()).hexdigest()  # noqa: S324


class RecordDevice:
    """The principal of a request made with a record's device secret: a device acting for
    one record, not a person. ``request.user`` is this object on the Nightscout paths."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    pk = None

    def __init__(self, patient):
        self.patient = patient
        login = self_login(patient=patient)
        self.unit = login.unit if login else Unit.MGDL  # the record's own login's unit

    def __str__(self):
        return f"device of record {self.patient.pk}"


def record_of(request):
    """The record a Nightscout request acts on: the device secret's record, or the signed-in
    person's own record (token or session). HasNightscoutRecord has checked there is one."""
    user = request.user
    if isinstance(user, RecordDevice):
        return user.patient
    if not hasattr(request, "_nightscout_record"):
        request._nightscout_record = own_record(user=user)
    return request._nightscout_record


class HasNightscoutRecord(BasePermission):
    message = "Only patients have readings; this account has no health record of its own."

    def has_permission(self, request, view):
        return isinstance(request.user, User | RecordDevice) and record_of(request) is not None


class NightscoutSecretAuthentication(BaseAuthentication):
    """``api-secret: <sha1 hex>``, ``?secret=<sha1 hex>`` or ``?token=<secret>``.

    Present but wrong -> 401 at once (a revoked or rotated secret stops working on the
    next request: the lookup is by the stored digest, never cached). Absent -> None, so that
    a signed-in user (token or session) may read their own entries too.
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_API_SECRET")
        query_hash = request.query_params.get("secret")
        token = request.query_params.get("token")
        if header is not None:
            digest = header.strip()
        elif query_hash is not None:
            digest = query_hash.strip()
        elif token is not None:
            digest = sha1_hex(token.strip())
        else:
            return None
        patient = None
        if _SHA1_HEX.match(digest):
            patient = upload_secret_record(api_secret_sha1_hex=digest)
        if patient is None:
            raise exceptions.AuthenticationFailed(
                "Wrong or revoked device upload secret. Make a new one on your Sharing page."
            )
        return RecordDevice(patient), "nightscout-secret"

    def authenticate_header(self, request):
        return 'API-SECRET realm="nightscout"'


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
