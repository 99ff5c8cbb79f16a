"""The words of the report pages in the reader's language, glucose bounds in the reader's
unit and number format: the consensus ranges, the event kinds, the goals and presets, the
meals. Shared by the dashboard's tables (reports.presentation) and the printable report
(reports.agp_report), so both name a figure the same way in every language.

core.consensus keeps its English labels (the API's); these are the pages' words.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from core import consensus
from core.units import Unit, from_mgdl
from readings.models import Kind, Source

RANGE_KEYS = ("very_high", "high", "in_range", "low", "very_low")

# The consensus' own bounds (Battelino 2019, Table 1): in mmol/L they are the published
# labels, not conversions rounded apart (a range above 180 mg/dL starts at 10.1 mmol/L).
_BOUNDS = {
    Unit.MGDL: {
        "very_high": (None, 250),
        "high": (181, 250),
        "in_range": (70, 180),
        "low": (54, 69),
        "very_low": (54, None),
    },
    Unit.MMOLL: {
        "very_high": (None, Decimal("13.9")),
        "high": (Decimal("10.1"), Decimal("13.9")),
        "in_range": (Decimal("3.9"), Decimal("10.0")),
        "low": (Decimal("3.0"), Decimal("3.8")),
        "very_low": (Decimal("3.0"), None),
    },
}

RANGE_NAMES = {
    "very_high": pgettext_lazy("glucose range", "Very high"),
    "high": pgettext_lazy("glucose range", "High"),
    "in_range": pgettext_lazy("glucose range", "Target range"),
    "low": pgettext_lazy("glucose range", "Low"),
    "very_low": pgettext_lazy("glucose range", "Very low"),
}
# The dashboard's table calls the middle range "In range".
IN_RANGE_NAME = pgettext_lazy("glucose range", "In range")


def range_limits(key: str, unit: str) -> tuple[str | None, str | None]:
    """A range's consensus bounds in ``unit`` and the reader's number format (None: open)."""
    return tuple(None if v is None else number_format(v) for v in _BOUNDS[unit][key])


def bound(mgdl, unit: str) -> str:
    """A consensus threshold without its unit: "70", "3.9" (German "3,9")."""
    return number_format(from_mgdl(mgdl, unit))


def range_bounds(key: str, unit: str) -> str:
    """ "above 250", "181–250", "below 3.0" (the reader's decimal mark)."""
    low, high = _BOUNDS[unit][key]
    if low is None:
        return _("above %(value)s") % {"value": number_format(high)}
    if high is None:
        return _("below %(value)s") % {"value": number_format(low)}
    return f"{number_format(low)}–{number_format(high)}"


def range_label(key: str, unit: str, *, with_unit: bool = True, name=None) -> str:
    """ "Very high (above 250 mg/dL)", or without the unit "Very high (above 250)"."""
    bounds = range_bounds(key, unit) + (f" {unit}" if with_unit else "")
    return f"{name or RANGE_NAMES[key]} ({bounds})"


_EVENTS = {
    "lv2_hypo": (gettext_lazy("Level 2 hypo (≥ 15 min below %(value)s)"), 54),
    "lv1_hypo": (gettext_lazy("Level 1 hypo (≥ 15 min below %(value)s)"), 70),
    "extended_hypo": (gettext_lazy("Extended hypo (over 120 min below %(value)s)"), 70),
    "lv1_hyper": (gettext_lazy("Level 1 hyper (≥ 15 min above %(value)s)"), 180),
    "lv2_hyper": (gettext_lazy("Level 2 hyper (≥ 15 min above %(value)s)"), 250),
}
EVENT_KEYS = tuple(_EVENTS)


def event_label(key: str, unit: str, *, with_unit: bool = False) -> str:
    """ "Level 2 hypo (≥ 15 min below 54)", with_unit: "... below 54 mg/dL)"."""
    text, mgdl = _EVENTS[key]
    return text % {"value": bound(mgdl, unit) + (f" {unit}" if with_unit else "")}


PRESET_LABELS = {
    "standard": gettext_lazy("Goals for type 1 and type 2 diabetes"),
    "older_high_risk": gettext_lazy("Goals for older or high-risk people with diabetes"),
    "pregnancy_t1": gettext_lazy("Goals for pregnancy with type 1 diabetes"),
    "pregnancy_gdm_t2": gettext_lazy(
        "Pregnancy with gestational or type 2 diabetes (no consensus goals)"
    ),
}


def preset_label(key: str) -> str:
    return str(PRESET_LABELS.get(key, consensus.preset(key).label))


MEAL_LABELS = {
    "breakfast": gettext_lazy("Breakfast"),
    "lunch": gettext_lazy("Lunch"),
    "dinner": gettext_lazy("Dinner"),
    "snack": gettext_lazy("Snacks"),
}


def decimal(value: float, places: int = 1) -> str:
    """A figure with ``places`` decimals in the reader's number format ("2.5", "2,5")."""
    return number_format(Decimal(f"{value:.{places}f}"))  # number_format truncates floats


def compact(value: float) -> str:
    """A goal's threshold as ``:g`` writes it ("70", "0.5"), in the reader's decimal mark."""
    return number_format(Decimal(f"{value:g}"))


def signed(value: float | None, suffix: str = "") -> str:
    """ "+2.5", "−1.0" (a true minus sign), in the reader's decimal mark; "–" for None."""
    if value is None:
        return "–"
    sign = "−" if value < 0 else "+"
    return f"{sign}{decimal(abs(value))}{suffix}"


def minutes(value: float) -> str:
    """ "35 min" (rounded)."""
    return _("%(minutes)s min") % {"minutes": round(value)}


def hours_minutes(value: float) -> str:
    """ "35 min" under an hour, else "2 h 05 min"."""
    total = round(value)
    if total < 60:
        return minutes(total)
    return _("%(hours)s h %(minutes)s min") % {
        "hours": total // 60,
        "minutes": f"{total % 60:02d}",
    }


# The compared figures (readings.figures.compare) by key: "%(...)s" bounds in the reader's
# unit and number format.
_COMPARED = {
    "very_low": (gettext_lazy("Time < %(a)s"), (54,)),
    "low": (gettext_lazy("Time %(a)s–%(b)s"), ("low",)),
    "in_range": (gettext_lazy("Time %(a)s–%(b)s"), ("in_range",)),
    "high": (gettext_lazy("Time %(a)s–%(b)s"), ("high",)),
    "very_high": (gettext_lazy("Time > %(a)s"), (250,)),
    "below_70": (gettext_lazy("Time < %(a)s"), (70,)),
    "above_180": (gettext_lazy("Time > %(a)s"), (180,)),
    "preset_in_range": (gettext_lazy("Time in the preset's range"), ()),
    "tight_range": (gettext_lazy("Time in tight range %(a)s–%(b)s"), (70, 140)),
    "mean": (gettext_lazy("Average glucose (%(unit)s)"), ()),
    "cv": (gettext_lazy("CV (%%)"), ()),
    "gri": ("GRI", ()),
    "gmi": (gettext_lazy("GMI (%%)"), ()),
    "active_percent": (gettext_lazy("Time CGM active (%%)"), ()),
    "lv1_hypo_per_week": (gettext_lazy("Level 1 hypo events per week"), ()),
    "lv2_hypo_per_week": (gettext_lazy("Level 2 hypo events per week"), ()),
    "lv1_hyper_per_week": (gettext_lazy("Level 1 hyper events per week"), ()),
    "lv2_hyper_per_week": (gettext_lazy("Level 2 hyper events per week"), ()),
}


def comparison_label(key: str, unit: str, default: str) -> str:
    """A compared figure's name ("Time 3.9–10.0 mmol/L"); ``default`` for an unknown key."""
    if key not in _COMPARED:
        return default
    text, args = _COMPARED[key]
    if args and isinstance(args[0], str):  # a consensus band: its own bounds
        low, high = _BOUNDS[unit][args[0]]
        values = {"a": number_format(low), "b": number_format(high)}
    else:
        values = {name: bound(mgdl, unit) for name, mgdl in zip("ab", args, strict=False)}
    if values:  # the unit after the last bound
        last = "b" if "b" in values else "a"
        values[last] += f" {unit}"
    return str(text) % {**values, "unit": unit}


_KIND_NAMES = {
    Kind.CGM: "CGM",
    Kind.SCAN: gettext_lazy("Libre scans"),
    Kind.FINGERSTICK: pgettext_lazy("reading kind", "meter"),
}


def data_sources(kinds, sources, cadences) -> list[str]:
    """ "CGM: 4,032 readings (Nightscout uploader; 5-minute sensor)" per kind of reading in
    the window, every kind that has readings."""
    out = []
    for kind in (Kind.CGM, Kind.SCAN, Kind.FINGERSTICK):
        mine = [i for i, k in enumerate(kinds) if k == kind]
        if not mine:
            continue
        names = Counter(sources[i] for i in mine)
        where = ", ".join(str(Source(s).label) if s in Source.values else s for s in names)
        detail = where
        if kind == Kind.CGM:
            steps = sorted({cadences[i] for i in mine if cadences[i]})
            if steps:
                detail = _("%(sources)s; %(cadences)s sensor") % {
                    "sources": detail,
                    "cadences": ", ".join(_("%(minutes)s-minute") % {"minutes": c} for c in steps),
                }
        out.append(
            ngettext(
                "%(kind)s: %(count)s reading (%(detail)s)",
                "%(kind)s: %(count)s readings (%(detail)s)",
                len(mine),
            )
            % {
                "kind": _KIND_NAMES[kind],
                "count": number_format(len(mine), force_grouping=True),
                "detail": detail,
            }
        )
    return out
