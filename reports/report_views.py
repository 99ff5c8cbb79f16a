"""The glucose profile report (AGP-style) as a print-styled page and as a PDF, for the
record being worked on (its patient, caregivers and followers) and for a physician with
an active grant (DESIGN.md 4.6).

Both forms render one template (reports/agp_report.html): the browser prints the page,
WeasyPrint lays out the same HTML and CSS into the PDF (reports.pdf). Each report produced
is one access-log entry for the roles that are logged (one per page or PDF requested; the
period is chosen before, in the download form, and is not itself a request).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views import View

from accounts.mixins import PhysicianRequiredMixin
from patients import selectors as patient_selectors
from patients.access import Action
from patients.mixins import RecordMixin
from patients.models import PatientAccess
from patients.services import access_log_record
from reports import agp_report
from reports.pdf import html_to_pdf
from reports.selectors import agp_report_get

AGP_REPORT = "glucose profile report"  # the access log's name of this report


def render_report(request, patient, *, pdf: bool, links: dict[str, str]) -> HttpResponse:
    """The report of ``patient`` (a record from the gate, carrying its ``grant``) for the
    period and paper of the request's query."""
    tz = patient.tzinfo
    try:
        period = agp_report.period_from(request.GET, today=timezone.localdate(timezone=tz))
    except ValueError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    paper = request.GET.get("paper")
    if paper not in agp_report.PAPERS:
        paper = agp_report.paper_for(request.headers.get("Accept-Language", ""))
    data = agp_report_get(patient=patient, last_day=period.last_day, days=period.days)
    grant = patient.grant
    access_log_record(grant=grant, what=f"{AGP_REPORT} ({'PDF' if pdf else 'print page'})")
    viewer = request.user.get_full_name() or request.user.email
    context = agp_report.report_context(
        data,
        unit=request.user.unit,
        mrn=grant.mrn if grant.role == PatientAccess.Role.PHYSICIAN else "",
        generated_at=timezone.now(),
        viewer=viewer,
    )
    query = {"start": period.first_day.isoformat(), "end": period.last_day.isoformat()}
    context.update(
        pdf=pdf,
        paper=paper,
        paper_name=agp_report.PAPERS[paper],
        other_paper=next(p for p in agp_report.PAPERS if p != paper),
        pdf_url=f"{links['pdf']}?{urlencode({**query, 'paper': paper})}",
        query=urlencode(query),
        back_url=links["back"],
        pdf_base=links["pdf"],
    )
    with timezone.override(tz):
        html = render_to_string("reports/agp_report.html", context, request=request)
    if not pdf:
        return HttpResponse(html)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    name = slugify(patient.display_name) or "patient"
    response["Content-Disposition"] = (
        f'attachment; filename="glucose-profile-{name}-{period.first_day}-{period.last_day}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


class AgpReportView(RecordMixin, View):
    """/report/ (the print page) and /report.pdf of the record being worked on."""

    pdf = False

    def get(self, request):
        links = {"pdf": reverse("reports:agp-pdf"), "back": reverse("reports:dashboard")}
        return render_report(request, self.patient, pdf=self.pdf, links=links)


class PhysicianAgpReportView(PhysicianRequiredMixin, View):
    """/clinic/patients/<id>/report/ and .../report.pdf: a record with an active physician
    grant (patients.selectors.patient_for; anything else is a 404)."""

    pdf = False

    def get(self, request, pk):
        try:
            patient = patient_selectors.patient_for(
                user=request.user, patient_id=pk, action=Action.VIEW
            )
        except patient_selectors.PatientNotAvailable:
            raise Http404("No such patient on your roster.") from None
        links = {
            "pdf": reverse("reports:patient-agp-pdf", args=[pk]),
            "back": reverse("reports:patient", args=[pk]),
        }
        return render_report(request, patient, pdf=self.pdf, links=links)
