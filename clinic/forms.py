"""Forms of the physician's side of the consent flow. They only parse; patients.grants
does the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.grants import MRN_MAX_LENGTH


class AccessRequestForm(forms.Form):
    """A physician asks a patient for access."""

    email = forms.EmailField(
        label=_("Patient's email"),
        help_text=_("The address the patient signs in to BGT with."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    mrn = forms.CharField(
        label=_("MRN (optional)"),
        max_length=MRN_MAX_LENGTH,
        required=False,
        help_text=_("Your clinic's medical record number for this patient."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RequestWithdrawForm(forms.Form):
    """A physician withdraws a request not yet accepted."""

    prefix = "withdraw"
    email = forms.EmailField(
        label=_("Email the request went to"),
        help_text=_("The patient's address, as you typed it in the request."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class OfferAcceptForm(forms.Form):
    """A physician accepts a patient's offer, optionally noting the clinic's MRN."""

    mrn = forms.CharField(
        label=_("MRN (optional)"),
        max_length=MRN_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 12}),
    )
