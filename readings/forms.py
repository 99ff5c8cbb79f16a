"""Forms parse what a person typed (their unit, their local time) into canonical values.

They do not save: views hand ``cleaned_data`` to readings.services, whose validation is the
authority (and whose errors the views show on these forms' fields).
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.days import DayField
from core.localtime import local_datetime
from core.units import from_mgdl, valid_range
from core.validators import glucose_to_mgdl
from readings.models import Context, Kind, Target


class GlucoseField(forms.CharField):
    """A glucose value in the user's unit, cleaned to whole mg/dL. Shown in the active
    language's format ("5,6" in German); "5,6" and "5.6" are both read as 5.6 in every
    language, as Django's own localized input does (no thousands separator is read)."""

    def __init__(self, *, unit: str, **kwargs):
        self.unit = unit
        kwargs.setdefault("localize", True)
        low, high = valid_range(unit)
        kwargs.setdefault("label", _("Glucose (%(unit)s)") % {"unit": unit})
        kwargs.setdefault(
            "help_text",
            _("Between %(low)s and %(high)s %(unit)s.")
            % {
                "low": formats.number_format(low),
                "high": formats.number_format(high),
                "unit": unit,
            },
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return glucose_to_mgdl(value.replace(",", "."), self.unit)


class ReadingForm(forms.Form):
    value = forms.CharField()  # replaced per user by a GlucoseField in __init__
    date = DayField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.FINGERSTICK)
    context = forms.ChoiceField(
        label=_("Meal context"),
        choices=Context.choices,
        initial=Context.UNSPECIFIED,
        help_text=_("Was this before or after a meal or snack?"),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional, up to 500 characters."),
    )

    def __init__(self, *args, user, patient, reading=None, **kwargs):
        """``user`` types in their unit; times are the ``patient`` record's local time."""
        self.user, self.patient = user, patient
        tz = patient.tzinfo
        if reading is not None:
            local = reading.taken_at.astimezone(tz)
            defaults = {
                "value": from_mgdl(reading.value_mgdl, user.unit),
                "date": local.date(),
                "time": local.time().replace(second=0),
                "kind": reading.kind,
                "context": reading.context,
                "notes": reading.notes,
            }
        else:
            now = timezone.now().astimezone(tz)
            defaults = {"date": now.date(), "time": now.time().replace(second=0, microsecond=0)}
        kwargs["initial"] = {**defaults, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["value"] = GlucoseField(unit=user.unit)
        self.fields["time"].help_text = _("Your local time (%(zone)s).") % {"zone": tz.key}

    def clean(self):
        cleaned = super().clean()
        day, clock = cleaned.get("date"), cleaned.get("time")
        if day and clock:
            try:
                cleaned["taken_at"] = local_datetime(day, clock, self.patient.tzinfo)
            except ValidationError as error:
                self.add_error("time", error)
        if "value" in cleaned:
            cleaned["value_mgdl"] = cleaned["value"]
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "value_mgdl": data["value_mgdl"],
            "taken_at": data["taken_at"],
            "kind": data["kind"],
            "context": data["context"],
            "notes": data["notes"],
        }


class ReadingFilterForm(forms.Form):
    """The readings table's filters (GET). Dates are the user's local days, inclusive."""

    start = DayField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = DayField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    context = forms.ChoiceField(
        label=_("Meal context"), required=False, choices=[("", _("Any context")), *Context.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def bounds(self, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC for the chosen local days."""
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start")
        end = data.get("end")
        return (
            datetime.combine(start, time()).replace(tzinfo=tz) if start else None,
            datetime.combine(end + timedelta(days=1), time()).replace(tzinfo=tz) if end else None,
        )

    def selected(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"context": data.get("context") or None, "kind": data.get("kind") or None}


class TargetForm(forms.Form):
    """The patient's target range, typed in their unit."""

    low = forms.CharField(label=_("Low target"))
    high = forms.CharField(label=_("High target"))

    def __init__(self, *args, user, target: Target, **kwargs):
        self.user = user
        kwargs.setdefault(
            "initial",
            {
                "low": from_mgdl(target.low_mgdl, user.unit),
                "high": from_mgdl(target.high_mgdl, user.unit),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["low"] = GlucoseField(
            unit=user.unit,
            label=_("Low target (%(unit)s)") % {"unit": user.unit},
            help_text=_("Readings below this are marked low. Usual: %(v)s.")
            % {"v": formats.number_format(from_mgdl(70, user.unit))},
        )
        self.fields["high"] = GlucoseField(
            unit=user.unit,
            label=_("High target (%(unit)s)") % {"unit": user.unit},
            help_text=_("Readings above this are marked high. Usual: %(v)s.")
            % {"v": formats.number_format(from_mgdl(180, user.unit))},
        )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("low"), cleaned.get("high")
        if low is not None and high is not None and low >= high:
            self.add_error("high", _("The high target must be above the low target."))
        return cleaned


class DayJumpForm(forms.Form):
    """The readings table's "go to a day" (GET): the page whose newest day it is, and the
    day whose CGM rows are unfolded."""

    day = DayField(
        label=_("Go to day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    open = DayField(required=False)

    def days(self) -> tuple:
        """(the page's last day or None, the unfolded day or None); bad input is ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("day"), data.get("open")
