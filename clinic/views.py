"""Pages of the physician's side: the roster, asking patients for access, answering their
offers and ending access. A patient's record is opened from the roster on the report page
(reports.views.PatientReportView).

Views are thin: role mixins answer "may this kind of user be here" (sign-in redirect or
403), patients.selectors answers "may this user act on this grant" (404 otherwise), and
patients.grants does every write.
"""

import re
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from accounts.mixins import PhysicianRequiredMixin
from clinic import selectors
from clinic.forms import AccessRequestForm, OfferAcceptForm, RequestWithdrawForm
from clinic.selectors import Flag
from core.formatting import format_percent
from core.units import Unit, format_value, from_mgdl
from patients import grants
from patients import selectors as patient_selectors
from patients.models import AccessLogEntry, PatientAccess
from patients.services import access_log_record_many
from patients.views import base_url, confirm_page, show_service_errors

# --- physician: roster ---------------------------------------------------------------------

ROSTER_COLUMNS = (
    # (sort key, heading, detail under the heading, numeric); %(g70)s: 70 mg/dL in the unit
    ("name", gettext_lazy("Patient"), "", False),
    ("age", gettext_lazy("Age"), "", True),
    ("last_reading", gettext_lazy("Last reading"), "", False),
    ("active", gettext_lazy("CGM active"), gettext_lazy("%% of time"), True),
    ("mean", gettext_lazy("Mean"), "CGM", True),
    ("gmi", "GMI", "", True),
    ("in_range", gettext_lazy("In range"), gettext_lazy("preset's range"), True),
    ("below_70", gettext_lazy("Below %(g70)s"), gettext_lazy("%% of CGM time"), True),
    ("very_low", gettext_lazy("Below %(g54)s"), gettext_lazy("%% of CGM time"), True),
    ("lv2_hypo", gettext_lazy("L2 hypos"), gettext_lazy("events < %(g54)s"), True),
    ("gri", "GRI", gettext_lazy("zone"), True),
    ("tir_change", gettext_lazy("TIR change"), gettext_lazy("vs previous 14 d"), True),
    ("goals", gettext_lazy("Flags"), "", False),
)


ROSTER_PER_PAGE = 50  # rows a page shows, needs-attention first: a phone's long scroll


class RosterView(PhysicianRequiredMixin, TemplateView):
    """/clinic/: the physician's active patients, needs-attention first, sortable."""

    template_name = "clinic/roster.html"

    def get_context_data(self, **kwargs):
        physician = self.request.user
        sort = self.request.GET.get("sort")
        search = (self.request.GET.get("q") or "").strip()
        key, descending = selectors.parse_sort(sort)
        rows = selectors.roster_for_physician(physician=physician, sort=sort)
        found = selectors.roster_matching(rows, search)
        page = Paginator(found, ROSTER_PER_PAGE).get_page(self.request.GET.get("page"))
        # Each row shown shows the patient's figures: the patient sees that in their log.
        access_log_record_many(grants=[row.grant for row in page], what=AccessLogEntry.ROSTER)
        offers = patient_selectors.offers_for_physician(physician=physician)
        return {
            **super().get_context_data(**kwargs),
            "rows": [_roster_display(row, physician.unit) for row in page],
            "page_obj": page,
            "patients_total": len(rows),
            "search": search,
            "sort": sort or "",
            "page_query": urlencode({k: v for k, v in (("sort", sort), ("q", search)) if v}),
            "columns": _column_headers(key, descending, search=search, unit=physician.unit),
            "bounds": _bounds(physician.unit),
            "sorted_by_default": key == selectors.DEFAULT_SORT,
            "offers": [(grant, OfferAcceptForm(prefix=str(grant.pk))) for grant in offers],
            "request_form": kwargs.get("request_form") or AccessRequestForm(),
            "withdraw_form": kwargs.get("withdraw_form") or RequestWithdrawForm(),
            "clinics": selectors.clinic_names_for(physician=physician),
            "roster_days": selectors.ROSTER_DAYS,
        }


