"""Pages of a record's readings: the table with its averages, and add, edit, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.views.generic import FormView, TemplateView

from core.units import format_value
from patients.access import Action
from patients.mixins import RecordMixin
from patients.models import AccessLogEntry
from patients.services import access_log_record
from readings import selectors, services
from readings.forms import DayJumpForm, ReadingFilterForm, ReadingForm
from readings.models import Reading
from readings.presentation import CONTEXT_LABELS, day_groups

# Service (model) field names -> the form fields a person typed them in.
FORM_FIELD_OF = {
    "value_mgdl": "value",
    "taken_at": "time",
    "notes": "notes",
    "kind": "kind",
    "context": "context",
}


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields the person can fix."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(FORM_FIELD_OF.get(field), errors)
    else:
        form.add_error(None, error)


class ReadingListView(RecordMixin, TemplateView):
    """The table: DAYS_PER_PAGE local days a page, each with its summary, CGM folded."""

    template_name = "readings/reading_list.html"
    DAYS_PER_PAGE = 7

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 400 if self.filters.is_bound and not self.filters.is_valid() else 200
        return self.render_to_response(context, status=status)  # 400: the page says why

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, patient = self.request.user, self.patient
        self.filters = ReadingFilterForm(self.request.GET or None)
        start, end = self.filters.bounds(patient.tzinfo)
        period = {"start": start, "end": end, **self.filters.selected()}
        jump = DayJumpForm(self.request.GET or None)
        last_day, open_day = jump.days()
        page = selectors.reading_day_page(
            patient=patient, days=self.DAYS_PER_PAGE, last_day=last_day, **period
        )
        access_log_record(grant=patient.grant, what=AccessLogEntry.READINGS_PAGE)
        target = selectors.target_get(patient=patient)
        summary = selectors.reading_stats(patient=patient, target=target, **period)
        filters_query = self.request.GET.copy()
        for key in ("day", "open"):
            filters_query.pop(key, None)
        groups = day_groups(
            page.readings, unit=user.unit, tz=patient.tzinfo, target=target, open_days={open_day}
        )
        context.update(
            filters=self.filters,
            jump=DayJumpForm(initial={"day": page.last_day}),
            page=page,
            groups=groups,
            rows=[row for group in groups for row in group.rows],
            summary=summary,
            target=target,
            unit=user.unit,
            mean=format_value(round(summary.mean), user.unit) if summary.count else None,
            target_text=gettext("%(low)s to %(high)s")
            % {
                "low": format_value(target.low_mgdl, user.unit),
                "high": format_value(target.high_mgdl, user.unit),
            },
            context_means=[
                (CONTEXT_LABELS.get(g.key, g.key), g.count, format_value(round(g.mean), user.unit))
                for g in summary.by_context
            ],
            querystring=filters_query.urlencode(),
            filtered=any(period.values()),
        )
        return context


class ReadingCreateView(RecordMixin, FormView):
    record_action = Action.WRITE
    template_name = "readings/reading_form.html"
    form_class = ReadingForm
    success_url = reverse_lazy("readings:list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "patient": self.patient}

    def form_valid(self, form):
        try:
            reading = services.reading_create(patient=self.patient, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("Saved a reading of %(value)s.")
            % {"value": format_value(reading.value_mgdl, self.request.user.unit)},
        )
        if "add_another" in self.request.POST:
            return redirect("readings:create")
        return redirect(self.get_success_url())


class RecordReadingMixin(RecordMixin):
    """The reading in the URL, if it belongs to the record being worked on (which the
    signed-in person may write); any other reading is a 404."""

    record_action = Action.WRITE

    def get_reading(self) -> Reading:
        if not hasattr(self, "_reading"):
            try:
                self._reading = selectors.reading_get(
                    patient=self.patient, reading_id=self.kwargs["pk"]
                )
            except Reading.DoesNotExist:
                raise Http404("No such reading.") from None
        return self._reading


class ReadingUpdateView(RecordReadingMixin, FormView):
    template_name = "readings/reading_form.html"
    form_class = ReadingForm
    success_url = reverse_lazy("readings:list")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "patient": self.patient,
            "reading": self.get_reading(),
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "reading": self.get_reading()}

    def form_valid(self, form):
        try:
            services.reading_update(reading=self.get_reading(), **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Reading updated."))
        return redirect(self.get_success_url())


class ReadingDeleteView(RecordReadingMixin, TemplateView):
    template_name = "readings/reading_confirm_delete.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        reading = self.get_reading()
        return {
            **super().get_context_data(**kwargs),
            "reading": reading,
            "value": format_value(reading.value_mgdl, user.unit),
            "local_time": reading.taken_at.astimezone(self.patient.tzinfo),
        }

    def post(self, request, *args, **kwargs):
        services.reading_delete(reading=self.get_reading())
        messages.success(request, gettext("Reading deleted."))
        return redirect(reverse("readings:list"))
