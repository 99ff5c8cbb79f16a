"""What is done to a whole parsed file before it is stored: rows the file repeats kept
once (every format), and the CGM readings' cadence inferred where the format does not say
it (xDrip+, Nightscout, Glooko)."""

from __future__ import annotations

import dataclasses

from integrations.files.common import ParsedFile


def collapse_repeats(parsed: ParsedFile) -> None:
    """Keep one of several rows of the file that are the same reading or treatment (same
    kind, instant, value and id): LibreView repeats history rows where two downloads from
    the sensor overlap, and they are one reading, not one stored and one "already there"."""
    seen: set = set()
    readings = []
    for reading in parsed.readings:
        key = (reading.kind, reading.taken_at, reading.value_mgdl, reading.source,
               reading.external_id)  # fmt: skip
        if key in seen:
            parsed.collapsed += 1
            continue
        seen.add(key)
        readings.append(reading)
    parsed.readings = readings
    seen = set()
    treatments = []
    for treatment in parsed.treatments:
        key = (treatment.type, treatment.taken_at, treatment.insulin_units, treatment.carbs_g)
        if key in seen:
            parsed.collapsed += 1
            continue
        seen.add(key)
        treatments.append(treatment)
    parsed.treatments = treatments


CADENCES_MIN = (1, 5, 15)


def infer_cadence(parsed: ParsedFile) -> None:
    """Set the CGM readings' cadence, where the format does not say, from the median
    interval between them, snapped to the nearest of 1, 5 and 15 minutes (DESIGN.md 2)."""
    times = sorted(r.taken_at for r in parsed.readings if r.kind == "cgm" and not r.cadence_min)
    gaps = sorted(
        (b - a).total_seconds() / 60 for a, b in zip(times, times[1:], strict=False) if b > a
    )
    if not gaps:
        return
    median = gaps[len(gaps) // 2]
    cadence = min(CADENCES_MIN, key=lambda minutes: abs(minutes - median))
    parsed.readings = [
        dataclasses.replace(r, cadence_min=cadence) if r.kind == "cgm" and not r.cadence_min
        else r
        for r in parsed.readings
    ]  # fmt: skip