def _roster_display(row, unit: str) -> dict:
    """A roster row as the table prints it (formatted here: 200 rows of template filters
    cost more than the formatting itself). The same rounding as the report's cards
    (core.formatting), so the two pages never disagree on a patient's figure."""
    last = row.last_reading_at
    return {
        "row": row,
        "active": format_percent(row.active_pct),
        "mean": format_value(round(row.mean_14d), unit) if row.mean_14d is not None else "–",
        "gmi": format_percent(row.gmi),
        "in_range": format_percent(row.in_range_pct),
        "below_70": format_percent(row.below_70_pct),
        "very_low": format_percent(row.very_low_pct),
        "lv2_hypo": "–" if row.lv2_hypo_events is None else str(row.lv2_hypo_events),
        "gri": (
            "–"
            if row.gri is None
            else _("%(value)s (zone %(zone)s)")
            % {"value": _figure(row.gri, ".0f"), "zone": row.gri_zone}
        ),
        "tir_change": "–" if row.tir_change is None else _signed(row.tir_change),
        "last_iso": last.isoformat() if last else "",
        # In the patient's zone: "day" and "time of day" are always the patient's.
        "last_local": (
            date_format(last.astimezone(row.patient.tzinfo), "j M Y, H:i") if last else ""
        ),
        "report_url": reverse("reports:patient", args=[row.patient.pk]),
        "end_url": reverse("clinic:roster-end", args=[row.grant.pk]),
        "flags": roster_flags(row, unit),
    }


def _figure(value: float, spec: str) -> str:
    """``value`` formatted as ``spec`` ("g", ".1f": the rounding of Python's format; Django's
    number_format truncates floats) in the reader's decimal mark."""
    return number_format(Decimal(format(value, spec)))


def _signed(points: float) -> str:
    """ "+3.5" / "−12.0" points, in the active language's decimal mark."""
    return ("+" if points >= 0 else "-") + _figure(abs(points), ".1f")


def _bound(mgdl: int, unit: str) -> str:
    """A consensus threshold as the roster writes it: 70 (mg/dL) or 3.9 (mmol/L; 3,9 in
    German)."""
    return number_format(from_mgdl(mgdl, unit))


def _bounds(unit: str) -> dict:
    """The thresholds the roster's headings and footnote name, in the physician's unit."""
    return {f"g{mgdl}": _bound(mgdl, unit) for mgdl in (54, 70, 140, 154, 180, 250)}


_GOAL_SYMBOLS = {">": ">", "<": "<", "<=": "≤"}


def _goal_label(goal, unit: str) -> str:
    """The figure a goal judges, in the reader's unit and language ("Below 3.9")."""
    if goal.key == "gmi":
        return _("Glucose management indicator (GMI)")
    if goal.key == "cv":
        return _("Glucose variability (CV)")
    side, _sep, threshold = goal.key.partition("_")
    if side == "in":  # in_range: the preset's range, named by its goal's label
        low, high = re.findall(r"\d+", goal.label)[:2]
        return _("In range (%(low)s–%(high)s)") % {
            "low": _bound(int(low), unit),
            "high": _bound(int(high), unit),
        }
    name = _("Below %(value)s") if side == "below" else _("Above %(value)s")
    return name % {"value": _bound(int(threshold), unit)}


def roster_flags(row, unit: str) -> list[Flag]:
    """Why the row's patient needs attention, worded for the page: the reader's unit and
    language (clinic.selectors words the same flags in mg/dL and English for the API)."""
    flags = []
    for goal in row.goal_flags:
        symbol = _GOAL_SYMBOLS[goal.comparator]
        if goal.key == "mean":
            text = _("Mean: %(value)s (goal %(goal)s)") % {
                "value": format_value(round(goal.value), unit),
                "goal": f"{symbol} {format_value(goal.threshold, unit)}",
            }
        else:
            text = _("%(label)s: %(value)s (goal %(goal)s)") % {
                "label": _goal_label(goal, unit),
                "value": format_percent(goal.value),
                "goal": f"{symbol} {_figure(goal.threshold, 'g')} %",
            }
        flags.append(Flag(goal.key, text))
    keys = {flag.key for flag in row.flags}
    if "wear" in keys:
        flags.append(
            Flag(
                "wear", _("CGM wear < 70 %%: %(value)s") % {"value": format_percent(row.active_pct)}
            )
        )
    if "tir_drop" in keys:
        flags.append(
            Flag(
                "tir_drop",
                _("TIR fell ≥ 15 points: %(change)s") % {"change": _signed(row.tir_change)},
            )
        )
    return flags


def _column_headers(
    key: str, descending: bool, *, search: str = "", unit: str = Unit.MGDL
) -> list[dict]:
    """Each column's heading, its aria-sort state and the link that sorts by it (a second
    click on the sorted column reverses it)."""
    headers = []
    for column, title, detail, numeric in ROSTER_COLUMNS:
        # "Below 70" is "Below 3.9" for a mmol/L reader
        bounds = {"g70": _bound(70, unit), "g54": _bound(54, unit)}
        title, detail = str(title) % bounds, str(detail) % bounds
        active = column == key
        if active:
            aria = "descending" if descending else "ascending"
            next_sort = column if descending else f"-{column}"
        else:
            aria = None
            # Numbers where bigger means more concern start from the biggest.
            ascending_first = ("age", "active", "in_range", "tir_change")
            next_sort = f"-{column}" if numeric and column not in ascending_first else column
        headers.append(
            {
                "key": column,
                "title": title,
                "detail": detail,
                "aria_sort": aria,
                "url": "?" + urlencode({"sort": next_sort, **({"q": search} if search else {})}),
                "numeric": numeric,
            }
        )
    return headers


