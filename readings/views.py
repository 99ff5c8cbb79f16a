from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.views.generic import FormView, ListView, TemplateView

from accounts import roles
from accounts.mixins import PatientRequiredMixin
from readings import selectors, services
from readings.forms import ReadingFilterForm, ReadingForm
from readings.models import Reading
from readings.presentation import CONTEXT_LABELS, dashboard_context, reading_rows
from readings.units import format_value

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


def dashboard_days(request) -> int:
    try:
        days = int(request.GET.get("days", 14))
    except ValueError:
        return 14
    return days if days in selectors.DASHBOARD_PERIODS else 14


class DashboardView(PatientRequiredMixin, TemplateView):
    template_name = "readings/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        days = dashboard_days(self.request)
        dashboard = selectors.dashboard_get(user=user, days=days)
        return {
            **super().get_context_data(**kwargs),
            **dashboard_context(dashboard, unit=user.unit),
            "days": days,
            "periods": selectors.DASHBOARD_PERIODS,
            "version": selectors.readings_version(user=user),
            "poll_seconds": settings.BGT_DASHBOARD_POLL_SECONDS,
        }


def _patient_json(view):
    """JSON endpoints of the patient's own data: 401/403 as JSON, never a login redirect."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "Sign in to see your readings."}, status=401)
        if not roles.is_patient(request.user):
            return JsonResponse({"detail": "Only patients have readings."}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


@_patient_json
def readings_version(request):
    """A tiny payload the dashboard polls to learn that readings changed."""
    return JsonResponse({"version": selectors.readings_version(user=request.user)})


@_patient_json
def dashboard_data(request):
    """The dashboard's cards and figures, redrawn in place when readings change."""
    user = request.user
    days = dashboard_days(request)
    context = dashboard_context(selectors.dashboard_get(user=user, days=days), unit=user.unit)
    return JsonResponse(
        {
            "version": selectors.readings_version(user=user),
            "days": days,
            "cards_html": render_to_string("readings/_stat_cards.html", context, request=request),
            "tables_html": render_to_string(
                "readings/_dashboard_tables.html", context, request=request
            ),
            "figures": context["figures"],
        }
    )


class ReadingListView(PatientRequiredMixin, ListView):
    template_name = "readings/reading_list.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        self.filters = ReadingFilterForm(self.request.GET or None)
        start, end = self.filters.bounds(user.tzinfo)
        self.period = {"start": start, "end": end, **self.filters.selected()}
        return selectors.reading_list(user=user, **self.period)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        target = selectors.target_get(user=user)
        summary = selectors.reading_stats(user=user, target=target, **self.period)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=self.filters,
            summary=summary,
            target=target,
            unit=user.unit,
            rows=reading_rows(
                context["object_list"], unit=user.unit, tz=user.tzinfo, target=target
            ),
            mean=format_value(round(summary.mean), user.unit) if summary.count else None,
            target_text=(
                f"{format_value(target.low_mgdl, user.unit)} to "
                f"{format_value(target.high_mgdl, user.unit)}"
            ),
            context_means=[
                (CONTEXT_LABELS.get(g.key, g.key), g.count, format_value(round(g.mean), user.unit))
                for g in summary.by_context
            ],
            day_means=[
                (g.key, g.count, format_value(round(g.mean), user.unit))
                for g in reversed(summary.by_day)
            ],
            querystring=query.urlencode(),
            filtered=any(self.period.values()),
        )
        return context


class ReadingCreateView(PatientRequiredMixin, FormView):
    template_name = "readings/reading_form.html"
    form_class = ReadingForm
    success_url = reverse_lazy("readings:list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            reading = services.reading_create(user=self.request.user, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Saved a reading of {format_value(reading.value_mgdl, self.request.user.unit)}.",
        )
        if "add_another" in self.request.POST:
            return redirect("readings:create")
        return redirect(self.get_success_url())


class OwnReadingMixin(PatientRequiredMixin):
    """The reading in the URL, if it is the signed-in patient's; anyone else's is a 404."""

    def get_reading(self) -> Reading:
        if not hasattr(self, "_reading"):
            try:
                self._reading = selectors.reading_get(
                    user=self.request.user, reading_id=self.kwargs["pk"]
                )
            except Reading.DoesNotExist:
                raise Http404("No such reading.") from None
        return self._reading

    def dispatch(self, request, *args, **kwargs):
        # Check the role first (403 / sign-in), then ownership (404).
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.test_func():
            raise PermissionDenied
        self.get_reading()
        return super().dispatch(request, *args, **kwargs)


class ReadingUpdateView(OwnReadingMixin, FormView):
    template_name = "readings/reading_form.html"
    form_class = ReadingForm
    success_url = reverse_lazy("readings:list")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
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
        messages.success(self.request, "Reading updated.")
        return redirect(self.get_success_url())


class ReadingDeleteView(OwnReadingMixin, TemplateView):
    template_name = "readings/reading_confirm_delete.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        reading = self.get_reading()
        return {
            **super().get_context_data(**kwargs),
            "reading": reading,
            "value": format_value(reading.value_mgdl, user.unit),
            "local_time": reading.taken_at.astimezone(user.tzinfo),
        }

    def post(self, request, *args, **kwargs):
        services.reading_delete(reading=self.get_reading())
        messages.success(request, "Reading deleted.")
        return redirect(reverse("readings:list"))
