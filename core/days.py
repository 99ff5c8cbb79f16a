"""A calendar day typed into a form: one a glucose record can have.

Python's dates run from year 1 to 9999, but a day's bounds are computed from it: the
next midnight (``end + 1 day`` overflows for 9999-12-31) and the local midnight in UTC (year
1 at +14:00 is in year 0). Both raised OverflowError, a 500. Days are limited to a range
with room on both sides, so no computation from a day can leave Python's range.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = date(1900, 1, 1)  # before any glucose meter
LATEST_DAY = date(2999, 12, 31)
OUT_OF_RANGE = _("Enter a date between 1 January 1900 and 31 December 2999.")


class DayField(forms.DateField):
    """forms.DateField limited to EARLIEST_DAY..LATEST_DAY (a form error, never a 500)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(EARLIEST_DAY, message=OUT_OF_RANGE),
            MaxValueValidator(LATEST_DAY, message=OUT_OF_RANGE),
        ]
