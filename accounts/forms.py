from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from core.localtime import validate_timezone
from core.units import Unit


class SignupForm(AllauthSignupForm):
    """allauth's signup form plus the browser's time zone, so days start at local midnight."""

    timezone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def clean_timezone(self):
        value = self.cleaned_data.get("timezone", "")
        try:
            validate_timezone(value)
        except forms.ValidationError:
            return ""  # unknown or missing: keep the default; the record's settings can set it
        return value


class PreferencesForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    unit = forms.ChoiceField(
        label=_("Glucose unit"),
        choices=Unit.choices,
        widget=forms.RadioSelect,
        help_text=_("Readings are shown and entered in this unit."),
    )
