"""Secrets out of the logs: one filter on the log handler, for every logger.

Some URLs carry a credential: password-reset and email-confirmation links (allauth's
``key`` and ``uidb36``), invitation links (``token``), and Nightscout uploaders that send
the device secret as ``?token=``. Django's own loggers (``django.request`` on every 4xx and
5xx, ``django.security``) put the request on the log record, whose text is the full path
with its query string; the JSON formatter would write it out. This filter replaces the
request by its method and a redacted path (no query string at all), and redacts the path
in the message's arguments too.
"""

from __future__ import annotations

import logging

from django.urls import Resolver404, resolve

# URL keyword arguments that are credentials (allauth's reset and confirmation keys, the
# uid half of a reset link, invitation tokens).
SECRET_URL_KWARGS = frozenset({"key", "uidb36", "token", "secret"})
REDACTED = "REDACTED"


def redacted_path(request) -> str:
    """``request.path`` with every credential in it replaced by REDACTED (never the query
    string: callers log only the path)."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return path
    for name, value in match.kwargs.items():
        if name in SECRET_URL_KWARGS and value:
            path = path.replace(str(value), REDACTED)
    return path


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            path = redacted_path(request)
            if isinstance(record.args, tuple):
                record.args = tuple(path if arg == request.path else arg for arg in record.args)
            record.request = f"{request.method} {path}"
        return True
