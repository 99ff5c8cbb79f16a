"""core.ratelimit: hits per window, the previous window's weight, and no lock."""

import uuid

import pytest
from django.core.cache import cache

from core import ratelimit

MINUTE = 60 * 1_000_000.0  # a window boundary (a multiple of 60 s)


def who() -> str:
    return uuid.uuid4().hex  # each test its own counters in the shared cache


def test_the_limit_is_reached_within_a_window_and_refusals_keep_counting():
    me = who()
    hits = [ratelimit.allow(action="t", who=me, rates="3/m", now=MINUTE + s) for s in range(5)]
    assert hits == [True, True, True, False, False]
    # Another address has its own count.
    assert ratelimit.allow(action="t", who=who(), rates="3/m", now=MINUTE + 5)


def test_the_previous_window_counts_for_the_part_of_it_still_within_the_duration():
    me = who()
    for s in range(3):
        assert ratelimit.allow(action="t", who=me, rates="3/m", now=MINUTE + 50 + s)
    # 1 s into the next window: 1 + 3 x 59/60 > 3, refused (a fixed window would allow it).
    assert not ratelimit.allow(action="t", who=me, rates="3/m", now=MINUTE + 61)
    # 45 s in: that refusal + this hit = 2, plus 3 x 15/60 = 2.75 <= 3, allowed.
    assert ratelimit.allow(action="t", who=me, rates="3/m", now=MINUTE + 105)


def test_every_rate_of_several_applies_and_no_rate_is_no_limit():
    me = who()
    allowed = [
        ratelimit.allow(action="t", who=me, rates="5/m,2/s", now=MINUTE + 0.1 * n) for n in range(3)
    ]
    assert allowed == [True, True, False]
    assert all(ratelimit.allow(action="t", who=me, rates="", now=MINUTE) for _ in range(50))


def test_a_counter_lost_between_add_and_incr_starts_again(monkeypatch):
    me = who()
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)  # as if evicted at once
    assert ratelimit.allow(action="t", who=me, rates="1/m", now=MINUTE)
    monkeypatch.undo()
    assert not ratelimit.allow(action="t", who=me, rates="1/m", now=MINUTE + 1)


@pytest.mark.parametrize("rates", ["3/m/ip", "3/m"])
def test_allauths_per_field_is_accepted(rates):
    me = who()
    assert [ratelimit.allow(action="t", who=me, rates=rates, now=MINUTE) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
