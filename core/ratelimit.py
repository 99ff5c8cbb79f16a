"""A rate limit counted in the cache with two counters a window and no lock.

allauth's limiter (allauth.core.internal.ratelimit) keeps the time of every hit in one
cache entry per address and rewrites it under a cache lock: every request from one
address waits for that lock (sleeping 10-100 ms when it is taken) and pickles the whole
list, so 20 uploaders behind one address spend their time queueing for it, the more so
the higher the limit. Here each window of the rate's duration has its own counter (one
atomic ``add`` + ``incr``; atomic on Redis and Memcached, a read and a write on the file
cache), and a hit is allowed while the estimate of the hits in the last duration -- this
window's count plus the previous window's, weighted by how much of it still lies within
the last duration (Cloudflare's sliding-window counter) -- stays within the limit. The
rate is written as allauth's ("300/m/ip"), so one setting syntax serves both.
"""

from __future__ import annotations

import functools
import time

from allauth.core.internal.ratelimit import Rate, parse_rates
from django.core.cache import cache


@functools.lru_cache(maxsize=32)
def _rates(text: str) -> tuple[Rate, ...]:
    return tuple(parse_rates(text))


def allow(*, action: str, who: str, rates: str | None, now: float | None = None) -> bool:
    """Count one hit of ``action`` by ``who`` (e.g. a client address); False when it is over
    any of ``rates`` (allauth's syntax, "300/m" or "300/m/ip,2000/h"; empty: no limit). A
    refused hit is counted too, so that an address that keeps trying stays refused."""
    if not rates:
        return True
    now = time.time() if now is None else now
    allowed = True
    for rate in _rates(rates):
        window, into = divmod(now, rate.duration)
        key = f"bgt:rl:{action}:{rate.amount}/{rate.duration}:{who}"
        current = f"{key}:{int(window)}"
        # Two durations and a little: the next window still reads this one as its previous.
        cache.add(current, 0, timeout=int(2 * rate.duration) + 5)
        try:
            count = cache.incr(current)
        except ValueError:  # expired between add and incr (or evicted)
            cache.set(current, 1, timeout=int(2 * rate.duration) + 5)
            count = 1
        previous = cache.get(f"{key}:{int(window) - 1}", 0)
        estimate = count + previous * (1 - into / rate.duration)
        allowed = allowed and estimate <= rate.amount
    return allowed
