"""Request logging, and HEAD responses without a body.

Request logging: one structured line per request, never a medical value.

Logged: method, path (never the query string, which may carry a Nightscout ?token=; reset,
confirmation and invitation keys in the path are redacted), route name, status, duration,
the user's opaque id, the client's address (as the trusted proxy count says to read it),
and a request id also returned in the X-Request-ID header. Bodies, values and query
parameters are never logged.
"""

import logging
import time
import uuid

from bgt.logfilters import redacted_path
from core.client import client_address

logger = logging.getLogger("bgt.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": redacted_path(request),
                "route": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": str(user.pk) if user is not None and user.is_authenticated else None,
                "client": client_address(request),
            },
        )
        response["X-Request-ID"] = request_id
        return response


class HeadWithoutBodyMiddleware:
    """Answer HEAD with GET's headers and no body (RFC 9110 section 9.3.2).

    Django renders the body of a HEAD like a GET; runserver drops it, gunicorn drops it too
    but logs a warning for every such request (load balancers' health checks send HEAD).
    Content-Length stays the length of the body a GET would get.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            # e.g. the CSV export: its row generator is never started. Files are still
            # closed by the server calling response.close() as usual.
            response.streaming_content = []
        else:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response
