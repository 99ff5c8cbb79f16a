"""readings.figures against iglu-python 0.4.3, the oracle (CLINICAL.md D1-D5, D8, D9).

Each case feeds iglu the single-cadence stream the figures should reduce to (known by
construction, never taken from the code under test) and compares to 0.01. iglu gets naive
UTC times and the module's local zone is pinned to UTC, so the machine's zone never enters
(iglu-python falls back to tzlocal for naive times). Cases: iglu's own example data,
14 days at 5 and 15 minutes, a 2-day gap, scattered 20-40 minute gaps, Libre 15-minute
history plus scans, two sources a few seconds apart, and a week across the Europe/Berlin
spring DST change, computed in UTC.
"""

from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from readings.figures import summarize
from readings.tests import figures_data as fd

iglu = pytest.importorskip("iglu_python")

TOL = 0.01 + 1e-9
EVENT_ROWS = {
    ("hypo", "lv1"): "lv1_hypo",
    ("hypo", "lv2"): "lv2_hypo",
    ("hypo", "extended"): "extended_hypo",
    ("hyper", "lv1"): "lv1_hyper",
    ("hyper", "lv2"): "lv2_hyper",
    ("hypo", "lv1_excl"): "lv1_excl_hypo",
    ("hyper", "lv1_excl"): "lv1_excl_hyper",
}


def _case(name):
    """(our arrays, the stream iglu should see, cadence): built by hand for each case."""
    if name == "iglu_example":
        e, v = fd.iglu_example()
        return (e, v, ["cgm"] * len(e), [0] * len(e), ["dexcom"] * len(e)), (e, v), 5
    if name == "dexcom_5min":
        e, v = fd.synthetic(cadence=5, seed=1)
        return (e, v, ["cgm"] * len(e), [5] * len(e), ["g6"] * len(e)), (e, v), 5
    if name == "libre_15min":
        e, v = fd.synthetic(cadence=15, seed=3)
        return (e, v, ["cgm"] * len(e), [15] * len(e), ["libre"] * len(e)), (e, v), 15
    if name == "two_day_gap":
        e, v = fd.synthetic(cadence=5, seed=4)
        t0 = int(fd.START.timestamp())
        e, v = fd.drop_span(e, v, t0 + 5 * 86400 + 3600, t0 + 7 * 86400 + 3600)
        return (e, v, ["cgm"] * len(e), [5] * len(e), ["g6"] * len(e)), (e, v), 5
    if name == "scattered_gaps":
        e, v = fd.scattered_gaps(*fd.synthetic(cadence=5, seed=5))
        return (e, v, ["cgm"] * len(e), [0] * len(e), ["ns"] * len(e)), (e, v), 5
    if name == "libre_with_scans":
        e, v = fd.synthetic(cadence=15, seed=6)
        # A user who scans 4 times per history slot whenever below 90 mg/dL.
        low = np.flatnonzero(v < 90)
        se = np.concatenate([e[low] + k * 180 + 30 for k in range(4)])
        sv = np.concatenate([np.clip(v[low] - 5 * k, 40, None) for k in range(4)])
        kinds = ["cgm"] * len(e) + ["scan"] * len(se)
        arrays = (np.concatenate([e, se]), np.concatenate([v, sv]), kinds, [15] * len(kinds),
                  ["libreview"] * len(kinds))  # fmt: skip
        return arrays, (e, v), 15
    if name == "two_sources":
        e, v = fd.synthetic(cadence=5, seed=7)
        # The same sensor values through Nightscout (first) and a Clarity import 7 s later.
        arrays = (np.concatenate([e, e + 7]), np.concatenate([v, v]), ["cgm"] * (2 * len(e)),
                  [0] * (2 * len(e)), ["nightscout"] * len(e) + ["clarity"] * len(e))  # fmt: skip
        return arrays, (e, v), 5
    if name == "dst_week_berlin":
        # 2024-03-31 02:00 CET -> 03:00 CEST; the readings run in real time across it.
        start = datetime(2024, 3, 27, tzinfo=UTC)
        e, v = fd.synthetic(days=7, cadence=5, start=start, seed=8, phase_s=150)
        return (e, v, ["cgm"] * len(e), [5] * len(e), ["g7"] * len(e)), (e, v), 5
    raise AssertionError(name)


CASES = ["iglu_example", "dexcom_5min", "libre_15min", "two_day_gap", "scattered_gaps",
         "libre_with_scans", "two_sources", "dst_week_berlin"]  # fmt: skip


