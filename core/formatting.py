"""How numbers are written on pages: one rounding rule for every percentage shown, in the
active language's number format ("12.3 %" in English, "12,3 %" in German)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

from core.units import format_value  # noqa: F401 (glucose values are formatted by units)


def format_percent(value: float | None) -> str:
    """ "12.3 %" (halves round up, the same everywhere a percentage is shown; the decimal
    mark of the active language); "–" for None."""
    if value is None:
        return "–"
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, 1)} %"
