"""What followers show at a glance: Nightscout's API v2 ``properties`` and ``/pebble``.

Pure functions over the newest readings (newest first) and the newest device statuses (as
uploaded); no queries. Shapes follow cgm-remote-monitor's plugins (``lib/plugins/bgnow.js``,
``direction.js``, ``upbat.js``, ``iob.js``, ``cob.js``) and ``lib/server/pebble.js``, as far as
Nightguard (``NightscoutService.extractApiV2PropertiesData``) and GlucoDataHandler
(``NightscoutSourceTask.handlePebbleResponse``) read them.
"""

from __future__ import annotations

from datetime import timedelta

from core.units import Unit, mgdl_to_mmoll
from readings.models import Kind, Reading

# A delta needs a reading at most this much before the last one (bgnow.js: 15 minutes).
DELTA_MAX_GAP = timedelta(minutes=15)
# Nightscout scales a delta over a longer gap to 5 minutes (bgnow.js: more than 9 minutes).
SCALE_AFTER_MIN = 9

# lib/plugins/direction.js: trend names, their arrows and pebble's trend numbers.
ARROWS = {
    "DoubleUp": ("⇈", "&#8648;", 1),
    "SingleUp": ("↑", "&#8593;", 2),
    "FortyFiveUp": ("↗", "&#8599;", 3),
    "Flat": ("→", "&#8594;", 4),
    "FortyFiveDown": ("↘", "&#8600;", 5),
    "SingleDown": ("↓", "&#8595;", 6),
    "DoubleDown": ("⇊", "&#8650;", 7),
    "NOT COMPUTABLE": ("-", "&#8722;", 8),
    "NotComputable": ("-", "&#8722;", 8),
    "RATE OUT OF RANGE": ("⇕", "&#8661;", 9),
    "RateOutOfRange": ("⇕", "&#8661;", 9),
    "NONE": ("⇼", "&#8700;", 0),
    "None": ("⇼", "&#8700;", 0),
}


def _millis(reading: Reading) -> int:
    return int(reading.taken_at.timestamp() * 1000)


def _cgm(readings: list[Reading]) -> list[Reading]:
    return [r for r in readings if r.kind == Kind.CGM]


def delta_of(readings: list[Reading], unit: str) -> dict | None:
    """The change from the CGM reading before the last (at most DELTA_MAX_GAP older)."""
    cgm = _cgm(readings)
    if len(cgm) < 2 or cgm[0].taken_at - cgm[1].taken_at > DELTA_MAX_GAP:
        return None
    last, previous = cgm[0], cgm[1]
    absolute = last.value_mgdl - previous.value_mgdl
    elapsed = (last.taken_at - previous.taken_at).total_seconds() / 60
    interpolated = elapsed > SCALE_AFTER_MIN
    mgdl = round(absolute * 5 / elapsed) if interpolated else absolute
    if unit == Unit.MMOLL:
        scaled = float(mgdl_to_mmoll(mgdl))
        display = f"{scaled:+.1f}"
    else:
        scaled = mgdl
        display = f"{mgdl:+d}"
    return {
        "absolute": absolute,
        "elapsedMins": round(elapsed, 2),
        "interpolated": interpolated,
        "mean5MinsAgo": previous.value_mgdl,
        "mgdl": mgdl,
        "scaled": scaled,
        "display": display,
        "times": {"recent": _millis(last), "previous": _millis(previous)},
    }


def _latest(statuses: list[dict], *paths: tuple[str, ...]):
    """The first value found at any of ``paths`` in the newest device status having it."""
    for status in statuses:
        for path in paths:
            value = status
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value, status
    return None, None


def upbat_of(statuses: list[dict]) -> dict | None:
    """The uploader's phone battery (xDrip+ and the loops post it as uploader.battery)."""
    level, _ = _latest(statuses, ("uploader", "battery"), ("uploaderBattery",))
    if level is None:
        return None
    level = round(level)
    return {"level": level, "display": f"{level}%", "min": {"value": level}}


