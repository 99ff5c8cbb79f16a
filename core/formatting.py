"""How numbers are written on pages: one rounding rule for every percentage shown."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats

from core.units import format_value  # noqa: F401 (glucose values are formatted by units)


def format_percent(value: float | None) -> str:
    """ "12.3 %" (halves round up, the same everywhere a percentage is shown), in the active
    language's number format ("12,3 %" in German); "–" for None."""
    if value is None:
        return "–"
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{formats.number_format(rounded)} %"