class AccessRequestView(PhysicianRequiredMixin, View):
    """POST /clinic/request/: ask a patient by email. The answer is the same whether or not
    the email belongs to a patient (no account enumeration)."""

    def post(self, request):
        form = AccessRequestForm(request.POST)
        if not form.is_valid():
            view = RosterView(request=request, kwargs={})
            context = view.get_context_data(request_form=form)
            return view.render_to_response(context)
        email = form.cleaned_data["email"]
        try:
            grants.physician_access_request(
                physician=request.user,
                patient_email=email,
                mrn=form.cleaned_data["mrn"],
                base_url=base_url(request),
            )
        except ValidationError as error:
            show_service_errors(request, error)
        else:
            messages.success(
                request,
                _(
                    "If %(email)s belongs to a BGT patient, they have been asked to share "
                    "their readings with you. They appear on your roster once they accept."
                )
                % {"email": email},
            )
        return redirect("clinic:roster")


class RequestWithdrawView(PhysicianRequiredMixin, View):
    """POST /clinic/request/withdraw/: take back a request the patient has not answered;
    the same answer whether or not one was pending."""

    def post(self, request):
        form = RequestWithdrawForm(request.POST)
        if not form.is_valid():
            view = RosterView(request=request, kwargs={})
            return view.render_to_response(view.get_context_data(withdraw_form=form))
        email = form.cleaned_data["email"]
        grants.physician_access_request_withdraw(
            physician=request.user, patient_email=email, base_url=base_url(request)
        )
        messages.success(
            request,
            _(
                "If you had a pending request to %(email)s, it is withdrawn: it can no longer "
                "be accepted. Patients already on your roster are not affected."
            )
            % {"email": email},
        )
        return redirect("clinic:roster")


class OfferAnswerView(PhysicianRequiredMixin, View):
    """POST: a physician accepts (with an optional MRN) or declines a patient's offer."""

    accept = True

    def post(self, request, pk):
        try:
            grant = patient_selectors.grant_to_answer(user=request.user, grant_id=pk)
        except PatientAccess.DoesNotExist:
            raise Http404("No such offer.") from None
        patient_name = grant.patient.display_name
        try:
            if self.accept:
                form = OfferAcceptForm(request.POST, prefix=str(grant.pk))
                if not form.is_valid():
                    messages.error(request, _("The MRN is too long; the offer is still waiting."))
                    return redirect("clinic:roster")
                grants.physician_access_accept(
                    grant=grant,
                    by=request.user,
                    mrn=form.cleaned_data["mrn"],
                    base_url=base_url(request),
                )
                messages.success(
                    request, _("%(name)s is now on your roster.") % {"name": patient_name}
                )
            else:
                grants.physician_access_decline(
                    grant=grant, by=request.user, base_url=base_url(request)
                )
                messages.success(
                    request, _("You declined %(name)s's offer.") % {"name": patient_name}
                )
        except ValidationError as error:
            show_service_errors(request, error)
        return redirect("clinic:roster")


# --- ending access ----------------------------------------------------


class PhysicianLinkEndView(PhysicianRequiredMixin, View):
    """GET: confirm; POST: a physician removes a patient from their roster at once
    (/clinic/links/<id>/end/)."""

    def get_grant(self):
        try:
            return patient_selectors.grant_to_end(
                user=self.request.user, grant_id=self.kwargs["pk"]
            )
        except PatientAccess.DoesNotExist:
            raise Http404("No such link.") from None

    def get(self, request, pk):
        name = self.get_grant().patient.display_name
        return confirm_page(
            request,
            title=_("Remove %(name)s from your roster?") % {"name": name},
            text=_(
                "You will no longer see %(name)s's readings, and they will be told by email. "
                "To see them again, you would have to ask them again."
            )
            % {"name": name},
            button=_("Remove patient"),
            cancel_url=reverse("clinic:roster"),
        )

    def post(self, request, pk):
        grant = self.get_grant()
        grants.physician_access_revoke(grant=grant, by=request.user, base_url=base_url(request))
        messages.success(
            request,
            _("%(name)s is no longer on your roster.") % {"name": grant.patient.display_name},
        )
        return redirect("clinic:roster")
