"""Synthetic CGM series and an iglu-python bridge for the readings/figures tests.

The series are a daily sine plus a 5-hour sine plus noise, with injected lows and highs so
that every event type occurs. Times are Unix seconds (UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
START = datetime(2024, 3, 1, tzinfo=UTC)


def synthetic(days=14, cadence=5, start=START, seed=1, phase_s=0):
    """(epochs, values) every ``cadence`` minutes for ``days`` days from ``start``."""
    rng = np.random.default_rng(seed)
    t0 = int(start.timestamp()) + phase_s
    epochs = t0 + np.arange(days * 1440 // cadence, dtype=np.int64) * cadence * 60
    h = (epochs - t0) / 3600
    g = (
        150
        + 60 * np.sin(2 * np.pi * h / 24)
        + 35 * np.sin(2 * np.pi * h / 5)
        + rng.normal(0, 12, len(h))
    )
    # Injected lows (some long, some deep) and highs, at seeded random times.
    for centre in rng.uniform(0, days * 24, size=days * 2):
        width = rng.choice([0.3, 0.6, 1.2, 2.6])
        depth = rng.choice([60, 95, 115])
        g -= depth * np.exp(-(((h - centre) / width) ** 2))
    for centre in rng.uniform(0, days * 24, size=days):
        g += 110 * np.exp(-(((h - centre) / rng.choice([0.5, 1.5])) ** 2))
    return epochs, np.clip(np.rint(g), 40, 400).astype(np.int64)


def drop_span(epochs, values, start_s, end_s):
    keep = (epochs < start_s) | (epochs >= end_s)
    return epochs[keep], values[keep]


def scattered_gaps(epochs, values, seed=2, count=25):
    """Remove ``count`` random stretches of 20-40 minutes."""
    rng = np.random.default_rng(seed)
    keep = np.ones(len(epochs), dtype=bool)
    for at in rng.choice(len(epochs) - 20, size=count, replace=False):
        length = rng.integers(20, 41) * 60
        keep &= ~((epochs > epochs[at]) & (epochs <= epochs[at] + length))
    return epochs[keep], values[keep]


def iglu_example():
    """iglu's example_data_1_subject (Hall et al. 2018 data as shipped with iglu/iglu-python;
    GPL-2.0, copied from staskh/iglu_python tests/data at 154db59) as (epochs, values)."""
    import pandas as pd

    df = pd.read_csv(DATA / "iglu_example_data_1_subject.csv")
    times = pd.to_datetime(df["time"]).dt.tz_localize("UTC")
    epochs = np.array([int(t.timestamp()) for t in times], dtype=np.int64)
    return epochs, df["gl"].to_numpy(dtype=np.int64)


def day_bounds(epochs):
    """Whole UTC days covering the readings: (start, end) aware datetimes."""
    first = datetime.fromtimestamp(int(epochs.min()), tz=UTC).replace(hour=0, minute=0, second=0)
    last = datetime.fromtimestamp(int(epochs.max()), tz=UTC).replace(hour=0, minute=0, second=0)
    return first, last + timedelta(days=1)


def iglu_frame(epochs, values):
    """A one-subject iglu DataFrame with naive UTC times (iglu's tz quirks: see CLINICAL.md B.2)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "id": "subject",
            "time": pd.to_datetime(np.asarray(epochs, dtype=np.int64), unit="s"),
            "gl": np.asarray(values, dtype=float),
        }
    )
