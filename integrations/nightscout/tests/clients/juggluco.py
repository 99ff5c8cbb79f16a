"""Juggluco's Nightscout v1 upload, as its source builds it.

j-kaltes/Juggluco ``Common/src/main/cpp/net/watchserver/uploader.cpp`` (commit 00f5e155):
``mkuploaditem`` writes each reading with one sprintf (line ~150), and ``uploadCGM`` sends up
to ``maxitems=10440`` of them in one JSON array to ``<site>/api/v1/entries`` with the SHA-1
of the secret (``makeuploadsecret``), retrying the whole array until it gets HTTP 200.
"""

from datetime import datetime, timedelta

MAX_ITEMS = 10_440  # uploader.cpp: constexpr const int maxitems=10440


def juggluco_item(moment: datetime, mgdl: int, sensor: str = "REDACTED") -> str:
    """One item, byte for byte as mkuploaditem's format string makes it (delta %.3f)."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")
    millis = int(moment.timestamp()) * 1000
    return (
        f'{{"type":"sgv","device":"{sensor}","dateString":"{stamp}","date":{millis},'
        f'"sgv":{mgdl},"delta":{0.0:.3f},"direction":"Flat","noise":1,'
        f'"filtered":{mgdl * 1000},"unfiltered":{mgdl * 1000},"rssi":100}}'
    )


def juggluco_batch(end: datetime, count: int = MAX_ITEMS) -> bytes:
    """``count`` one-minute Libre readings ending at ``end`` (oldest first), as one body."""
    items = [
        juggluco_item(end - timedelta(minutes=count - 1 - n), 80 + (n * 7) % 140)
        for n in range(count)
    ]
    return ("[" + ",".join(items) + "]").encode()
