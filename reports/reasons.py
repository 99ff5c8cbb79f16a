"""The not-enough-data notes of readings.figures (sufficiency, compare) in the reader's
language. The figures keep them in English (the API returns them so); the pages show them
through reason_text(), which recognises each English sentence and gives its translation
with the same numbers. A sentence it does not know is shown as it is."""

from __future__ import annotations

import re

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

NUMBER = r"(\d+(?:\.\d+)?)"

# (the English sentence as a pattern, its msgid with the same numbers in the same order)
REASONS = (
    (
        r"GMI needs CGM data; this window has none\.",
        gettext_noop("GMI needs CGM data; this window has none."),
    ),
    (
        rf"GMI needs a window of at least {NUMBER} days with at least {NUMBER} hours of CGM "
        rf"data; this window has {NUMBER} days and {NUMBER} hours\.",
        gettext_noop(
            "GMI needs a window of at least %(1)s days with at least %(2)s hours of CGM data; "
            "this window has %(3)s days and %(4)s hours."
        ),
    ),
    (
        rf"CGM figures need at least 24 hours of CGM data; this window has {NUMBER} hours\.",
        gettext_noop(
            "CGM figures need at least 24 hours of CGM data; this window has %(1)s hours."
        ),
    ),
    (
        rf"Insufficient CGM data to draw the profile: it needs {NUMBER} days with at least "
        rf"1 hour of data each; there are {NUMBER}\.",
        gettext_noop(
            "Insufficient CGM data to draw the profile: it needs %(1)s days with at least "
            "1 hour of data each; there are %(2)s."
        ),
    ),
    (
        rf"Insufficient CGM data to draw the profile: the 7 best days have {NUMBER} % sensor "
        rf"use; it needs {NUMBER} %\.",
        gettext_noop(
            "Insufficient CGM data to draw the profile: the 7 best days have %(1)s %% sensor "
            "use; it needs %(2)s %%."
        ),
    ),
    (
        r"Less than 70 % of possible CGM data: interpret with caution\.",
        gettext_noop("Less than 70 %% of possible CGM data: interpret with caution."),
    ),
    (
        rf"Insufficient data in the previous period: it has {NUMBER} hours of CGM data; "
        r"24 are needed\.",
        gettext_noop(
            "Insufficient data in the previous period: it has %(1)s hours of CGM data; "
            "24 are needed."
        ),
    ),
)
PATTERNS = tuple((re.compile(pattern), msgid) for pattern, msgid in REASONS)


def reason_text(text: str | None) -> str:
    """``text`` (an English note of readings.figures) in the active language; "" for None."""
    if not text:
        return ""
    for pattern, msgid in PATTERNS:
        if match := pattern.fullmatch(text):
            numbers = {str(i): _number(value) for i, value in enumerate(match.groups(), 1)}
            return gettext(msgid) % numbers  # every msgid is a %-format, "%%" for "%"
    return text


def _number(value: str) -> str:
    if "." in value:
        places = len(value.split(".")[1])
        return number_format(float(value), decimal_pos=places)
    return value
