"""Pages of the clinic side: the physician's roster and read-only patient report, and the
patient's /sharing/ page with the consent flow, access log and device upload secret.

Views are thin: role mixins answer "may this kind of user be here" (sign-in redirect or
403), clinic.selectors answers "may this user see this object" (404 otherwise), and
clinic.services does every write.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import TemplateView, View

from accounts.mixins import PatientRequiredMixin, PhysicianRequiredMixin
from accounts.services import medical_profile_get
from clinic import selectors, services
from clinic.forms import (
    AccessOfferForm,
    AccessRequestForm,
    OfferAcceptForm,
    OfferWithdrawForm,
    RequestWithdrawForm,
)
from clinic.models import AccessLogEntry, RosterLink
from readings import selectors as reading_selectors
from readings import services as reading_services
from readings.presentation import dashboard_context, reading_rows
from readings.units import format_value

READINGS_PER_PAGE = 50
ACCESS_LOG_PER_PAGE = 20


def _base_url(request) -> str:
    """The site's address for links in emails, e.g. "https://bgt.example/"."""
    return request.build_absolute_uri("/")


def _service_error(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- physician: roster ---------------------------------------------------------------------

ROSTER_COLUMNS = (
    # (sort key, heading, detail under the heading, numeric)
    ("name", "Patient", "", False),
    ("age", "Age", "", True),
    ("last_reading", "Last reading", "", False),
    ("mean", "Mean", "14 days", True),
    ("in_range", "In range", "70–180", True),
    ("low", "Low", "54–69", True),
    ("very_low", "Very low", "below 54", True),
    ("very_low_count", "Count", "below 54", True),
    ("goals", "Goals missed", "", False),
)


class RosterView(PhysicianRequiredMixin, TemplateView):
    """/clinic/: the physician's active patients, needs-attention first, sortable."""

    template_name = "clinic/roster.html"

    def get_context_data(self, **kwargs):
        physician = self.request.user
        sort = self.request.GET.get("sort")
        key, descending = selectors.parse_sort(sort)
        rows = selectors.roster_for_physician(physician=physician, sort=sort)
        offers = selectors.offers_for_physician(physician=physician)
        return {
            **super().get_context_data(**kwargs),
            "rows": [_roster_display(row, physician.unit, physician.tzinfo) for row in rows],
            "columns": _column_headers(key, descending),
            "sorted_by_default": key == selectors.DEFAULT_SORT,
            "offers": [(link, OfferAcceptForm(prefix=str(link.pk))) for link in offers],
            "request_form": kwargs.get("request_form") or AccessRequestForm(),
            "withdraw_form": kwargs.get("withdraw_form") or RequestWithdrawForm(),
            "clinics": selectors.clinic_names_for(physician=physician),
            "roster_days": selectors.ROSTER_DAYS,
        }


GOAL_SHORT_LABELS = {
    "in_range": "In range",
    "low_or_below": "Below 70",
    "very_low": "Below 54",
    "high_or_above": "Above 180",
    "very_high": "Above 250",
    "cv": "CV",
}
GOAL_WORDS = {">": "goal >", "<": "goal <", "<=": "goal ≤"}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def _roster_display(row, unit: str, tz) -> dict:
    """A roster row as the table prints it (formatted here: 200 rows of template filters
    cost more than the formatting itself)."""
    last = row.last_reading_at
    return {
        "row": row,
        "mean": format_value(round(row.mean_14d), unit) if row.mean_14d is not None else "–",
        "in_range": _percent(row.in_range_pct),
        "low": _percent(row.low_pct),
        "very_low": _percent(row.very_low_pct),
        "very_low_count": str(row.very_low_count) if row.count else "–",
        "last_iso": last.isoformat() if last else "",
        "last_local": last.astimezone(tz).strftime("%-d %b %Y, %H:%M") if last else "",
        "report_url": reverse("clinic:patient", args=[row.patient.pk]),
        "end_url": reverse("clinic:roster-end", args=[row.link.pk]),
        # Words, not colour alone: "Below 54: 3.2 % (goal < 1 %)".
        "flags": [
            {
                "key": goal.key,
                "text": (
                    f"{GOAL_SHORT_LABELS[goal.key]}: {goal.value:.1f} % "
                    f"({GOAL_WORDS[goal.comparator]} {goal.threshold:g} %)"
                ),
            }
            for goal in row.goal_flags
        ],
    }


def _column_headers(key: str, descending: bool) -> list[dict]:
    """Each column's heading, its aria-sort state and the link that sorts by it (a second
    click on the sorted column reverses it)."""
    headers = []
    for column, title, detail, numeric in ROSTER_COLUMNS:
        active = column == key
        if active:
            aria = "descending" if descending else "ascending"
            next_sort = column if descending else f"-{column}"
        else:
            aria = None
            # Numbers where bigger means more concern start from the biggest.
            next_sort = f"-{column}" if numeric and column not in ("age", "in_range") else column
        headers.append(
            {
                "key": column,
                "title": title,
                "detail": detail,
                "aria_sort": aria,
                "url": f"?sort={next_sort}",
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
            services.roster_link_request(
                physician=request.user,
                patient_email=email,
                mrn=form.cleaned_data["mrn"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            _service_error(request, error)
        else:
            messages.success(
                request,
                f"If {email} belongs to a BGT patient, they have been asked to share their "
                "readings with you. They appear on your roster once they accept.",
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
        services.roster_link_request_withdraw(
            physician=request.user, patient_email=email, base_url=_base_url(request)
        )
        messages.success(
            request,
            f"If you had a pending request to {email}, it is withdrawn: it can no longer be "
            "accepted. Patients already on your roster are not affected.",
        )
        return redirect("clinic:roster")


class OfferAnswerView(PhysicianRequiredMixin, View):
    """POST: a physician accepts (with an optional MRN) or declines a patient's offer."""

    accept = True

    def post(self, request, pk):
        try:
            link = selectors.roster_link_to_answer(user=request.user, link_id=pk)
        except RosterLink.DoesNotExist:
            raise Http404("No such offer.") from None
        patient_name = link.patient.display_name
        try:
            if self.accept:
                form = OfferAcceptForm(request.POST, prefix=str(link.pk))
                if not form.is_valid():
                    messages.error(request, "The MRN is too long; the offer is still waiting.")
                    return redirect("clinic:roster")
                services.roster_link_accept(
                    link=link,
                    by=request.user,
                    mrn=form.cleaned_data["mrn"],
                    base_url=_base_url(request),
                )
                messages.success(request, f"{patient_name} is now on your roster.")
            else:
                services.roster_link_decline(
                    link=link, by=request.user, base_url=_base_url(request)
                )
                messages.success(request, f"You declined {patient_name}'s offer.")
        except ValidationError as error:
            _service_error(request, error)
        return redirect("clinic:roster")


# --- physician: read-only patient report ---------------------------------------------------


class PatientReportView(PhysicianRequiredMixin, TemplateView):
    """/clinic/patients/<id>/: one patient's dashboard and readings, read-only.

    The patient comes through clinic.selectors.patient_for_physician: any patient without
    an active link is a 404, and every view is written to the patient's access log. No
    live polling here: each poll would be another access-log entry.
    """

    template_name = "clinic/patient_report.html"

    def get_context_data(self, **kwargs):
        physician = self.request.user
        try:
            patient = selectors.patient_for_physician(
                physician=physician, patient_id=self.kwargs["pk"], what=AccessLogEntry.REPORT_PAGE
            )
        except selectors.PatientNotAvailable:
            raise Http404("No such patient on your roster.") from None
        days = _report_days(self.request)
        dashboard = reading_selectors.dashboard_get(user=patient, days=days)
        page = Paginator(
            reading_selectors.reading_list(user=patient, start=dashboard.start, end=dashboard.end),
            READINGS_PER_PAGE,
        ).get_page(self.request.GET.get("page"))
        profile = medical_profile_get(user=patient)
        today = dashboard.end.astimezone(patient.tzinfo).date()
        return {
            **super().get_context_data(**kwargs),
            **dashboard_context(dashboard, unit=physician.unit),
            "patient": patient,
            "link": patient.roster_link,
            "age": profile.age_on(today),
            "diabetes_type": profile.get_diabetes_type_display() if profile.diabetes_type else "",
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
        }


def _report_days(request) -> int:
    try:
        days = int(request.GET.get("days", 14))
    except ValueError:
        return 14
    return days if days in reading_selectors.DASHBOARD_PERIODS else 14


# --- either side: ending an active link ----------------------------------------------------


class LinkEndView(View):
    """GET: confirm; POST: end an active link at once. Physicians reach it from the roster
    (/clinic/links/<id>/end/), patients from /sharing/ (/sharing/links/<id>/end/)."""

    home = "clinic:roster"

    def get_link(self):
        try:
            return selectors.roster_link_to_end(user=self.request.user, link_id=self.kwargs["pk"])
        except RosterLink.DoesNotExist:
            raise Http404("No such link.") from None

    def get(self, request, pk):
        link = self.get_link()
        return _confirm(
            request,
            title=self.confirm_title(link),
            text=self.confirm_text(link),
            button="Stop sharing" if self.side == RosterLink.Side.PATIENT else "Remove patient",
            cancel_url=reverse(self.home),
        )

    def post(self, request, pk):
        link = self.get_link()
        services.roster_link_revoke(link=link, by=request.user, base_url=_base_url(request))
        messages.success(request, self.done_message(link))
        return redirect(self.home)


class PhysicianLinkEndView(PhysicianRequiredMixin, LinkEndView):
    side = RosterLink.Side.PHYSICIAN
    home = "clinic:roster"

    def confirm_title(self, link):
        return f"Remove {link.patient.display_name} from your roster?"

    def confirm_text(self, link):
        return (
            f"You will no longer see {link.patient.display_name}'s readings, and they will be "
            "told by email. To see them again, you would have to ask them again."
        )

    def done_message(self, link):
        return f"{link.patient.display_name} is no longer on your roster."


class PatientLinkEndView(PatientRequiredMixin, LinkEndView):
    side = RosterLink.Side.PATIENT
    home = "clinic:sharing"

    def confirm_title(self, link):
        return f"Stop sharing with {selectors.physician_title(link.physician)}?"

    def confirm_text(self, link):
        title = selectors.physician_title(link.physician)
        return (
            f"{title} will no longer see your readings, starting now, and will be told by "
            "email. You can offer access again later."
        )

    def done_message(self, link):
        return f"{selectors.physician_title(link.physician)} can no longer see your readings."


def _confirm(request, *, title, text, button, cancel_url, danger=True):
    """A page asking to confirm an action; its form POSTs back to the same URL."""
    return render(
        request,
        "clinic/confirm.html",
        {
            "title": title,
            "text": text,
            "button": button,
            "cancel_url": cancel_url,
            "danger": danger,
        },
    )


# --- patient: /sharing/ ---------------------------------------------------------------------


class SharingView(PatientRequiredMixin, TemplateView):
    """/sharing/: who sees the patient's data, who is asking, the access log, and the
    device upload secret."""

    template_name = "clinic/sharing.html"

    def get_context_data(self, **kwargs):
        patient = self.request.user
        log = Paginator(selectors.access_log_for_patient(patient=patient), ACCESS_LOG_PER_PAGE)
        return {
            **super().get_context_data(**kwargs),
            "sharing": selectors.sharing_for_patient(patient=patient),
            "offer_form": kwargs.get("offer_form") or AccessOfferForm(),
            "withdraw_form": kwargs.get("withdraw_form") or OfferWithdrawForm(),
            "log_page": log.get_page(self.request.GET.get("log_page")),
            "upload_secret": selectors.upload_secret_for_patient(patient=patient),
        }


class AccessOfferView(PatientRequiredMixin, View):
    """POST /sharing/offer/: offer a physician access by email; the same answer whether or
    not the email belongs to a physician."""

    def post(self, request):
        form = AccessOfferForm(request.POST)
        if not form.is_valid():
            view = SharingView(request=request, kwargs={})
            return view.render_to_response(view.get_context_data(offer_form=form))
        email = form.cleaned_data["email"]
        try:
            services.roster_link_offer(
                patient=request.user, physician_email=email, base_url=_base_url(request)
            )
        except ValidationError as error:
            _service_error(request, error)
        else:
            messages.success(
                request,
                f"If {email} belongs to a physician on BGT, they have been sent your offer. "
                "They see nothing until they accept; they will then appear below.",
            )
        return redirect("clinic:sharing")


class OfferWithdrawView(PatientRequiredMixin, View):
    """POST /sharing/offer/withdraw/: take back an offer the physician has not accepted;
    the same answer whether or not one was pending (offers are not listed, see
    clinic.selectors.sharing_for_patient)."""

    def post(self, request):
        form = OfferWithdrawForm(request.POST)
        if not form.is_valid():
            view = SharingView(request=request, kwargs={})
            return view.render_to_response(view.get_context_data(withdraw_form=form))
        email = form.cleaned_data["email"]
        services.roster_link_offer_withdraw(
            patient=request.user, physician_email=email, base_url=_base_url(request)
        )
        messages.success(
            request,
            f"If you had a pending offer to {email}, it is withdrawn: it can no longer be "
            "accepted. To stop sharing with a physician who already accepted, use "
            "“Stop sharing” next to their name.",
        )
        return redirect("clinic:sharing")


class RequestAnswerView(PatientRequiredMixin, View):
    """POST: a patient accepts or declines a physician's request."""

    accept = True

    def post(self, request, pk):
        try:
            link = selectors.roster_link_to_answer(user=request.user, link_id=pk)
        except RosterLink.DoesNotExist:
            raise Http404("No such request.") from None
        title = selectors.physician_title(link.physician)
        try:
            if self.accept:
                services.roster_link_accept(link=link, by=request.user, base_url=_base_url(request))
                messages.success(request, f"{title} can now see your readings.")
            else:
                services.roster_link_decline(
                    link=link, by=request.user, base_url=_base_url(request)
                )
                messages.success(request, f"You declined {title}'s request. Nothing was shared.")
        except ValidationError as error:
            _service_error(request, error)
        return redirect("clinic:sharing")


class UploadSecretRotateView(PatientRequiredMixin, View):
    """GET: confirm (when a secret exists, since rotating stops the old one); POST: make a
    new device upload secret and show it once. The page is not cached anywhere."""

    def get(self, request):
        if selectors.upload_secret_for_patient(patient=request.user) is None:
            return redirect("clinic:sharing")
        return _confirm(
            request,
            title="Replace your device upload secret?",
            text=(
                "A new secret is made and the current one stops working at once: every "
                "uploader that uses it must be given the new one."
            ),
            button="Make a new secret",
            cancel_url=reverse("clinic:sharing"),
        )

    def post(self, request):
        secret = reading_services.upload_secret_rotate(user=request.user)
        site_url = _base_url(request)
        site = urlsplit(site_url)
        response = render(
            request,
            "clinic/upload_secret_created.html",
            {
                "secret": secret,
                "site_url": site_url,
                # xDrip+ takes the secret as the user part of its base URL.
                "xdrip_url": f"{site.scheme}://{secret}@{site.netloc}/api/v1/",
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class UploadSecretRevokeView(PatientRequiredMixin, View):
    """GET: confirm; POST: delete the device upload secret (uploads stop at once)."""

    def get(self, request):
        if selectors.upload_secret_for_patient(patient=request.user) is None:
            return redirect("clinic:sharing")
        return _confirm(
            request,
            title="Revoke your device upload secret?",
            text="Uploaders that use it (xDrip+ and others) can no longer send readings.",
            button="Revoke the secret",
            cancel_url=reverse("clinic:sharing"),
        )

    def post(self, request):
        reading_services.upload_secret_revoke(user=request.user)
        messages.success(request, "Your device upload secret is revoked; uploads stopped.")
        return redirect("clinic:sharing")
