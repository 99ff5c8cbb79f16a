"""The latest entries of a record, kept in the serving process (as Nightscout keeps its
latest day in memory), for the requests followers repeat every minute or so:
``sgv.json?count=288``, ``entries.json``, ``current.json`` -- entries queries without a
``find``.

Kept per (record, type, count, time zone) with the record's change counter
(readings.selectors.readings_version), which every write service bumps after it writes.
The counter lives in the database, so a write through any gunicorn worker (or host) is
seen by every other at its next request: each request reads the counter (one small row),
and only when it is the one kept are the readings not read again. The counter is read
*before* the readings, so kept entries are never older than the counter they are kept
with. Without a date filter the query looks back DEFAULT_WINDOW from now; as the clock
moves, the kept entries stay the answer until the oldest reading read (of count + 1)
falls out of that window, and are then read again.

The answer is kept as JSON, and gzipped the first time a client that accepts gzip asks:
rendering and compressing 288 entries cost more than everything else of the request. The
entries hold nothing secret, so the compressed body needs no BREACH padding (see
core.compression).
"""

from __future__ import annotations

import gzip
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from rest_framework.renderers import JSONRenderer

from integrations.nightscout.entries import (
    DEFAULT_WINDOW,
    count_of,
    entries_queryset,
)
from integrations.nightscout.entry_rows import entries_of, entry_rows
from readings import selectors

SIZE = 512  # kept answers per process (64 kB of JSON each for count=288)
MAX_BYTES = 32 * 1024 * 1024  # and their JSON at most this much (count=10000: ~1.3 MB)


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@dataclass
class Answer:
    """Kept entries as JSON (as DRF's JSONRenderer writes them), and gzipped once asked."""

    version: str
    oldest: int | None  # the oldest reading read (epoch seconds); None: none in the window
    json: bytes
    gzipped: bytes | None = field(default=None, repr=False)

    def response(self, request) -> HttpResponse:
        if not _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(self.json, content_type="application/json")
        else:
            if self.gzipped is None:
                self.gzipped = gzip.compress(self.json, compresslevel=6, mtime=0)  # ~1/6 of it
            response = HttpResponse(self.gzipped, content_type="application/json")
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


_kept: OrderedDict[tuple, Answer] = OrderedDict()
_kept_bytes = [0]  # the JSON of _kept, in bytes
_lock = threading.Lock()


def is_latest_query(query_params) -> bool:
    """Whether an entries query is only ``count`` (and credentials): no ``find``."""
    return not any(key.startswith("find") for key in query_params)


def entries_latest(*, patient, query_params, entry_type: str | None = None) -> Answer:
    """The record's newest entries (entry_type: "sgv", "mbg" or None for both) from the
    last DEFAULT_WINDOW, as entries_of shapes them; ``query_params`` has no ``find``."""
    count = count_of(query_params)
    key = (patient.pk, entry_type, count, patient.timezone)
    version = selectors.readings_version(patient=patient)
    with _lock:
        kept = _kept.get(key)
    if kept is not None and kept.version == version:
        if kept.oldest is None or kept.oldest >= (timezone.now() - DEFAULT_WINDOW).timestamp():
            with _lock:
                if key in _kept:
                    _kept.move_to_end(key)
            return kept
    readings = entries_queryset(patient=patient, query_params=query_params, entry_type=entry_type)
    rows = entry_rows(readings)
    entries = entries_of(rows, patient.tzinfo, count=count)
    answer = Answer(version, rows[-1].epoch if rows else None, JSONRenderer().render(entries))
    with _lock:
        replaced = _kept.pop(key, None)
        if replaced is not None:
            _kept_bytes[0] -= len(replaced.json)
        _kept[key] = answer
        _kept_bytes[0] += len(answer.json)
        while len(_kept) > SIZE or _kept_bytes[0] > MAX_BYTES:
            _kept_bytes[0] -= len(_kept.popitem(last=False)[1].json)
    return answer


def forget() -> None:
    """Drop everything kept (tests)."""
    with _lock:
        _kept.clear()
        _kept_bytes[0] = 0
