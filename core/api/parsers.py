"""Request bodies: JSON only, bounded in size, optionally gzip/deflate-encoded.

DRF's own JSONParser reads the whole stream without any limit (Django's
DATA_UPLOAD_MAX_MEMORY_SIZE only guards ``request.body``), so this parser enforces one, on
the bytes received and again on the decompressed bytes: a few kilobytes of gzip can expand
to gigabytes (a decompression bomb), and decompression stops as soon as the cap is passed.
"""

from __future__ import annotations

import io
import json
import zlib

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

# Content codings this API decodes; advertised to uploaders with Accept-Encoding (RFC 7694).
SUPPORTED_ENCODINGS = ("gzip", "deflate")
_READ_CHUNK = 64 * 1024


def max_body_bytes() -> int:
    """The largest request body accepted, before and after decompression (bytes)."""
    return settings.BGT_API_MAX_BODY_BYTES


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, limit: int | None = None):
        limit = limit or max_body_bytes()
        super().__init__(
            _("The request body is larger than %(mb)s MB; send fewer readings per request.")
            % {"mb": f"{limit / 1_000_000:g}"}
        )


class UnsupportedEncoding(APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_code = "unsupported_encoding"


def _read_limited(stream, limit: int) -> bytes:
    """At most ``limit`` bytes from ``stream``; PayloadTooLarge if there are more."""
    buffer = io.BytesIO()
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - buffer.tell()))
        if not chunk:
            break
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise PayloadTooLarge(limit)
    return buffer.getvalue()


def decompress_limited(data: bytes, encoding: str, limit: int) -> bytes:
    """Decode a gzip or deflate body, refusing to produce more than ``limit`` bytes.

    Concatenated gzip members (allowed by RFC 1952) are decoded one after another.
    """
    # 16 + MAX_WBITS: gzip header; 47 (32 + 15): zlib or gzip header, auto-detected, which
    # also accepts raw zlib streams that many clients send as "deflate".
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else 32 + zlib.MAX_WBITS
    output = io.BytesIO()
    remaining = data
    try:
        while remaining:
            decoder = zlib.decompressobj(wbits)
            chunk = decoder.decompress(remaining, limit + 1 - output.tell())
            output.write(chunk)
            if output.tell() > limit or decoder.unconsumed_tail:
                raise PayloadTooLarge(limit)
            if not decoder.eof:
                raise ParseError(_("The %(encoding)s body is truncated.") % {"encoding": encoding})
            remaining = decoder.unused_data
    except zlib.error:
        raise ParseError(
            _("The body is not valid %(encoding)s data.") % {"encoding": encoding}
        ) from None
    return output.getvalue()


def request_body_bytes(request, stream) -> bytes:
    """The request body from ``stream``, size-checked and decoded per Content-Encoding."""
    limit = max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(limit)  # refuse before reading a byte
    raw = _read_limited(stream, limit)
    encoding = request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding == "x-gzip":
        encoding = "gzip"
    if encoding not in SUPPORTED_ENCODINGS:
        raise UnsupportedEncoding(
            _("Content-Encoding “%(encoding)s” is not supported; send gzip, deflate or none.")
            % {"encoding": encoding}
        )
    return decompress_limited(raw, encoding, limit)


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class BoundedJSONParser(parsers.JSONParser):
    """application/json, at most BGT_API_MAX_BODY_BYTES, gzip or deflate encoded or not."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        body = request_body_bytes(request, stream)
        charset = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = body.decode(charset)
            # Strict JSON: NaN and Infinity are not numbers a client may send.
            return json.loads(text, parse_constant=_refuse_constant)
        except UnicodeDecodeError:
            raise ParseError(
                _("The body is not valid %(charset)s text.") % {"charset": charset}
            ) from None
        except ValueError as exc:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None


def accept_chunked_body(request) -> None:
    """Make a chunked request body (no Content-Length) readable by Django and DRF.

    xDrip+ gzips uploads with an unknown length, so they arrive with
    ``Transfer-Encoding: chunked``. A WSGI server that de-chunks the body (gunicorn, uWSGI)
    says so with ``wsgi.input_terminated``; Django would still read 0 bytes because there is
    no Content-Length. Read it here, bounded, and present it with its length.
    """
    meta = request.META
    if meta.get("CONTENT_LENGTH") or not meta.get("wsgi.input_terminated"):
        return
    if "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    body = _read_limited(meta["wsgi.input"], max_body_bytes())
    meta["CONTENT_LENGTH"] = str(len(body))
    request._stream = LimitedStream(io.BytesIO(body), len(body))
    request._read_started = False