@pytest.fixture(scope="module")
def computed():
    """Per case: (our Figures, iglu results), computed once for the module."""
    from iglu_python import utils

    utils.set_local_tz("UTC")
    out = {}
    for name in CASES:
        arrays, (ie, iv), cadence = _case(name)
        start, end = fd.day_bounds(ie)
        n = len(arrays[0])
        ours = summarize(*arrays, [""] * n, tz="UTC", start=start, end=end, compare_previous=False)
        df = fd.iglu_frame(ie, iv)
        ndays = (end - start).days
        gd2d, _, dt0 = iglu.CGMS2DayByDay(df.copy(), tz="UTC")
        assert dt0 == cadence  # iglu's own dt0 (mode of the intervals) is the cadence
        theirs = {
            "mean": float(iglu.mean_glu(df)["mean"].iloc[0]),
            "cv": float(iglu.cv_glu(df)["CV"].iloc[0]),
            "below": iglu.below_percent(df, targets_below=[54, 70]).iloc[0],
            "above": iglu.above_percent(df, targets_above=[180, 250]).iloc[0],
            "in": iglu.in_range_percent(df, [[70, 180], [70, 140]]).iloc[0],
            "gri": float(iglu.gri(df, tz="UTC")["GRI"].iloc[0]),
            "active": float(
                iglu.active_percent(
                    df,
                    dt0=cadence,
                    tz="UTC",
                    range_type="manual",
                    ndays=ndays,
                    consistent_end_date=end.replace(tzinfo=None),
                )["active_percent"].iloc[0]
            ),  # fmt: skip
            "episodes": iglu.episode_calculation(df, tz="UTC"),
            "gd2d": gd2d,
            "n": len(ie),
        }
        out[name] = (ours, theirs)
    return out


@pytest.mark.parametrize("name", CASES)
def test_core_figures_match_iglu(computed, name):
    ours, theirs = computed[name]
    cgm = ours.cgm
    assert cgm.count == theirs["n"]  # deduplication kept exactly the single stream
    assert abs(cgm.mean - theirs["mean"]) <= TOL
    assert abs(cgm.cv - theirs["cv"]) <= TOL
    below, above, inside = theirs["below"], theirs["above"], theirs["in"]
    assert abs(cgm.bands.very_low - below["below_54"]) <= TOL
    assert abs(cgm.bands.low - (below["below_70"] - below["below_54"])) <= TOL
    assert abs(cgm.below_70 - below["below_70"]) <= TOL
    assert abs(cgm.bands.in_range - inside["in_range_70_180"]) <= TOL
    assert abs(cgm.preset_in_range - inside["in_range_70_180"]) <= TOL
    assert abs(cgm.tight_range - inside["in_range_70_140"]) <= TOL
    assert abs(cgm.bands.high - (above["above_180"] - above["above_250"])) <= TOL
    assert abs(cgm.above_180 - above["above_180"]) <= TOL
    assert abs(cgm.bands.very_high - above["above_250"]) <= TOL
    assert abs(cgm.gri.value - theirs["gri"]) <= TOL
    assert abs(ours.sufficiency.active_percent - min(100.0, theirs["active"])) <= TOL


@pytest.mark.parametrize("name", CASES)
def test_events_match_iglu_episode_calculation(computed, name):
    ours, theirs = computed[name]
    for row in theirs["episodes"].itertuples():
        mine = ours.events[EVENT_ROWS[(row.type, row.level)]]
        assert mine.total == row.total_episodes, (row.type, row.level)
        assert abs(mine.per_day - row.avg_ep_per_day) <= TOL
        assert abs(mine.per_week - 7 * row.avg_ep_per_day) <= 7 * TOL
        if row.total_episodes == 0:
            assert mine.mean_duration_min is None and mine.mean_glucose is None
            assert row.avg_ep_duration == 0 and math.isnan(row.avg_ep_gl)
        else:
            assert abs(mine.mean_duration_min - row.avg_ep_duration) <= TOL
            assert abs(mine.mean_glucose - row.avg_ep_gl) <= TOL


def test_every_event_type_occurs_somewhere(computed):
    """The synthetic series exercise every event type (else the comparisons prove little)."""
    ours, _ = computed["dexcom_5min"]
    assert all(summary.total > 0 for summary in ours.events.values())


@pytest.mark.parametrize("name", CASES)
def test_agp_quantiles_match_nanquantile_of_iglu_grid(computed, name):
    ours, theirs = computed[name]
    gd2d = theirs["gd2d"]
    days = np.sum(~np.isnan(gd2d), axis=0)
    for p, curve in ours.agp.quantiles.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slots (gaps)
            expected = np.nanquantile(gd2d, p / 100, axis=0)
        expected[days < 5] = np.nan
        got = np.array(curve, dtype=float)
        assert np.array_equal(np.isnan(got), np.isnan(expected)), p
        ok = ~np.isnan(expected)
        assert np.max(np.abs(got[ok] - expected[ok])) <= TOL, p
    assert ours.agp.days_per_slot == tuple(int(d) for d in days)


def test_dst_week_local_days_in_berlin(computed):
    """The same DST week with Berlin local days: the 23-hour day is a whole day of data."""
    arrays, _, _ = _case("dst_week_berlin")
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2024, 3, 27, tzinfo=berlin)
    end = start + timedelta(days=7)
    n = len(arrays[0])
    f = summarize(*arrays, [""] * n, tz=berlin, start=start, end=end, compare_previous=False)
    assert f.window.days == 7
    assert f.window.minutes == 7 * 1440 - 60  # the spring day has 23 hours
    # Readings start at 00:02:30 UTC (01:02:30 local), so the first local hour is empty.
    readings_inside = np.sum((arrays[0] >= start.timestamp()) & (arrays[0] < end.timestamp()))
    assert f.sufficiency.cgm_minutes == 5 * readings_inside
    assert f.sufficiency.days_with_data == 7
