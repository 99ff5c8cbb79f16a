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

from readings import selectors

_SHA1_HEX = re.compile(r"^[0-9a-fA-F]{40}$")


def sha1_hex(secret: str) -> str:
    # SHA-1 is what the Nightscout protocol specifies; BGT stores only SHA-256 of it.
    return hashlib.sha1(secret.encode()).hexdigest()  # noqa: S324


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
        user = None
        if _SHA1_HEX.match(digest):
            user = selectors.upload_secret_owner(api_secret_sha1_hex=digest)
        if user is None:
            raise exceptions.AuthenticationFailed(
                "Wrong or revoked device upload secret. Make a new one on your Sharing page."
            )
        return user, "nightscout-secret"

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