def iob_of(statuses: list[dict]) -> dict | None:
    """Insulin on board as the loop reported it (AndroidAPS and Trio: openaps.iob.iob;
    Loop: loop.iob.iob). BGT computes none of its own."""
    iob, status = _latest(
        statuses, ("openaps", "iob", "iob"), ("loop", "iob", "iob"), ("iob", "iob")
    )
    if iob is None:
        return None
    return {"iob": iob, "display": f"{iob:.2f}", "source": status.get("device", "")}


def cob_of(statuses: list[dict]) -> dict | None:
    """Carbohydrates on board as the loop reported them (openaps.suggested.COB, loop.cob.cob)."""
    cob, status = _latest(
        statuses,
        ("openaps", "suggested", "COB"),
        ("openaps", "enacted", "COB"),
        ("loop", "cob", "cob"),
    )
    if cob is None:
        return None
    return {"cob": cob, "display": round(cob, 1), "source": status.get("device", "")}


def properties_of(readings: list[Reading], statuses: list[dict], unit: str) -> dict:
    """API v2 properties: bgnow, delta, direction, upbat, iob, cob (those with data)."""
    cgm = _cgm(readings)
    result: dict = {}
    if cgm:
        last = cgm[0]
        sgv = {
            "_id": str(last.pk),
            "mgdl": last.value_mgdl,
            "mills": _millis(last),
            "device": last.device,
            "direction": last.direction or "NONE",
            "type": "sgv",
            "scaled": _scaled(last.value_mgdl, unit),
        }
        result["bgnow"] = {
            "mean": last.value_mgdl,
            "last": last.value_mgdl,
            "mills": sgv["mills"],
            "sgvs": [sgv],
        }
        direction = last.direction or "NONE"
        label, entity, _ = ARROWS.get(direction, ARROWS["NONE"])
        result["direction"] = {
            "display": label,
            "value": direction,
            "label": label,
            "entity": entity,
        }
    delta = delta_of(readings, unit)
    if delta is not None:
        result["delta"] = delta
    for name, value in (
        ("upbat", upbat_of(statuses)),
        ("iob", iob_of(statuses)),
        ("cob", cob_of(statuses)),
    ):
        if value is not None:
            result[name] = value
    return result


def _scaled(mgdl: int, unit: str):
    return float(mgdl_to_mmoll(mgdl)) if unit == Unit.MMOLL else mgdl


def pebble_of(readings: list[Reading], statuses: list[dict], unit: str, *, count: int, now_ms: int):
    """The ``/pebble`` answer: the newest ``count`` CGM readings, the first with the delta,
    the uploader's battery, IOB and COB (pebble.js's "legacy" string values kept)."""
    cgm = _cgm(readings)[:count]
    bgs = []
    for reading in cgm:
        direction = reading.direction or "NONE"
        bgs.append(
            {
                "sgv": str(_scaled(reading.value_mgdl, unit)),
                "trend": ARROWS.get(direction, ARROWS["NOT COMPUTABLE"])[2],
                "direction": direction,
                "datetime": _millis(reading),
            }
        )
    if bgs:
        delta = delta_of(readings, unit)
        first = bgs[0]
        # pebble.js: "for legacy reasons we need to return a 0 for delta if it can't be
        # calculated"; mmol/L as a string with one decimal.
        scaled = delta["scaled"] if delta else 0
        first["bgdelta"] = f"{scaled:.1f}" if unit == Unit.MMOLL else scaled
        upbat = upbat_of(statuses)
        if upbat is not None:
            first["battery"] = str(upbat["level"])
        iob = iob_of(statuses)
        if iob is not None:
            first["iob"] = iob["display"]
        cob = cob_of(statuses)
        if cob is not None:
            first["cob"] = cob["display"]
    return {"status": [{"now": now_ms}], "bgs": bgs, "cals": []}
