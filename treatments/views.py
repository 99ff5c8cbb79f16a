"""Pages of a record's treatments: the log with its daily totals, and add, edit, delete."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.views.generic import FormView, ListView, TemplateView

from patients.access import Action
from patients.mixins import RecordMixin
from patients.services import access_log_record
from treatments import selectors, services
from treatments.forms import TreatmentFilterForm, TreatmentForm
from treatments.models import Treatment
from treatments.presentation import amount_text, label, number, treatment_rows

TREATMENTS_PAGE = "treatments"  # the access log's name of this page
SUMMARY_DEFAULT_DAYS = 14  # the totals' period when no filter narrows it
FORM_FIELDS = {"taken_at": "time"}  # service field -> form field, where they differ


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields the person can fix."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = FORM_FIELDS.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TreatmentListView(RecordMixin, ListView):
    template_name = "treatments/treatment_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filters = TreatmentFilterForm(self.request.GET or None)
        self.start, self.end = self.filters.bounds(self.patient.tzinfo)
        return selectors.treatment_list(
            patient=self.patient,
            start=self.start,
            end=self.end,
            type=self.filters.selected_type(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient = self.patient
        access_log_record(grant=patient.grant, what=TREATMENTS_PAGE)
        start, end = self.filters.bounds(patient.tzinfo, default_days=SUMMARY_DEFAULT_DAYS)
        totals = selectors.daily_totals(patient=patient, start=start, end=end)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=self.filters,
            rows=treatment_rows(context["object_list"], tz=patient.tzinfo),
            totals=totals,
            day_rows=[
                (
                    d.day,
                    number(d.bolus_units),
                    number(d.basal_units),
                    number(d.insulin_units),
                    number(d.carbs_g),
                )
                for d in reversed(totals.days)
            ],
            mean_insulin=number(totals.mean_insulin_units),
            mean_carbs=number(totals.mean_carbs_g),
            summary_start=start.astimezone(patient.tzinfo) if start else None,
            # The last day shown is the one before the exclusive end (a local midnight).
            summary_end=(end.astimezone(patient.tzinfo) - timedelta(days=1)) if end else None,
            querystring=query.urlencode(),
            filtered=bool(self.request.GET) and any(self.request.GET.values()),
        )
        return context


class TreatmentCreateView(RecordMixin, FormView):
    record_action = Action.WRITE
    template_name = "treatments/treatment_form.html"
    form_class = TreatmentForm
    success_url = reverse_lazy("treatments:list")

    def get_initial(self):
        kind = self.request.GET.get("type")
        return {"type": kind} if kind else {}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "patient": self.patient}

    def form_valid(self, form):
        try:
            treatment = services.treatment_create(patient=self.patient, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        amount = amount_text(treatment)
        messages.success(
            self.request,
            gettext("Saved: %(what)s, %(amount)s.") % {"what": label(treatment), "amount": amount}
            if amount
            else gettext("Saved: %(what)s.") % {"what": label(treatment)},
        )
        if "add_another" in self.request.POST:
            return redirect("treatments:create")
        return redirect(self.get_success_url())


class RecordTreatmentMixin(RecordMixin):
    """The treatment in the URL, if it belongs to the record being worked on (which the
    signed-in person may write); any other treatment is a 404."""

    record_action = Action.WRITE

    def get_treatment(self) -> Treatment:
        if not hasattr(self, "_treatment"):
            try:
                self._treatment = selectors.treatment_get(
                    patient=self.patient, treatment_id=self.kwargs["pk"]
                )
            except Treatment.DoesNotExist:
                raise Http404("No such treatment.") from None
        return self._treatment


class TreatmentUpdateView(RecordTreatmentMixin, FormView):
    template_name = "treatments/treatment_form.html"
    form_class = TreatmentForm
    success_url = reverse_lazy("treatments:list")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "patient": self.patient,
            "treatment": self.get_treatment(),
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "treatment": self.get_treatment()}

    def form_valid(self, form):
        try:
            services.treatment_update(treatment=self.get_treatment(), **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Treatment updated."))
        return redirect(self.get_success_url())


class TreatmentDeleteView(RecordTreatmentMixin, TemplateView):
    template_name = "treatments/treatment_confirm_delete.html"

    def get_context_data(self, **kwargs):
        treatment = self.get_treatment()
        return {
            **super().get_context_data(**kwargs),
            "treatment": treatment,
            "label": label(treatment),
            "amount": amount_text(treatment),
            "local_time": treatment.taken_at.astimezone(self.patient.tzinfo),
        }

    def post(self, request, *args, **kwargs):
        services.treatment_delete(treatment=self.get_treatment())
        messages.success(request, gettext("Treatment deleted."))
        return redirect("treatments:list")
