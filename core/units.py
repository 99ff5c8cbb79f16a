"""Glucose units: mg/dL is canonical (stored as an integer); mmol/L is for display and input.

1 mmol/L = 18.01559 mg/dL, the factor Nightscout and Tidepool use (DESIGN.md section 2).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

MGDL_PER_MMOLL = Decimal("18.01559")

# Meter LO/HI limits: anything outside is not a number a meter can report.
MIN_MGDL = 20
MAX_MGDL = 600


class Unit(models.TextChoices):
    MGDL = "mg/dL", _("mg/dL")
    MMOLL = "mmol/L", _("mmol/L")


def mmoll_to_mgdl(value) -> int:
    """Convert mmol/L to the nearest whole mg/dL (halves round up)."""
    return int((Decimal(str(value)) * MGDL_PER_MMOLL).to_integral_value(rounding=ROUND_HALF_UP))


def mgdl_to_mmoll(value_mgdl) -> Decimal:
    """Convert mg/dL to mmol/L with one decimal, as shown to users."""
    return (Decimal(str(value_mgdl)) / MGDL_PER_MMOLL).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def to_mgdl(value, unit: str) -> int:
    """A value typed in ``unit`` as whole mg/dL."""
    if unit == Unit.MMOLL:
        return mmoll_to_mgdl(value)
    return int(Decimal(str(value)).to_integral_value(rounding=ROUND_HALF_UP))


def from_mgdl(value_mgdl, unit: str) -> Decimal | int:
    """A stored mg/dL value in ``unit`` (mmol/L with one decimal, mg/dL as an integer)."""
    if unit == Unit.MMOLL:
        return mgdl_to_mmoll(value_mgdl)
    return int(value_mgdl)


def valid_range(unit: str) -> tuple[Decimal | int, Decimal | int]:
    """The accepted input range in ``unit``: 20-600 mg/dL, i.e. 1.1-33.3 mmol/L."""
    return from_mgdl(MIN_MGDL, unit), from_mgdl(MAX_MGDL, unit)


def format_value(value_mgdl, unit: str) -> str:
    """``"7.2 mmol/L"`` or ``"130 mg/dL"``, with the active language's decimal mark
    ("7,2 mmol/L" in German)."""
    return f"{number_format(from_mgdl(value_mgdl, unit))} {unit}"
