"""Forms of the record's sharing page and settings. They only parse; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.localtime import timezone_choices
from patients.models import DiabetesType


class AccessOfferForm(forms.Form):
    """A patient offers a physician access."""

    email = forms.EmailField(
        label=_("Physician's email"),
        help_text=_("The address your physician signs in to BGT with."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class OfferWithdrawForm(forms.Form):
    """A patient withdraws an offer not yet accepted."""

    prefix = "withdraw"
    email = forms.EmailField(
        label=_("Email the offer went to"),
        help_text=_("The physician's address, as you typed it in the offer."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
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


class RecordForm(forms.Form):
    """The record's name and time zone."""

    display_name = forms.CharField(label=_("Name"), max_length=200)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Days and times of day in reports follow this zone."),
    )
