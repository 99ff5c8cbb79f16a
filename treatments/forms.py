"""Forms parse what a person typed (their local time, a decimal comma) into the values the
services take. They do not save; treatments.services validates and is the authority."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.days import DayField
from core.localtime import local_datetime
from treatments.models import TreatmentType


class AmountField(forms.FloatField):
    """A non-negative amount; a decimal comma is accepted (4,5 U)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("localize", True)  # shown as 4,5 in German
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class TreatmentForm(forms.Form):
    type = forms.ChoiceField(label=_("What"), choices=TreatmentType.choices)
    date = DayField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    insulin_units = AmountField(
        label=_("Insulin (units)"), help_text=_("A bolus, or a daily long-acting basal dose.")
    )
    basal_rate = AmountField(label=_("Temporary basal rate (U/h)"))
    insulin_name = forms.CharField(label=_("Insulin name"), required=False, max_length=100)
    carbs_g = AmountField(label=_("Carbohydrates (g)"))
    duration_min = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=0,
        help_text=_("Exercise, an extended bolus or a temporary basal rate."),
    )
    event_type = forms.CharField(
        label=_("Event name"),
        required=False,
        max_length=100,
        help_text=_("For “Other event”: what it was."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, patient, treatment=None, **kwargs):
        self.patient = patient
        tz = patient.tzinfo
        if treatment is not None:
            local = treatment.taken_at.astimezone(tz)
            defaults = {
                name: getattr(treatment, name)
                for name in (
                    "type",
                    "insulin_units",
                    "basal_rate",
                    "insulin_name",
                    "carbs_g",
                    "duration_min",
                    "event_type",
                    "notes",
                )
            }
            defaults.update(date=local.date(), time=local.time().replace(second=0))
        else:
            now = timezone.now().astimezone(tz)
            defaults = {"date": now.date(), "time": now.time().replace(second=0, microsecond=0)}
        kwargs["initial"] = {**defaults, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["time"].help_text = _("Local time (%(zone)s).") % {"zone": tz.key}

    def clean(self):
        cleaned = super().clean()
        day, clock = cleaned.get("date"), cleaned.get("time")
        if day and clock:
            try:
                cleaned["taken_at"] = local_datetime(day, clock, self.patient.tzinfo)
            except ValidationError as error:
                self.add_error("time", error)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "type": data["type"],
            "taken_at": data["taken_at"],
            "insulin_units": data["insulin_units"],
            "basal_rate": data["basal_rate"],
            "insulin_name": data["insulin_name"],
            "carbs_g": data["carbs_g"],
            "duration_min": data["duration_min"],
            "event_type": data["event_type"],
            "notes": data["notes"],
        }


PERIODS = ((7, _("7 days")), (14, _("14 days")), (30, _("30 days")), (90, _("90 days")))


class TreatmentFilterForm(forms.Form):
    """The treatment log's filters (GET): a type, and a period (the last N days, or local
    days from/to, inclusive)."""

    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *TreatmentType.choices]
    )
    days = forms.TypedChoiceField(
        label=_("Period"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any time")), *PERIODS],
    )
    start = DayField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = DayField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def bounds(self, tz: ZoneInfo, *, default_days: int | None = None):
        """[start, end) in the record's zone; the last ``days`` local days (today included)
        when a period is chosen, else the from/to days, else ``default_days``."""
        data = self.cleaned_data if self.is_valid() else {}
        days = data.get("days") or (None if data.get("start") or data.get("end") else default_days)
        if days:
            today = timezone.now().astimezone(tz).date()
            first = today - timedelta(days=days - 1)
            return _midnight(first, tz), _midnight(today + timedelta(days=1), tz)
        start, end = data.get("start"), data.get("end")
        return (
            _midnight(start, tz) if start else None,
            _midnight(end + timedelta(days=1), tz) if end else None,
        )

    def selected_type(self) -> str | None:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("type") or None


def _midnight(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time()).replace(tzinfo=tz)
