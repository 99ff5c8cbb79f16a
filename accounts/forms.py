from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from core.localtime import validate_timezone
from core.units import Unit


class SignupForm(AllauthSignupForm):
    """allauth's signup form, plus whose diabetes the person records (their own, someone
    else's, or both) and the browser's time zone, so days start at local midnight."""

    MYSELF, SOMEONE_ELSE, BOTH = "myself", "someone_else", "both"

    records_for = forms.ChoiceField(
        label=_("Whose diabetes will you record?"),
        choices=[
            (MYSELF, _("My own")),
            (SOMEONE_ELSE, _("Someone I look after (a child, a partner)")),
            (BOTH, _("Both: my own and someone I look after")),
        ],
        initial=MYSELF,
        required=False,  # a client posting only email and password records their own
        widget=forms.RadioSelect,
        help_text=_("You can add the records of people you look after at any time later."),
    )
    timezone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # After the sign-in fields (allauth orders those): email, passwords, then this.
        self.fields["records_for"] = self.fields.pop("records_for")

    def try_save(self, request):
        if self.account_already_exists:
            # A new account costs a password hash (Argon2: slow by design); without one an
            # address that is already taken would answer several times faster, which
            # tells anyone who has an account (ACCOUNT_PREVENT_ENUMERATION).
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)

    def wants_own_record(self) -> bool:
        return self.cleaned_data.get("records_for", self.MYSELF) != self.SOMEONE_ELSE

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
    language = forms.ChoiceField(
        label=_("Language"),
        # Each language in its own name (settings.LANGUAGES): whoever cannot read the
        # current one still finds theirs.
        choices=[("", _("The browser's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Pages and the emails BGT sends you are written in this language."),
    )


class ResetPasswordForm(AllauthResetPasswordForm):
    """Reset links go only to the address an account signs in with, never to a pending one
    (an address an administrator typed in, or one the user added, before its owner
    confirmed it): otherwise whoever holds that mailbox could take the account over."""

    def clean_email(self):
        email = super().clean_email()
        self.users = [user for user in self.users if user.email.lower() == email.lower()]
        return email
