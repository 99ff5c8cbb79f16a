"""DRF throttles counted by core.ratelimit (two counters a window, no list of times).

DRF's SimpleRateThrottle keeps the time of every request in one cache entry per client and
rewrites the whole list on each request: at a rate of 1,200 a minute that is a 10 kB pickle
read and written per request, and concurrent requests overwrite each other's. These count
the same rates (DEFAULT_THROTTLE_RATES, "1200/minute") per client ``ident`` instead.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from core import ratelimit


def allauth_rate(drf_rate: str | None) -> str | None:
    """DRF's "1200/minute" as core.ratelimit (allauth) writes it: "1200/m"."""
    if not drf_rate:
        return None
    amount, period = drf_rate.split("/")
    return f"{int(amount)}/{period.strip()[0]}"  # s, m, h, d


class CounterRateThrottle(BaseThrottle):
    """A throttle of ``scope`` (a DEFAULT_THROTTLE_RATES key) per ``ident(request)``;
    subclasses say who the client is. ``ident`` None: not throttled by this class."""

    scope = "user"

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        who = self.ident(request)
        if who is None:
            return True
        rate = allauth_rate(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))
        return ratelimit.allow(action=f"throttle-{self.scope}", who=who, rates=rate)

    def wait(self):
        return None
