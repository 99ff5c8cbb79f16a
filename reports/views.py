"""The dashboard of the record being worked on, and a physician's read-only report of a
record shared with them (DESIGN.md sections 3-5)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from accounts.mixins import PhysicianRequiredMixin
from core.units import format_value
from patients import access
from patients import selectors as patient_selectors
from patients import services as patient_services
from patients.access import Action
from patients.forms import PresetForm
from patients.mixins import RecordMixin, current_record
from patients.models import AccessLogEntry, TargetPreset
from readings import selectors as reading_selectors
from reports.agp_report import paper_for
from reports.now import now_context
from reports.presentation import dashboard_context, reading_rows
from reports.selectors import dashboard_get, now_get

READINGS_PER_PAGE = 50


def period_days(request) -> int:
    """The period a page shows: ``?days=`` if it is one of the offered periods, else 14."""
    try:
        days = int(request.GET.get("days", 14))
    except ValueError:
        return 14
    return days if days in reading_selectors.DASHBOARD_PERIODS else 14


class DashboardView(RecordMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        days = period_days(self.request)
        dashboard = dashboard_get(patient=self.patient, days=days)
        # A caregiver's or follower's look is in the record's access log (not the polls).
        patient_services.access_log_record(grant=self.patient.grant, what=AccessLogEntry.DASHBOARD)
        return {
            **super().get_context_data(**kwargs),
            **dashboard_context(dashboard, unit=self.request.user.unit),
            **now_context(now_get(patient=self.patient), unit=self.request.user.unit),
            "days": days,
            "periods": reading_selectors.DASHBOARD_PERIODS,
            "version": reading_selectors.readings_version(patient=self.patient),
            "record_has_readings": reading_selectors.reading_any(patient=self.patient),
            "poll_seconds": settings.BGT_DASHBOARD_POLL_SECONDS,
            "report_pdf_url": reverse("reports:agp-pdf"),
            "report_page_url": reverse("reports:agp"),
            "report_paper": paper_for(self.request.headers.get("Accept-Language", "")),
        }


def _record_json(view):
    """JSON endpoints of the record being worked on: 401/403 as JSON, never a redirect."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "Sign in to see your readings."}, status=401)
        patient = current_record(request, action=Action.VIEW)
        if patient is None:
            return JsonResponse({"detail": "Only patients have readings."}, status=403)
        return view(request, patient, *args, **kwargs)

    return wrapped


@_record_json
def readings_version(request, patient):
    """A tiny payload the dashboard polls to learn that readings changed."""
    return JsonResponse({"version": reading_selectors.readings_version(patient=patient)})


@_record_json
def now_data(request, patient):
    """The "now" card, polled by the dashboard: its HTML, the tab title's prefix, and the
    readings' version (a change makes the dashboard fetch dashboard_data). Not in the
    access log, like the other polls: the page view that started them is."""
    context = {
        **now_context(now_get(patient=patient), unit=request.user.unit),
        "may_write": access.may(patient.grant, Action.WRITE),
    }
    with timezone.override(patient.tzinfo):
        html = render_to_string("reports/_now.html", context, request=request)
    return JsonResponse(
        {
            "version": reading_selectors.readings_version(patient=patient),
            "state": context["now_card"].state,
            "title": context["now_card"].title,
            "html": html,
        }
    )


@_record_json
def dashboard_data(request, patient):
    """The dashboard's cards and figures, redrawn in place when readings change."""
    days = period_days(request)
    context = dashboard_context(dashboard_get(patient=patient, days=days), unit=request.user.unit)
    return JsonResponse(
        {
            "version": reading_selectors.readings_version(patient=patient),
            "days": days,
            "cards_html": render_to_string("reports/_stat_cards.html", context, request=request),
            "tables_html": render_to_string(
                "reports/_dashboard_tables.html", context, request=request
            ),
            "figures": context["figures"],
        }
    )


class PatientReportView(PhysicianRequiredMixin, TemplateView):
    """/clinic/patients/<id>/: one record's dashboard and readings, read-only, for a
    physician it is shared with.

    The record comes through patients.selectors.patient_for: a record without an active
    grant is a 404, and every view is written to the record's access log. No live polling
    here: each poll would be another access-log entry.
    """

    template_name = "reports/patient_report.html"

    def render_to_response(self, context, **kwargs):
        # The patient's days and clocks, not the server's UTC (templates' date filters).
        with timezone.override(context["patient"].tzinfo):
            response = super().render_to_response(context, **kwargs)
            return response.render()

    def get_context_data(self, **kwargs):
        physician = self.request.user
        try:
            patient = patient_selectors.patient_for(
                user=physician, patient_id=self.kwargs["pk"], action=Action.VIEW
            )
        except patient_selectors.PatientNotAvailable:
            raise Http404("No such patient on your roster.") from None
        days = period_days(self.request)
        dashboard = dashboard_get(patient=patient, days=days)
        patient_services.access_log_record(grant=patient.grant, what=AccessLogEntry.REPORT_PAGE)
        page = Paginator(
            reading_selectors.reading_list(
                patient=patient, start=dashboard.start, end=dashboard.end
            ),
            READINGS_PER_PAGE,
        ).get_page(self.request.GET.get("page"))
        today = dashboard.end.astimezone(patient.tzinfo).date()
        login = patient_selectors.self_login(patient=patient)
        return {
            **super().get_context_data(**kwargs),
            **dashboard_context(dashboard, unit=physician.unit),
            "patient": patient,
            "patient_email": login.email if login else "",
            "grant": patient.grant,
            "age": patient.age_on(today),
            "diabetes_type": patient.get_diabetes_type_display() if patient.diabetes_type else "",
            "days": days,
            "periods": reading_selectors.DASHBOARD_PERIODS,
            "page_obj": page,
            "rows": reading_rows(
                page.object_list, unit=physician.unit, tz=patient.tzinfo, target=dashboard.target
            ),
            "querystring": f"days={days}",
            "target_text": (
                f"{format_value(dashboard.target.low_mgdl, physician.unit)} to "
                f"{format_value(dashboard.target.high_mgdl, physician.unit)}"
            ),
            "report_pdf_url": reverse("reports:patient-agp-pdf", args=[patient.pk]),
            "report_page_url": reverse("reports:patient-agp", args=[patient.pk]),
            "report_paper": paper_for(self.request.headers.get("Accept-Language", "")),
            "preset_form": PresetForm(
                prefix="preset", initial={"target_preset": patient.target_preset}
            ),
        }


class PatientPresetView(PhysicianRequiredMixin, View):
    """POST: the physician sets the consensus target preset a patient's figures are judged
    by (CLINICAL.md D9: "on the roster link"); back to the patient's page."""

    def post(self, request, pk):
        try:
            patient = patient_selectors.patient_for(
                user=request.user, patient_id=pk, action=Action.SET_PRESET
            )
        except patient_selectors.PatientNotAvailable:
            raise Http404("No such patient on your roster.") from None
        form = PresetForm(request.POST, prefix="preset")
        if form.is_valid():
            patient_services.patient_preset_set(
                patient=patient, preset=form.cleaned_data["target_preset"]
            )
            label = TargetPreset(patient.target_preset).label
            messages.success(request, f"{patient.display_name}'s figures now follow: {label}.")
        else:
            messages.error(request, "Choose one of the listed target presets.")
        return redirect("reports:patient", pk=patient.pk)
