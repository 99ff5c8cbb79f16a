from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from accounts.models import validate_timezone


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
