"""Serializer fields every BGT API shares: times with a UTC offset, glucose in a unit."""

from __future__ import annotations

import re
from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.units import Unit
from core.validators import glucose_to_mgdl

_UNITS = frozenset(Unit.values)

# "…T08:15:00 02:00": a "+" in a query string that the client did not percent-encode
# arrives as a space. Only a space between a clock time and an offset is restored.
_UNESCAPED_PLUS = re.compile(r"^(.*\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def restore_offset_plus(value: str) -> str:
    return _UNESCAPED_PLUS.sub(r"\1+\2", value.strip())


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that carries a UTC offset ("Z" or "+02:00").

    A time without an offset is refused rather than guessed: it could be any zone.
    """

    default_error_messages = {
        "invalid": _(
            "Enter an ISO 8601 date and time with a UTC offset, "
            "e.g. 2025-03-30T08:15:00+02:00 or 2025-03-30T06:15:00Z."
        ),
        "naive": _(
            "Add a UTC offset to this time (e.g. +02:00 or Z); without one it is ambiguous."
        ),
    }

    def __init__(self, *, query=False, **kwargs):
        self.query = query  # from a query string: undo an unescaped "+"
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str) and self.query:
            value = restore_offset_plus(value)
        try:
            return super().to_internal_value(value)
        except OverflowError:  # a valid-looking year that leaves datetime's range in UTC
            self.fail("invalid")

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return value.astimezone(UTC)


class _InUnit:
    """A raw glucose value with the unit its item gave (see GlucoseValueField.get_value)."""

    __slots__ = ("raw", "unit")

    def __init__(self, raw, unit):
        self.raw, self.unit = raw, unit


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "example": 126,
    }
)
class GlucoseValueField(serializers.Field):
    """A glucose number (JSON number or numeric string, decimal comma allowed) converted to
    whole mg/dL by glucose_to_mgdl, in the unit named by the item's ``unit_field`` (default:
    the context's ``unit``, the signed-in person's). Reading the sibling unit here, rather
    than in validate(), lets a bad value be reported together with every other bad field of
    the item.

    With ``unit_field=None`` the number is only type-checked and passed on as sent.
    """

    default_error_messages = {"invalid": _("Enter a number.")}

    def __init__(self, *, unit_field: str | None = "unit", **kwargs):
        self.unit_field = unit_field
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        raw = super().get_value(dictionary)
        if self.unit_field is None or raw is serializers.empty or raw is None:
            return raw
        return _InUnit(raw, dictionary.get(self.unit_field) or self.context["unit"])

    def to_internal_value(self, data):
        raw, unit = (data.raw, data.unit) if isinstance(data, _InUnit) else (data, None)
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            self.fail("invalid")
        if isinstance(raw, str):
            raw = raw.replace(",", ".")
        if unit is None:
            return raw
        if not isinstance(unit, str) or unit not in _UNITS:
            return None  # the unit field reports its own error
        try:
            return glucose_to_mgdl(raw, unit)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_representation(self, value):
        return value
