"""Reading streams: which readings are CGM, their cadence, and Tidepool's deduplication.

Input everywhere is parallel numpy arrays: ``epochs`` (int64 Unix seconds), ``values``
(int mg/dL), ``kinds`` (str: "cgm", "scan" or "fingerstick"), ``cadences`` (int minutes,
0 = unknown) and ``sources`` (str, e.g. an importer or uploader name).

Rules (CLINICAL.md D1, DESIGN.md 4.1):
- CGM figures use kind == "cgm" only. Libre scans and fingersticks never enter them.
- Cadence per reading: from the device when known, else inferred per source (median
  interval snapped to 1/5/15 min, default 5), as Tidepool's ``sampleInterval`` and Nocturne's
  ``GlucoseCadence`` do.
- Deduplication is Tidepool's ``DataUtil.deduplicateCBGData``: sort by time, keep reading i
  if t_i >= blackout, then blackout = t_i + c_i*60 - 10 s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CGM = "cgm"
SCAN = "scan"
FINGERSTICK = "fingerstick"

CADENCES = (1, 5, 15)  # minutes: Libre 3 / Dexcom G6-G7 / Libre 1-2 history
DEFAULT_CADENCE = 5
BLACKOUT_SLACK = 10  # seconds: Tidepool keeps a reading 10 s early in the next slot


def infer_cadence(epochs: np.ndarray) -> int:
    """The sampling interval of one stream, in minutes: one of 1, 5, 15.

    The median of the positive intervals between consecutive (sorted) readings, snapped to
    the nearest of 1/5/15 by absolute difference; a tie (e.g. a 10-minute median) goes to the
    shorter cadence, which credits less CGM time rather than more. Fewer than two distinct
    times give the default, 5.
    """
    t = np.unique(np.asarray(epochs, dtype=np.int64))
    if len(t) < 2:
        return DEFAULT_CADENCE
    median_min = float(np.median(np.diff(t))) / 60
    return min(CADENCES, key=lambda c: (abs(c - median_min), c))


def fill_cadences(
    epochs: np.ndarray, kinds: np.ndarray, cadences: np.ndarray, sources: np.ndarray
) -> np.ndarray:
    """``cadences`` with every unknown (0) CGM cadence replaced by its source's inferred one.

    Inference uses that source's CGM readings only (scans and fingersticks are irregular by
    nature). Non-CGM readings keep their value; they never enter cadence-weighted figures.
    """
    out = np.asarray(cadences, dtype=np.int64).copy()
    kinds = np.asarray(kinds)
    sources = np.asarray(sources)
    unknown = (out <= 0) & (kinds == CGM)
    for source in np.unique(sources[unknown]):
        of_source = (sources == source) & (kinds == CGM)
        out[unknown & (sources == source)] = infer_cadence(np.asarray(epochs)[of_source])
    return out


def deduplicate(epochs: np.ndarray, values: np.ndarray, cadences: np.ndarray) -> np.ndarray:
    """Indices (into the inputs, in time order) of the readings Tidepool's rule keeps.

    Sort by time (stable: equal times keep input order); keep reading i if
    t_i >= blackout, then blackout = t_i + c_i*60 - 10 s. The same value arriving from two
    sources seconds apart, and scans inside a history slot, are dropped. ``values`` is not
    consulted (Tidepool does not either); it is taken so callers keep arrays together.
    Cadences must be known (> 0); see fill_cadences.
    """
    del values
    epochs = np.asarray(epochs, dtype=np.int64)
    cadences = np.asarray(cadences, dtype=np.int64)
    order = np.argsort(epochs, kind="stable")
    t, c = epochs[order], cadences[order]
    # One clean stream (each reading at least its predecessor's blackout after it): every
    # reading is kept, by induction on the rule below; no loop needed.
    if (np.diff(t) >= c[:-1] * 60 - BLACKOUT_SLACK).all():
        return order.astype(np.int64)
    kept = []
    blackout = None
    # A plain loop: each decision depends on the previous kept reading. 26,000 readings
    # (90 days at 5 min) take a few milliseconds.
    for i, t, c in zip(
        order.tolist(), epochs[order].tolist(), cadences[order].tolist(), strict=True
    ):
        if blackout is None or t >= blackout:
            kept.append(i)
            blackout = t + c * 60 - BLACKOUT_SLACK
    return np.asarray(kept, dtype=np.int64)


@dataclass(frozen=True)
class CgmStream:
    """Deduplicated CGM readings in time order: epochs (s), values (mg/dL), cadences (min)."""

    epochs: np.ndarray
    values: np.ndarray
    cadences: np.ndarray

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def minutes(self) -> int:
        """Total CGM time credited: the sum of cadences (Tidepool's sensor usage)."""
        return int(self.cadences.sum())

    def between(self, start: int, end: int) -> CgmStream:
        """The readings with start <= t < end (epoch seconds)."""
        keep = (self.epochs >= start) & (self.epochs < end)
        return CgmStream(self.epochs[keep], self.values[keep], self.cadences[keep])

    def dominant_cadence(self) -> int:
        """The most common cadence (ties: the shorter), the grid step for events and AGP."""
        if len(self) == 0:
            return DEFAULT_CADENCE
        found, counts = np.unique(self.cadences, return_counts=True)
        return int(found[np.argmax(counts)])


def cgm_stream(
    epochs: np.ndarray,
    values: np.ndarray,
    kinds: np.ndarray,
    cadences: np.ndarray,
    sources: np.ndarray,
) -> CgmStream:
    """The CGM readings only, cadences filled per source, deduplicated, in time order."""
    epochs = np.asarray(epochs, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    kinds = np.asarray(kinds)
    filled = fill_cadences(epochs, kinds, cadences, sources)
    is_cgm = np.flatnonzero(kinds == CGM)
    kept = is_cgm[deduplicate(epochs[is_cgm], values[is_cgm], filled[is_cgm])]
    return CgmStream(epochs[kept], values[kept], filled[kept])
