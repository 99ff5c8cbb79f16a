"""A ReadingStats (readings.stats) as the JSON the statistics endpoints answer, in the
record's zone: the structured figures and the first version's flat field names."""

from __future__ import annotations

import dataclasses

from core import consensus
from core.localtime import local_iso
from readings import stats

# What a parsing serializer returns for an item to leave out (e.g. Nightscout "cal" entries).


def stats_data(summary: stats.ReadingStats, tz) -> dict:
    """The response body of a stats endpoint (see StatsSerializer)."""
    f = summary.figures
    cgm = f.cgm if f else None
    s = f.sufficiency if f else None
    q = cgm.quantiles if cgm else None
    bands = cgm.bands if cgm else None
    personal = cgm.personal if cgm else None
    data = {
        "unit": "mg/dL",
        "timezone": tz.key,
        "window": None
        if f is None
        else {
            "start": local_iso(f.window.start, tz),
            "end": local_iso(f.window.end, tz),
            "days": f.window.days,
        },
        "preset": _preset(summary.preset),
        "sufficiency": None if s is None else dataclasses.asdict(s),
        "cgm": _cgm(cgm),
        "events": [_events(e, tz) for e in f.events.values()] if f and f.events else [],
        "agp_curve": _curve(f.agp) if f and f.agp else None,
        "meter": None if f is None else dataclasses.asdict(f.meter),
        "comparison": None
        if f is None or f.comparison is None
        else {
            "previous_start": local_iso(f.comparison.previous_start, tz),
            "previous_end": local_iso(f.comparison.previous_end, tz),
            "reason": f.comparison.reason,
            "changes": [dataclasses.asdict(c) for c in f.comparison.changes],
        },
        "start": local_iso(summary.start, tz),
        "end": local_iso(summary.end, tz),
        "count": summary.count,
        "mean": cgm.mean if cgm else None,
        "sd": cgm.sd if cgm else None,
        "cv": cgm.cv if cgm else None,
        "median": cgm.median if cgm else None,
        "min": cgm.min if cgm else None,
        "max": cgm.max if cgm else None,
        **{f"p{p}": (q[p] if q else None) for p in (5, 25, 50, 75, 95)},
        "gmi": s.gmi if s else None,
        "gmi_unavailable_reason": s.gmi_reason if s else "There are no readings.",
        "ea1c": summary.ea1c,
        **{key: (getattr(bands, key) if bands else None) for key in consensus.BAND_KEYS},
        "below_target": personal["below"] if personal else None,
        "in_target": personal["in"] if personal else None,
        "above_target": personal["above"] if personal else None,
        "target_low": summary.target_low,
        "target_high": summary.target_high,
        "cgm_days": s.days_with_data if s else 0,
        "cgm_coverage": s.active_percent if s else None,
        "by_context": [dataclasses.asdict(g) for g in summary.by_context],
        "by_day": [dataclasses.asdict(g) for g in summary.by_day],
        "agp_bin_minutes": f.agp.dt0 if f and f.agp else None,
        "agp": _bins(f.agp) if f and f.agp else [],
        "goals": [dataclasses.asdict(g) for g in f.goals] if f else [],
    }
    if data["meter"] is not None and f.meter.count == 0:
        data["meter"]["bands"] = None
    return data


def _preset(key: str) -> dict:
    p = consensus.preset(key)
    return {"key": p.key, "label": p.label, "range_low": p.range_low, "range_high": p.range_high}


def _cgm(cgm) -> dict | None:
    if cgm is None:
        return None
    data = dataclasses.asdict(cgm)
    data["quantiles"] = {f"p{k}": v for k, v in cgm.quantiles.items()}
    data["personal"] = {
        "below": cgm.personal["below"],
        "within": cgm.personal["in"],
        "above": cgm.personal["above"],
    }
    for key in ("goals", "preset_key"):
        data.pop(key)
    return data


def _events(summary, tz) -> dict:
    return {
        "key": summary.key,
        "total": summary.total,
        "per_day": summary.per_day,
        "per_week": summary.per_week,
        "mean_duration_min": summary.mean_duration_min,
        "nocturnal": summary.nocturnal,
        "events": [
            {
                "start": local_iso(e.start, tz),
                "end": local_iso(e.end, tz),
                "duration_min": e.duration_min,
                "extreme": e.extreme,
                "nocturnal": e.nocturnal,
            }
            for e in summary.events
        ],
    }


def _curve(curve) -> dict:
    return {
        "dt0": curve.dt0,
        "slot_minutes": list(curve.slot_minutes),
        "days_per_slot": list(curve.days_per_slot),
        **{f"p{p}": list(values) for p, values in curve.quantiles.items()},
    }


def _bins(curve) -> list[dict]:
    return [
        {
            "start_minute": minute - curve.dt0,
            "count": curve.days_per_slot[i],
            **{f"p{p}": curve.quantiles[p][i] for p in (5, 25, 50, 75, 95)},
        }
        for i, minute in enumerate(curve.slot_minutes)
    ]
