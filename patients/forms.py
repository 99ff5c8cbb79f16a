"""Forms of the record's sharing page and settings. They only parse; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.localtime import timezone_choices
from patients.models import DiabetesType, TargetPreset


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


class PresetForm(forms.Form):
    """The consensus target preset a record's figures are judged by (DESIGN.md 4.7)."""

    target_preset = forms.ChoiceField(
        label=_("Target preset"),
        choices=TargetPreset.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_(
            "The range and goals of the international consensus on time in range (2019) that "
            "the figures, goals and flags follow. Pregnancy presets use 63–140 mg/dL "
            "(3.5–7.8 mmol/L)."
        ),
    )


class RecordForm(forms.Form):
    """The record's name and time zone."""

    display_name = forms.CharField(label=_("Name"), max_length=200)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Days and times of day in reports follow this zone."),
    )


class RecordCreateForm(forms.Form):
    """A record someone looks after, with no login of its own (a child's)."""

    display_name = forms.CharField(
        label=_("Their name"), max_length=200, help_text=_("As you want to see it in BGT.")
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    diabetes_type = forms.ChoiceField(
        label=_("Diabetes type"),
        required=False,
        choices=[("", _("Not specified")), *DiabetesType.choices],
    )
    timezone = forms.ChoiceField(
        label=_("Their time zone"),
        choices=timezone_choices,
        help_text=_("Days and times of day in their reports follow this zone."),
    )


class InviteForm(forms.Form):
    """Invite a caregiver or a follower by email."""

    prefix = "invite"
    email = forms.EmailField(
        label=_("Their email"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("They may"),
        choices=[
            ("caregiver", _("Help look after the record (add readings, share, invite)")),
            ("follower", _("Follow: see the readings and charts, change nothing")),
        ],
        widget=forms.RadioSelect,
        initial="follower",
    )


class HandOverForm(forms.Form):
    """Hand a record over to the grown-up patient's own login."""

    prefix = "handover"
    email = forms.EmailField(
        label=_("The patient's own email"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    keep_caregivers = forms.BooleanField(
        label=_("Caregivers keep their access (the patient can remove them later)"),
        required=False,
        initial=True,
    )


class NewLoginForm(forms.Form):
    """The invitee's password for the account made when they accept."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
