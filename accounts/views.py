from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.generic import FormView

from accounts import services
from accounts.forms import PreferencesForm


class ProfileView(LoginRequiredMixin, FormView):
    """/profile/: the login's own preferences (names, glucose unit, language). A health record's
    settings (its name, time zone, targets, medical profile) are on the record's page."""

    template_name = "accounts/profile.html"
    form_class = PreferencesForm
    prefix = "preferences"

    def get_initial(self):
        user = self.request.user
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "unit": user.unit,
            "language": user.language,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forms"] = {"preferences": context["form"]}
        return context

    def form_valid(self, form):
        try:
            services.user_update_preferences(user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # Said in the language just chosen (the next page is shown in it); a blank choice
        # goes back to the browser's.
        chosen = self.request.user.language or translation.get_language_from_request(self.request)
        with translation.override(chosen):
            messages.success(self.request, _("Your changes are saved."))
        return redirect("accounts:profile")
