"""/record/: the settings of the record being worked on: its name and time zone, the
target range readings are coloured by, the consensus target preset its figures are judged
by, and the medical profile (DESIGN.md section 3).

It lives here, above patients, because the target range is the readings app's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.generic import TemplateView

from patients import services as patient_services
from patients.access import Action
from patients.forms import MedicalProfileForm, PresetForm, RecordForm
from patients.mixins import RecordMixin
from readings import selectors, services
from readings.forms import TargetForm


class RecordSettingsView(RecordMixin, TemplateView):
    """Four independent forms, each with its own button, so that changing the time zone
    or unit takes effect before targets are typed in."""

    template_name = "readings/record_settings.html"
    record_action = Action.EDIT_RECORD

    def forms(self, data=None):
        patient, user = self.patient, self.request.user

        def bound(name):
            return data if data and data.get("form") == name else None

        return {
            "record": RecordForm(
                bound("record"),
                prefix="record",
                initial={"display_name": patient.display_name, "timezone": patient.timezone},
            ),
            "targets": TargetForm(
                bound("targets"),
                prefix="targets",
                user=user,
                target=selectors.target_get(patient=patient),
            ),
            "preset": PresetForm(
                bound("preset"), prefix="preset", initial={"target_preset": patient.target_preset}
            ),
            "medical": MedicalProfileForm(
                bound("medical"),
                prefix="medical",
                initial={
                    "date_of_birth": patient.date_of_birth,
                    "diabetes_type": patient.diabetes_type,
                },
            ),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("forms", self.forms())
        return context

    def post(self, request, *args, **kwargs):
        forms = self.forms(request.POST)
        name = request.POST.get("form")
        form = forms.get(name)
        if form is None:
            messages.error(request, gettext("That form is not available."))
            return redirect("readings:record")
        if form.is_valid():
            try:
                self.save(name, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("Your changes are saved."))
                return redirect("readings:record")
        return self.render_to_response(self.get_context_data(forms=forms))

    def save(self, name, data):
        patient = self.patient
        if name == "record":
            patient_services.patient_update(patient=patient, **data)
        elif name == "targets":
            services.target_set(patient=patient, low_mgdl=data["low"], high_mgdl=data["high"])
        elif name == "preset":
            patient_services.patient_preset_set(patient=patient, preset=data["target_preset"])
        elif name == "medical":
            patient_services.patient_update(
                patient=patient,
                date_of_birth=data["date_of_birth"],
                diabetes_type=data["diabetes_type"],
            )
