"""Input checks shared by the web forms, the API and the importers, so that every way a
reading comes in gives the same answer in the same words."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.units import MAX_MGDL, MIN_MGDL, Unit, to_mgdl, valid_range

UNITS = frozenset(Unit.values)


def glucose_to_mgdl(value, unit: str) -> int:
    """Parse a glucose value typed in ``unit`` into whole mg/dL.

    Raises ValidationError naming the accepted range in ``unit`` (20-600 mg/dL or
    1.1-33.3 mmol/L) for anything outside it, and for anything that is not a number.
    """
    if not isinstance(unit, str) or unit not in UNITS:
        raise ValidationError(
            _("Unknown unit “%(unit)s”; use mg/dL or mmol/L."), code="unit", params={"unit": unit}
        )
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number."), code="invalid") from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    low, high = valid_range(unit)
    # Compare in the user's unit first (so 33.35 mmol/L is refused, not rounded into range),
    # then in mg/dL after rounding.
    mgdl = to_mgdl(number, unit) if low <= number <= high else None
    if mgdl is None or not MIN_MGDL <= mgdl <= MAX_MGDL:
        raise ValidationError(
            _("Enter a value between %(low)s and %(high)s %(unit)s."),
            code="out_of_range",
            params={"low": low, "high": high, "unit": unit},
        )
    return mgdl
