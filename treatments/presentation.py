"""How a treatment reads on a page: its amount in words, for tables and chart labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext

from treatments.models import Treatment, TreatmentType


def number(value: float | None) -> str:
    """4.0 -> "4", 4.25 -> "4.25" ("4,25" in German): no trailing zeros, the active
    language's decimal separator."""
    if value is None:
        return ""
    return formats.number_format(Decimal(f"{value:.2f}".rstrip("0").rstrip(".")))


def amount_text(t: Treatment) -> str:
    """The treatment's amounts: "4.5 U", "1.2 U/h for 30 min", "45 g", "30 min"; or ""."""
    parts = []
    if t.insulin_units is not None:
        parts.append(f"{number(t.insulin_units)} U")
    if t.basal_rate is not None:
        parts.append(f"{number(t.basal_rate)} U/h")
    if t.carbs_g is not None:
        parts.append(f"{number(t.carbs_g)} g")
    text = ", ".join(parts)
    if t.duration_min:
        minutes = {"amount": text, "minutes": t.duration_min}
        text = (
            gettext("%(amount)s for %(minutes)s min") % minutes if text else f"{t.duration_min} min"
        )
    return text


def label(t: Treatment) -> str:
    """What it was: the type, with Nightscout's event name when it differs."""
    name = TreatmentType(t.type).label
    if t.type == TreatmentType.BASAL:
        name = gettext("Basal rate") if t.basal_rate is not None else gettext("Basal insulin")
    if t.event_type and t.event_type.lower() != str(name).lower():
        return f"{name} ({t.event_type})" if t.type != TreatmentType.OTHER else t.event_type
    return str(name)


@dataclass(frozen=True)
class Row:
    treatment: Treatment
    local_time: datetime
    label: str
    amount: str
    insulin_name: str
    notes: str


def treatment_rows(treatments, *, tz) -> list[Row]:
    return [
        Row(
            treatment=t,
            local_time=t.taken_at.astimezone(tz),
            label=label(t),
            amount=amount_text(t),
            insulin_name=t.insulin_name,
            notes=t.notes,
        )
        for t in treatments
    ]
