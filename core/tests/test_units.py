from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core import units
from core.formatting import format_percent
from core.validators import glucose_to_mgdl


@pytest.mark.parametrize(
    ("mmoll", "mgdl"),
    [("1.1", 20), ("3.9", 70), ("5.5", 99), ("7.2", 130), ("10.0", 180), ("33.3", 600)],
)
def test_mmoll_to_mgdl_uses_the_nightscout_factor(mmoll, mgdl):
    assert units.mmoll_to_mgdl(mmoll) == mgdl  # round(x * 18.01559)


@pytest.mark.parametrize(
    ("mgdl", "mmoll"),
    [(20, "1.1"), (54, "3.0"), (70, "3.9"), (180, "10.0"), (250, "13.9"), (600, "33.3")],
)
def test_mgdl_to_mmoll_has_one_decimal(mgdl, mmoll):
    assert units.mgdl_to_mmoll(mgdl) == Decimal(mmoll)


def test_format_value():
    assert units.format_value(130, units.Unit.MGDL) == "130 mg/dL"
    assert units.format_value(130, units.Unit.MMOLL) == "7.2 mmol/L"


@pytest.mark.parametrize(
    ("language", "mmoll", "percent"),
    [
        ("de", "7,2", "12,3 %"),
        ("fr", "7,2", "12,3 %"),
        ("nl", "7,2", "12,3 %"),
        ("en", "7.2", "12.3 %"),
    ],
)
def test_values_and_percentages_use_the_languages_decimal_separator(language, mmoll, percent):
    with translation.override(language):
        assert units.format_value(130, units.Unit.MMOLL) == f"{mmoll} mmol/L"
        assert units.format_value(130, units.Unit.MGDL) == "130 mg/dL"
        assert format_percent(12.25) == percent


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("20", "mg/dL", 20),
        ("600", "mg/dL", 600),
        ("120.4", "mg/dL", 120),
        ("1.1", "mmol/L", 20),
        ("33.3", "mmol/L", 600),
        (" 7.2 ", "mmol/L", 130),
    ],
)
def test_glucose_to_mgdl_accepts_the_meter_range(value, unit, expected):
    assert glucose_to_mgdl(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("0", "mg/dL", "Enter a value between 20 and 600 mg/dL."),
        ("19", "mg/dL", "Enter a value between 20 and 600 mg/dL."),
        ("601", "mg/dL", "Enter a value between 20 and 600 mg/dL."),
        ("40", "mmol/L", "Enter a value between 1.1 and 33.3 mmol/L."),
        ("33.4", "mmol/L", "Enter a value between 1.1 and 33.3 mmol/L."),
        ("1.0", "mmol/L", "Enter a value between 1.1 and 33.3 mmol/L."),
        ("abc", "mg/dL", "Enter a number."),
        ("NaN", "mg/dL", "Enter a number."),
        ("Infinity", "mmol/L", "Enter a number."),
        ("", "mg/dL", "Enter a number."),
        ("120", "mmol", "Unknown unit “mmol”; use mg/dL or mmol/L."),
    ],
)
def test_glucose_to_mgdl_names_the_range_in_the_unit(value, unit, message):
    with pytest.raises(ValidationError) as error:
        glucose_to_mgdl(value, unit)

    assert error.value.messages == [message]


@pytest.mark.parametrize("unit", [None, ["mg/dL"], {"mg": 1}, 18])
def test_glucose_to_mgdl_refuses_a_unit_that_is_not_a_string(unit):
    with pytest.raises(ValidationError, match="Unknown unit"):
        glucose_to_mgdl("120", unit)
