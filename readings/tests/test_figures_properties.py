"""Property tests for readings.figures streams (CLINICAL.md D1): deduplication and weighting."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from readings.figures import summarize
from readings.figures.cgm import cgm_figures
from readings.figures.streams import cgm_stream
from readings.tests import figures_data as fd

# Two days at 5 minutes, first reading at 00:02 UTC so a -30 s duplicate stays in its day.
BASE_E, BASE_V = fd.synthetic(days=2, cadence=5, seed=11, phase_s=120)
START, END = fd.START, fd.START + timedelta(days=2)
N = len(BASE_E)


def _summary(e, v, kinds, cadences, sources):
    return summarize(
        e, v, kinds, cadences, sources, [""] * len(e), tz="UTC", start=START, end=END,
        compare_previous=False,
    )  # fmt: skip


BASE = _summary(BASE_E, BASE_V, ["cgm"] * N, [5] * N, ["g6"] * N)
FAST = settings(max_examples=25, deadline=None)


@FAST
@given(
    picks=st.lists(st.integers(0, N - 1), min_size=1, max_size=60, unique=True),
    shift=st.sampled_from([-30, 30]),
)
def test_duplicates_shifted_by_30_seconds_change_no_cgm_figure(picks, shift):
    idx = np.asarray(picks)
    e = np.concatenate([BASE_E, BASE_E[idx] + shift])
    v = np.concatenate([BASE_V, BASE_V[idx]])
    n = len(e)
    sources = ["g6"] * N + ["clarity"] * len(idx)
    f = _summary(e, v, ["cgm"] * n, [5] * n, sources)
    assert f.cgm == BASE.cgm
    assert f.goals == BASE.goals
    assert f.sufficiency == BASE.sufficiency
    if shift > 0:  # the original is kept: nothing at all changes
        assert f.events == BASE.events and f.agp == BASE.agp and f.daily == BASE.daily
    else:  # the copy 30 s earlier is kept: same values, events count the same
        assert {k: s.total for k, s in f.events.items()} == {
            k: s.total for k, s in BASE.events.items()
        }


@FAST
@given(
    times=st.lists(st.integers(0, 2 * 86400 - 1), min_size=1, max_size=80),
    values=st.lists(st.integers(40, 400), min_size=80, max_size=80),
)
def test_scans_change_no_figure(times, values):
    t = int(START.timestamp()) + np.asarray(times, dtype=np.int64)
    sv = np.asarray(values[: len(t)], dtype=np.int64)
    e = np.concatenate([BASE_E, t])
    v = np.concatenate([BASE_V, sv])
    kinds = ["cgm"] * N + ["scan"] * len(t)
    f = _summary(e, v, kinds, [5] * N + [0] * len(t), ["g6"] * N + ["libre"] * len(t))
    assert f == BASE


@FAST
@given(
    hours_15=st.integers(1, 24),
    hours_5=st.integers(1, 24),
    value_15=st.integers(40, 400),
    value_5=st.integers(40, 400),
)
def test_15_and_5_minute_streams_weigh_by_time_3_to_1(hours_15, hours_5, value_15, value_5):
    """A 15-minute reading counts three times a 5-minute one: shares follow the hours."""
    t0 = int(START.timestamp())
    e15 = t0 + np.arange(hours_15 * 4) * 900
    e5 = t0 + hours_15 * 3600 + np.arange(hours_5 * 12) * 300  # after the 15-minute stream
    e = np.concatenate([e15, e5])
    v = np.array([value_15] * len(e15) + [value_5] * len(e5))
    kinds = np.array(["cgm"] * len(e))
    # Cadences unknown: inferred per source (15 and 5).
    sources = np.array(["libre"] * len(e15) + ["dexcom"] * len(e5))
    stream = cgm_stream(e, v, kinds, np.zeros(len(e), dtype=int), sources)
    assert stream.minutes == 60 * (hours_15 + hours_5)
    figures = cgm_figures(stream.values, stream.cadences)
    share_15 = 100 * hours_15 / (hours_15 + hours_5)
    expected_below_70 = share_15 * (value_15 < 70) + (100 - share_15) * (value_5 < 70)
    assert abs(figures.below_70 - expected_below_70) <= 0.005 + 1e-9
    expected_tight = share_15 * (70 <= value_15 <= 140) + (100 - share_15) * (70 <= value_5 <= 140)
    assert abs(figures.tight_range - expected_tight) <= 0.005 + 1e-9
    # Count-based, the 5-minute stream would weigh 3x per hour; the sum is exactly 100.
    b = figures.bands
    assert round(b.very_low + b.low + b.in_range + b.high + b.very_high, 2) == 100.0
