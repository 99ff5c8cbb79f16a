from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts import roles, services
from accounts.forms import MedicalProfileForm, PreferencesForm
from readings import selectors as reading_selectors
from readings import services as reading_services
from readings.forms import TargetForm


class ProfileView(LoginRequiredMixin, TemplateView):
    """/profile/: preferences for everyone; targets and medical profile for patients.

    Three independent forms, each with its own button, so that changing the unit takes
    effect before targets are typed in it.
    """

    template_name = "accounts/profile.html"

    def forms(self, data=None):
        user = self.request.user
        forms = {
            "preferences": PreferencesForm(
                data if data and data.get("form") == "preferences" else None,
                prefix="preferences",
                initial={
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "unit": user.unit,
                    "timezone": user.timezone,
                },
            ),
        }
        if roles.is_patient(user):
            profile = services.medical_profile_get(user=user)
            forms["targets"] = TargetForm(
                data if data and data.get("form") == "targets" else None,
                prefix="targets",
                user=user,
                target=reading_selectors.target_get(user=user),
            )
            forms["medical"] = MedicalProfileForm(
                data if data and data.get("form") == "medical" else None,
                prefix="medical",
                initial={
                    "date_of_birth": profile.date_of_birth,
                    "diabetes_type": profile.diabetes_type,
                },
            )
        return forms

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("forms", self.forms())
        return context

    def post(self, request, *args, **kwargs):
        forms = self.forms(request.POST)
        name = request.POST.get("form")
        form = forms.get(name)
        if form is None:
            messages.error(request, "That form is not available to you.")
            return redirect("accounts:profile")
        if form.is_valid():
            try:
                self.save(name, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your changes are saved.")
                return redirect("accounts:profile")
        return self.render_to_response(self.get_context_data(forms=forms))

    def save(self, name, data):
        user = self.request.user
        if name == "preferences":
            services.user_update_preferences(user=user, **data)
        elif name == "targets":
            reading_services.target_set(user=user, low_mgdl=data["low"], high_mgdl=data["high"])
        elif name == "medical":
            services.medical_profile_set(
                user=user, date_of_birth=data["date_of_birth"], diabetes_type=data["diabetes_type"]
            )
