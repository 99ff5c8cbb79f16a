"""The record's sharing page: who may see it, who is asking, the access log, and the
consent flow with physicians from the record's side (DESIGN.md sections 1, 3 and 5).

Views are thin: RecordMixin finds the record and checks the action (patients.access),
patients.selectors reads, patients.grants writes.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from patients import grants, invitations, selectors, services
from patients.access import Action
from patients.forms import AccessOfferForm, HandOverForm, InviteForm, OfferWithdrawForm
from patients.mixins import RecordMixin
from patients.models import PatientAccess

ACCESS_LOG_PER_PAGE = 20


def base_url(request) -> str:
    """The site's address for links in emails, e.g. "https://bgt.example/"."""
    return request.build_absolute_uri("/")


def show_service_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def confirm_page(request, *, title, text, button, cancel_url, danger=True):
    """A page asking to confirm an action; its form POSTs back to the same URL."""
    return render(
        request,
        "patients/confirm.html",
        {
            "title": title,
            "text": text,
            "button": button,
            "cancel_url": cancel_url,
            "danger": danger,
        },
    )


class SharingView(RecordMixin, TemplateView):
    """/sharing/: who sees the record's data, who is asking, the access log, and the
    device upload secret."""

    template_name = "patients/sharing.html"
    record_action = Action.SHARE

    def get_context_data(self, **kwargs):
        log = Paginator(selectors.access_log_for(patient=self.patient), ACCESS_LOG_PER_PAGE)
        people = selectors.people_with_access(patient=self.patient)
        return {
            **super().get_context_data(**kwargs),
            "sharing": selectors.sharing_for(patient=self.patient),
            "people": people,
            "has_own_login": any(g.role == PatientAccess.Role.SELF for g in people),
            "invitations": invitations.pending_invitations(patient=self.patient),
            "may_delete_record": services.may_delete_record(
                patient=self.patient, user=self.request.user
            ),
            "offer_form": kwargs.get("offer_form") or AccessOfferForm(),
            "withdraw_form": kwargs.get("withdraw_form") or OfferWithdrawForm(),
            "invite_form": kwargs.get("invite_form") or InviteForm(),
            "handover_form": kwargs.get("handover_form") or HandOverForm(),
            "log_page": log.get_page(self.request.GET.get("log_page")),
        }


class AccessOfferView(RecordMixin, View):
    """POST /sharing/offer/: offer a physician access by email; the same answer whether or
    not the email belongs to a physician."""

    record_action = Action.SHARE

    def post(self, request):
        form = AccessOfferForm(request.POST)
        if not form.is_valid():
            return sharing_page(request, self.patient, offer_form=form)
        email = form.cleaned_data["email"]
        try:
            grants.physician_access_offer(
                patient=self.patient,
                by=request.user,
                physician_email=email,
                base_url=base_url(request),
            )
        except ValidationError as error:
            show_service_errors(request, error)
        else:
            messages.success(
                request,
                _(
                    "If %(email)s belongs to a physician on BGT, they have been sent your "
                    "offer. They see nothing until they accept; they will then appear below."
                )
                % {"email": email},
            )
        return redirect("patients:sharing")


class OfferWithdrawView(RecordMixin, View):
    """POST /sharing/offer/withdraw/: take back an offer the physician has not accepted;
    the same answer whether or not one was pending (offers are not listed, see
    patients.selectors.sharing_for)."""

    record_action = Action.SHARE

    def post(self, request):
        form = OfferWithdrawForm(request.POST)
        if not form.is_valid():
            return sharing_page(request, self.patient, withdraw_form=form)
        email = form.cleaned_data["email"]
        grants.physician_access_offer_withdraw(
            patient=self.patient, by=request.user, physician_email=email, base_url=base_url(request)
        )
        messages.success(
            request,
            _(
                "If you had a pending offer to %(email)s, it is withdrawn: it can no longer be "
                "accepted. To stop sharing with a physician who already accepted, use "
                "“Stop sharing” next to their name."
            )
            % {"email": email},
        )
        return redirect("patients:sharing")


def sharing_page(request, patient, **forms):
    """The sharing page again, showing a form's errors."""
    view = SharingView(request=request, kwargs={})
    view.patient = patient
    return view.render_to_response(view.get_context_data(**forms))


class RequestAnswerView(RecordMixin, View):
    """POST: the record's side accepts or declines a physician's request."""

    accept = True
    record_action = Action.SHARE

    def post(self, request, pk):
        try:
            grant = selectors.grant_to_answer(user=request.user, grant_id=pk)
        except PatientAccess.DoesNotExist:
            raise Http404("No such request.") from None
        title = selectors.physician_title(grant.user)
        try:
            if self.accept:
                grants.physician_access_accept(
                    grant=grant, by=request.user, base_url=base_url(request)
                )
                messages.success(
                    request, _("%(name)s can now see your readings.") % {"name": title}
                )
            else:
                grants.physician_access_decline(
                    grant=grant, by=request.user, base_url=base_url(request)
                )
                messages.success(
                    request,
                    _("You declined %(name)s's request. Nothing was shared.") % {"name": title},
                )
        except ValidationError as error:
            show_service_errors(request, error)
        return redirect("patients:sharing")


class PatientLinkEndView(RecordMixin, View):
    """GET: confirm; POST: end a physician's access at once (/sharing/links/<id>/end/)."""

    record_action = Action.SHARE

    def get_grant(self):
        try:
            return selectors.grant_to_end(user=self.request.user, grant_id=self.kwargs["pk"])
        except PatientAccess.DoesNotExist:
            raise Http404("No such link.") from None

    def get(self, request, pk):
        grant = self.get_grant()
        title = selectors.physician_title(grant.user)
        return confirm_page(
            request,
            title=_("Stop sharing with %(name)s?") % {"name": title},
            text=_(
                "%(name)s will no longer see your readings, starting now, and will be told by "
                "email. You can offer access again later."
            )
            % {"name": title},
            button=_("Stop sharing"),
            cancel_url=reverse("patients:sharing"),
        )

    def post(self, request, pk):
        grant = self.get_grant()
        grants.physician_access_revoke(grant=grant, by=request.user, base_url=base_url(request))
        messages.success(
            request,
            _("%(name)s can no longer see your readings.")
            % {"name": selectors.physician_title(grant.user)},
        )
        return redirect("patients:sharing")
