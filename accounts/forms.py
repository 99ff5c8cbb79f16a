import zoneinfo

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import DiabetesType, validate_timezone
from readings.units import Unit


class SignupForm(AllauthSignupForm):
    """allauth's signup form plus the browser's time zone, so days start at local midnight."""

    timezone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def clean_timezone(self):
        value = self.cleaned_data.get("timezone", "")
        try:
            validate_timezone(value)
        except forms.ValidationError:
            return ""  # unknown or missing: keep the default; the profile page can set it
        return value


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    unit = forms.ChoiceField(
        label=_("Glucose unit"),
        choices=Unit.choices,
        widget=forms.RadioSelect,
        help_text=_("Readings are shown and entered in this unit."),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Days and times of day in your reports follow this zone."),
    )


class MedicalProfileForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    diabetes_type = forms.ChoiceField(
        label=_("Diabetes type"),
        required=False,
        choices=[("", _("Not specified")), *DiabetesType.choices],
    )
