"""The client's address, as the one proxy setting says to read it.

``DJANGO_TRUSTED_PROXY_COUNT`` (settings.BGT_TRUSTED_PROXY_COUNT) is handed to allauth
(``ALLAUTH_TRUSTED_PROXY_COUNT``) and to DRF (``NUM_PROXIES``); this module asks allauth,
so the request log names the same address the rate limits count.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied


def client_address(request) -> str | None:
    """The address of the client that sent ``request``: the connection's, or the one the
    last trusted proxy put in X-Forwarded-For. None when it cannot be told (a header
    shorter than the proxy count says the request did not come through our proxies)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return None
